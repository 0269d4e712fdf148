"""Verification codes and QR codes (FEATURES X1).

A code is 12 characters drawn with `secrets` from an alphabet without look-alikes (no 0/O,
1/I/L): 31**12 ≈ 7.9e17 possibilities (59 bits), so with the public page limited to a few
lookups a minute per address, guessing a valid code is out of reach. It is shown in groups of
four (« K7QM-4XRT-H2PV ») and typed back with or without dashes, spaces or lower case.
"""

import re
import secrets

import segno
from django.conf import settings
from django.urls import reverse

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
GROUP = 4
_CODE_RE = re.compile(rf"^[{ALPHABET}]{{{CODE_LENGTH}}}$")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(value: str) -> str:
    """What a person typed (« k7qm 4xrt-h2pv ») -> the stored form (« K7QM4XRTH2PV »)."""
    return re.sub(r"[\s\-.]", "", value or "").upper()


def is_well_formed(code: str) -> bool:
    return bool(_CODE_RE.match(code))


def format_code(code: str) -> str:
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def verification_url(code: str) -> str:
    """Absolute URL of « Vérifier une attestation » for this code (printed and in the QR)."""
    path = reverse("documents:verify_code", kwargs={"code": format_code(code)})
    return settings.SITE_URL.rstrip("/") + path


def verification_page_url() -> str:
    return settings.SITE_URL.rstrip("/") + reverse("documents:verify")


# A fixed mask pattern: segno would otherwise try the 8 masks of the standard and keep the best
# (~4 ms a document); every mask is valid and scans, the choice only tunes contrast patterns.
QR_MASK = 2


def qr_data_uri(code: str) -> str:
    """The QR code of the verification URL, as a PNG data URI (no file, no network), one pixel a
    module, enlarged without smoothing by the print CSS (`image-rendering: pixelated`). PNG rather
    than SVG: WeasyPrint draws an image at once, whereas it parses a QR's SVG path in ~35 ms."""
    qr = segno.make_qr(verification_url(code), error="m", mask=QR_MASK, boost_error=False)
    return qr.png_data_uri(scale=1, border=0)
