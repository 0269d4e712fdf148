"""One test class per renderer: the PDF's text (pdftotext) carries the person's data, the figures
and the verification code (FEATURES D1–D6, C1–C3, X1)."""

import datetime
from decimal import Decimal

import pytest

from assures.factories import (
    CeamFactory,
    DoctorFactory,
    LongTermConditionFactory,
    TreatingDoctorFactory,
)
from documents import services
from documents.enums import DocumentKind
from documents.renderers import DocumentUnavailable, institution_id
from paiements.enums import DeductionKind, Nature, Payee, SickLeaveKind
from paiements.factories import PaymentFactory, PaymentLineFactory, SickLeaveFactory
from portal.templatetags.portal import euros

from .conftest import document_text, squash

pytestmark = pytest.mark.django_db
D = datetime.date


def issue(person, kind, parameters):
    return services.issue(person, kind, parameters)


def assert_common(text, document, person):
    """Every PDF: the caisse, the person's NIR, the verification code, page numbers."""
    assert document.verification_code_display in text
    assert person.caisse.name in text
    assert person.nir_display in text
    assert "Page 1 / " in text


class TestRightsAttestation:
    """D1 « Attestation de droits »."""

    def test_everyone_on_the_file(self, frozen, insured, child):
        me = insured.person
        doctor = DoctorFactory(last_name="Bernard", first_name="Claire")
        TreatingDoctorFactory(person=me, doctor=doctor)
        document = issue(me, DocumentKind.RIGHTS, {"beneficiary": None})
        text = document_text(document)

        assert_common(text, document, me)
        assert "ATTESTATION DE DROITS" in text
        for person in (me, child):
            assert person.first_name in text
            assert person.display_last_name.upper() in text
            assert person.nir_display in text
            assert f"du {person.rights_start:%d/%m/%Y}" in text
        assert "Dr Claire BERNARD" in text
        assert "Aucun médecin traitant déclaré" in text  # the child has none
        assert f"{me.caisse.code} — {me.caisse.name}" in text
        assert document.valid_until == D(2027, 11, 23)
        assert "valable jusqu'au 23 novembre 2027" in text

    def test_one_beneficiary(self, frozen, insured, child):
        document = issue(insured.person, DocumentKind.RIGHTS, {"beneficiary": str(child.public_id)})
        text = document_text(document)
        assert child.nir_display in text
        me = insured.person
        assert f"{me.display_last_name.upper()} {me.first_name}" in text  # « Assuré(e) »
        assert document.title == f"Attestation de droits — {child.full_name}"
        assert squash("Bénéficiaire de la présente attestation").upper() in text.upper()

    def test_someone_elses_beneficiary_is_refused(self, frozen, insured, other):
        with pytest.raises(DocumentUnavailable, match="pas rattachée à votre dossier"):
            issue(insured.person, DocumentKind.RIGHTS, {"beneficiary": str(other.person.public_id)})

    def test_closed_rights(self, frozen, insured):
        person = insured.person
        person.rights_end = D(2026, 1, 1)
        person.save()
        with pytest.raises(DocumentUnavailable, match="pas ouverts"):
            issue(person, DocumentKind.RIGHTS, {"beneficiary": None})


