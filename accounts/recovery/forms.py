"""Forms of « Mot de passe oublié ? » (FEATURES A8) and of the code provisoire (A3)."""

import re

from allauth.account.forms import ResetPasswordKeyForm
from django import forms
from django.core.exceptions import ValidationError

from ..creation.fields import BirthDateField, NirField
from ..creation.forms import PASSWORD_HELP
from ..models import TemporaryCode
from .captcha import captcha_field
from .services import set_new_password


class PasswordResetRequestForm(forms.Form):
    """A8: NIR + date de naissance + the captcha (image or sound extract)."""

    nir = NirField()
    birth_date = BirthDateField()
    captcha = captcha_field()


class TemporaryCodeForm(forms.Form):
    """A3: NIR + date de naissance + the 4-digit code provisoire."""

    nir = NirField()
    birth_date = BirthDateField()
    code = forms.CharField(
        label="Code provisoire",
        max_length=10,
        help_text=(
            f"Les {TemporaryCode.LENGTH} chiffres remis par votre caisse (à l'accueil ou par "
            "SMS). Il est valable 48 heures."
        ),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "spellcheck": "false"}
        ),
    )

    def clean_code(self):
        code = re.sub(r"\s", "", self.cleaned_data["code"])
        if not re.fullmatch(rf"\d{{{TemporaryCode.LENGTH}}}", code):
            raise ValidationError(f"Le code provisoire comporte {TemporaryCode.LENGTH} chiffres.")
        return code


class NewPasswordFromKeyForm(ResetPasswordKeyForm):
    """A8, the page of the e-mailed link (ACCOUNT_FORMS["reset_password_from_key"]): the new
    password twice; saving it sends the notice (A14)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].label = "Nouveau mot de passe"
        self.fields["password1"].help_text = PASSWORD_HELP
        self.fields["password2"].label = "Confirmation du nouveau mot de passe"
        self.fields["password2"].help_text = "Saisissez le même mot de passe une seconde fois."
        for name in ("password1", "password2"):
            self.fields[name].widget.attrs.pop("placeholder", None)

    def clean(self):
        cleaned = super(forms.Form, self).clean()  # allauth's mismatch message is in English
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "Les deux mots de passe saisis ne sont pas identiques.")
        return cleaned

    def save(self):
        set_new_password(self.user, self.cleaned_data["password1"])
