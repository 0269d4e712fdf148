from django import forms
from django.core.exceptions import ValidationError


class CloseAccountForm(forms.Form):
    """A12: the password confirms that the owner of the account is closing it. An account
    without a password (created with FranceConnect, A4) has just confirmed its identity through
    FranceConnect instead (the view's re-authentication) and ticks a confirmation box."""

    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        help_text="Pour confirmer la résiliation, saisissez le mot de passe de votre compte.",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label="Je confirme vouloir résilier mon compte ameli",
        error_messages={"required": "Cochez la case pour confirmer la résiliation."},
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        if user.has_usable_password():
            del self.fields["confirm"]
        else:
            del self.fields["password"]

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError("Le mot de passe est incorrect.")
        return password
