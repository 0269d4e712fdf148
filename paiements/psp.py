"""The portal's side of the « kiosque bancaire » protocol (FEATURES C6).

Like a real payment service provider (PSP), the kiosque is reached by redirecting the browser
with a signed request, and sends the browser back with a signed result. Both are plain query
strings signed with HMAC-SHA256 and a secret shared with the provider (`KIOSQUE_SECRET`):

request  merchant, reference, amount (cents), currency, return_url, timestamp, signature
return   reference, transaction, amount (cents), status, timestamp, signature

The signed message is the fields in this order, as `name=value` lines joined by "\\n". A return
is accepted only with a valid signature, a timestamp of less than `KIOSQUE_RETURN_MAX_AGE`
seconds, and the amount of the attempt it names (`paiements.services.apply_kiosque_return`
then makes it idempotent and refuses a second, different outcome).
"""

import hashlib
import hmac
import time
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .enums import AttemptStatus

MERCHANT = "portail-assure"
CURRENCY = "EUR"
REQUEST_FIELDS = ("merchant", "reference", "amount", "currency", "return_url", "timestamp")
RETURN_FIELDS = ("reference", "transaction", "amount", "status", "timestamp")
CLOCK_SKEW = 60  # seconds a return may seem to come from the future

# The kiosque's vocabulary → the attempt's status.
RETURN_STATUSES = {
    "ACCEPTED": AttemptStatus.PAID,
    "REFUSED": AttemptStatus.REFUSED,
    "CANCELLED": AttemptStatus.CANCELLED,
}


class BadReturn(Exception):
    """A kiosque return that must not change anything (tampered, stale, inconsistent)."""


def _secret() -> bytes:
    secret = settings.KIOSQUE_SECRET
    if not secret:
        raise ImproperlyConfigured("KIOSQUE_SECRET est requis pour payer une créance en ligne.")
    return secret.encode()


def signature(fields, values) -> str:
    message = "\n".join(f"{name}={values[name]}" for name in fields)
    return hmac.new(_secret(), message.encode(), hashlib.sha256).hexdigest()


def payment_request_url(attempt, return_url: str, now: float | None = None) -> str:
    """Where to send the browser to pay `attempt` at the kiosque."""
    values = {
        "merchant": MERCHANT,
        "reference": attempt.public_id.hex,
        "amount": str(attempt.amount_cents),
        "currency": CURRENCY,
        "return_url": return_url,
        "timestamp": str(int(now if now is not None else time.time())),
    }
    values["signature"] = signature(REQUEST_FIELDS, values)
    return f"{settings.KIOSQUE_URL}?{urlencode(values)}"


def verify_return(params, now: float | None = None) -> dict:
    """The fields of a kiosque return, or BadReturn. `params` is request.GET."""
    try:
        values = {name: params[name] for name in (*RETURN_FIELDS, "signature")}
    except KeyError as missing:
        raise BadReturn(f"Champ manquant : {missing.args[0]}") from None
    expected = signature(RETURN_FIELDS, values)
    if not hmac.compare_digest(expected, values["signature"]):
        raise BadReturn("Signature invalide.")
    try:
        timestamp = int(values["timestamp"])
        amount_cents = int(values["amount"])
    except ValueError:
        raise BadReturn("Champ numérique invalide.") from None
    now = now if now is not None else time.time()
    if timestamp < now - settings.KIOSQUE_RETURN_MAX_AGE or timestamp > now + CLOCK_SKEW:
        raise BadReturn("Retour expiré ou rejoué.")
    if values["status"] not in RETURN_STATUSES:
        raise BadReturn("Statut inconnu.")
    if not values["transaction"] or len(values["transaction"]) > 64:
        raise BadReturn("Transaction invalide.")
    return {
        "reference": values["reference"],
        "transaction": values["transaction"],
        "amount_cents": amount_cents,
        "status": RETURN_STATUSES[values["status"]],
        "timestamp": timestamp,
    }
