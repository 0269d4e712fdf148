from django import forms
from django.core.exceptions import ValidationError


class CloseAccountForm(forms.Form):
    """A12: the password confirms that the owner of the account is closing it."""

    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        help_text="Pour confirmer la résiliation, saisissez le mot de passe de votre compte.",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError("Le mot de passe est incorrect.")
        return password
