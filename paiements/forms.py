"""Forms of « Mes paiements » (FEATURES C1, C6, C7). Errors are French and next to the field."""

import re
import uuid

from dateutil.relativedelta import relativedelta
from django import forms
from django.utils import timezone

from .enums import NATURE_FILTER_LABELS, Nature
from .models import ProcessingTheme

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
ALL_FAMILY = ""
MAX_SEARCH_MONTHS = 36


class PaymentSearchForm(forms.Form):
    """« Rechercher » (C1): a GET form whose values stay in the URL."""

    du = forms.DateField(
        label="Du",
        required=False,
        widget=DATE_WIDGET,
        input_formats=DATE_INPUT_FORMATS,
        error_messages={"invalid": "Saisissez une date valide, par exemple 15/03/2026."},
    )
    au = forms.DateField(
        label="Au",
        required=False,
        widget=DATE_WIDGET,
        input_formats=DATE_INPUT_FORMATS,
        error_messages={"invalid": "Saisissez une date valide, par exemple 15/03/2026."},
    )
    beneficiaire = forms.ChoiceField(
        label="Bénéficiaire",
        required=False,
        error_messages={
            "invalid_choice": "Choisissez « Toute la famille » ou une personne de votre famille."
        },
    )
    nature = forms.MultipleChoiceField(
        label="Nature du paiement",
        required=False,
        choices=[(value, label) for value, label in NATURE_FILTER_LABELS.items()],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choisissez une nature de paiement de la liste."},
    )
    a_transmettre = forms.BooleanField(
        label="Paiements à transmettre à votre complémentaire",
        required=False,
        help_text="Uniquement les remboursements de soins qui n'ont pas été transmis "
        "automatiquement à votre organisme complémentaire.",
    )

    def __init__(self, *args, family, **kwargs):
        super().__init__(*args, **kwargs)
        self.family = {str(person.public_id): person for person in family}
        self.fields["beneficiaire"].choices = [
            (ALL_FAMILY, "Toute la famille"),
            *((key, person.full_name) for key, person in self.family.items()),
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("du"), cleaned.get("au")
        today = timezone.localdate()
        if end and end > today:
            self.add_error("au", "La date de fin ne peut pas être dans le futur.")
        if start and start > today:
            self.add_error("du", "La date de début ne peut pas être dans le futur.")
        if start and end and start > end:
            self.add_error("au", "La date de fin doit être postérieure à la date de début.")
        if start and end and not self.errors:
            months = (end.year - start.year) * 12 + end.month - start.month + 1
            if months > MAX_SEARCH_MONTHS:
                self.add_error(
                    "du", f"La période de recherche ne peut pas dépasser {MAX_SEARCH_MONTHS} mois."
                )
        return cleaned

    @property
    def beneficiary(self):
        return self.family.get(self.cleaned_data.get("beneficiaire") or "")

    @property
    def natures(self):
        return [Nature(value) for value in self.cleaned_data.get("nature") or []]


# --- C6 « Payer une créance » -------------------------------------------------------------------
class CreanceSearchForm(forms.Form):
    reference = forms.CharField(
        label="Référence de l'avis de sommes à payer",
        max_length=40,
        help_text="Elle se trouve en en-tête du courrier reçu et se compose de 16 chiffres et "
        "1 lettre, par exemple 0123456789012345B.",
        error_messages={"required": "Saisissez la référence de votre avis de sommes à payer."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_reference(self):
        value = re.sub(r"[\s.-]", "", self.cleaned_data["reference"]).upper()
        if not re.fullmatch(r"\d{16}[A-Z]", value):
            raise forms.ValidationError(
                "La référence de l'avis comporte 16 chiffres suivis d'une lettre "
                "(par exemple 0123456789012345B)."
            )
        return value


class CreancePayForm(forms.Form):
    """Tick the line(s) to pay and the amount of each (C6). One field pair per line."""

    jeton = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, lines, available, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("jeton", uuid.uuid4())
        super().__init__(*args, **kwargs)
        self.lines = lines
        self.available = available
        for line in lines:
            if available[line.pk] <= 0:
                continue
            self.fields[f"ligne_{line.pk}"] = forms.BooleanField(
                label=f"Régler la ligne « {line.label} »", required=False
            )
            self.fields[f"montant_{line.pk}"] = forms.DecimalField(
                label="Montant à régler (en €)",
                required=False,
                min_value=0,
                max_digits=8,
                decimal_places=2,
                localize=True,
                help_text="Entre 16 € et 50 €, sans dépasser le reste dû.",
                error_messages={
                    "invalid": "Saisissez un montant en euros, par exemple 25,00.",
                    "max_decimal_places": "Indiquez au plus 2 chiffres après la virgule.",
                    "min_value": "Le montant doit être positif.",
                },
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            )

    def rows(self):
        """(line, available, tick field, amount field) for the template."""
        for line in self.lines:
            if f"ligne_{line.pk}" in self.fields:
                yield (
                    line,
                    self.available[line.pk],
                    self[f"ligne_{line.pk}"],
                    self[f"montant_{line.pk}"],
                )
            else:
                yield line, self.available[line.pk], None, None

    def clean(self):
        from .services import check_line_amount

        cleaned = super().clean()
        self.amounts = {}
        for line in self.lines:
            if not cleaned.get(f"ligne_{line.pk}"):
                continue
            field = f"montant_{line.pk}"
            amount = cleaned.get(field)
            if field in self.errors:
                continue
            if amount is None:
                self.add_error(field, "Indiquez le montant que vous souhaitez régler.")
                continue
            message = check_line_amount(amount, self.available[line.pk])
            if message:
                self.add_error(field, message)
                continue
            self.amounts[line] = amount
        if not self.errors and not self.amounts:
            raise forms.ValidationError("Cochez au moins une ligne de la créance à régler.")
        return cleaned


# --- C7 « Mes délais » ----------------------------------------------------------------------
class DelaysForm(forms.Form):
    thematique = forms.ModelChoiceField(
        label="Thématique de ma demande",
        queryset=ProcessingTheme.objects.none(),
        empty_label="Choisissez une thématique",
        error_messages={
            "required": "Choisissez la thématique de votre demande.",
            "invalid_choice": "Choisissez une thématique de la liste.",
        },
    )
    precisions = forms.CharField(
        label="Précisions sur ma demande",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Par exemple : feuille de soins du dentiste pour ma fille. 500 caractères au "
        "plus.",
        error_messages={
            "max_length": "Les précisions ne peuvent pas dépasser 500 caractères "
            "(actuellement %(show_value)d)."
        },
    )
    date_envoi = forms.DateField(
        label="Date de dépôt ou d'envoi de ma demande",
        widget=DATE_WIDGET,
        input_formats=DATE_INPUT_FORMATS,
        error_messages={
            "required": "Indiquez la date de dépôt ou d'envoi de votre demande.",
            "invalid": "Saisissez une date valide, par exemple 15/03/2026.",
        },
    )

    def __init__(self, *args, themes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["thematique"].queryset = themes

    def clean_date_envoi(self):
        value = self.cleaned_data["date_envoi"]
        today = timezone.localdate()
        if value > today:
            raise forms.ValidationError("La date d'envoi ne peut pas être dans le futur.")
        if value < today - relativedelta(years=2):
            raise forms.ValidationError(
                "Pour une demande envoyée il y a plus de 2 ans, contactez votre caisse par la "
                "messagerie de votre compte."
            )
        return value
