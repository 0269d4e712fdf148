"""« Mot de passe oublié ? » (FEATURES A8) and the new password after a code provisoire (A3).

The reset link reuses allauth's (Django's) token: it names the account, is valid
`PASSWORD_RESET_TIMEOUT` seconds (30 minutes) and dies as soon as the password changes, so it
works once. The request answers the same whether or not the NIR has an account.
A password set either way is followed by the notice of seed 001 (A14): « Le mot de passe de
votre compte ameli a été modifié le mercredi 28 décembre 2022 à 17:35 (heure de Paris). »
"""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from messagerie.services import send_templated_email
from portal.dates import fr_datetime as french_datetime

from ..models import User


def reset_link_minutes() -> int:
    return settings.PASSWORD_RESET_TIMEOUT // 60


def users_for_reset(nir: str, birth_date):
    """Active insured accounts with this NIR and birth date (zero or one)."""
    return User.objects.filter(
        username=nir, is_active=True, person__nir=nir, person__birth_date=birth_date
    ).exclude(email="")


def reset_url(request, user: User) -> str:
    key = f"{user_pk_to_url_str(user)}-{default_token_generator.make_token(user)}"
    return get_adapter(request).get_reset_password_from_key_url(key)


@transaction.atomic
def request_password_reset(request, *, nir: str, birth_date) -> int:
    """A8 « Recevoir le mail »: e-mail a reset link to the matching account, if any.
    Returns how many e-mails were queued (the view never tells the person)."""
    sent = 0
    for user in users_for_reset(nir, birth_date):
        send_templated_email(
            "account_password_reset",
            to=user.email,
            context={
                "first_name": user.first_name,
                "reset_url": reset_url(request, user),
                "minutes": reset_link_minutes(),
            },
            user=user,
            secret_keys=("reset_url",),  # kept masked once sent (F4)
        )
        sent += 1
    return sent


def notify_password_changed(user: User, when=None):
    """A14 (seed 001): the security notice after a password change, in Paris time."""
    if not user.email:
        return None
    return send_templated_email(
        "account_password_changed",
        to=user.email,
        context={
            "first_name": user.first_name,
            "when": french_datetime(when or timezone.now()),
            "site_url": settings.SITE_URL,
            "login_url": settings.SITE_URL.rstrip("/") + reverse("account_login"),
        },
        user=user,
    )


@transaction.atomic
def set_new_password(user: User, password: str):
    """Set the password (Argon2), then the notice e-mail — both or neither."""
    user.set_password(password)
    user.save(update_fields=["password"])
    notify_password_changed(user)
