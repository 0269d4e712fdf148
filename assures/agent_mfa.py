"""Second factor of the CPAM agents at /agents/: an authenticator app (TOTP, RFC 6238).

ARCHITECTURE decision 1 wants agents on the admin « with MFA in production ». The TOTP itself is
allauth.mfa's: its `Authenticator` model (type TOTP, secret stored through the MFA adapter's
`encrypt`), its secret generator, its otpauth:// URL, and its code check (6 digits, 30 s,
`MFA_TOTP_TOLERANCE` steps of drift, a code accepted once per period thanks to the cache).
Nothing here computes a code.

allauth only mounts its TOTP *pages* when "totp" is in `MFA_SUPPORTED_TYPES`; its helpers and
model do not look at that setting. So the insured keep their passkeys only (the setting stays
["webauthn"], no TOTP page under /compte/), and agents get TOTP through the admin pages of
`assures/agent_mfa_views.py` and the login step of `assures/admin_login.py`.

This module holds the rules those pages share:

* which agent has a TOTP, a fresh secret, its QR code (segno, inline SVG);
* checking a code (right, wrong, or right but already used);
* activation and deactivation, audited in the admin's own history of the agent's account
  (`LogEntry`, « Historique » of the account) and sent as allauth's `authenticator_added` /
  `authenticator_removed` signals; the login itself is recorded by `accounts` (`LoginEvent`);
* the policy `AGENTS_MFA_REQUIRED`: the session remembers it passed the code, so the check on
  each admin page costs no query once done.
"""

from __future__ import annotations

import enum
import logging

import segno
from allauth.mfa import signals
from allauth.mfa.adapter import get_adapter
from allauth.mfa.base.internal.flows import delete_and_cleanup
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, validate_totp_code
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import IntegrityError, transaction

logger = logging.getLogger(__name__)

# Session keys. VERIFIED holds the pk of the authenticator whose code this session passed.
VERIFIED_SESSION_KEY = "agents_mfa_verified"
ENROLL_SECRET_SESSION_KEY = "agents_mfa_enroll_secret"  # noqa: S105 (a session key)

ACTIVATED_LOG = "Application d'authentification activée (double authentification)."
DEACTIVATED_LOG = "Application d'authentification désactivée (double authentification)."

CODE_LABEL = "Code de l'application d'authentification"
CODE_HELP = "Les 6 chiffres affichés par l'application ; ils changent toutes les 30 secondes."
CODE_FORMAT_ERROR = "Saisissez les 6 chiffres du code, sans lettre."
WRONG_CODE = (
    "Ce code est incorrect. Saisissez le code affiché en ce moment par votre application "
    "(vérifiez que l'heure de votre téléphone est juste)."
)
REPLAYED_CODE = (
    "Ce code a déjà été utilisé. Attendez que l'application affiche le code suivant "
    "(toutes les 30 secondes) et saisissez-le."
)


class CodeCheck(enum.Enum):
    OK = "ok"
    WRONG = "wrong"
    REPLAYED = "replayed"


# --- who has what ---------------------------------------------------------------------------
def agent_totp(user) -> Authenticator | None:
    """The agent's TOTP authenticator (one at most: allauth's unique constraint), or None."""
    if user is None or user.pk is None:
        return None
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).first()


def mfa_required() -> bool:
    return bool(settings.AGENTS_MFA_REQUIRED)


# --- enrolment --------------------------------------------------------------------------------
def enrollment_secret(request) -> str:
    """The secret offered to the agent while enrolling, kept in the session (server side) so
    that reloading the page does not invalidate a QR code already scanned."""
    secret = request.session.get(ENROLL_SECRET_SESSION_KEY)
    if not secret:
        secret = request.session[ENROLL_SECRET_SESSION_KEY] = generate_totp_secret()
    return secret


def otpauth_url(user, secret: str) -> str:
    """allauth's otpauth:// URL (label: the agent's e-mail or username; issuer: MFA_TOTP_ISSUER,
    or the host name)."""
    return get_adapter().build_totp_url(user, secret)


def account_label(user) -> str:
    """The account name the app shows next to the codes (the label of the otpauth URL)."""
    return get_adapter().get_totp_label(user)


def qr_code_svg(url: str) -> str:
    """The QR code of `url` as inline SVG (no image request, nothing sent to a third party)."""
    return segno.make(url, error="m", micro=False).svg_inline(
        scale=5, border=4, dark="#000", light="#fff", svgclass="agent-totp-qr"
    )


def grouped_secret(secret: str) -> str:
    """« ABCD EFGH … »: easier to copy by hand (authenticator apps ignore the spaces)."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def normalize_code(code: str) -> str:
    return "".join((code or "").split())


# --- codes ------------------------------------------------------------------------------------
def check_code(authenticator: Authenticator, code: str) -> CodeCheck:
    """allauth's check (tolerance, replay protection), telling a replay from a wrong code."""
    if authenticator.wrap().validate_code(code):
        return CodeCheck.OK
    # The code fits the secret but allauth refused it: it was already used in its period.
    if validate_totp_code(decrypt(authenticator.data["secret"]), code):
        return CodeCheck.REPLAYED
    return CodeCheck.WRONG


def code_fits_secret(secret: str, code: str) -> bool:
    return validate_totp_code(secret, code)


# --- the session ------------------------------------------------------------------------------
def mark_session_verified(request, authenticator: Authenticator) -> None:
    request.session[VERIFIED_SESSION_KEY] = authenticator.pk


def session_verified(request) -> bool:
    return request.session.get(VERIFIED_SESSION_KEY) is not None


def clear_session(request) -> None:
    request.session.pop(VERIFIED_SESSION_KEY, None)
    request.session.pop(ENROLL_SECRET_SESSION_KEY, None)


# --- activation and deactivation --------------------------------------------------------------
def _audit(request, user, message: str) -> None:
    LogEntry.objects.log_actions(
        user_id=request.user.pk,
        queryset=[user],
        action_flag=CHANGE,
        change_message=message,
        single_object=True,
    )
    logger.info("Agent %s : %s", user.get_username(), message)


def activate(request, secret: str, code: str) -> Authenticator | None:
    """Record the TOTP of the logged-in agent once `code` proves the app holds `secret`.

    Returns the new authenticator, or None when the agent already had one (double submit).
    The confirming code is spent: it cannot open a session afterwards.
    """
    user = request.user
    try:
        with transaction.atomic():
            totp = TOTP.activate(user, secret)
            _audit(request, user, ACTIVATED_LOG)
    except IntegrityError:  # allauth's one-TOTP-per-user constraint
        return None
    authenticator = totp.instance
    totp.validate_code(code)  # marks the code used (allauth's replay protection)
    mark_session_verified(request, authenticator)
    request.session.pop(ENROLL_SECRET_SESSION_KEY, None)
    signals.authenticator_added.send(
        sender=Authenticator, request=request, user=user, authenticator=authenticator
    )
    return authenticator


def deactivate(request, authenticator: Authenticator) -> None:
    """Remove the agent's TOTP (the caller has checked a current code)."""
    user = request.user
    with transaction.atomic():
        _audit(request, user, DEACTIVATED_LOG)
        # allauth's own clean-up: deletes it (and orphaned recovery codes), sends the signal.
        delete_and_cleanup(request, authenticator)
    clear_session(request)
