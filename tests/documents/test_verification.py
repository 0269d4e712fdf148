"""X1 « Vérifier une attestation »: public, says genuine or not, type, date and validity —
nothing more; codes unguessable; rate-limited."""

import datetime
import re
import subprocess
from decimal import Decimal
from html import unescape

import pytest
import time_machine
from django.urls import reverse

from documents import services, verification
from documents.enums import DocumentKind
from paiements.factories import PaymentFactory
from portal.templatetags.portal import euros

from .conftest import PARIS, document_text

pytestmark = pytest.mark.django_db


class TestCodes:
    def test_length_and_alphabet(self):
        codes = {verification.new_code() for _ in range(2000)}
        assert len(codes) == 2000
        for code in codes:
            assert len(code) == 12
            assert set(code) <= set(verification.ALPHABET)
        assert not set("01ILO") & set(verification.ALPHABET)

    def test_every_character_is_used(self):
        """Drawn with `secrets` from the whole alphabet (no bias to a subset)."""
        seen = set("".join(verification.new_code() for _ in range(500)))
        assert seen == set(verification.ALPHABET)

    @pytest.mark.parametrize(
        ("typed", "expected"),
        [
            ("K7QM-4XRT-H2PV", "K7QM4XRTH2PV"),
            (" k7qm 4xrt h2pv ", "K7QM4XRTH2PV"),
            ("k7qm.4xrt.h2pv", "K7QM4XRTH2PV"),
        ],
    )
    def test_normalize(self, typed, expected):
        assert verification.normalize_code(typed) == expected
        assert verification.is_well_formed(expected)

    @pytest.mark.parametrize(
        "code", ["K7QM4XRTH2P", "K7QM4XRTH2PVV", "K7QM4XRTH2P0", "K7QM4XRTH2PI"]
    )
    def test_malformed(self, code):
        assert not verification.is_well_formed(code)

    def test_format_and_url(self, settings):
        settings.SITE_URL = "https://assure.example.org/"
        assert verification.format_code("K7QM4XRTH2PV") == "K7QM-4XRT-H2PV"
        assert (
            verification.verification_url("K7QM4XRTH2PV")
            == "https://assure.example.org/verifier/K7QM-4XRT-H2PV/"
        )


@pytest.fixture
def attestation(frozen, insured):
    return services.issue(insured.person, DocumentKind.RIGHTS, {"beneficiary": None})


def page(client, code):
    """The page the QR code opens: /verifier/<code>/."""
    return client.get(reverse("documents:verify_code", args=[code]))


def test_the_pdf_prints_the_code_and_the_url(settings, frozen, insured):
    settings.SITE_URL = "https://assure.example.org"
    document = services.issue(insured.person, DocumentKind.RIGHTS, {"beneficiary": None})
    text = document_text(document)
    assert document.verification_code_display in text
    assert "assure.example.org/verifier/" in text


def test_public_page_without_login(client):
    response = client.get(reverse("documents:verify"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Vérifier une attestation</h1>" in html
    assert 'name="code"' in html


def test_genuine_from_the_qr_code_url(client, attestation, insured):
    response = page(client, attestation.verification_code_display)
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert "Ce document est authentique" in html
    assert "Attestation de droits" in html
    assert "Émis le</dt><dd>24 novembre 2026" in html
    assert "Valable jusqu'au 23 novembre 2027" in html


def test_genuine_typed_in_lower_case_with_spaces(client, attestation):
    typed = attestation.verification_code_display.lower().replace("-", " ")
    html = client.get(reverse("documents:verify"), {"code": typed}).content.decode()
    assert "Ce document est authentique" in html


def test_shows_no_personal_data(client, frozen, insured, child):
    payment = PaymentFactory(
        insured=insured.person, paid_on=datetime.date(2026, 10, 1), amount=Decimal("123.45")
    )
    document = services.issue(
        insured.person, DocumentKind.PAYMENT_STATEMENT, {"payment": str(payment.public_id)}
    )
    html = unescape(page(client, document.verification_code).content.decode())
    assert "Ce document est authentique" in html
    person = insured.person
    for private in (
        person.first_name,
        person.last_name,
        person.nir,
        person.nir_display,
        child.first_name,
        person.caisse.name,
        person.address_line1,
        euros(payment.amount),
        "123,45",
        document.title,
        str(document.public_id),
    ):
        assert private not in html, private


def test_unknown_code(client, attestation):
    other = "K7QM4XRTH2PV"
    assert other != attestation.verification_code
    html = unescape(page(client, other).content.decode())
    assert "Aucun document ne correspond à ce code" in html
    assert "authentique" not in html.split("Aucun document")[0].split("Résultat")[-1]


def test_malformed_code_error_next_to_the_field(client):
    response = page(client, code="abc")
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert re.search(r'id="id_code_error"><p>Ce code n\'a pas le bon format', html)


def test_expired_document(client, insured):
    with time_machine.travel(datetime.datetime(2026, 11, 24, 10, 0, tzinfo=PARIS), tick=False):
        document = services.issue(
            insured.person, DocumentKind.CEAM_CERTIFICATE, {"person": str(insured.person.public_id)}
        )
    with time_machine.travel(datetime.datetime(2027, 3, 1, 10, 0, tzinfo=PARIS), tick=False):
        html = unescape(page(client, document.verification_code).content.decode())
    assert "Ce document est authentique" in html
    assert "Expiré depuis le 23 février 2027" in re.sub(r"<[^>]+>", "", html)


def test_rate_limited_per_address(client, attestation, settings):
    """20 lookups a minute per address, then 429 with a French message."""
    for _ in range(20):
        assert page(client, attestation.verification_code).status_code == 200
    response = page(client, attestation.verification_code)
    assert response.status_code == 429
    html = unescape(response.content.decode())
    assert "Trop de vérifications" in html
    assert "authentique" not in html
    # Another address is not affected; the empty form is not a lookup.
    assert client.get(reverse("documents:verify")).status_code == 200
    other = client.get(
        reverse("documents:verify_code", args=[attestation.verification_code]),
        REMOTE_ADDR="192.0.2.7",
    )
    assert other.status_code == 200


def test_rate_limit_window_passes(client, attestation, settings):
    settings.DOCUMENTS_VERIFY_RATE_PER_MINUTE = 2
    start = datetime.datetime(2026, 11, 24, 10, 0, 5, tzinfo=PARIS)
    with time_machine.travel(start, tick=False):
        assert page(client, "K7QM4XRTH2PV").status_code == 200
        assert page(client, "K7QM4XRTH2PV").status_code == 200
        assert page(client, "K7QM4XRTH2PV").status_code == 429
    with time_machine.travel(start + datetime.timedelta(minutes=1), tick=False):
        assert page(client, attestation.verification_code).status_code == 200


def test_one_query_per_lookup(client, attestation, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        page(client, attestation.verification_code)


def test_the_qr_code_opens_the_verification_page(settings, frozen, insured, tmp_path):
    """X1: the QR code printed on the PDF, read back from the rendered page, is the URL of
    « Vérifier une attestation » for this document's code."""
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    settings.SITE_URL = "https://assure.example.org"
    document = services.issue(insured.person, DocumentKind.RIGHTS, {"beneficiary": None})
    with document.file.open("rb") as handle:
        (tmp_path / "document.pdf").write_bytes(handle.read())
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-singlefile", "document.pdf", "page"],
        cwd=tmp_path,
        check=True,
    )
    codes = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))
    assert [c.text for c in codes] == [
        f"https://assure.example.org/verifier/{document.verification_code_display}/"
    ]
