"""Forms of « Créer mon compte » (FEATURES A1, A2) and of the code provisoire (A3).

They check what was typed (format, password rules, e-mail free); the identity itself is
matched against the registry by the views, through `services`, after the rate limit.
"""

import re

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from .fields import CHECKBOX_TEMPLATE, BirthDateField, FrenchPhoneField, NirField, PostalCodeField
from .services import EMAIL_TAKEN, email_taken

PASSWORD_HELP = (
    "Au moins 8 caractères, dont une majuscule, une minuscule, et un chiffre ou un caractère "  # noqa: S105
    "spécial parmi ? ! $ € £ @ & ( - + _ ) = * % / &lt; &gt; , . ; — sans votre numéro de "
    "sécurité sociale ni votre date de naissance."
)
TERMS_REQUIRED = "Pour créer votre compte, vous devez accepter les conditions d'utilisation."


class IdentityForm(forms.Form):
    """A1 step 1 « Je m'identifie »: nom, NIR, date de naissance, code postal (seed 002)."""

    last_name = forms.CharField(
        label="Nom de famille",
        max_length=100,
        help_text="Votre nom de naissance ou votre nom d'usage.",
        widget=forms.TextInput(attrs={"autocomplete": "family-name", "spellcheck": "false"}),
    )
    nir = NirField()
    birth_date = BirthDateField()
    postal_code = PostalCodeField()


class ImmediateIdentityForm(forms.Form):
    """A2 « Créer immédiatement mon compte »: carte Vitale + last characters of the IBAN."""

    nir = NirField()
    birth_date = BirthDateField()
    vitale_serial = forms.CharField(
        label="Numéro de série de la carte Vitale",
        max_length=20,
        help_text=(
            "8 à 11 chiffres. Sur une carte Vitale sans photo, il se trouve au dos de la carte "
            "en haut à gauche ; sur une carte avec photo, au recto, sur la droite."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    iban_end = forms.CharField(
        label="Les 4 derniers caractères de votre IBAN",
        max_length=8,
        help_text=(
            "Ceux du compte bancaire sur lequel l'Assurance Maladie vous rembourse, "
            "tels qu'ils figurent sur votre RIB (par exemple 4321)."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_vitale_serial(self):
        value = re.sub(r"\s", "", self.cleaned_data["vitale_serial"])
        if not re.fullmatch(r"\d{8,11}", value):
            raise ValidationError("Le numéro de série de la carte Vitale comporte 8 à 11 chiffres.")
        return value

    def clean_iban_end(self):
        value = re.sub(r"\s", "", self.cleaned_data["iban_end"]).upper()
        if not re.fullmatch(r"[0-9A-Z]{4}", value):
            raise ValidationError("Saisissez les 4 derniers caractères de votre IBAN.")
        return value


class TermsForm(forms.Form):
    """A1 step 2: accepting the conditions ends paper mail (seed 002, step 3)."""

    accept = forms.BooleanField(
        label=(
            "J'accepte les conditions générales d'utilisation du compte et je ne recevrai plus "
            "de courrier papier de l'Assurance Maladie"
        ),
        template_name=CHECKBOX_TEMPLATE,
        error_messages={"required": TERMS_REQUIRED},
    )


class NewPasswordForm(forms.Form):
    """A password typed twice, checked with AUTH_PASSWORD_VALIDATORS for `user` (whose NIR
    and birth date it must not contain)."""

    password1 = forms.CharField(
        label="Mot de passe",
        strip=False,
        help_text=PASSWORD_HELP,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Confirmation du mot de passe",
        strip=False,
        help_text="Saisissez le même mot de passe une seconde fois.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password1(self):
        password = self.cleaned_data["password1"]
        password_validation.validate_password(password, user=self.user)
        return password

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "Les deux mots de passe saisis ne sont pas identiques.")
        return cleaned


class EmailMixin:
    """1 e-mail = 1 compte (FEATURES A1), checked for the person being registered."""

    person = None

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if email_taken(email, self.person):
            raise ValidationError(EMAIL_TAKEN)
        return email


def email_field():
    return forms.EmailField(
        label="Adresse e-mail",
        max_length=254,
        help_text="Elle ne peut être utilisée que pour un seul compte.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "invalid": "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr."
        },
    )


class ContactForm(EmailMixin, forms.Form):
    """A1 step 4 « Mes informations de contact » (seed 002, step 5)."""

    email = email_field()
    mobile_phone = FrenchPhoneField(mobile=True, label="Téléphone portable")
    landline_phone = FrenchPhoneField(label="Téléphone fixe")
    contact_by_email = forms.BooleanField(
        label="Par e-mail", required=False, initial=True, template_name=CHECKBOX_TEMPLATE
    )
    contact_by_sms = forms.BooleanField(
        label="Par SMS", required=False, template_name=CHECKBOX_TEMPLATE
    )
    contact_by_phone = forms.BooleanField(
        label="Par téléphone", required=False, template_name=CHECKBOX_TEMPLATE
    )

    def __init__(self, *args, person, **kwargs):
        self.person = person
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        mobile, landline = cleaned.get("mobile_phone"), cleaned.get("landline_phone")
        typed_wrong = {"mobile_phone", "landline_phone"} & set(self.errors)
        if cleaned.get("contact_by_sms") and not mobile and "mobile_phone" not in typed_wrong:
            self.add_error(
                "mobile_phone",
                "Pour recevoir des SMS, indiquez votre numéro de téléphone portable.",
            )
        if cleaned.get("contact_by_phone") and not (mobile or landline) and not typed_wrong:
            self.add_error(
                "landline_phone", "Pour être appelé(e), indiquez au moins un numéro de téléphone."
            )
        return cleaned


class OpenAccountForm(EmailMixin, NewPasswordForm):
    """A2/A3 « Mes identifiants »: conditions, e-mail and password; the account opens at once."""

    accept = TermsForm.base_fields["accept"]
    email = email_field()

    field_order = ["accept", "email", "password1", "password2"]

    def __init__(self, *args, person, **kwargs):
        self.person = person
        super().__init__(*args, **kwargs)
