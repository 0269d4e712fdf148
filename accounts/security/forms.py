"""Forms of the account security pages (FEATURES A6, A7, A10, A11)."""

from __future__ import annotations

import phonenumbers
from allauth.account.forms import (
    AddEmailForm,
    ChangePasswordForm,
    ReauthenticateForm,
    SetPasswordForm,
)
from allauth.core import context as allauth_context
from allauth.mfa.webauthn.forms import AddWebAuthnForm
from django import forms
from django.contrib.auth import get_user_model
from phonenumber_field.formfields import PhoneNumberField

from accounts.creation.forms import PASSWORD_HELP

from . import email_check
from .clients import describe_client

User = get_user_model()

CODE_FORMAT_MESSAGE = "Le code de sécurité comporte 6 chiffres."
EMAIL_TAKEN_MESSAGE = (
    "Cette adresse e-mail est déjà associée à un autre compte. Une adresse e-mail ne peut "
    "servir qu'à un seul compte."
)
SAME_EMAIL_MESSAGE = "C'est déjà l'adresse e-mail de votre compte."


class EmailCheckForm(forms.Form):
    """A6: the 6-digit code received by e-mail (spaces tolerated)."""

    code = forms.CharField(
        label="Code de sécurité reçu par e-mail",
        help_text="6 chiffres.",
        max_length=12,
        error_messages={"required": "Saisissez le code de sécurité reçu par e-mail."},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "class": "input--code",
            }
        ),
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if len(code) != email_check.CODE_LENGTH or not code.isdigit():
            raise forms.ValidationError(CODE_FORMAT_MESSAGE)
        return code


# --- A11: phones and contact preferences ------------------------------------------------------
MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


