"""Project middleware."""

import time

from django.conf import settings

REFRESHED_AT = "_refreshed_at"


class SessionRefreshMiddleware:
    """The idle timeout without a database write on every request.

    `SESSION_SAVE_EVERY_REQUEST = True` re-saves the session (BEGIN/UPDATE/COMMIT with
    `cached_db`) on every request so that it expires `SESSION_COOKIE_AGE` after the last one.
    This re-saves it only when its last save is at least `SESSION_REFRESH_INTERVAL` seconds old
    (60 s): the idle timeout is kept with that granularity (a session expires between
    `SESSION_COOKIE_AGE - 60 s` and `SESSION_COOKIE_AGE` after the last request), and the
    expiry date still tells the last activity within 60 s (read by « Mes appareils et
    sessions », accounts.security.services). The time of the last save is kept in the session.

    Goes right after `SessionMiddleware`, so that its response phase runs before the save.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.interval = settings.SESSION_REFRESH_INTERVAL

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.modified or response.status_code >= 500:
            return response
        if session.is_empty():  # no session cookie: nothing to keep alive
            return response
        now = int(time.time())
        refreshed_at = session.get(REFRESHED_AT)
        if not isinstance(refreshed_at, int) or now - refreshed_at >= self.interval:
            session[REFRESHED_AT] = now  # marks it modified: SessionMiddleware saves it
        return response
