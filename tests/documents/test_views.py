"""View tests of « Télécharger » (FEATURES D1–D8, C1 « ↓ », C2, C3): permissions, errors next to
the fields, nothing created twice, downloads, bounded queries."""

import datetime
import re
import uuid
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from accounts.factories import AgentFactory
from assures.factories import CeamFactory, LongTermConditionFactory
from documents import services
from documents.enums import DocumentKind
from documents.models import GeneratedDocument
from paiements.enums import Nature
from paiements.factories import PaymentFactory

from .conftest import document_text

pytestmark = pytest.mark.django_db
D = datetime.date
ANY = uuid.uuid4()

INSURED_PAGES = [
    ("documents:hub", {}),
    ("documents:rights", {}),
    ("documents:daily_allowances", {}),
    ("documents:tax", {}),
    ("documents:ceam", {}),
    ("documents:mt_dents", {}),
    ("documents:monthly_statements", {}),
    ("documents:monthly_statement", {"year": 2026, "month": 10}),
    ("documents:annual_statement", {"year": 2025}),
    ("documents:payment_statement", {"public_id": ANY}),
    ("documents:detail", {"public_id": ANY}),
    ("documents:download", {"public_id": ANY}),
]


@pytest.mark.parametrize(("name", "kwargs"), INSURED_PAGES)
def test_anonymous_goes_to_login(client, name, kwargs):
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize(("name", "kwargs"), INSURED_PAGES)
def test_agents_work_in_the_admin(client, name, kwargs):
    client.force_login(AgentFactory())
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_post_only_views_refuse_anonymous(client):
    for url in (
        reverse("documents:ceam_certificate"),
        reverse("documents:ceam_card", kwargs={"public_id": ANY}),
    ):
        response = client.post(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


# --- another person's objects are 404 (ARCHITECTURE decision 2) ----------------------------------
def test_another_persons_document_is_404(client, frozen, insured, other):
    document = services.issue(other.person, DocumentKind.RIGHTS, {"beneficiary": None})
    client.force_login(insured)
    for name in ("documents:detail", "documents:download"):
        response = client.get(reverse(name, kwargs={"public_id": document.public_id}))
        assert response.status_code == 404, name
    client.force_login(other)
    assert client.get(reverse("documents:detail", args=[document.public_id])).status_code == 200


def test_another_persons_payment_statement_is_404(client, frozen, insured, other):
    payment = PaymentFactory(insured=other.person, paid_on=D(2026, 10, 1))
    client.force_login(insured)
    response = client.get(reverse("documents:payment_statement", args=[payment.public_id]))
    assert response.status_code == 404
    assert not GeneratedDocument.objects.exists()


def test_another_persons_ceam_is_404(client, frozen, insured, other):
    CeamFactory(person=other.person, issued_on=D(2025, 1, 1), expires_on=D(2027, 1, 1))
    client.force_login(insured)
    response = client.post(reverse("documents:ceam_card", args=[other.person.public_id]))
    assert response.status_code == 404


def test_certificate_for_someone_not_on_my_file_is_refused(client, frozen, insured, other):
    client.force_login(insured)
    response = client.post(
        reverse("documents:ceam_certificate"), {"person": str(other.person.public_id)}
    )
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not GeneratedDocument.objects.exists()


# --- D1 ------------------------------------------------------------------------------------------
class TestRightsAttestation:
    def test_request_then_download(self, client, frozen, insured, child):
        client.force_login(insured)
        page = client.get(reverse("documents:rights"))
        html = page.content.decode()
        assert "Demander mon attestation" in html
        assert "Tous les bénéficiaires" in html and child.full_name in html

        response = client.post(reverse("documents:rights"), {"beneficiary": ""})
        document = GeneratedDocument.objects.get()
        assert response.status_code == 302
        assert response.url == reverse("documents:detail", args=[document.public_id])
        ready = client.get(response.url).content.decode()
        assert document.verification_code_display in ready
        assert "Valable jusqu'au 23 novembre 2027" in ready

        download = client.get(reverse("documents:download", args=[document.public_id]))
        assert download.status_code == 200
        assert download["Content-Type"] == "application/pdf"
        assert download["Content-Disposition"] == (
            'attachment; filename="attestation-de-droits-2026-11-24.pdf"'
        )
        assert "no-store" in download["Cache-Control"]
        assert b"".join(download.streaming_content).startswith(b"%PDF-")
        assert child.nir_display in document_text(document)

    def test_double_submission_creates_one_document(self, client, frozen, insured):
        client.force_login(insured)
        first = client.post(reverse("documents:rights"), {"beneficiary": ""})
        second = client.post(reverse("documents:rights"), {"beneficiary": ""})
        assert first.url == second.url
        assert GeneratedDocument.objects.count() == 1

    def test_unknown_beneficiary(self, client, frozen, insured, other):
        client.force_login(insured)
        response = client.post(
            reverse("documents:rights"), {"beneficiary": str(other.person.public_id)}
        )
        assert response.status_code == 200
        assert "Sélectionnez un choix valide" in response.content.decode()
        assert not GeneratedDocument.objects.exists()

    def test_closed_rights_message_next_to_the_field(self, client, frozen, insured):
        insured.person.rights_end = D(2025, 12, 31)
        insured.person.save()
        client.force_login(insured)
        response = client.post(reverse("documents:rights"), {"beneficiary": ""})
        html = response.content.decode()
        assert response.status_code == 200
        assert re.search(
            r'field__errors" id="id_beneficiary_error">.*ne sont pas ouverts', html, re.S
        )
        assert not GeneratedDocument.objects.exists()


# --- D2 ------------------------------------------------------------------------------------------
class TestDailyAllowances:
    @pytest.fixture
    def paid(self, insured):
        return PaymentFactory(
            insured=insured.person,
            nature=Nature.DAILY_ALLOWANCE,
            paid_on=D(2026, 2, 10),
            amount=Decimal("590.38"),
        )

    def test_not_paid_ij_in_8_years_gets_a_message_not_a_form(self, client, frozen, insured):
        PaymentFactory(insured=insured.person, nature=Nature.DAILY_ALLOWANCE, paid_on=D(2018, 1, 1))
        client.force_login(insured)
        html = client.get(reverse("documents:daily_allowances")).content.decode()
        assert (
            "Aucune indemnité journalière ne vous a été versée depuis le 24 novembre 2018" in html
        )
        assert "<form" not in html.split('id="contenu"')[1]
        client.post(reverse("documents:daily_allowances"), {"period": "annee", "year": 2018})
        assert not GeneratedDocument.objects.exists()

    def test_year(self, client, frozen, insured, paid):
        LongTermConditionFactory(person=insured.person)
        client.force_login(insured)
        page = client.get(reverse("documents:daily_allowances")).content.decode()
        assert '<option value="2026" selected>2026</option>' in page
        assert "Affection de longue durée (ALD)" in page
        assert "Temps partiel thérapeutique" not in page  # no such payment: not offered
        response = client.post(
            reverse("documents:daily_allowances"),
            {"period": "annee", "year": "2026", "mentions": ["ald"]},
        )
        document = GeneratedDocument.objects.get()
        assert response.url == reverse("documents:detail", args=[document.public_id])
        assert document.parameters == {
            "start": "2026-01-01",
            "end": "2026-11-24",
            "year": 2026,
            "mentions": ["ald"],
        }

    @pytest.mark.parametrize(
        ("start", "end", "field", "message"),
        [
            ("", "", "start", "Indiquez la date de début."),
            ("2026-01-01", "", "end", "Indiquez la date de fin."),
            ("2018-11-23", "2026-03-01", "start", "à partir du 24/11/2018"),
            ("2026-01-01", "2026-11-25", "end", "postérieure à aujourd'hui"),
            ("2026-03-01", "2026-01-01", "end", "postérieure à la date de début"),
            ("2026-03-01", "2026-04-01", "start", "Aucune indemnité journalière"),
            ("31/02/2026", "2026-04-01", "start", "Saisissez une date valide"),
        ],
    )
    def test_date_errors_next_to_the_field(
        self, client, frozen, insured, paid, start, end, field, message
    ):
        client.force_login(insured)
        response = client.post(
            reverse("documents:daily_allowances"), {"period": "dates", "start": start, "end": end}
        )
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert any(message in e for e in errors[field]), errors
        assert f'id="id_{field}_error"' in response.content.decode()
        assert not GeneratedDocument.objects.exists()

    def test_year_ignores_dates_typed_before(self, client, frozen, insured, paid):
        client.force_login(insured)
        response = client.post(
            reverse("documents:daily_allowances"),
            {"period": "annee", "year": "2026", "start": "31/02/2026", "end": "n'importe"},
        )
        assert response.status_code == 302
        assert GeneratedDocument.objects.get().parameters["year"] == 2026

    def test_dates(self, client, frozen, insured, paid):
        client.force_login(insured)
        client.post(
            reverse("documents:daily_allowances"),
            {"period": "dates", "start": "2026-02-01", "end": "2026-02-28", "year": ""},
        )
        document = GeneratedDocument.objects.get()
        assert document.parameters["year"] is None
        assert "10/02/2026" in document_text(document)


# --- D3, D4, D6 -----------------------------------------------------------------------------------
def test_tax_statement_only_if_one_exists(client, frozen, insured):
    client.force_login(insured)
    html = client.get(reverse("documents:tax")).content.decode()
    assert "Aucun relevé fiscal n'existe pour 2025" in html
    client.post(reverse("documents:tax"))
    assert not GeneratedDocument.objects.exists()

    PaymentFactory(insured=insured.person, nature=Nature.DAILY_ALLOWANCE, paid_on=D(2025, 4, 1))
    assert (
        "Télécharger mon relevé fiscal 2025"
        in client.get(reverse("documents:tax")).content.decode()
    )
    response = client.post(reverse("documents:tax"))
    document = GeneratedDocument.objects.get()
    assert document.kind == DocumentKind.TAX_STATEMENT
    assert response.url == reverse("documents:detail", args=[document.public_id])


def test_ceam_page_card_and_certificate(client, frozen, insured, child):
    me = insured.person
    card = CeamFactory(person=me, issued_on=D(2025, 1, 6), expires_on=D(2027, 1, 5))
    client.force_login(insured)
    html = client.get(reverse("documents:ceam")).content.decode()
    for shown in (card.card_number, me.nir_display, "05/01/2027", "FR"):
        assert shown in html
    assert f"{child.full_name} : aucune carte CEAM en cours de validité" in html

    client.post(reverse("documents:ceam_card", args=[me.public_id]))
    client.post(reverse("documents:ceam_certificate"), {"person": str(child.public_id)})
    kinds = set(GeneratedDocument.objects.values_list("kind", flat=True))
    assert kinds == {DocumentKind.CEAM_CARD, DocumentKind.CEAM_CERTIFICATE}
    certificate = GeneratedDocument.objects.get(kind=DocumentKind.CEAM_CERTIFICATE)
    assert certificate.valid_until == D(2027, 2, 23)


def test_mt_dents(client, frozen, insured, child):
    client.force_login(insured)
    html = client.get(reverse("documents:mt_dents")).content.decode()
    assert "entre le 12/06/2026 et le 11/06/2027" in html
    client.post(reverse("documents:mt_dents"), {"person": str(child.public_id)})
    client.post(reverse("documents:mt_dents"), {"person": str(child.public_id)})
    document = GeneratedDocument.objects.get()
    assert document.parameters == {"person": str(child.public_id), "start": "2026-06-12"}
    response = client.post(reverse("documents:mt_dents"), {"person": str(insured.person.public_id)})
    assert "Sélectionnez un choix valide" in response.content.decode()  # 36 years old


def test_mt_dents_nobody_eligible(client, frozen, insured):
    client.force_login(insured)
    html = client.get(reverse("documents:mt_dents")).content.decode()
    assert "Personne de votre dossier n'a entre 3 et 24 ans" in html


# --- C1, C2, C3 -----------------------------------------------------------------------------------
def test_payment_statement_link_downloads(client, frozen, insured):
    payment = PaymentFactory(insured=insured.person, paid_on=D(2026, 10, 1))
    client.force_login(insured)
    url = reverse("documents:payment_statement", args=[payment.public_id])
    first, second = client.get(url), client.get(url)
    document = GeneratedDocument.objects.get()
    assert first.url == second.url == reverse("documents:download", args=[document.public_id])
    download = client.get(first.url)
    assert download["Content-Disposition"] == (
        'attachment; filename="decompte-du-paiement-du-01-10-2026.pdf"'
    )


def test_monthly_statements(client, frozen, insured, django_assert_max_num_queries):
    for paid_on, amount in [(D(2026, 10, 2), "1.50"), (D(2026, 10, 27), "21.00")]:
        PaymentFactory(insured=insured.person, paid_on=paid_on, amount=Decimal(amount))
    client.force_login(insured)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("documents:monthly_statements"))
    rows = response.context["rows"]
    assert len(rows) == 27
    assert rows[0]["label"] == "octobre 2026" and rows[0]["count"] == 2
    assert rows[0]["total"] == Decimal("22.50")
    assert all(r["count"] == 0 for r in rows[1:])
    html = response.content.decode()
    assert html.count("Aucun paiement") == 26
    assert reverse("documents:monthly_statement", args=[2026, 10]) in html

    download = client.get(reverse("documents:monthly_statement", args=[2026, 10]))
    assert download.status_code == 302
    assert GeneratedDocument.objects.get().kind == DocumentKind.MONTHLY_STATEMENT
    empty = client.get(reverse("documents:monthly_statement", args=[2026, 9]))
    assert empty.status_code == 404
    assert "Aucun paiement en septembre 2026" in empty.content.decode()
    assert client.get(reverse("documents:monthly_statement", args=[2026, 11])).status_code == 404
    assert client.get(reverse("documents:monthly_statement", args=[2024, 7])).status_code == 404
    assert client.get(reverse("documents:monthly_statement", args=[2026, 13])).status_code == 404


