"""Form fields shared by the creation and recovery forms (FEATURES A1, A2, A3, A8).

Each one cleans what a person types the way the printed tutorials let them type it: a NIR
with spaces (13 characters, or 15 with the key, which is then checked), a birth date as
jj/mm/aaaa, a postal code with a space, phone numbers in the French format.
"""

import re

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from phonenumber_field.formfields import PhoneNumberField

from assures.identifiers import validate_nir

BIRTH_DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %m %Y", "%d%m%Y", "%Y-%m-%d"]
CHECKBOX_TEMPLATE = "forms/checkbox.html"


class NirField(forms.CharField):
    """FEATURES A1/A5: 13 characters, or 15 with the key (checked); spaces allowed."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Numéro de sécurité sociale")
        kwargs.setdefault("help_text", "13 chiffres, ou 15 avec la clé. Les espaces sont acceptés.")
        kwargs.setdefault("max_length", 25)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        try:
            return validate_nir(value)
        except ValidationError as error:
            raise ValidationError(error.messages) from None


class BirthDateField(forms.DateField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Date de naissance")
        kwargs.setdefault("help_text", "Au format jj/mm/aaaa, par exemple 08/07/1995.")
        kwargs.setdefault("input_formats", BIRTH_DATE_FORMATS)
        kwargs.setdefault(
            "widget",
            forms.DateInput(
                format="%d/%m/%Y", attrs={"inputmode": "numeric", "autocomplete": "bday"}
            ),
        )
        kwargs.setdefault(
            "error_messages",
            {"invalid": "Saisissez une date de naissance au format jj/mm/aaaa."},
        )
        super().__init__(**kwargs)


class PostalCodeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Code postal")
        kwargs.setdefault("help_text", "Celui de votre adresse connue de votre caisse.")
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"})
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = re.sub(r"\s", "", super().clean(value) or "")
        if value and not re.fullmatch(r"\d{5}", value):
            raise ValidationError("Le code postal comporte 5 chiffres.")
        return value


class FrenchPhoneField(PhoneNumberField):
    """A French (or international, with its prefix) number; `mobile=True` wants a portable."""

    def __init__(self, *, mobile=False, **kwargs):
        self.mobile = mobile
        kwargs.setdefault("required", False)
        kwargs.setdefault("region", "FR")
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": "Saisissez un numéro de téléphone valide, par exemple 06 12 34 56 78 "
                "(ou avec l'indicatif du pays, par exemple +32 470 12 34 56)."
            },
        )
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"autocomplete": "tel", "inputmode": "tel"} if mobile else {"inputmode": "tel"}
        )
        self.widget.input_type = "tel"

    def clean(self, value):
        number = super().clean(value)
        if number and self.mobile:
            kind = phonenumbers.number_type(number)
            if kind not in (
                phonenumbers.PhoneNumberType.MOBILE,
                phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
            ):
                raise ValidationError(
                    "Ce numéro n'est pas celui d'un téléphone portable (06 ou 07 en France)."
                )
        return number


def mask_email(email: str) -> str:
    """« camille.martin@example.org » -> « c••••••••••••@example.org » (shown after sending)."""
    local, _, domain = email.partition("@")
    if not domain:
        return email
    return f"{local[:1]}{'•' * max(len(local) - 1, 3)}@{domain}"
