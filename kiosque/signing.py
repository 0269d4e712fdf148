"""The kiosque's half of its published protocol: HMAC-SHA256 over `name=value` lines.

Written apart from the portal's client (paiements/psp.py) on purpose: the tests make the two
talk, so a change on one side that breaks the protocol fails them.
"""

import hashlib
import hmac

from django.conf import settings

REQUEST_FIELDS = ("merchant", "reference", "amount", "currency", "return_url", "timestamp")
RETURN_FIELDS = ("reference", "transaction", "amount", "status", "timestamp")
REQUEST_MAX_AGE = 30 * 60  # seconds a signed payment request stays usable


def sign(fields, values) -> str:
    message = "\n".join(f"{name}={values[name]}" for name in fields)
    return hmac.new(settings.KIOSQUE_SECRET.encode(), message.encode(), hashlib.sha256).hexdigest()


def valid(fields, values, signature) -> bool:
    return bool(settings.KIOSQUE_SECRET) and hmac.compare_digest(sign(fields, values), signature)