class TestDailyAllowances:
    """D2 « Attestation de paiement d'indemnités journalières »."""

    @pytest.fixture
    def allowances(self, insured):
        leave = SickLeaveFactory(person=insured.person, start=D(2026, 1, 5), end=D(2026, 2, 15))
        return [
            PaymentFactory(
                insured=insured.person,
                nature=Nature.DAILY_ALLOWANCE,
                sick_leave=leave,
                paid_on=paid_on,
                period_start=start,
                period_end=start + datetime.timedelta(days=13),
                amount=Decimal("590.38"),
                label=label,
            )
            for paid_on, start, label in [
                (D(2026, 1, 22), D(2026, 1, 5), "Indemnités journalières maladie"),
                (
                    D(2026, 2, 5),
                    D(2026, 1, 19),
                    "Indemnités journalières maladie — temps partiel thérapeutique",
                ),
            ]
        ]

    def test_year_with_mentions(self, frozen, insured, allowances):
        LongTermConditionFactory(person=insured.person, start=D(2015, 3, 1))
        parameters = {
            "start": "2026-01-01",
            "end": "2026-11-24",
            "year": 2026,
            "mentions": ["ald", "tpt"],
        }
        document = issue(insured.person, DocumentKind.DAILY_ALLOWANCES, parameters)
        text = document_text(document)
        assert_common(text, document, insured.person)
        assert "du 01/01/2026 au 24/11/2026" in text
        assert "22/01/2026" in text and "05/02/2026" in text
        assert "du 05/01/2026 au 18/01/2026" in text
        assert squash(euros(Decimal("1180.76"))) in text  # the total
        assert squash(euros(Decimal("42.17"))) in text  # 590.38 / 14 days
        assert "affection de longue durée (ALD) depuis le 01/03/2015" in text
        assert f"Dont {squash(euros(Decimal('590.38')))} versés au titre d'un temps partiel" in text
        assert document.title == "Attestation de paiement d'indemnités journalières 2026"
        assert document.valid_until is None

    def test_dates_without_mentions(self, frozen, insured, allowances):
        parameters = {"start": "2026-01-01", "end": "2026-01-31", "year": None, "mentions": []}
        document = issue(insured.person, DocumentKind.DAILY_ALLOWANCES, parameters)
        text = document_text(document)
        assert "22/01/2026" in text
        assert "05/02/2026" not in text
        assert "MENTIONS COMPLÉMENTAIRES" not in text.upper()
        assert document.title.endswith("du 01/01/2026 au 31/01/2026")

    def test_period_without_allowance(self, frozen, insured, allowances):
        parameters = {"start": "2026-03-01", "end": "2026-03-31", "year": None, "mentions": []}
        with pytest.raises(DocumentUnavailable, match="Aucune indemnité journalière"):
            issue(insured.person, DocumentKind.DAILY_ALLOWANCES, parameters)

    def test_outside_the_8_year_window(self, frozen, insured, allowances):
        parameters = {"start": "2018-11-23", "end": "2026-01-31", "year": None, "mentions": []}
        with pytest.raises(DocumentUnavailable, match="8 dernières années"):
            issue(insured.person, DocumentKind.DAILY_ALLOWANCES, parameters)


class TestTaxStatement:
    """D3 « Relevé fiscal »: taxable IJ of the previous year (AT/MP taxable for 50 %)."""

    def test_taxable_amounts(self, frozen, insured):
        me = insured.person
        illness = SickLeaveFactory(person=me, kind=SickLeaveKind.ILLNESS)
        accident = SickLeaveFactory(person=me, kind=SickLeaveKind.WORK_ACCIDENT)
        PaymentFactory(
            insured=me,
            nature=Nature.DAILY_ALLOWANCE,
            sick_leave=illness,
            paid_on=D(2025, 3, 3),
            amount=Decimal("400.00"),
        )
        PaymentFactory(
            insured=me,
            nature=Nature.DAILY_ALLOWANCE,
            sick_leave=accident,
            paid_on=D(2025, 9, 3),
            amount=Decimal("300.00"),
        )
        PaymentFactory(insured=me, nature=Nature.DAILY_ALLOWANCE, paid_on=D(2026, 1, 3))
        document = issue(me, DocumentKind.TAX_STATEMENT, {"year": 2025})
        text = document_text(document)
        assert_common(text, document, me)
        assert "2025" in document.title
        assert squash(euros(Decimal("550.00"))) in text  # 400 + 300 / 2
        assert squash(euros(Decimal("700.00"))) in text  # paid
        assert "03/01/2026" not in text
        assert "imposables pour 50 %" in text

    def test_only_the_previous_year(self, frozen, insured):
        PaymentFactory(insured=insured.person, nature=Nature.DAILY_ALLOWANCE, paid_on=D(2024, 5, 1))
        with pytest.raises(DocumentUnavailable, match="2025"):
            issue(insured.person, DocumentKind.TAX_STATEMENT, {"year": 2024})
        with pytest.raises(DocumentUnavailable, match="Aucun relevé fiscal"):
            issue(insured.person, DocumentKind.TAX_STATEMENT, {"year": 2025})


