"""FEATURES E4 « Changement d'adresse ».

Seed 001 § 5: « Déclarer un changement de situation » → « Changement d'adresse »; France or
another country; the new address typed; « Valider » shows a confirmation screen where the
person confirms with « C'est bien ça ! »; the same request covers the person's ayants droit;
processed in 2 to 3 working days (5 to 7 when the CPAM changes).

A French address is checked as far as public data allows (demarches/departements.py): five
digits, a département that exists, the commune compared with the other départements'
chefs-lieux — and the confirmation screen shows the département for the person to check. The
registry is updated when the caisse accepts the request (an agent, H2).
"""

import contextlib

from django import forms
from django.utils import timezone

from assures.models import Person

from ..departements import (
    PostalCodeError,
    city_warning,
    departement_label,
    departement_of,
    normalise_city,
)
from ..engine import DemarcheType, Step, SummaryItem, SummarySection
from ..enums import Section
from ..forms import StepForm
from ..registry import register

FRANCE = "France"


class AdresseForm(StepForm):
    residence = forms.ChoiceField(
        label="Vous résidez",
        choices=[("france", "En France"), ("etranger", "Dans un autre pays")],
        widget=forms.RadioSelect,
        initial="france",
        error_messages={"required": "Indiquez si vous résidez en France ou dans un autre pays."},
    )
    address_line1 = forms.CharField(
        label="Numéro et libellé de la voie",
        max_length=200,
        help_text="Par exemple : 12 rue des Lilas.",
        error_messages={"required": "Saisissez le numéro et le nom de la voie."},
    )
    address_line2 = forms.CharField(
        label="Complément d'adresse",
        max_length=200,
        required=False,
        help_text="Bâtiment, étage, lieu-dit, boîte postale…",
    )
    postal_code = forms.CharField(
        label="Code postal",
        max_length=10,
        help_text="En France, 5 chiffres. Vous ne le connaissez pas ? Il figure sur vos "
        "courriers ou sur le site de votre mairie.",
        error_messages={"required": "Saisissez le code postal."},
    )
    city = forms.CharField(
        label="Commune",
        max_length=100,
        error_messages={"required": "Saisissez la commune."},
    )
    country = forms.CharField(
        label="Pays (si vous résidez hors de France)",
        max_length=60,
        required=False,
    )
    ayants_droit = forms.MultipleChoiceField(
        label="Cette adresse est aussi celle de",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Les ayants droit rattachés à votre dossier : décochez ceux qui ne "
        "déménagent pas avec vous.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            (str(p.public_id), p.full_name) for p in Person.objects.ayants_droit_of(self.person)
        ]
        if choices:
            self.fields["ayants_droit"].choices = choices
            self.fields["ayants_droit"].initial = [c[0] for c in choices]
        else:
            del self.fields["ayants_droit"]
        for name in ("address_line1", "address_line2", "city"):
            self.fields[name].widget.attrs["autocomplete"] = {
                "address_line1": "address-line1",
                "address_line2": "address-line2",
                "city": "address-level2",
            }[name]
        self.fields["postal_code"].widget.attrs.update(
            {"autocomplete": "postal-code", "inputmode": "numeric"}
        )
        self.fields["country"].widget.attrs["autocomplete"] = "country-name"

    def clean(self):
        data = super().clean()
        residence = data.get("residence")
        postal_code = (data.get("postal_code") or "").replace(" ", "")
        city = data.get("city") or ""
        if residence == "france":
            data["country"] = FRANCE
            if postal_code:
                try:
                    departement_of(postal_code)
                except PostalCodeError as error:
                    self.add_error("postal_code", str(error))
                data["postal_code"] = postal_code
            if city:
                data["city"] = normalise_city(city)
                if not data["city"]:
                    self.add_error("city", "Saisissez le nom de la commune en lettres.")
        elif residence == "etranger":
            country = (data.get("country") or "").strip()
            if not country:
                self.add_error("country", "Indiquez le pays de votre nouvelle adresse.")
            elif normalise_city(country) == "FRANCE":
                self.add_error(
                    "country", "Pour une adresse en France, choisissez « En France » ci-dessus."
                )
            data["country"] = country
            data["city"] = city.strip().upper()
        return data


@register
class ChangementAdresse(DemarcheType):
    slug = "changement-adresse"
    label = "Changement d'adresse"
    feature = "E4"
    section = Section.CHANGEMENT
    order = 40
    description = (
        "Votre nouvelle adresse, en France ou à l'étranger, pour vous et vos ayants droit."
    )
    delay_text = (
        "Délai moyen de traitement : 2 à 3 jours ouvrés (5 à 7 jours ouvrés si votre nouvelle "
        "adresse dépend d'une autre caisse)."
    )
    submit_label = "C'est bien ça !"
    message_theme = "coordonnees"
    steps = [Step("adresse", "Nouvelle adresse", AdresseForm)]
    summary_title = "Vérifiez votre nouvelle adresse"

    def address_lines(self, answers):
        lines = [answers.get("address_line1", ""), answers.get("address_line2", "")]
        lines.append(f"{answers.get('postal_code', '')} {answers.get('city', '')}".strip())
        if answers.get("country") and answers.get("country") != FRANCE:
            lines.append(answers["country"].upper())
        return [line for line in lines if line]

    def people(self, demarche):
        """The account holder and the ayants droit who move with them (still attached)."""
        wanted = demarche.payload.get("adresse", {}).get("ayants_droit", [])
        attached = Person.objects.filter(
            attached_to__insured=demarche.person, public_id__in=wanted
        ).order_by("birth_date")
        return [demarche.person, *attached]

    def summary(self, demarche, *, review=False):
        answers = demarche.payload.get("adresse", {})
        items = [SummaryItem("Nouvelle adresse", "\n".join(self.address_lines(answers)))]
        if answers.get("country") == FRANCE and answers.get("postal_code"):
            with contextlib.suppress(PostalCodeError):
                departement = departement_label(departement_of(answers["postal_code"]))
                items.append(SummaryItem("Département", departement))
        items.append(SummaryItem("Pour", ", ".join(p.full_name for p in self.people(demarche))))
        return [SummarySection("Nouvelle adresse", items, "adresse")]

    def warnings(self, demarche):
        answers = demarche.payload.get("adresse", {})
        if answers.get("country") != FRANCE:
            return []
        warning = city_warning(answers.get("postal_code", ""), answers.get("city", ""))
        return [warning] if warning else []

    def on_accept(self, demarche):
        answers = demarche.payload.get("adresse", {})
        for person in self.people(demarche):
            person.address_line1 = answers.get("address_line1", "")
            person.address_line2 = answers.get("address_line2", "")
            person.postal_code = answers.get("postal_code", "")
            person.city = answers.get("city", "")
            person.country = answers.get("country") or FRANCE
            person.save(
                update_fields=["address_line1", "address_line2", "postal_code", "city", "country"]
            )
        demarche.payload = {
            **demarche.payload,
            "appliquee_le": timezone.now().isoformat(),
            "appliquee_a": [str(p.public_id) for p in self.people(demarche)],
        }
        demarche.save(update_fields=["payload", "updated_at"])

    def accepted_text(self, demarche):
        answers = demarche.payload.get("adresse", {})
        return (
            f"Votre nouvelle adresse est enregistrée (référence {demarche.reference}) : "
            f"{', '.join(self.address_lines(answers))}."
        )
