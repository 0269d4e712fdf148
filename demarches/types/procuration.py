"""FEATURES E13 « Faire ou révoquer une procuration ».

Seed 001 § 20: the conditions of use, « Je démarre ma demande »; the mandataire's identity
(18 or more, whatever their regime) → « Suivant »; review and certification → « Je valide ma
demande »; a confirmation. The procuration is valid one month and can be revoked at any time
from « Mes informations » or from « Mes démarches ».
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assures.models import Proxy

from .. import notifications
from ..engine import ELIGIBLE, DemarcheType, Step, add_months, refused
from ..forms import StepForm
from ..models import Demarche
from ..registry import register

MANDATARY_MIN_AGE = 18
VALIDITY_MONTHS = 1


class MandataireForm(StepForm):
    civilite = forms.ChoiceField(
        label="Civilité", choices=[("Mme", "Madame"), ("M.", "Monsieur")], widget=forms.RadioSelect
    )
    nom = forms.CharField(label="Nom du mandataire", max_length=100)
    prenom = forms.CharField(label="Prénom du mandataire", max_length=100)
    date_naissance = forms.DateField(
        label="Date de naissance du mandataire",
        help_text="Le mandataire doit avoir au moins 18 ans, quel que soit son régime de "
        "sécurité sociale.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Saisissez une date valide, par exemple 25/04/1980."},
    )
    lien = forms.CharField(
        label="Lien avec vous",
        max_length=100,
        required=False,
        help_text="Par exemple : fille, voisin, aidant…",
    )

    def clean_nom(self):
        return " ".join(self.cleaned_data["nom"].split()).upper()

    def clean_prenom(self):
        return " ".join(self.cleaned_data["prenom"].split())

    def clean_date_naissance(self):
        born = self.cleaned_data["date_naissance"]
        if born > self.today:
            raise ValidationError("La date de naissance ne peut pas être dans le futur.")
        age = (
            self.today.year
            - born.year
            - ((self.today.month, self.today.day) < (born.month, born.day))
        )
        if age < MANDATARY_MIN_AGE:
            raise ValidationError("Le mandataire doit avoir au moins 18 ans.")
        return born


def proxies_in_force(person, today=None):
    today = today or timezone.localdate()
    return Proxy.objects.filter(
        person=person, start__lte=today, end__gte=today, revoked_at__isnull=True
    )


def revoke(proxy, user):
    """Revoke a procuration (from « Mes informations » or « Mes démarches »); idempotent."""
    with transaction.atomic():
        locked = Proxy.objects.select_for_update().get(pk=proxy.pk)
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        demarche = Demarche.objects.filter(
            person=locked.person, type=Procuration.slug, payload__procuration__id=locked.pk
        ).first()
        if demarche is not None:
            notifications.information(
                demarche,
                subject=f"Procuration révoquée ({demarche.reference})",
                body=(
                    "Vous avez révoqué le "
                    f"{timezone.localtime(locked.revoked_at):%d/%m/%Y à %H:%M} la procuration "
                    f"donnée à {locked.mandatary_name}. Cette personne ne peut plus effectuer "
                    "de démarche en votre nom."
                ),
            )
        return locked


@register
class Procuration(DemarcheType):
    slug = "procuration"
    label = "Faire ou révoquer une procuration"
    feature = "E13"
    order = 130
    description = "Autoriser un proche à faire une démarche en votre nom pendant un mois."
    delay_text = "La procuration est valable un mois à partir d'aujourd'hui."
    intro_template = "demarches/types/procuration_intro.html"
    start_label = "Je démarre ma demande"
    submit_label = "Je valide ma demande"
    attestation = (
        "Je certifie l'exactitude des informations déclarées et donne procuration à cette "
        "personne pour effectuer des démarches en mon nom pendant un mois."
    )
    accept_on_submit = True
    steps = [Step("mandataire", "Le mandataire", MandataireForm)]
    confirmation_template = "demarches/types/procuration_confirmation.html"
    tracking_template = "demarches/types/procuration_confirmation.html"

    def extra_eligibility(self, family, member):
        if family.proxies:
            proxy = family.proxies[0]
            return refused(
                f"Une procuration est déjà en cours, donnée à {proxy.mandatary_name} jusqu'au "
                f"{proxy.end:%d/%m/%Y} : révoquez-la avant d'en faire une nouvelle."
            )
        return ELIGIBLE

    def start_context(self, family):
        return {"proxies": family.proxies}

    def on_accept(self, demarche):
        answers = demarche.payload.get("mandataire", {})
        today = timezone.localdate(demarche.decided_at)
        proxy = Proxy.objects.create(
            person=demarche.person,
            mandatary_name=f"{answers['civilite']} {answers['prenom']} {answers['nom']}"[:200],
            mandatary_birth_date=answers["date_naissance"],
            start=today,
            end=add_months(today, VALIDITY_MONTHS),
        )
        demarche.payload = {**demarche.payload, "procuration": {"id": proxy.pk}}
        demarche.save(update_fields=["payload", "updated_at"])

    def proxy_of(self, demarche):
        info = demarche.payload.get("procuration")
        if not info:
            return None
        return Proxy.objects.filter(pk=info["id"], person=demarche.person).first()

    def confirmation_context(self, demarche):
        return {"proxy": self.proxy_of(demarche), "today": timezone.localdate()}

    tracking_context = confirmation_context

    def accepted_text(self, demarche):
        proxy = self.proxy_of(demarche)
        if proxy is None:
            return super().accepted_text(demarche)
        return (
            f"Votre procuration à {proxy.mandatary_name} est enregistrée (référence "
            f"{demarche.reference}) : elle est valable du {proxy.start:%d/%m/%Y} au "
            f"{proxy.end:%d/%m/%Y}. Vous pouvez la révoquer à tout moment depuis « Mes "
            "informations » ou « Mes démarches »."
        )

    def acknowledgement_text(self, demarche):
        return f"{super().acknowledgement_text(demarche)} {self.accepted_text(demarche)}"