class TestCeam:
    """D4: certificat provisoire (3 months) and the digital image of the card."""

    def test_certificate(self, frozen, insured, child):
        card = CeamFactory(person=child, issued_on=D(2025, 6, 1), expires_on=D(2027, 6, 1))
        document = issue(
            insured.person, DocumentKind.CEAM_CERTIFICATE, {"person": str(child.public_id)}
        )
        text = document_text(document)
        assert_common(text, document, insured.person)
        assert child.display_last_name.upper() in text
        assert child.first_name.upper() in text
        assert child.birth_date.strftime("%d/%m/%Y") in text
        assert child.nir_display in text
        assert institution_id(insured.person.caisse) in text
        assert card.card_number in text
        assert "du 24/11/2026 au 23/02/2027" in text
        assert document.valid_until == D(2027, 2, 23)

    def test_card_image(self, frozen, insured):
        me = insured.person
        card = CeamFactory(person=me, issued_on=D(2025, 1, 6), expires_on=D(2027, 1, 5))
        document = issue(
            me, DocumentKind.CEAM_CARD, {"person": str(me.public_id), "card": card.card_number}
        )
        text = document_text(document)
        assert_common(text, document, me)
        for shown in (
            me.display_last_name.upper(),
            me.first_name.upper(),
            "14/03/1990",
            me.nir_display,
            institution_id(me.caisse),
            card.card_number,
            "05/01/2027",
            "FR",
        ):
            assert shown in text, shown
        assert document.valid_until == card.expires_on

    def test_expired_card(self, frozen, insured):
        me = insured.person
        card = CeamFactory(person=me, issued_on=D(2022, 1, 1), expires_on=D(2024, 1, 1))
        with pytest.raises(DocumentUnavailable, match="pas de carte"):
            issue(
                me, DocumentKind.CEAM_CARD, {"person": str(me.public_id), "card": card.card_number}
            )


class TestPaymentStatement:
    """C1 « ↓ » / D5: the décompte, line by line (paiements.PaymentLine)."""

    def test_lines(self, frozen, insured, child):
        payment = PaymentFactory(
            insured=insured.person,
            beneficiary=child,
            paid_on=D(2026, 11, 17),
            care_date=D(2026, 11, 10),
            amount=Decimal("19.00"),
            payee=Payee.INSURED,
        )
        PaymentLineFactory(
            payment=payment,
            act="Consultation du médecin généraliste",
            act_code="G",
            professional="Dr Claire BERNARD",
            amount_paid=Decimal("30.00"),
            base=Decimal("30.00"),
            rate=70,
            reimbursed=Decimal("21.00"),
            deduction_kind=DeductionKind.FLAT_FEE,
            deduction=Decimal("2.00"),
        )
        document = issue(
            insured.person, DocumentKind.PAYMENT_STATEMENT, {"payment": str(payment.public_id)}
        )
        text = document_text(document)
        assert_common(text, document, insured.person)
        assert "17/11/2026" in text and "10/11/2026" in text
        assert child.first_name in text
        assert "Consultation du médecin généraliste" in text and "(G)" in text
        assert "Dr Claire BERNARD" in text
        assert "70 %" in text
        for amount in ("30.00", "21.00", "2.00", "19.00"):
            assert squash(euros(Decimal(amount))) in text, amount
        assert "Participation forfaitaire" in text
        assert document.title == "Décompte du paiement du 17/11/2026"

    def test_someone_elses_payment(self, frozen, insured, other):
        payment = PaymentFactory(insured=other.person)
        with pytest.raises(DocumentUnavailable):
            issue(
                insured.person,
                DocumentKind.PAYMENT_STATEMENT,
                {"payment": str(payment.public_id)},
            )


