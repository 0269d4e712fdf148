"""FEATURES E2 « Commander une carte Vitale » + « Suivre la commande ».

Seed 001 § 10: the insured or a beneficiary of 12 or more, after a loss, theft or
dysfonctionnement (E1, within 4 days), or who never had a card; the beneficiary and the
coordonnées checked; an identity photo (the compliance rules shown, « J'ai compris »); a photo
of the identity document (its rules, « J'ai compris »); the attestation sur l'honneur;
« Valider ». Tracking is available 1 to 2 days later and the card arrives in about 2 weeks.

Here: the caisse checks the photo (an agent accepts the request, or the periodic task does after
a day when nobody has); the acceptance orders the card (a `VitaleCard` « commandée »), which
then goes « en cours de fabrication » and « envoyée » (by agents in the admin, or by the
periodic task on the delays below), and becomes the card in force once delivered.
"""

import datetime
import secrets

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assures.enums import VitaleStatus
from assures.models import VitaleCard
from portal.uploads import ALL_TYPES, IMAGE_TYPES, UploadField

from .. import notifications
from ..engine import ELIGIBLE, DemarcheType, Step, refused
from ..enums import Status
from ..forms import StepForm
from ..models import Demarche
from ..registry import register
from .perte_vitale import ORDER_DEADLINE, PerteVitale

MIN_PHOTO_WIDTH, MIN_PHOTO_HEIGHT = 300, 400
# How long each stage of the order takes when nobody advances it by hand (about 2 weeks).
STAGE_DELAYS = {
    VitaleStatus.ORDERED: datetime.timedelta(days=1),
    VitaleStatus.IN_PRODUCTION: datetime.timedelta(days=7),
    VitaleStatus.SENT: datetime.timedelta(days=4),
}
NEXT_STAGE = {
    VitaleStatus.ORDERED: VitaleStatus.IN_PRODUCTION,
    VitaleStatus.IN_PRODUCTION: VitaleStatus.SENT,
    VitaleStatus.SENT: VitaleStatus.ACTIVE,
}
ORDER_STATUSES = (VitaleStatus.ORDERED, VitaleStatus.IN_PRODUCTION, VitaleStatus.SENT)
TRACKING_LABELS = {
    VitaleStatus.ORDERED: "Carte commandée",
    VitaleStatus.IN_PRODUCTION: "Carte en cours de fabrication",
    VitaleStatus.SENT: "Carte envoyée",
    VitaleStatus.ACTIVE: "Carte reçue et en service",
}


class CoordonneesForm(StepForm):
    coordonnees_exactes = forms.BooleanField(
        label="Les coordonnées ci-dessus sont exactes : la carte sera envoyée à cette adresse",
        error_messages={
            "required": "Vérifiez l'adresse d'envoi : si elle n'est plus exacte, déclarez "
            "d'abord votre changement d'adresse."
        },
    )


class PhotoForm(StepForm):
    regles_comprises = forms.BooleanField(
        label="J'ai compris",
        help_text="J'ai lu les conditions de conformité de la photo d'identité.",
        error_messages={
            "required": "Lisez les conditions de conformité puis cochez « J'ai compris »."
        },
    )
    photo = UploadField(
        label="Photo d'identité",
        allowed=IMAGE_TYPES,
        help_text="Une photo récente, de face, en couleur, sur fond clair.",
    )

    def clean_photo(self):
        info = self.cleaned_data.get("photo")
        if info is None:
            return info
        if info.width < MIN_PHOTO_WIDTH or info.height < MIN_PHOTO_HEIGHT:
            raise ValidationError(
                f"La photo est trop petite ({info.width} × {info.height} pixels) : il faut au "
                f"moins {MIN_PHOTO_WIDTH} × {MIN_PHOTO_HEIGHT} pixels."
            )
        if info.width >= info.height:
            raise ValidationError("La photo doit être prise en hauteur (format portrait).")
        return info


class PieceIdentiteForm(StepForm):
    regles_comprises = forms.BooleanField(
        label="J'ai compris",
        help_text="J'ai lu les conditions de conformité de la photo de la pièce d'identité.",
        error_messages={
            "required": "Lisez les conditions de conformité puis cochez « J'ai compris »."
        },
    )
    piece_identite = UploadField(
        label="Photo ou scan de la pièce d'identité",
        allowed=ALL_TYPES,
        help_text="Carte nationale d'identité, passeport ou titre de séjour en cours de validité.",
    )


def new_serial_number() -> str:
    while True:
        serial = f"9{secrets.randbelow(10**10):010d}"
        if not VitaleCard.objects.filter(serial_number=serial).exists():
            return serial


