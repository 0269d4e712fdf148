"""FEATURES E3 « Carte européenne d'assurance maladie (CEAM) »: « Commander ma carte »,
« Renouveler ma carte », déclarer sa perte ou son vol.

Seed 001 § 15: for the insured and each of their ayants droit; « Commander ma carte » or
« Renouveler ma carte »; is the departure within 15 days?; « Valider », « Continuer », a
confirmation. The order is immediate; the card (valid 2 years) arrives in about 10 days;
early renewal only from 2 months before the current card's expiry; a departure within 15 days
gives at once a « certificat provisoire » (valid 3 months, FEATURES D4).
"""

import datetime
import secrets

from django import forms
from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from assures.models import Ceam
from portal.dates import fr_date

from ..engine import ELIGIBLE, DemarcheType, Step, add_months
from ..forms import StepForm
from ..registry import register

RENEWAL_WINDOW_MONTHS = 2
CERTIFICATE_MONTHS = 3
DELIVERY_DAYS = 10
# The « documents » page of the CEAM: digital image and certificat provisoire (D4).
CERTIFICATE_URL_NAMES = ("documents:ceam",)

MOTIFS = {
    "commander": "Commander ma carte",
    "renouveler": "Renouveler ma carte",
    "perte_vol": "Déclarer la perte ou le vol de ma carte et en commander une nouvelle",
}


def renewal_opens_on(ceam) -> datetime.date:
    return add_months(ceam.expires_on, -RENEWAL_WINDOW_MONTHS)


def certificate_url():
    for name in CERTIFICATE_URL_NAMES:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


class CeamForm(StepForm):
    motif = forms.ChoiceField(label="Votre demande", widget=forms.RadioSelect)
    depart_15_jours = forms.TypedChoiceField(
        label="Votre départ est-il prévu dans les 15 jours ?",
        choices=[("oui", "Oui"), ("non", "Non")],
        widget=forms.RadioSelect,
        help_text="Si oui, un certificat provisoire vous est délivré immédiatement.",
        error_messages={"required": "Indiquez si votre départ est prévu dans les 15 jours."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.current = (
            Ceam.objects.filter(
                person=self.beneficiary, issued_on__lte=self.today, expires_on__gte=self.today
            )
            .order_by("-expires_on")
            .first()
        )
        keys = ["commander"] if self.current is None else ["renouveler", "perte_vol"]
        self.fields["motif"].choices = [(k, MOTIFS[k]) for k in keys]
        if len(keys) == 1:
            self.fields["motif"].initial = keys[0]

    def clean_motif(self):
        motif = self.cleaned_data["motif"]
        if motif == "renouveler" and self.current is not None:
            opens = renewal_opens_on(self.current)
            if self.today < opens:
                raise ValidationError(
                    "Le renouvellement anticipé n'est possible qu'à partir de 2 mois avant la "
                    f"date d'expiration de la carte actuelle (valable jusqu'au "
                    f"{fr_date(self.current.expires_on)}) : revenez à partir du {fr_date(opens)}."
                )
        return motif


def new_card_number() -> str:
    while True:
        number = f"80250{secrets.randbelow(10**15):015d}"
        if not Ceam.objects.filter(card_number=number).exists():
            return number


@register
class CeamDemarche(DemarcheType):
    slug = "ceam"
    label = "Carte européenne d'assurance maladie (CEAM)"
    feature = "E3"
    order = 30
    description = "Commander, renouveler ou déclarer la perte ou le vol de votre CEAM."
    delay_text = "La commande est immédiate : vous recevrez la carte dans 10 jours environ."
    allows_beneficiaries = True
    accept_on_submit = True
    steps = [
        Step("demande", "Votre demande", CeamForm, template="demarches/types/ceam_demande.html")
    ]
    confirmation_template = "demarches/types/ceam_confirmation.html"
    tracking_template = "demarches/types/ceam_confirmation.html"

    def extra_eligibility(self, family, member):
        return ELIGIBLE

    def on_accept(self, demarche):
        """The order is immediate: the new card is recorded, valid 2 years."""
        today = timezone.localdate(demarche.decided_at)
        answers = demarche.payload.get("demande", {})
        if answers.get("motif") == "perte_vol":
            lost = Ceam.objects.select_for_update().filter(
                person=demarche.beneficiary, issued_on__lte=today, expires_on__gte=today
            )
            for card in lost:  # no longer valid from today (the constraint wants > issued_on)
                card.expires_on = max(
                    card.issued_on + datetime.timedelta(days=1), today - datetime.timedelta(days=1)
                )
                card.save(update_fields=["expires_on"])
        card = Ceam.objects.create(
            person=demarche.beneficiary,
            card_number=new_card_number(),
            issued_on=today,
            expires_on=add_months(today, 12 * Ceam.VALIDITY_YEARS),
        )
        result = {
            "numero": card.card_number,
            "valable_jusqu_au": card.expires_on.isoformat(),
            "livraison_vers": (today + datetime.timedelta(days=DELIVERY_DAYS)).isoformat(),
        }
        if answers.get("depart_15_jours") == "oui":
            result["certificat_provisoire_jusqu_au"] = add_months(
                today, CERTIFICATE_MONTHS
            ).isoformat()
        demarche.payload = {**demarche.payload, "carte": result}
        demarche.save(update_fields=["payload", "updated_at"])

    def confirmation_context(self, demarche):
        card = demarche.payload.get("carte", {})
        return {
            "ceam": {
                "numero": card.get("numero"),
                "valable_jusqu_au": datetime.date.fromisoformat(card["valable_jusqu_au"])
                if card.get("valable_jusqu_au")
                else None,
                "livraison_vers": datetime.date.fromisoformat(card["livraison_vers"])
                if card.get("livraison_vers")
                else None,
                "certificat_jusqu_au": datetime.date.fromisoformat(
                    card["certificat_provisoire_jusqu_au"]
                )
                if card.get("certificat_provisoire_jusqu_au")
                else None,
            },
            "certificate_url": certificate_url(),
        }

    tracking_context = confirmation_context

    def accepted_text(self, demarche):
        card = demarche.payload.get("carte", {})
        text = (
            f"La CEAM de {demarche.beneficiary.full_name} est commandée (référence "
            f"{demarche.reference}) : vous la recevrez dans 10 jours environ."
        )
        if card.get("certificat_provisoire_jusqu_au"):
            text += " Un certificat provisoire vous est délivré, valable 3 mois."
        return text

    def acknowledgement_text(self, demarche):
        return f"{super().acknowledgement_text(demarche)} {self.accepted_text(demarche)}"