class PhonesForm(forms.ModelForm):
    """A11: « Téléphone portable » and « Téléphone fixe », French or international numbers."""

    mobile_phone = PhoneNumberField(
        label="Téléphone portable",
        required=False,
        region="FR",
        help_text="Par exemple 06 12 34 56 78, ou +32 470 12 34 56 pour un numéro étranger.",
        error_messages={
            "invalid": (
                "Ce numéro de téléphone portable n'est pas valide. Saisissez par exemple "
                "06 12 34 56 78, ou le numéro avec l'indicatif du pays (+32…)."
            )
        },
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    landline_phone = PhoneNumberField(
        label="Téléphone fixe",
        required=False,
        region="FR",
        help_text="Par exemple 01 23 45 67 89.",
        error_messages={
            "invalid": (
                "Ce numéro de téléphone fixe n'est pas valide. Saisissez par exemple "
                "01 23 45 67 89, ou le numéro avec l'indicatif du pays (+41…)."
            )
        },
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    class Meta:
        model = User
        fields = ["mobile_phone", "landline_phone"]

    def clean_mobile_phone(self):
        number = self.cleaned_data["mobile_phone"]
        if number and phonenumbers.number_type(number) not in MOBILE_TYPES:
            raise forms.ValidationError(
                "Ce numéro n'est pas un numéro de téléphone portable : indiquez-le plutôt "
                "comme téléphone fixe."
            )
        return number

    def clean_landline_phone(self):
        number = self.cleaned_data["landline_phone"]
        if number and phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE:
            raise forms.ValidationError(
                "Ce numéro est un numéro de téléphone portable : indiquez-le plutôt comme "
                "téléphone portable."
            )
        return number

    def clean(self):
        cleaned = super().clean()
        mobile_removed = not cleaned.get("mobile_phone") and "mobile_phone" not in self.errors
        if mobile_removed and self.instance.contact_by_sms:
            self.add_error(
                "mobile_phone",
                "Vous avez accepté d'être contacté(e) par SMS : gardez un numéro de "
                "téléphone portable, ou modifiez d'abord vos autorisations de contact.",
            )
        has_phone = cleaned.get("mobile_phone") or cleaned.get("landline_phone")
        if self.instance.contact_by_phone and not has_phone and not self.errors:
            raise forms.ValidationError(
                "Vous avez accepté d'être contacté(e) par téléphone : gardez au moins un "
                "numéro, ou modifiez d'abord vos autorisations de contact."
            )
        return cleaned


class ContactPreferencesForm(forms.ModelForm):
    """A11 « Autorisations de contact »: by e-mail, SMS, phone."""

    class Meta:
        model = User
        fields = ["contact_by_email", "contact_by_sms", "contact_by_phone"]
        labels = {
            "contact_by_email": "J'accepte d'être contacté(e) par e-mail",
            "contact_by_sms": "J'accepte d'être contacté(e) par SMS",
            "contact_by_phone": "J'accepte d'être contacté(e) par téléphone",
        }

    def clean(self):
        cleaned = super().clean()
        user = self.instance
        if cleaned.get("contact_by_email") and not user.email:
            self.add_error(
                "contact_by_email", "Indiquez d'abord une adresse e-mail dans Mes informations."
            )
        if cleaned.get("contact_by_sms") and not user.mobile_phone:
            self.add_error(
                "contact_by_sms",
                "Pour être contacté(e) par SMS, indiquez d'abord un numéro de téléphone portable.",
            )
        if cleaned.get("contact_by_phone") and not (user.mobile_phone or user.landline_phone):
            self.add_error(
                "contact_by_phone",
                "Pour être contacté(e) par téléphone, indiquez d'abord un numéro de téléphone.",
            )
        return cleaned


# --- allauth forms (ACCOUNT_FORMS, MFA_FORMS) -------------------------------------------------
class ChangeEmailForm(AddEmailForm):
    """A11: the new address (confirmed by a link sent to it). 1 e-mail = 1 compte (A1)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["email"]
        field.label = "Nouvelle adresse e-mail"
        field.help_text = "Un lien de confirmation sera envoyé à cette adresse."
        field.widget.attrs.update({"autocomplete": "email", "placeholder": ""})
        field.error_messages.update(
            required="Saisissez votre nouvelle adresse e-mail.",
            invalid="Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.",
        )

    def clean_email(self):
        value = self.cleaned_data["email"].lower()
        if self.user.email and value == self.user.email.lower():
            raise forms.ValidationError(SAME_EMAIL_MESSAGE)
        if User.objects.filter(email__iexact=value).exclude(pk=self.user.pk).exists():
            raise forms.ValidationError(EMAIL_TAKEN_MESSAGE)
        return super().clean_email()


def _portal_password_fields(form):
    """The labels and the rule (ARCHITECTURE « Password and session rules ») of A1/A8/A10."""
    form.fields["password1"].label = "Nouveau mot de passe"
    form.fields["password1"].help_text = PASSWORD_HELP
    form.fields["password2"].label = "Confirmation du nouveau mot de passe"
    form.fields["password2"].help_text = "Saisissez le même mot de passe une seconde fois."
    for field in form.fields.values():
        field.widget.attrs.pop("placeholder", None)


class PortalChangePasswordForm(ChangePasswordForm):
    """A10 « Modifier mon mot de passe personnel »."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["oldpassword"].label = "Mot de passe actuel"
        _portal_password_fields(self)


class PortalSetPasswordForm(SetPasswordForm):
    """A first password for an account created with FranceConnect (A4)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _portal_password_fields(self)
        self.fields["password1"].label = "Mot de passe"


class PortalReauthenticateForm(ReauthenticateForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = "Mot de passe"
        self.fields["password"].widget.attrs.pop("placeholder", None)


class AddPasskeyForm(AddWebAuthnForm):
    """A7: a passkey is always « passwordless » (resident key + user verification), since it
    is used to log in without the password."""

    def __init__(self, *args, **kwargs):
        request = allauth_context.request
        if request is not None:  # « Chrome sur Android »: the device the key lives on
            user_agent = request.headers.get("user-agent", "")
            kwargs.setdefault("initial", {}).setdefault("name", describe_client(user_agent))
        super().__init__(*args, **kwargs)
        self.fields["name"].label = "Nom de la clé d'accès"
        self.fields[
            "name"
        ].help_text = "Pour la reconnaître dans la liste, par exemple « Téléphone de Camille »."
        self.fields["name"].max_length = 60
        self.fields.pop("passwordless", None)
        self.fields["credential"].error_messages["required"] = (
            "L'enregistrement de la clé d'accès n'a pas abouti. Réessayez."
        )

    def clean(self):
        self.cleaned_data["passwordless"] = True
        try:
            return super().clean()
        except (KeyError, TypeError, ValueError) as error:
            # A malformed credential (not what a browser sends) must not be a server error.
            raise forms.ValidationError(
                "L'enregistrement de la clé d'accès n'a pas abouti. Réessayez."
            ) from error