@register
class CommandeVitale(DemarcheType):
    slug = "commande-carte-vitale"
    label = "Commander une carte Vitale"
    feature = "E2"
    order = 20
    description = "Avec photo d'identité et pièce d'identité ; suivi de la commande en ligne."
    delay_text = (
        "Le suivi de votre commande sera disponible dans 1 à 2 jours, dans « Suivre mes "
        "démarches ». Vous recevrez votre carte dans 2 semaines environ."
    )
    message_theme = "carte_vitale"
    allows_beneficiaries = True
    min_age = 12
    auto_accept_after = datetime.timedelta(days=1)
    attestation = (
        "J'atteste sur l'honneur l'exactitude des informations transmises et que la photo "
        "d'identité est récente et ressemblante."
    )
    steps = [
        Step(
            "coordonnees",
            "Coordonnées",
            CoordonneesForm,
            template="demarches/types/commande_vitale_coordonnees.html",
        ),
        Step(
            "photo",
            "Photo d'identité",
            PhotoForm,
            template="demarches/types/commande_vitale_photo.html",
        ),
        Step(
            "piece-identite",
            "Pièce d'identité",
            PieceIdentiteForm,
            template="demarches/types/commande_vitale_piece.html",
        ),
    ]
    tracking_template = "demarches/types/commande_vitale_suivi.html"

    def extra_eligibility(self, family, member):
        you = member.pk == family.person.pk
        cards = family.cards_of(member)
        if family.active_card(member) is not None:
            who = "Votre carte Vitale est" if you else f"La carte Vitale de {member.first_name} est"
            return refused(
                f"{who} en cours de validité : déclarez d'abord sa perte, son vol ou son "
                "dysfonctionnement."
            )
        if any(c.status in ORDER_STATUSES for c in cards):
            return refused(
                f"Une carte Vitale est déjà commandée pour {member.first_name} : suivez sa "
                "commande dans « Suivre mes démarches »."
            )
        if cards:  # every card invalidated: the order must follow a declaration (4 days)
            declaration = family.latest(PerteVitale.slug, member, {Status.ACCEPTEE})
            if declaration is None or declaration.submitted_at + ORDER_DEADLINE < timezone.now():
                return refused(
                    "La commande en ligne d'une carte Vitale doit suivre de 4 jours au plus la "
                    "déclaration de perte, de vol ou de dysfonctionnement. Ce délai est dépassé : "
                    "contactez votre caisse au 36 46."
                )
        return ELIGIBLE

    def declaration_for(self, demarche):
        """The E1 declaration this order follows (within 4 days), if any."""
        if demarche.follows_id:
            return demarche.follows
        return (
            Demarche.objects.filter(
                person=demarche.person,
                beneficiary=demarche.beneficiary,
                type=PerteVitale.slug,
                status=Status.ACCEPTEE,
                submitted_at__gte=timezone.now() - ORDER_DEADLINE,
            )
            .order_by("-submitted_at")
            .first()
        )

    def on_submit(self, demarche):
        if demarche.follows_id is None:
            declaration = self.declaration_for(demarche)
            if declaration is not None:
                demarche.follows = declaration
                demarche.save(update_fields=["follows", "updated_at"])

    def on_accept(self, demarche):
        """The photo is accepted: the card is ordered (« commandée »)."""
        now = timezone.now()
        card = VitaleCard.objects.create(
            person=demarche.beneficiary,
            serial_number=new_serial_number(),
            status=VitaleStatus.ORDERED,
            issued_on=timezone.localdate(now),
            status_changed_at=now,
        )
        demarche.payload = {
            **demarche.payload,
            "commande": {
                "serial": card.serial_number,
                "suivi": [{"statut": card.status, "le": now.isoformat()}],
            },
        }
        demarche.save(update_fields=["payload", "updated_at"])

    def accepted_text(self, demarche):
        return (
            f"Votre photo est conforme : la carte Vitale de {demarche.beneficiary.full_name} est "
            f"commandée (référence {demarche.reference}). Suivez sa fabrication et son envoi "
            "dans « Suivre mes démarches » ; vous la recevrez dans 2 semaines environ."
        )

    def tracking_context(self, demarche):
        order = demarche.payload.get("commande")
        if not order:
            return {"vitale_order": None}
        steps = [
            {
                "label": TRACKING_LABELS.get(entry["statut"], entry["statut"]),
                "at": datetime.datetime.fromisoformat(entry["le"]),
            }
            for entry in order["suivi"]
        ]
        card = VitaleCard.objects.filter(serial_number=order["serial"]).first()
        return {"vitale_order": {"serial": order["serial"], "steps": steps, "card": card}}

    # --- the order's progress (agents in the admin, or the periodic task) -------------------
    def advance_order(self, demarche, *, at=None):
        """Move the ordered card to its next stage; returns the new status or None."""
        at = at or timezone.now()
        with transaction.atomic():
            locked = Demarche.objects.select_for_update().get(pk=demarche.pk)
            order = locked.payload.get("commande")
            if locked.status != Status.ACCEPTEE or not order:
                return None
            card = (
                VitaleCard.objects.select_for_update().filter(serial_number=order["serial"]).first()
            )
            if card is None or card.status not in NEXT_STAGE:
                return None
            target = NEXT_STAGE[card.status]
            if (
                target == VitaleStatus.ACTIVE
                and VitaleCard.objects.filter(
                    person=card.person, status=VitaleStatus.ACTIVE
                ).exists()
            ):
                return None
            card.status = target
            card.status_changed_at = at
            card.save(update_fields=["status", "status_changed_at"])
            order = {**order, "suivi": [*order["suivi"], {"statut": target, "le": at.isoformat()}]}
            locked.payload = {**locked.payload, "commande": order}
            locked.save(update_fields=["payload", "updated_at"])
            if target == VitaleStatus.SENT:
                notifications.information(
                    locked,
                    subject=f"Votre carte Vitale est envoyée ({locked.reference})",
                    body=(
                        f"La carte Vitale de {locked.beneficiary.full_name} a été envoyée le "
                        f"{timezone.localtime(at):%d/%m/%Y} à l'adresse enregistrée dans votre "
                        "dossier. Vous la recevrez dans quelques jours."
                    ),
                )
            return target

    def periodic(self, now):
        """Advance every order whose current stage has lasted its usual delay."""
        advanced = 0
        for status, delay in STAGE_DELAYS.items():
            serials = VitaleCard.objects.filter(
                status=status, status_changed_at__lte=now - delay
            ).values_list("serial_number", flat=True)
            for demarche in Demarche.objects.filter(
                type=self.slug, status=Status.ACCEPTEE, payload__commande__serial__in=list(serials)
            ):
                if self.advance_order(demarche, at=now):
                    advanced += 1
        return advanced
