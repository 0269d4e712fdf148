"""Demo exchanges and notifications of `seed_demo` (FEATURES F1, B2), idempotent.

Camille MARTIN (CPAM de Paris) finds in « Ma messagerie » an unread « Accusé de réception de
votre déclaration de changement d'adresse postale » (seed 004's home shows it as « Nouveau
message ») and a question about a reimbursement already answered by agent.paris; her bell shows
the notifications of her past arrêt de travail and of a recent payment. Jean DUPUIS (CPAM de la
Gironde) is told about his two complémentaires in chevauchement and his déclaration de
ressources invalidité. Rows are written directly (no e-mail is sent by the seed), with dates
relative to `today`.
"""

import datetime

from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from assures.models import Person

from .enums import Direction, NotificationKind, Theme, ThreadStatus
from .models import Message, Notification, Thread

ADDRESS_REFERENCE = "DEMO-ADRESSE-CAMILLE"
QUESTION_REFERENCE = "DEMO-QUESTION-CAMILLE"


def _at(today, days_ago, hour, minute=0):
    day = today - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour, minute))


def _thread(person, reference, *, theme, subject, created_at, messages):
    """Create the thread of `reference` with its messages, once."""
    if Thread.objects.filter(person=person, related_reference=reference).exists():
        return None
    thread = Thread.objects.create(
        person=person,
        caisse=person.caisse,
        theme=theme,
        subject=subject,
        related_reference=reference,
        created_at=created_at,
        last_message_at=max(m["created_at"] for m in messages),
        status=ThreadStatus.OPEN,
    )
    for fields in messages:
        Message.objects.create(thread=thread, **fields)
    return thread


def _notification(person, kind, text, created_at, *, url="", read=False):
    if Notification.objects.filter(person=person, kind=kind).exists():
        return
    Notification.objects.create(
        person=person,
        kind=kind,
        text=text,
        url=url,
        created_at=created_at,
        read_at=created_at + datetime.timedelta(hours=5) if read else None,
    )


def seed(today):
    camille = Person.objects.get(nir="2900375106123")
    camille_account = User.objects.get(person=camille)
    jean = Person.objects.get(nir="1620133063087")
    agent_paris = User.objects.get(username="agent.paris")
    camille_messages(today, camille, camille_account, agent_paris)
    camille_notifications(today, camille)
    jean_notifications(today, jean)


def camille_messages(today, camille, account, agent):
    received = _at(today, 2, 9, 12)
    _thread(
        camille,
        ADDRESS_REFERENCE,
        theme=Theme.COORDONNEES,
        subject="Accusé de réception de votre déclaration de changement d'adresse postale",
        created_at=received,
        messages=[
            {
                "direction": Direction.FROM_CAISSE,
                "body": (
                    "Madame,\n\nNous avons bien reçu le "
                    f"{timezone.localtime(received):%d/%m/%Y} votre déclaration de changement "
                    "d'adresse postale pour vous et vos enfants Léa et Hugo.\n"
                    "Elle sera prise en compte dans un délai de 2 à 3 jours ouvrés ; votre "
                    "nouvelle adresse apparaîtra alors dans « Mes informations ».\n\n"
                    "Votre caisse d'Assurance Maladie"
                ),
                "created_at": received,
            }
        ],
    )
    asked = _at(today, 12, 20, 41)
    answered = _at(today, 10, 14, 5)
    _thread(
        camille,
        QUESTION_REFERENCE,
        theme=Theme.REMBOURSEMENTS,
        subject="Remboursement de la consultation de Hugo chez le pédiatre",
        created_at=asked,
        messages=[
            {
                "direction": Direction.FROM_INSURED,
                "author": account,
                "body": (
                    "Bonjour,\n\nMon fils Hugo a consulté le Dr ROUX, pédiatre, il y a trois "
                    "semaines. J'ai réglé la consultation et envoyé la feuille de soins, mais je "
                    "ne vois pas encore le remboursement dans « Mes paiements ». "
                    "Pouvez-vous vérifier ?\n\nMerci,\nCamille MARTIN"
                ),
                "created_at": asked,
                "read_at": answered,
            },
            {
                "direction": Direction.FROM_CAISSE,
                "subject": "Accusé de réception de votre message",
                "body": (
                    "Bonjour,\n\nNous avons bien reçu votre message sur le thème « Mes "
                    "remboursements ». Un conseiller de votre caisse vous répondra dans cet "
                    "échange, en général sous 48 heures ouvrées.\n\n"
                    "Votre caisse d'Assurance Maladie"
                ),
                "created_at": asked,
                "read_at": asked + datetime.timedelta(minutes=1),
            },
            {
                "direction": Direction.FROM_CAISSE,
                "author": agent,
                "body": (
                    "Bonjour Madame MARTIN,\n\nLa feuille de soins de la consultation de Hugo "
                    "nous est bien parvenue. Le remboursement de 21,00 € vous a été versé ce "
                    "jour ; il apparaîtra dans « Mes paiements » d'ici 48 heures.\n"
                    "Pensez à présenter votre carte Vitale lors de vos prochaines consultations : "
                    "vous serez remboursée en 5 jours environ, sans feuille de soins à envoyer."
                    "\n\nBien cordialement,\nVotre conseiller de la CPAM de Paris"
                ),
                "created_at": answered,
                "read_at": answered + datetime.timedelta(hours=3),
            },
        ],
    )


def camille_notifications(today, camille):
    leave_start = today - datetime.timedelta(days=305)
    _notification(
        camille,
        NotificationKind.ARRET_RECU,
        f"Votre arrêt de travail du {leave_start:%d/%m/%Y} a bien été reçu par votre caisse.",
        _at(today, 303, 10),
        url=reverse("paiements:sick_leaves"),
        read=True,
    )
    _notification(
        camille,
        NotificationKind.ATTESTATION_SALAIRE_RECUE,
        "L'attestation de salaire envoyée par votre employeur pour votre arrêt de travail a "
        "bien été reçue.",
        _at(today, 300, 11),
        read=True,
    )
    _notification(
        camille,
        NotificationKind.ARRET_REGLE,
        "Les indemnités journalières de votre arrêt de travail ont été réglées.",
        _at(today, 287, 8),
        url=reverse("paiements:sick_leaves"),
        read=True,
    )
    _notification(
        camille,
        NotificationKind.PAIEMENT,
        "Un ou plusieurs paiements ont été effectués : consultez « Mes paiements ».",
        _at(today, 1, 7, 30),
        url=reverse("paiements:list"),
    )


def jean_notifications(today, jean):
    _notification(
        jean,
        NotificationKind.CHEVAUCHEMENT,
        "Deux organismes complémentaires sont enregistrés sur votre dossier pour la même "
        "période : indiquez celui que vous souhaitez conserver.",
        _at(today, 3, 8),
        url=reverse("portal:mes_informations"),
    )
    _notification(
        jean,
        NotificationKind.RESSOURCES_INVALIDITE,
        "Votre déclaration de ressources invalidité est disponible : complétez-la dans "
        "« Mes démarches » avant la date indiquée pour éviter une suspension de votre pension.",
        _at(today, 6, 9),
    )
