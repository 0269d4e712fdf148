"""FEATURES E1 « Déclarer la perte ou le vol de carte Vitale » (or its dysfonctionnement).

Seed 001 § 9: the insured or one of their beneficiaries over 12; the beneficiary, the
coordonnées checked, the motif; the commitment to return the old card if it is found; the card
is invalidated at once (the declaration is processed immediately); then « Continuer » leads to
the order of a new card (E2), which must follow within 4 days.
"""

import datetime

from django import forms
from django.utils import timezone
from django.utils.functional import cached_property

from assures.enums import VitaleStatus
from assures.models import VitaleCard

from ..engine import ELIGIBLE, DemarcheType, Step, refused
from ..forms import StepForm
from ..registry import register

ORDER_DEADLINE = datetime.timedelta(days=4)


class DeclarationForm(StepForm):
    motif = forms.ChoiceField(
        label="Motif de votre déclaration",
        choices=[
            ("perte", "Perte"),
            ("vol", "Vol"),
            ("dysfonctionnement", "Dysfonctionnement (la carte ne fonctionne plus)"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Indiquez le motif de votre déclaration."},
    )
    coordonnees_exactes = forms.BooleanField(
        label="Les coordonnées ci-dessus sont exactes",
        error_messages={
            "required": "Vérifiez vos coordonnées : si elles ne sont plus exactes, déclarez "
            "d'abord votre changement d'adresse."
        },
    )
    engagement = forms.BooleanField(
        label="Je m'engage à restituer l'ancienne carte à ma caisse si je la retrouve",
        error_messages={"required": "Cochez l'engagement de restituer l'ancienne carte."},
    )

    @cached_property
    def card(self):
        """The card the declaration will invalidate (shown above the form)."""
        return VitaleCard.objects.filter(
            person=self.beneficiary, status=VitaleStatus.ACTIVE
        ).first()


@register
class PerteVitale(DemarcheType):
    slug = "perte-carte-vitale"
    label = "Déclarer la perte ou le vol de carte Vitale"
    feature = "E1"
    order = 10
    description = (
        "Perte, vol ou dysfonctionnement : la carte est invalidée immédiatement, puis vous "
        "commandez la nouvelle."
    )
    delay_text = "Votre déclaration est prise en compte immédiatement."
    message_theme = "carte_vitale"
    allows_beneficiaries = True
    min_age = 12
    accept_on_submit = True
    submit_label = "Valider ma déclaration"
    steps = [
        Step(
            "declaration",
            "Motif et coordonnées",
            DeclarationForm,
            template="demarches/types/perte_vitale_declaration.html",
        )
    ]
    confirmation_template = "demarches/types/perte_vitale_confirmation.html"

    def extra_eligibility(self, family, member):
        if family.active_card(member) is None:
            who = "Vous n'avez" if member.pk == family.person.pk else f"{member.first_name} n'a"
            return refused(f"{who} pas de carte Vitale en cours de validité à déclarer.")
        return ELIGIBLE

    def on_submit(self, demarche):
        """The card is invalidated at once (seed: « automatiquement invalidée »)."""
        card = (
            VitaleCard.objects.select_for_update()
            .filter(person=demarche.beneficiary, status=VitaleStatus.ACTIVE)
            .first()
        )
        if card is None:
            return
        card.status = VitaleStatus.INVALIDATED
        card.status_changed_at = demarche.submitted_at
        card.save(update_fields=["status", "status_changed_at"])
        demarche.payload = {**demarche.payload, "carte_invalidee": card.serial_number}
        demarche.save(update_fields=["payload", "updated_at"])

    def order_deadline(self, demarche):
        return demarche.submitted_at + ORDER_DEADLINE

    def acknowledgement_text(self, demarche):
        deadline = timezone.localtime(self.order_deadline(demarche))
        serial = demarche.payload.get("carte_invalidee", "")
        return (
            f"{super().acknowledgement_text(demarche)} La carte Vitale n° {serial} de "
            f"{demarche.beneficiary.full_name} est invalidée. Vous pouvez commander la nouvelle "
            f"carte en ligne jusqu'au {deadline:%d/%m/%Y à %H:%M} (4 jours)."
        )

    def confirmation_context(self, demarche):
        from .commande_vitale import CommandeVitale

        return {
            "order_deadline": self.order_deadline(demarche),
            "order_type": CommandeVitale.slug,
            "can_order": demarche.submitted_at + ORDER_DEADLINE >= timezone.now(),
        }
