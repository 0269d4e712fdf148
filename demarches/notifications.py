"""What the person is told about their démarches (FEATURES E « accusé de réception », H2).

The one place where the démarches talk to « Ma messagerie »: every message is a message from
the caisse in the person's messagerie (`messagerie.services.post_to_insured`, one thread per
démarche reference, which also queues the « nouveau message » e-mail notice) plus a short
notification in the bell (`messagerie.services.notify`, B2) linking to the démarche in
« Suivre mes démarches ».

Every function here is called inside the transaction of the change it announces (outbox,
ARCHITECTURE decision 4): if the change rolls back, nothing is sent.
"""

from __future__ import annotations

from django.urls import reverse

from messagerie.enums import NotificationKind
from messagerie.services import notify, post_to_insured

SHORT_TEXT_MAX = 300


def tracking_url(demarche) -> str:
    return reverse("demarches:detail", args=[demarche.public_id])


def send(demarche, *, subject, body, short_text=None):
    """A message about `demarche` to its person: messagerie thread + bell notification."""
    post_to_insured(
        demarche.person,
        subject=subject,
        body=body,
        theme=demarche.kind.message_theme,
        related_reference=demarche.reference,
    )
    notify(
        demarche.person,
        kind=NotificationKind.DEMARCHE,
        text=(short_text or subject)[:SHORT_TEXT_MAX],
        url=tracking_url(demarche),
    )


def acknowledge(demarche):
    """« Accusé de réception » of a submitted démarche."""
    kind = demarche.kind
    send(
        demarche,
        subject=f"Accusé de réception — {kind.label} ({demarche.reference})",
        body=kind.acknowledgement_text(demarche),
        short_text=f"Votre demande {demarche.reference} a bien été reçue.",
    )


def decision(demarche, transition):
    """The person is told of each step of the instruction (H2)."""
    kind = demarche.kind
    ref = demarche.reference
    to = transition.to_status
    if to == "acceptee":
        subject = f"Demande acceptée — {kind.label} ({ref})"
        body = kind.accepted_text(demarche)
        short = f"Votre demande {ref} est acceptée."
    elif to == "refusee":
        subject = f"Demande refusée — {kind.label} ({ref})"
        body = (
            f"Votre demande « {kind.label} » (référence {ref}) n'a pas pu être acceptée.\n\n"
            f"Motif : {transition.reason}"
        )
        short = f"Votre demande {ref} est refusée."
    elif to == "piece_demandee":
        subject = f"Un document est demandé — {kind.label} ({ref})"
        body = (
            f"Pour instruire votre demande « {kind.label} » (référence {ref}), votre caisse "
            f"a besoin d'un document.\n\n{transition.reason}\n\n"
            "Ajoutez-le depuis « Suivre mes démarches »."
        )
        short = f"Un document est demandé pour votre demande {ref}."
    elif to == "classee_sans_suite":
        subject = f"Demande classée sans suite — {kind.label} ({ref})"
        body = (
            f"Votre demande « {kind.label} » (référence {ref}) est classée sans suite.\n\n"
            f"Motif : {transition.reason}"
        )
        short = f"Votre demande {ref} est classée sans suite."
    elif to == "en_instruction" and transition.from_status == "deposee":
        subject = f"Demande en cours d'instruction — {kind.label} ({ref})"
        body = f"Votre demande « {kind.label} » (référence {ref}) est en cours d'instruction."
        short = f"Votre demande {ref} est en cours d'instruction."
    else:
        return
    send(demarche, subject=subject, body=body, short_text=short)


def information(demarche, *, subject, body):
    """Any other news of a démarche (e.g. a Vitale card sent, a procuration revoked)."""
    send(demarche, subject=subject, body=body)
