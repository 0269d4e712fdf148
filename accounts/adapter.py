from allauth.account.adapter import DefaultAccountAdapter
from django.utils.html import strip_tags


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

    def respond_user_inactive(self, request, user):
        """Right password, inactive account: say why (A1 link not followed yet, closed by
        A12, or disabled by the caisse) on accounts:account_inactive."""
        from django.shortcuts import redirect

        from accounts.creation.views import INACTIVE_STATE

        request.session[INACTIVE_STATE] = str(user.state)
        return redirect("accounts:account_inactive")

    def get_login_stages(self):
        """A6 e-mail check after a password login; a passkey (A7) is not a second factor
        (accounts/security/stages.py)."""
        from accounts.security.stages import login_stages

        return login_stages(super().get_login_stages())

    def get_reauthentication_methods(self, user):
        """allauth's (password, passkey), then FranceConnect for an account connected to it:
        the only one an account created with FranceConnect has (A4; the first one is where
        allauth sends the person, accounts/security/reauthentication.py)."""
        from accounts.security.reauthentication import franceconnect_method

        methods = super().get_reauthentication_methods(user)
        method = franceconnect_method(user)
        if method is not None:
            methods.append(method)
        return methods

    # Context values of allauth's e-mails that are secrets (codes, personal links): the copy
    # the outbox keeps once the e-mail is sent has them masked (F4, messagerie.services).
    SECRET_MAIL_KEYS = ("code", "activate_url", "password_reset_url", "key", "token")

    def send_mail(self, template_prefix, email, context):
        """Every allauth e-mail (codes, links, notices) goes through the outbox (F4)."""
        from allauth.core import context as allauth_context
        from django.contrib.sites.shortcuts import get_current_site

        from messagerie.services import MASK, queue_email

        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        subject, text, html = self._rendered_mail(template_prefix, email, ctx)
        secrets = [key for key in self.SECRET_MAIL_KEYS if ctx.get(key)]
        redacted = None
        if secrets:
            masked = {**ctx, **dict.fromkeys(secrets, MASK)}
            redacted = self._rendered_mail(template_prefix, email, masked)[1:]
        queue_email(
            to=email,
            subject=subject,
            body_text=text,
            body_html=html,
            template=template_prefix,
            user=context.get("user"),
            redacted=redacted,
        )

    def _rendered_mail(self, template_prefix, email, context):
        """(subject, text, html) of allauth's e-mail `template_prefix`."""
        message = self.render_mail(template_prefix, email, context)
        html = next(
            (c for c, mime in getattr(message, "alternatives", []) if mime == "text/html"), ""
        )
        if message.content_subtype == "html":
            return message.subject, strip_tags(message.body), message.body
        return message.subject, message.body, html
