"""allauth login stages of the portal (FEATURES A6, A7).

allauth runs a login through a list of stages before the session is authenticated; the list
comes from the account adapter's `get_login_stages()`, which calls `login_stages()` below:

* allauth's MFA « authenticate » stage is removed: a passkey (A7) is a way to log in without
  the password, not a second factor required after it;
* `EmailCheckStage` (A6) is added: after a password login from a browser without a valid
  trusted-browser cookie, the login waits for the 6-digit code sent by e-mail. Passkey (A7)
  and FranceConnect (A4) logins are strong authentications and skip it.
"""

from __future__ import annotations

import logging

from allauth.account.stages import LoginStage
from allauth.core.internal.httpkit import headed_redirect_response
from django.contrib import messages

from . import email_check
from .notices import login_method, send_email_check_code

logger = logging.getLogger(__name__)

MFA_AUTHENTICATE_STAGE = "allauth.mfa.stages.AuthenticateStage"
EMAIL_CHECK_STAGE = "accounts.security.stages.EmailCheckStage"

NO_EMAIL_MESSAGE = (
    "Votre compte n'a pas d'adresse e-mail : nous ne pouvons pas vous envoyer le code de "
    "sécurité. Demandez un code provisoire à votre caisse au 36 46."
)


def login_stages(allauth_stages: list[str]) -> list[str]:
    stages = [s for s in allauth_stages if s != MFA_AUTHENTICATE_STAGE]
    return [*stages, EMAIL_CHECK_STAGE]


def email_check_required(request, user) -> bool:
    """A6: only password logins are checked, and only from a browser not trusted (6 months)."""
    if user is None or login_method(request, user) != "password":
        return False
    return not email_check.is_trusted_browser(request, user)


class EmailCheckStage(LoginStage):
    key = "security_email_check"
    urlname = "security:email_check"

    def handle(self):
        user = self.login.user
        if not email_check_required(self.request, user):
            return None, True
        if not user.email:
            logger.warning("A6: compte %s sans adresse e-mail, connexion refusée", user.pk)
            messages.error(self.request, NO_EMAIL_MESSAGE)
            return headed_redirect_response("account_login"), False
        check = email_check.CodeCheck(self.state)
        if not check.has_code and not check.codes_sent:
            send_email_check_code(self.request, user, check.issue())
        return headed_redirect_response(self.urlname), True