def test_annual_statement(client, frozen, insured):
    PaymentFactory(insured=insured.person, paid_on=D(2025, 5, 2))
    client.force_login(insured)
    assert client.get(reverse("documents:annual_statement", args=[2025])).status_code == 302
    assert client.get(reverse("documents:annual_statement", args=[2026])).status_code == 404
    assert client.get(reverse("documents:annual_statement", args=[2024])).status_code == 404


# --- hub, home, queries ---------------------------------------------------------------------------
def test_hub_lists_what_the_person_can_download(
    client, frozen, insured, child, django_assert_max_num_queries
):
    PaymentFactory(insured=insured.person, paid_on=D(2025, 5, 2))
    CeamFactory(person=insured.person, issued_on=D(2025, 1, 6), expires_on=D(2027, 1, 5))
    issued = services.issue(insured.person, DocumentKind.RIGHTS, {"beneficiary": None})
    client.force_login(insured)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("documents:hub"))
    html = response.content.decode()
    assert reverse("documents:rights") in html
    assert reverse("documents:daily_allowances") not in html  # no IJ: text, not a link
    assert "Aucune indemnité journalière ne vous a été versée au cours des 8 dernières" in html
    assert "Aucun relevé fiscal pour 2025" in html
    assert reverse("documents:annual_statement", args=[2025]) in html
    assert reverse("documents:annual_statement", args=[2024]) not in html
    assert f"Image de la carte de {insured.person.first_name}" in html
    assert reverse("documents:mt_dents") in html and child.first_name in html
    assert reverse("documents:download", args=[issued.public_id]) in html


