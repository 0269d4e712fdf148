"""Account creation rules (FEATURES A1, A2, A3): who may create an account, and the writes.

Identity is proved against the registry (ARCHITECTURE decision 1):

* A1 « Créer mon compte »: nom + NIR + date de naissance + code postal must all match one
  registry person; the account is created inactive and opened by a link sent by e-mail,
  valid 7 days (`ACTIVATION_LINK_VALIDITY`);
* A2 « Créer immédiatement mon compte »: NIR + date de naissance + numéro de série of the
  carte Vitale in force + the last 4 characters of the current IBAN; the account is opened
  at once;
* A3: NIR + date de naissance + a code provisoire (accounts/recovery/codes.py); opened at once.

A failed match never says which part was wrong (`IDENTITY_MISMATCH`).

**One account row per person.** `User.person` is one-to-one: a person whose account was
closed (A12) or whose A1 request was never confirmed creates their account again on the
same row, which is re-opened with the new password and contact data (`closed_at` and
`activation_pending_since` cleared, `date_joined` set to the new creation). Their history
(logins, messages, the agents' audit trail) stays attached. An active account cannot be
created twice; one disabled by the caisse cannot be re-opened online.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from assures.enums import VitaleStatus
from assures.models import Person
from messagerie.services import send_templated_email
from portal.dates import fr_datetime as french_datetime

from ..enums import AccountState, CreationRoute
from ..models import User

ACTIVATION_LINK_VALIDITY = datetime.timedelta(days=7)
ACTIVATION_SALT = "accounts.creation.activation"
IBAN_DIGITS = 4

IDENTITY_MISMATCH = (
    "Les informations saisies ne nous permettent pas de vous identifier. Vérifiez chacune "
    "d'elles ; si le problème persiste, contactez votre caisse au 36 46."
)
ALREADY_ACTIVE = (
    "Vous avez déjà un compte. Connectez-vous avec votre numéro de sécurité sociale et votre "
    "mot de passe, ou choisissez « Mot de passe oublié ? » sur la page de connexion."
)
DISABLED = (
    "Votre compte a été désactivé par votre caisse et ne peut pas être rouvert en ligne. "
    "Contactez votre caisse au 36 46."
)
EMAIL_TAKEN = (
    "Cette adresse e-mail est déjà utilisée par un autre compte : une adresse e-mail ne peut "
    "servir qu'à un seul compte (1 e-mail = 1 compte). Saisissez une autre adresse."
)
TOO_MANY_ATTEMPTS = (
    "Trop de tentatives. Pour votre sécurité, cette vérification est bloquée pendant une "
    "heure. Vous pouvez aussi contacter votre caisse au 36 46."
)


class CreationError(Exception):
    """A rule refuses the creation; `message` is shown to the person, `field` locates it."""

    def __init__(self, message, *, code, field=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


# --- identity -------------------------------------------------------------------------------
_LIGATURES = str.maketrans({"Œ": "OE", "œ": "oe", "Æ": "AE", "æ": "ae", "ß": "ss"})


def normalize_name(value: str) -> str:
    """Compare names as an agent would: no accents, no case, hyphens and apostrophes as spaces.

    « Le Roy-Dupré » and « LE ROY DUPRE » are the same name.
    """
    value = unicodedata.normalize("NFKD", (value or "").translate(_LIGATURES))
    value = "".join(c for c in value if not unicodedata.combining(c))
    return re.sub(r"[\s'’\-]+", " ", value).strip().upper()


def _names_of(person: Person) -> set[str]:
    return {normalize_name(n) for n in (person.last_name, person.usage_name) if n}


def match_identity(*, last_name, nir, birth_date, postal_code) -> Person | None:
    """A1: the registry person with this NIR and birth date, if the name (birth or usage
    name) and the postal code match too; None otherwise, whatever part is wrong."""
    person = Person.objects.filter(nir=nir, birth_date=birth_date).first()
    if person is None:
        return None
    postal_ok = re.sub(r"\s", "", person.postal_code or "") == postal_code
    name_ok = normalize_name(last_name) in _names_of(person)
    return person if postal_ok and name_ok else None


def match_vitale_and_iban(*, nir, birth_date, vitale_serial, iban_end) -> Person | None:
    """A2: NIR + birth date + the serial number of the carte Vitale in force + the last
    characters of the current IBAN must all match; None otherwise."""
    person = (
        Person.objects.filter(
            nir=nir,
            birth_date=birth_date,
            vitale_cards__serial_number=vitale_serial,
            vitale_cards__status=VitaleStatus.ACTIVE,
        )
        .distinct()
        .first()
    )
    if person is None:
        return None
    iban = person.bank_accounts.filter(is_current=True).values_list("iban", flat=True).first()
    if not iban or not constant_time_compare(iban[-IBAN_DIGITS:].upper(), iban_end.upper()):
        return None
    return person


# --- who may create ---------------------------------------------------------------------------
def account_of(person: Person) -> User | None:
    return User.objects.filter(person=person).first()


def account_state(person: Person) -> AccountState:
    user = account_of(person)
    return AccountState.NONE if user is None else user.state


def check_can_create(user: User | None):
    """Raise CreationError unless the person may (re)create their account."""
    if user is None:
        return
    if user.state == AccountState.ACTIVE:
        raise CreationError(ALREADY_ACTIVE, code="already_active")
    if user.state == AccountState.DISABLED:
        raise CreationError(DISABLED, code="disabled")


def email_taken(email: str, person: Person | None = None, now=None) -> bool:
    """1 e-mail = 1 compte: is `email` used by another person's account?

    The address of an A1 request left unconfirmed past its link's validity does not count:
    it is released when someone else registers it (see `_release_stale_email`).
    """
    others = User.objects.annotate(email_ci=Lower("email")).filter(email_ci=email.lower())
    if person is not None:
        others = others.exclude(person=person)
    stale_before = (now or timezone.now()) - ACTIVATION_LINK_VALIDITY
    others = others.exclude(is_active=False, activation_pending_since__lt=stale_before)
    return others.exists()


def _release_stale_email(email: str, user: User, now):
    stale = User.objects.annotate(email_ci=Lower("email")).filter(
        email_ci=email.lower(),
        is_active=False,
        activation_pending_since__lt=now - ACTIVATION_LINK_VALIDITY,
    )
    if user.pk:
        stale = stale.exclude(pk=user.pk)
    for other in stale:
        EmailAddress.objects.filter(user=other).delete()
        other.email = ""
        other.save(update_fields=["email"])


def _lock_person(person: Person) -> Person:
    return Person.objects.select_for_update().get(pk=person.pk)


def _fill_account(user: User | None, person: Person, *, email, now) -> User:
    if email_taken(email, person, now):
        raise CreationError(EMAIL_TAKEN, code="email_taken", field="email")
    _release_stale_email(email, user or User(), now)
    user = user or User(person=person)
    user.username = person.nir
    user.first_name = person.first_name
    user.last_name = person.display_last_name
    user.email = email
    user.closed_at = None
    user.date_joined = now
    return user


def _set_primary_email(user: User, email: str, *, verified: bool):
    EmailAddress.objects.filter(user=user).exclude(email__iexact=email).delete()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"primary": True, "verified": verified}
    )


@dataclass(frozen=True)
class ContactData:
    email: str
    mobile_phone: object = ""
    landline_phone: object = ""
    contact_by_email: bool = True
    contact_by_sms: bool = False
    contact_by_phone: bool = False


# --- A1: pending account, opened by the e-mail link --------------------------------------------
def activation_token(user: User) -> str:
    """Signed, dated token naming the account and its pending request (single use: once
    the account is opened, or a newer request is made, `activation_pending_since` changes)."""
    return signing.dumps(
        {"u": user.pk, "p": user.activation_pending_since.isoformat()}, salt=ACTIVATION_SALT
    )


def activation_url(user: User) -> str:
    path = reverse("accounts:create_activate", args=[activation_token(user)])
    return settings.SITE_URL.rstrip("/") + path


@transaction.atomic
def create_pending_account(
    person: Person,
    *,
    password_hash: str,
    contact: ContactData,
    terms_accepted_at: datetime.datetime,
    run_started_at: datetime.datetime,
) -> tuple[User, bool]:
    """A1, last step: the inactive account and its confirmation e-mail (link valid 7 days).

    Returns (user, sent). A second submission of the same run (double click, reload) finds
    the request it already made and sends nothing: `sent` is False.
    """
    _lock_person(person)
    now = timezone.now()
    user = account_of(person)
    if (
        user is not None
        and user.state == AccountState.PENDING
        and user.activation_pending_since >= run_started_at
    ):
        return user, False
    check_can_create(user)
    user = _fill_account(user, person, email=contact.email, now=now)
    user.password = password_hash
    user.mobile_phone = contact.mobile_phone or ""
    user.landline_phone = contact.landline_phone or ""
    user.contact_by_email = contact.contact_by_email
    user.contact_by_sms = contact.contact_by_sms
    user.contact_by_phone = contact.contact_by_phone
    user.paperless_since = terms_accepted_at
    user.is_active = False
    user.activation_pending_since = now
    user.created_via = CreationRoute.EMAIL
    user.save()
    _set_primary_email(user, contact.email, verified=False)
    send_templated_email(
        "account_activation",
        to=contact.email,
        context={
            "first_name": person.first_name,
            "activation_url": activation_url(user),
            "valid_until": french_datetime(now + ACTIVATION_LINK_VALIDITY),
        },
        user=user,
        secret_keys=("activation_url",),  # kept masked once sent (F4)
    )
    return user, True


class ActivationLinkError(Exception):
    """`kind` is "invalid", "expired" or "used"."""

    def __init__(self, kind):
        super().__init__(kind)
        self.kind = kind


def read_activation_token(token: str) -> User:
    """The pending account a link opens, or ActivationLinkError saying why it cannot."""
    try:
        data = signing.loads(
            token, salt=ACTIVATION_SALT, max_age=ACTIVATION_LINK_VALIDITY.total_seconds()
        )
        expired = False
    except signing.SignatureExpired:
        data = signing.loads(token, salt=ACTIVATION_SALT)
        expired = True
    except signing.BadSignature:
        raise ActivationLinkError("invalid") from None
    user = User.objects.filter(pk=data.get("u")).first()
    if user is None:
        raise ActivationLinkError("invalid")
    pending = user.activation_pending_since
    if pending is None or pending.isoformat() != data.get("p"):
        # Opened already (this link or another), or replaced by a newer request.
        raise ActivationLinkError("used" if user.is_active else "invalid")
    if expired:
        raise ActivationLinkError("expired")
    return user


@transaction.atomic
def activate_account(token: str) -> User:
    """A1: the link was followed within 7 days: the account opens, its e-mail is verified."""
    user = read_activation_token(token)
    user = User.objects.select_for_update().get(pk=user.pk)
    read_activation_token(token)  # again, under the lock: a concurrent click lost the race
    user.is_active = True
    user.activation_pending_since = None
    user.date_joined = timezone.now()
    user.save(update_fields=["is_active", "activation_pending_since", "date_joined"])
    _set_primary_email(user, user.email, verified=True)
    _send_opened_notice(user)
    return user


# --- A2 / A3: account opened at once -------------------------------------------------------------
@transaction.atomic
def open_account_now(
    person: Person,
    *,
    password: str,
    email: str,
    terms_accepted_at: datetime.datetime,
    route: CreationRoute,
    run_started_at: datetime.datetime,
) -> tuple[User, bool]:
    """A2/A3: the account is created (or re-opened) active. Returns (user, created); a second
    submission of the same run returns the account it created, `created` False."""
    _lock_person(person)
    now = timezone.now()
    user = account_of(person)
    if user is not None and user.is_active and user.date_joined >= run_started_at:
        return user, False
    check_can_create(user)
    user = _fill_account(user, person, email=email, now=now)
    user.set_password(password)
    user.paperless_since = terms_accepted_at
    user.contact_by_email = True
    user.is_active = True
    user.activation_pending_since = None
    user.created_via = route
    user.save()
    _set_primary_email(user, email, verified=False)
    _send_opened_notice(user)
    return user, True


def _send_opened_notice(user: User):
    """A14: the person is told by e-mail that their account was opened (and when)."""
    send_templated_email(
        "account_opened",
        to=user.email,
        context={
            "first_name": user.first_name,
            "when": french_datetime(timezone.now()),
            "login_url": settings.SITE_URL.rstrip("/") + reverse("account_login"),
        },
        user=user,
    )
