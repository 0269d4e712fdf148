"""Security e-mails of FEATURES A6 and A14, queued through the outbox (F4).

A14 (seed 001): « L'envoi automatique d'un e-mail d'information : lors d'un changement de mot
de passe ; au moment d'une connexion au compte ameli ; lors d'un changement d'adresse
email. » The login notice is sent here; the password and e-mail change notices are allauth's
notification e-mails (ACCOUNT_EMAIL_NOTIFICATIONS) with our templates
(templates/account/email/). Dates and times are in Paris time.
"""

from __future__ import annotations

from allauth.account.internal.flows.login import get_authentication_records
from django.db import transaction
from django.utils import timezone, translation

from messagerie.services import send_templated_email

from . import email_check
from .clients import describe_client, mask_ip

METHOD_LABELS = {
    "password": "avec votre numéro de sécurité sociale et votre mot de passe",
    "mfa": "avec une clé d'accès (authentification biométrique)",
    "socialaccount": "avec FranceConnect",
}


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def login_method(request, user) -> str:
    """How the person has just logged in: "password", "mfa" (passkey), "socialaccount"…"""
    records = get_authentication_records(request, user)
    return records[-1].get("method", "") if records else ""


def send_login_notice(request, user):
    """A14 « connexion à votre compte »: date, time (Paris), browser, masked IP, method."""
    if not user.email:
        return None
    user_agent = request.headers.get("user-agent", "")
    with translation.override("fr"), transaction.atomic():
        return send_templated_email(
            "security_login",
            to=user.email,
            user=user,
            context={
                "user": user,
                "at": timezone.localtime(timezone.now()),
                "client": describe_client(user_agent),
                "ip": mask_ip(client_ip(request)),
                "method": METHOD_LABELS.get(login_method(request, user), ""),
            },
        )


def send_email_check_code(request, user, code):
    """A6: the one-time code, to the account's e-mail address."""
    with translation.override("fr"), transaction.atomic():
        return send_templated_email(
            "security_email_check",
            to=user.email,
            user=user,
            context={
                "user": user,
                "code": code,
                "minutes": email_check.code_validity() // 60,
                "client": describe_client(request.headers.get("user-agent", "")),
                "at": timezone.localtime(timezone.now()),
            },
            secret_keys=("code",),  # kept masked once sent (F4)
        )


def send_password_changed_notice(user):
    """A10/A14 (seed 001): « Le mot de passe de votre compte ameli a été modifié le … (heure de
    Paris) ». The same notice as after « Mot de passe oublié ? » (A8, accounts/recovery)."""
    from accounts.recovery.services import notify_password_changed

    with translation.override("fr"), transaction.atomic():
        return notify_password_changed(user)


def send_email_changed_notice(user, old_email, new_email):
    """A11/A14: the notice of an e-mail change goes to the old address."""
    if not old_email:
        return None
    with translation.override("fr"), transaction.atomic():
        return send_templated_email(
            "security_email_changed",
            to=old_email,
            user=user,
            context={"user": user, "new_email": new_email, "at": timezone.localtime()},
        )


def send_passkey_notice(user, name, *, added):
    """A7: a passkey added to or removed from the account."""
    if not user.email:
        return None
    with translation.override("fr"), transaction.atomic():
        return send_templated_email(
            "security_passkey",
            to=user.email,
            user=user,
            context={"user": user, "name": name, "added": added, "at": timezone.localtime()},
        )