def test_hub_queries_do_not_grow_with_documents(
    client, frozen, insured, django_assert_max_num_queries
):
    for month in ("2026-01", "2026-02", "2026-03", "2026-04"):
        PaymentFactory(insured=insured.person, paid_on=D(2026, int(month[-1]), 5))
        services.issue(insured.person, DocumentKind.MONTHLY_STATEMENT, {"month": month})
    client.force_login(insured)
    with django_assert_max_num_queries(14):
        client.get(reverse("documents:hub"))


def test_detail_and_download_queries(client, frozen, insured, django_assert_max_num_queries):
    document = services.issue(insured.person, DocumentKind.RIGHTS, {"beneficiary": None})
    client.force_login(insured)
    with django_assert_max_num_queries(8):  # incl. the context processors of base.html
        client.get(reverse("documents:detail", args=[document.public_id]))
    # user, document, and the session saved on every request (UPDATE inside a savepoint here)
    with django_assert_max_num_queries(5):
        response = client.get(reverse("documents:download", args=[document.public_id]))
        b"".join(response.streaming_content)


def test_home_shows_mes_demarches_en_2_clics(client, frozen, insured):
    """FEATURES B1: the shortcuts of « Mes démarches en 2 clics » (seeds 001, 004)."""
    client.force_login(insured)
    html = unescape(client.get(reverse("portal:home")).content.decode())
    assert "Mes démarches en 2 clics" in html
    for label, name in [
        ("Attestation de droits", "documents:rights"),
        ("Attestation de paiement d'indemnités journalières", "documents:daily_allowances"),
        ("Carte européenne d'assurance maladie (CEAM)", "documents:ceam"),
        ("Consulter les délais de traitement", "paiements:delais"),
    ]:
        assert f'href="{reverse(name)}">{label}</a>' in html, label


@pytest.mark.parametrize(
    "name",
    [
        "documents:rights",
        "documents:daily_allowances",
        "documents:tax",
        "documents:ceam",
        "documents:mt_dents",
    ],
)
def test_pages_do_a_bounded_number_of_queries(
    client, frozen, insured, child, name, django_assert_max_num_queries
):
    for paid_on in (D(2025, 2, 1), D(2026, 2, 1), D(2026, 3, 1)):
        PaymentFactory(insured=insured.person, nature=Nature.DAILY_ALLOWANCE, paid_on=paid_on)
    CeamFactory(person=insured.person, issued_on=D(2025, 1, 6), expires_on=D(2027, 1, 5))
    CeamFactory(person=child, issued_on=D(2025, 1, 6), expires_on=D(2027, 1, 5))
    LongTermConditionFactory(person=insured.person)
    client.force_login(insured)
    with django_assert_max_num_queries(14):
        response = client.get(reverse(name))
    assert response.status_code == 200
