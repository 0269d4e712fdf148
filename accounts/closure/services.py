"""« Résilier mon compte ameli » (FEATURES A12).

Closing removes the online access only: the account row becomes inactive (`closed_at` set),
so no login works and every open session of the account is refused from its next request
(Django's session check asks the backend, which refuses inactive users); paper mail resumes
(`paperless_since` cleared). The registry person and everything the caisse knows stays. The
person may later create an account again (A1, A2, A3): the same row is re-opened
(accounts/creation/services.py).
"""

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from messagerie.services import send_templated_email
from portal.dates import fr_datetime as french_datetime

from ..models import User


def end_sessions(user: User):
    """Delete every server session of the account listed by allauth.usersessions (X3). Those
    not listed are refused anyway: the account is inactive."""
    if not apps.is_installed("allauth.usersessions"):
        return
    from allauth.usersessions.models import UserSession

    for session in UserSession.objects.filter(user=user):
        session.end()


@transaction.atomic
def close_account(user: User) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    now = timezone.now()
    user.is_active = False
    user.closed_at = now
    user.paperless_since = None
    user.activation_pending_since = None
    user.save(
        update_fields=["is_active", "closed_at", "paperless_since", "activation_pending_since"]
    )
    transaction.on_commit(lambda: end_sessions(user))
    if user.email:
        send_templated_email(
            "account_closed",
            to=user.email,
            context={
                "first_name": user.first_name,
                "when": french_datetime(now),
                "create_url": settings.SITE_URL.rstrip("/") + reverse("accounts:create"),
            },
            user=user,
        )
    return user
