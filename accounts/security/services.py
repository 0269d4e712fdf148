"""Queries and actions of « Historique des accès à mon dossier » (X2) and « Mes appareils et
sessions » (X3). Every query starts from the current person (ARCHITECTURE decision 2) and the
number of queries does not grow with the number of rows shown.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from accounts.models import LoginEvent
from assures.models import AccessLog

from .clients import describe_client, mask_ip

DB_SESSION_ENGINES = {
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
}


# --- X2 ---------------------------------------------------------------------------------------
def login_history(user):
    """The person's own logins, newest first (LoginEvent, written at each login)."""
    return (
        LoginEvent.objects.filter(user=user)
        .only("at", "ip_address", "user_agent")
        .order_by("-at", "-pk")
    )


def file_accesses(person):
    """Every CPAM agent access to the person's file (H5), newest first. The agent's identity
    is not shown to the insured (caisse policy): only the caisse and the service."""
    return (
        AccessLog.objects.for_person(person)
        .select_related("caisse")
        .only("at", "action", "object_type", "service", "caisse__name")
        .order_by("-at", "-pk")
    )


# --- X3 ---------------------------------------------------------------------------------------
@dataclass
class ActiveSession:
    row: UserSession
    client: str
    ip: str
    started_at: datetime.datetime
    last_seen_at: datetime.datetime
    is_current: bool

    @property
    def pk(self):
        return self.row.pk


def _session_is_valid(session: Session, user) -> bool:
    data = session.get_decoded()
    return data.get("_auth_user_id") == str(user.pk) and constant_time_compare(
        data.get("_auth_user_hash", ""), user.get_session_auth_hash()
    )


def active_sessions(request) -> list[ActiveSession]:
    """The person's open sessions (allauth.usersessions rows whose Django session is still
    alive and still logged in), current one first. Stale rows are deleted on the way."""
    user = request.user
    rows = list(UserSession.objects.filter(user=user).order_by("-created_at"))
    if settings.SESSION_ENGINE not in DB_SESSION_ENGINES:  # e.g. cache-only sessions
        alive_rows = UserSession.objects.purge_and_list(user)
        alive = {r.session_key: None for r in alive_rows}
    else:
        sessions = Session.objects.filter(
            session_key__in=[r.session_key for r in rows], expire_date__gt=timezone.now()
        )
        alive = {s.session_key: s for s in sessions if _session_is_valid(s, user)}
        stale = [r.pk for r in rows if r.session_key not in alive]
        if stale:
            UserSession.objects.filter(pk__in=stale, user=user).delete()
    idle = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    current_key = request.session.session_key
    result = []
    for row in rows:
        if row.session_key not in alive:
            continue
        session = alive[row.session_key]
        last_seen = row.last_seen_at
        if session is not None and (
            settings.SESSION_SAVE_EVERY_REQUEST or getattr(settings, "SESSION_REFRESH_INTERVAL", 0)
        ):
            # Saved at every request, or at least once a minute (portal.middleware): its expiry
            # date minus the idle timeout is the last visit (within SESSION_REFRESH_INTERVAL).
            last_seen = max(last_seen, session.expire_date - idle)
        result.append(
            ActiveSession(
                row=row,
                client=describe_client(row.user_agent),
                ip=mask_ip(row.ip),
                started_at=row.created_at,
                last_seen_at=last_seen,
                is_current=row.session_key == current_key,
            )
        )
    result.sort(key=lambda s: (not s.is_current, -s.last_seen_at.timestamp()))
    return result


def own_session(user, pk) -> UserSession | None:
    """One of `user`'s sessions; None for an unknown one or someone else's."""
    return UserSession.objects.filter(user=user, pk=pk).first()


def passkeys(user):
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN).order_by(
        "created_at", "pk"
    )
