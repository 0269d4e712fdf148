"""Shared by the creation, code provisoire, password reset and closure tests (A1-A3, A8, A12).

Sophie LEROY is the demo person in the registry without an account (FEATURES « Demo data »).
"""

import re

from django.urls import reverse

from messagerie.enums import Channel
from messagerie.models import OutboundMessage

SOPHIE = {
    "nir": "2950744109034",
    "key": "80",
    "birth_date": "08/07/1995",
    "last_name": "LEROY",
    "postal_code": "44000",
    "vitale": "90071234567",
    "iban_end": "4321",
}
STRONG_PASSWORD = "Nantes-Quai-44"
SOPHIE_IBAN = "FR7630004008230000000084321"


def birth(person):
    return person.birth_date.strftime("%d/%m/%Y")


IDENTITY_URL = reverse("accounts:create_identity")
TERMS_URL = reverse("accounts:create_terms")
PASSWORD_URL = reverse("accounts:create_password")
CONTACT_URL = reverse("accounts:create_contact")
SENT_URL = reverse("accounts:create_email_sent")
IMMEDIATE_URL = reverse("accounts:create_immediate")
CREDENTIALS_URL = reverse("accounts:create_credentials")
CODE_URL = reverse("accounts:code_provisoire")
CODE_PASSWORD_URL = reverse("accounts:code_provisoire_password")
LOGIN_URL = reverse("account_login")


def spaced(nir, key=""):
    parts = [nir[0], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13]]
    return " ".join(parts + ([key] if key else []))


def identity_data(**overrides):
    data = {
        "last_name": SOPHIE["last_name"],
        "nir": SOPHIE["nir"],
        "birth_date": SOPHIE["birth_date"],
        "postal_code": SOPHIE["postal_code"],
    }
    data.update(overrides)
    return data


def immediate_data(**overrides):
    data = {
        "nir": SOPHIE["nir"],
        "birth_date": SOPHIE["birth_date"],
        "vitale_serial": SOPHIE["vitale"],
        "iban_end": SOPHIE["iban_end"],
    }
    data.update(overrides)
    return data


def credentials_data(**overrides):
    data = {
        "accept": "on",
        "email": "sophie.leroy@example.org",
        "password1": STRONG_PASSWORD,
        "password2": STRONG_PASSWORD,
    }
    data.update(overrides)
    return data


def contact_data(**overrides):
    data = {
        "email": "sophie.leroy@example.org",
        "mobile_phone": "06 12 34 56 78",
        "landline_phone": "",
        "contact_by_email": "on",
    }
    data.update(overrides)
    return data


def run_a1_until_contact(client, password=STRONG_PASSWORD):
    """A1 steps 1 to 3 for Sophie; returns the client on step 4."""
    response = client.post(IDENTITY_URL, identity_data())
    assert response.status_code == 302 and response.url == TERMS_URL, response
    response = client.post(TERMS_URL, {"accept": "on"})
    assert response.status_code == 302 and response.url == PASSWORD_URL
    response = client.post(PASSWORD_URL, {"password1": password, "password2": password})
    assert response.status_code == 302 and response.url == CONTACT_URL
    return client


def emails(to=None, template=None):
    qs = OutboundMessage.objects.filter(channel=Channel.EMAIL)
    if to:
        qs = qs.filter(to=to)
    if template:
        qs = qs.filter(template=template)
    return list(qs.order_by("id"))


def link_in(message, pattern):
    match = re.search(pattern, message.body_text)
    assert match, message.body_text
    return match.group(0)


def path_of(url):
    return re.sub(r"^https?://[^/]+", "", url)


def non_field_errors(response):
    return list(response.context["form"].non_field_errors())
