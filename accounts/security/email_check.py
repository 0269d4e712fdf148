"""FEATURES A6: a one-time 6-digit code by e-mail when the browser has not passed the check
for 6 months (seed 004 « Tous les 6 mois, il va vous demander un code unique envoyé par
mail »).

Two pieces, both without a database table:

* the **trusted-browser cookie**: once a browser has passed the check for a person, it carries
  a signed cookie listing (keyed hash of the user id, date of the check). A password login from
  that browser skips the check while the date is less than `EMAIL_CHECK_EVERY_DAYS` days old
  (183 by default). The cookie is signed with the SECRET_KEY, so it cannot be forged or moved
  to another person; it holds no readable user id.
* the **code**: 6 digits, sent by e-mail, valid `EMAIL_CHECK_CODE_VALIDITY` seconds (10 min),
  `EMAIL_CHECK_MAX_ATTEMPTS` tries (3) — then a new code must be requested, at most
  `EMAIL_CHECK_MAX_CODES` codes (3) per login. Only a keyed hash of the code is kept, in the
  pending login's state (server-side session), never the code itself; a used code is gone.

The login stage that puts them together is `accounts.security.stages.EmailCheckStage`.
"""

from __future__ import annotations

import enum
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

CODE_LENGTH = 6
COOKIE_NAME = "portail_navigateur_verifie"
_COOKIE_SALT = "accounts.security.trusted-browser"
_HASH_SALT = "accounts.security.email-check-code"
_MAX_PEOPLE_PER_BROWSER = 5  # a shared family computer


def every_days() -> int:
    return int(getattr(settings, "EMAIL_CHECK_EVERY_DAYS", 183))


def code_validity() -> int:
    return int(getattr(settings, "EMAIL_CHECK_CODE_VALIDITY", 10 * 60))


def max_attempts() -> int:
    return int(getattr(settings, "EMAIL_CHECK_MAX_ATTEMPTS", 3))


def max_codes() -> int:
    return int(getattr(settings, "EMAIL_CHECK_MAX_CODES", 3))


# --- trusted browser ------------------------------------------------------------------------
def _user_tag(user) -> str:
    return salted_hmac(_COOKIE_SALT, f"user:{user.pk}", algorithm="sha256").hexdigest()[:32]


def _read_cookie(request) -> list[tuple[str, int]]:
    raw = request.COOKIES.get(COOKIE_NAME)
    if not raw:
        return []
    try:
        data = signing.loads(raw, salt=_COOKIE_SALT)
    except signing.BadSignature:
        return []
    if not isinstance(data, list):
        return []
    now = time.time()
    max_age = every_days() * 86400
    entries = []
    for item in data:
        if (
            isinstance(item, list)
            and len(item) == 2
            and isinstance(item[0], str)
            and isinstance(item[1], int)
            and item[1] <= now + 60
            and now - item[1] < max_age
        ):
            entries.append((item[0], item[1]))
    return entries


def checked_at(request, user) -> int | None:
    """When this browser last passed the e-mail check for `user` (epoch seconds), if still
    within the period; None otherwise."""
    tag = _user_tag(user)
    dates = [at for entry_tag, at in _read_cookie(request) if constant_time_compare(entry_tag, tag)]
    return max(dates) if dates else None


def is_trusted_browser(request, user) -> bool:
    return checked_at(request, user) is not None


def trust_browser(request, response, user) -> None:
    """Record on `response` that this browser has just passed the check for `user`."""
    tag = _user_tag(user)
    entries = [(t, at) for t, at in _read_cookie(request) if t != tag]
    entries.append((tag, int(time.time())))
    entries = entries[-_MAX_PEOPLE_PER_BROWSER:]
    response.set_cookie(
        COOKIE_NAME,
        signing.dumps([list(e) for e in entries], salt=_COOKIE_SALT, compress=True),
        max_age=every_days() * 86400,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


# --- code -----------------------------------------------------------------------------------
def generate_code() -> str:
    return f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"


def _hash(code: str, salt: str) -> str:
    return salted_hmac(_HASH_SALT, f"{salt}:{code}", algorithm="sha256").hexdigest()


class Outcome(enum.Enum):
    OK = "ok"
    WRONG = "wrong"
    EXPIRED = "expired"
    EXHAUSTED = "exhausted"  # too many wrong tries: a new code is needed
    NO_CODE = "no_code"


@dataclass
class CodeCheck:
    """The code of one pending login, kept in the login stage's `state` dict (session)."""

    state: dict

    def issue(self) -> str:
        """A new code replaces the previous one; returns it (to send, never to store)."""
        code = generate_code()
        salt = secrets.token_hex(8)
        self.state.update(
            code_hash=_hash(code, salt),
            code_salt=salt,
            sent_at=time.time(),
            attempts=0,
            codes_sent=self.codes_sent + 1,
        )
        return code

    @property
    def codes_sent(self) -> int:
        return int(self.state.get("codes_sent", 0))

    @property
    def attempts(self) -> int:
        return int(self.state.get("attempts", 0))

    @property
    def attempts_left(self) -> int:
        return max(0, max_attempts() - self.attempts)

    @property
    def can_request_new_code(self) -> bool:
        return self.codes_sent < max_codes()

    @property
    def has_code(self) -> bool:
        return bool(self.state.get("code_hash"))

    def is_expired(self) -> bool:
        return time.time() - float(self.state.get("sent_at", 0)) > code_validity()

    def status(self) -> Outcome | None:
        """Why no code can be typed now (None when one can)."""
        if not self.has_code:
            return Outcome.NO_CODE
        if self.attempts >= max_attempts():
            return Outcome.EXHAUSTED
        if self.is_expired():
            return Outcome.EXPIRED
        return None

    def verify(self, typed: str) -> Outcome:
        blocked = self.status()
        if blocked is not None:
            return blocked
        expected = self.state["code_hash"]
        if constant_time_compare(_hash(typed, self.state.get("code_salt", "")), expected):
            # Single use: the hash is dropped at once.
            for key in ("code_hash", "code_salt"):
                self.state.pop(key, None)
            return Outcome.OK
        self.state["attempts"] = self.attempts + 1
        return Outcome.EXHAUSTED if self.attempts >= max_attempts() else Outcome.WRONG
