from allauth.account.forms import LoginForm
from django import forms
from django.core.exceptions import ValidationError

from assures.identifiers import validate_nir


class NirLoginForm(LoginForm):
    """FEATURES A5: « Me connecter » with the NIR (13 digits, or 15 with the key, spaces allowed).

    allauth sizes the login field from the username (30); a spaced 15-character NIR is 21
    characters, so the field is replaced and the value compacted before authentication. Agents'
    plain usernames are not NIRs, so agents cannot use this form (they use the admin).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"] = forms.CharField(
            label="Numéro de sécurité sociale",
            max_length=25,
            help_text="13 chiffres, ou 15 avec la clé. Les espaces sont acceptés.",
            widget=forms.TextInput(
                attrs={"autocomplete": "username", "inputmode": "numeric", "autofocus": True}
            ),
        )
        self.fields["password"].label = "Mot de passe"
        self.fields["password"].widget.attrs.update(autocomplete="current-password")
        self.fields["password"].widget.attrs.pop("placeholder", None)
        self.fields.pop("remember", None)

    def clean_login(self):
        try:
            return validate_nir(self.cleaned_data["login"])
        except ValidationError as error:
            raise ValidationError(error.messages) from None
