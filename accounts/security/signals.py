"""Security notices (FEATURES A14, seed 001): « L'envoi automatique d'un e-mail d'information :
lors d'un changement de mot de passe ; au moment d'une connexion au compte ameli ; lors d'un
changement d'adresse email » — and when a passkey (A7) is added or removed.

They hang on Django's and allauth's signals, so every way in (password + A6 code, passkey,
FranceConnect) and every allauth flow (password change, e-mail change, passkeys) sends them.
"""

from allauth.account.signals import email_changed, password_changed, password_set
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from . import notices


@receiver(user_logged_in, dispatch_uid="security_login_notice")
def login_notice(sender, request, user, **kwargs):
    """A14: an information e-mail at each login of an insured person."""
    if request is None or not getattr(user, "is_insured", False):
        return
    notices.send_login_notice(request, user)


@receiver(password_changed, dispatch_uid="security_password_changed_notice")
@receiver(password_set, dispatch_uid="security_password_set_notice")
def password_notice(sender, request, user, **kwargs):
    """A10/A14: « Modifier mon mot de passe personnel » (or a first password after A4)."""
    notices.send_password_changed_notice(user)


@receiver(email_changed, dispatch_uid="security_email_changed_notice")
def email_notice(sender, request, user, from_email_address, to_email_address, **kwargs):
    """A11/A14: the old address is told that the account's address changed."""
    old = from_email_address.email if from_email_address else ""
    notices.send_email_changed_notice(user, old, to_email_address.email)


@receiver(authenticator_added, dispatch_uid="security_passkey_added_notice")
@receiver(authenticator_removed, dispatch_uid="security_passkey_removed_notice")
def passkey_notice(sender, request, user, authenticator, signal, **kwargs):
    if authenticator.type != Authenticator.Type.WEBAUTHN:
        return
    notices.send_passkey_notice(
        user, authenticator.wrap().name, added=signal is authenticator_added
    )