class TestStatements:
    """C2 relevé mensuel, C3 relevé annuel."""

    def test_monthly(self, frozen, insured, child):
        me = insured.person
        paid = [
            PaymentFactory(
                insured=me, paid_on=D(2026, 10, 2), amount=Decimal("1.50"), payee=Payee.THIRD_PARTY
            ),
            PaymentFactory(
                insured=me,
                beneficiary=child,
                paid_on=D(2026, 10, 27),
                amount=Decimal("21.00"),
                payee=Payee.INSURED,
            ),
        ]
        PaymentFactory(insured=me, paid_on=D(2026, 11, 2), amount=Decimal("99.99"))
        document = issue(me, DocumentKind.MONTHLY_STATEMENT, {"month": "2026-10"})
        text = document_text(document)
        assert_common(text, document, me)
        assert "OCTOBRE 2026" in text.upper()
        for payment in paid:
            assert payment.paid_on.strftime("%d/%m/%Y") in text
        assert squash(euros(Decimal("22.50"))) in text
        assert squash(euros(Decimal("99.99"))) not in text
        assert document.title == "Relevé mensuel — octobre 2026"
        assert document.download_name == "releve-mensuel-octobre-2026.pdf"

    def test_monthly_outside_27_months_or_empty(self, frozen, insured):
        with pytest.raises(DocumentUnavailable, match="27 derniers mois"):
            issue(insured.person, DocumentKind.MONTHLY_STATEMENT, {"month": "2026-11"})
        with pytest.raises(DocumentUnavailable, match="Aucun paiement"):
            issue(insured.person, DocumentKind.MONTHLY_STATEMENT, {"month": "2026-09"})

    def test_annual(self, frozen, insured, child):
        me = insured.person
        PaymentFactory(insured=me, paid_on=D(2025, 1, 10), amount=Decimal("10.00"))
        PaymentFactory(insured=me, beneficiary=child, paid_on=D(2025, 6, 10), amount=Decimal("5"))
        PaymentFactory(
            insured=me,
            nature=Nature.DAILY_ALLOWANCE,
            paid_on=D(2025, 6, 20),
            amount=Decimal("100.00"),
        )
        PaymentFactory(insured=me, paid_on=D(2026, 1, 10), amount=Decimal("77.77"))
        document = issue(me, DocumentKind.ANNUAL_STATEMENT, {"year": 2025})
        text = document_text(document)
        assert_common(text, document, me)
        assert squash(euros(Decimal("115.00"))) in text
        assert squash(euros(Decimal("77.77"))) not in text
        assert "Indemnités journalières" in text and "Remboursement de soins" in text
        assert child.first_name in text
        assert "(3 paiements)" in text


class TestMtDents:
    """D6 « Télécharger ma prise en charge M'T Dents »."""

    def test_voucher(self, frozen, insured, child):
        document = issue(
            insured.person,
            DocumentKind.MT_DENTS,
            {"person": str(child.public_id), "start": "2026-06-12"},
        )
        text = document_text(document)
        assert_common(text, document, insured.person)
        assert child.nir_display in text
        assert "M'T Dents — 10 ans" in text
        assert "du 12/06/2026 au 11/06/2027" in text
        assert document.valid_until == D(2027, 6, 11)

    def test_not_eligible(self, frozen, insured):
        with pytest.raises(DocumentUnavailable, match="de 3 à 24 ans"):
            issue(
                insured.person,
                DocumentKind.MT_DENTS,
                {"person": str(insured.person.public_id), "start": "2026-03-14"},
            )

    def test_voucher_of_a_past_year(self, frozen, insured, child):
        with pytest.raises(DocumentUnavailable, match="plus valable"):
            issue(
                insured.person,
                DocumentKind.MT_DENTS,
                {"person": str(child.public_id), "start": "2025-06-12"},
            )
