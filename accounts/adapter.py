from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created from the registry only (FEATURES A1/A2/A3), never by a bare signup."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "username_password_mismatch": (
            "Le numéro de sécurité sociale ou le mot de passe est incorrect."
        ),
        "too_many_login_attempts": (
            "Trop de tentatives de connexion. Pour votre sécurité, réessayez dans quelques minutes."
        ),
    }

    def is_open_for_signup(self, request):
        return False

    def authenticate(self, request, **credentials):
        """The insured login form lets insured people in, never agents (they use the admin)."""
        user = super().authenticate(request, **credentials)
        if user is not None and not user.is_insured:
            return None
        return user
