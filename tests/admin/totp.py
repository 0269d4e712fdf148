"""TOTP codes computed the way an authenticator app does, with allauth's own helpers."""

import time

from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # any base32 secret


def code_for(secret: str, at: float | None = None) -> str:
    """The code an app holding `secret` shows at `at` (now by default)."""
    at = time.time() if at is None else at
    return format_hotp_value(hotp_value(secret, int(at) // app_settings.TOTP_PERIOD))


def fresh_code(secret: str, margin: float = 5.0) -> str:
    """A code that stays valid at least `margin` seconds (waits for the next period if not):
    for tests that cannot freeze the clock, such as the browser journeys."""
    period = app_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < margin:
        time.sleep(left + 0.05)
    return code_for(secret)


def activate_totp(user, secret: str = SECRET):
    """The agent's authenticator app, as allauth stores it."""
    return TOTP.activate(user, secret).instance


def secret_of(authenticator) -> str:
    return decrypt(authenticator.data["secret"])
