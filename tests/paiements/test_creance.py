"""FEATURES C6 « Payer une créance »: reference search, per-line amounts, the kiosque's signed
return (tampered, stale, replayed, repeated) and double submission."""

import time
import uuid
from decimal import Decimal
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.urls import reverse

from kiosque import signing as kiosque_signing
from messagerie.models import Message, OutboundMessage
from paiements import psp
from paiements.enums import AttemptStatus
from paiements.factories import CreanceFactory, CreanceLineFactory, CreancePaymentFactory
from paiements.models import CreanceLine, CreancePayment

pytestmark = pytest.mark.django_db

SEARCH = reverse("paiements:creance_search")
RETURN = reverse("paiements:kiosque_return")
NOT_FOUND = "Aucun avis de sommes à payer ne correspond à cette référence."


@pytest.fixture
def creance(insured):
    creance = CreanceFactory(person=insured.person, reference="1234567890123456A")
    CreanceLineFactory(creance=creance, label="Participations forfaitaires", amount_due="38.00")
    CreanceLineFactory(creance=creance, label="Franchises 2022", amount_due="46.50")
    CreanceLineFactory(creance=creance, label="Franchises 2023", amount_due="12.40")
    return creance


def lines_of(creance):
    return list(creance.lines.order_by("pk"))


def pay_url(creance):
    return reverse("paiements:creance", args=[creance.reference])


def pay_data(form_page, **amounts):
    """The POST of the pay form: `montant_<pk>="20,00"` ticks that line too."""
    data = {"jeton": str(form_page.context["form"]["jeton"].value())}
    for key, value in amounts.items():
        pk = key.removeprefix("l")
        data[f"ligne_{pk}"] = "on"
        data[f"montant_{pk}"] = value
    return data


def kiosque_return(attempt, status="ACCEPTED", transaction="KIO-TEST-1", amount=None, when=None):
    """A return signed the way the kiosque signs it."""
    values = {
        "reference": attempt.public_id.hex,
        "transaction": transaction,
        "amount": str(attempt.amount_cents if amount is None else amount),
        "status": status,
        "timestamp": str(int(when if when is not None else time.time())),
    }
    values["signature"] = kiosque_signing.sign(kiosque_signing.RETURN_FIELDS, values)
    return values


class TestSearch:
    @pytest.mark.parametrize(
        ("typed", "expected"),
        [
            ("1234567890123456A", "1234567890123456A"),
            (" 1234 5678 9012 3456 a ", "1234567890123456A"),
        ],
    )
    def test_own_reference_opens_its_lines(self, client, insured, creance, typed, expected):
        client.force_login(insured)
        response = client.get(SEARCH, {"reference": typed})
        assert response.status_code == 302
        assert response.url == reverse("paiements:creance", args=[expected])

    @pytest.mark.parametrize(
        "typed",
        ["123456789012345A", "12345678901234567", "1234567890123456AB", "A234567890123456A"],
    )
    def test_bad_format(self, client, insured, typed):
        client.force_login(insured)
        response = client.get(SEARCH, {"reference": typed})
        assert response.status_code == 200
        assert response.context["form"].errors["reference"] == [
            "La référence de l'avis comporte 16 chiffres suivis d'une lettre "
            "(par exemple 0123456789012345B)."
        ]

    def test_empty(self, client, insured):
        client.force_login(insured)
        response = client.get(SEARCH, {"reference": ""})
        assert response.context["form"].errors["reference"] == [
            "Saisissez la référence de votre avis de sommes à payer."
        ]

    def test_someone_elses_reference_looks_like_an_unknown_one(self, client, insured, other):
        theirs = CreanceFactory(person=other.person)
        client.force_login(insured)
        for reference in (theirs.reference, "9999999999999999Z"):
            response = client.get(SEARCH, {"reference": reference})
            assert response.status_code == 200
            assert NOT_FOUND in response.context["form"].errors["reference"][0]
        assert client.get(pay_url(theirs)).status_code == 404


class TestPayForm:
    def test_lines_are_shown_with_what_remains(self, client, insured, creance):
        line = lines_of(creance)[0]
        line.amount_paid = Decimal("38.00")
        line.save()
        client.force_login(insured)
        response = client.get(pay_url(creance))
        html = response.content.decode()
        assert "Réglée" in html
        assert f"ligne_{line.pk}" not in response.context["form"].fields
        assert "Franchises 2022" in html and "46,50" in html

    def test_nothing_ticked(self, client, insured, creance):
        client.force_login(insured)
        page = client.get(pay_url(creance))
        response = client.post(pay_url(creance), pay_data(page))
        assert response.status_code == 200
        assert response.context["form"].non_field_errors() == [
            "Cochez au moins une ligne de la créance à régler."
        ]
        assert not CreancePayment.objects.exists()

    @pytest.mark.parametrize(
        ("line_index", "typed", "message"),
        [
            (
                0,
                "15,99",
                "Le montant à régler doit être compris entre 16,00 € et 50,00 € par ligne.",
            ),
            (
                1,
                "50,01",
                "Le montant à régler doit être compris entre 16,00 € et 50,00 € par ligne.",
            ),
            (0, "38,01", "Le montant ne peut pas dépasser le reste dû sur cette ligne"),
            (2, "10,00", "Le reste dû sur cette ligne est inférieur à 16 €"),
            (0, "vingt", "Saisissez un montant en euros, par exemple 25,00."),
            (0, "20,123", "Indiquez au plus 2 chiffres après la virgule."),
            (0, "", "Indiquez le montant que vous souhaitez régler."),
        ],
    )
    def test_amount_per_line_is_checked_next_to_it(
        self, client, insured, creance, line_index, typed, message
    ):
        line = lines_of(creance)[line_index]
        client.force_login(insured)
        page = client.get(pay_url(creance))
        response = client.post(pay_url(creance), pay_data(page, **{f"l{line.pk}": typed}))
        assert response.status_code == 200
        errors = response.context["form"].errors[f"montant_{line.pk}"]
        assert any(message in error for error in errors), errors
        assert f'id="id_montant_{line.pk}_error"' in response.content.decode()
        assert not CreancePayment.objects.exists()

    @pytest.mark.parametrize("typed", ["16,00", "50,00", "38,00", "16"])
    def test_bounds_are_inclusive(self, client, insured, creance, typed):
        big = CreanceLineFactory(creance=creance, amount_due="80.00")
        client.force_login(insured)
        page = client.get(pay_url(creance))
        response = client.post(pay_url(creance), pay_data(page, **{f"l{big.pk}": typed}))
        assert response.status_code == 302, response.context["form"].errors

    def test_a_small_remainder_is_paid_in_full(self, client, insured, creance):
        small = lines_of(creance)[2]
        client.force_login(insured)
        page = client.get(pay_url(creance))
        response = client.post(pay_url(creance), pay_data(page, **{f"l{small.pk}": "12,40"}))
        assert response.status_code == 302

    def test_pay_redirects_to_the_kiosque_with_a_signed_request(self, client, insured, creance):
        first, second, _ = lines_of(creance)
        client.force_login(insured)
        page = client.get(pay_url(creance))
        response = client.post(
            pay_url(creance), pay_data(page, **{f"l{first.pk}": "20,00", f"l{second.pk}": "30,50"})
        )
        assert response.status_code == 302
        attempt = CreancePayment.objects.get()
        assert attempt.status == AttemptStatus.PENDING
        assert attempt.amount == Decimal("50.50")
        assert {(p.line_id, p.amount) for p in attempt.lines.all()} == {
            (first.pk, Decimal("20.00")),
            (second.pk, Decimal("30.50")),
        }
        url = urlsplit(response.url)
        assert url.path == reverse("kiosque:payment")
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        assert params["amount"] == "5050"
        assert params["reference"] == attempt.public_id.hex
        assert params["return_url"].endswith(RETURN)
        assert kiosque_signing.valid(kiosque_signing.REQUEST_FIELDS, params, params["signature"])
        # nothing is paid until the kiosque says so
        assert all(line.amount_paid == 0 for line in lines_of(creance))

    def test_double_submission_creates_one_attempt(self, client, insured, creance):
        first = lines_of(creance)[0]
        client.force_login(insured)
        page = client.get(pay_url(creance))
        data = pay_data(page, **{f"l{first.pk}": "20,00"})
        one = client.post(pay_url(creance), data)
        two = client.post(pay_url(creance), data)
        assert one.status_code == two.status_code == 302
        assert CreancePayment.objects.count() == 1
        assert (
            urlsplit(one.url).query.split("&timestamp")[0]
            == urlsplit(two.url).query.split("&timestamp")[0]
        )

    def test_a_pending_attempt_holds_its_amount(self, client, insured, creance):
        first = lines_of(creance)[0]  # 38 € due
        client.force_login(insured)
        client.post(
            pay_url(creance), pay_data(client.get(pay_url(creance)), **{f"l{first.pk}": "20,00"})
        )
        page = client.get(pay_url(creance))
        assert page.context["form"].available[first.pk] == Decimal("18.00")
        response = client.post(pay_url(creance), pay_data(page, **{f"l{first.pk}": "20,00"}))
        assert "ne peut pas dépasser" in response.context["form"].errors[f"montant_{first.pk}"][0]
        assert CreancePayment.objects.count() == 1


@pytest.fixture
def attempt(creance):
    first, second, _ = lines_of(creance)
    attempt = CreancePaymentFactory(creance=creance, amount=Decimal("50.50"))
    attempt.lines.create(line=first, amount=Decimal("20.00"))
    attempt.lines.create(line=second, amount=Decimal("30.50"))
    return attempt


class TestKiosqueReturn:
    def test_paid(self, client, insured, creance, attempt):
        _first, _second, _third = lines_of(creance)
        client.force_login(insured)
        response = client.get(RETURN, kiosque_return(attempt))
        assert response.status_code == 302
        assert response.url == reverse("paiements:creance_attempt", args=[attempt.public_id])
        attempt.refresh_from_db()
        assert attempt.status == AttemptStatus.PAID
        assert attempt.transaction_id == "KIO-TEST-1"
        assert [line.amount_paid for line in lines_of(creance)] == [
            Decimal("20.00"),
            Decimal("30.50"),
            Decimal("0.00"),
        ]
        # the accusé de réception lands in the messagerie, with an e-mail notice (outbox)
        receipt = Message.objects.get(thread__person=insured.person)
        assert receipt.thread.related_reference == creance.reference
        assert creance.reference in receipt.thread.subject
        assert "50,50" in receipt.body and "KIO-TEST-1" in receipt.body
        mail = OutboundMessage.objects.get(template="messagerie_nouveau_message")
        assert mail.to == insured.email
        page = client.get(response.url).content.decode()
        assert "Paiement accepté" in page
        assert reverse("messagerie:inbox") in page

    def test_same_return_twice_changes_nothing_more(self, client, insured, creance, attempt):
        client.force_login(insured)
        params = kiosque_return(attempt)
        assert client.get(RETURN, params).status_code == 302
        again = client.get(RETURN, params)
        assert again.status_code == 302
        assert [line.amount_paid for line in lines_of(creance)][:2] == [
            Decimal("20.00"),
            Decimal("30.50"),
        ]
        assert Message.objects.filter(thread__person=insured.person).count() == 1

    @pytest.mark.parametrize("status", ["REFUSED", "CANCELLED"])
    def test_refused_or_cancelled_pays_nothing(self, client, insured, creance, attempt, status):
        client.force_login(insured)
        response = client.get(RETURN, kiosque_return(attempt, status=status))
        attempt.refresh_from_db()
        assert attempt.status == psp.RETURN_STATUSES[status]
        assert all(line.amount_paid == 0 for line in lines_of(creance))
        assert not Message.objects.filter(thread__person=insured.person).exists()
        html = client.get(response.url).content.decode()
        assert ("Paiement refusé" if status == "REFUSED" else "Paiement annulé") in html

    @pytest.mark.parametrize(
        "tamper",
        [
            lambda p: p.update(amount="1"),
            lambda p: p.update(status="ACCEPTED" if p["status"] != "ACCEPTED" else "REFUSED"),
            lambda p: p.update(signature="0" * 64),
            lambda p: p.update(transaction="KIO-OTHER"),
            lambda p: p.pop("signature"),
            lambda p: p.update(timestamp=str(int(p["timestamp"]) + 1)),
        ],
    )
    def test_tampered_return_is_refused(self, client, insured, creance, attempt, tamper):
        client.force_login(insured)
        params = kiosque_return(attempt, status="REFUSED")
        tamper(params)
        response = client.get(RETURN, params)
        assert response.status_code == 400
        attempt.refresh_from_db()
        assert attempt.status == AttemptStatus.PENDING
        assert all(line.amount_paid == 0 for line in lines_of(creance))

    def test_signed_with_another_secret_is_refused(self, client, insured, attempt, settings):
        params = kiosque_return(attempt)
        settings.KIOSQUE_SECRET = "un-autre-secret"
        client.force_login(insured)
        assert client.get(RETURN, params).status_code == 400

    def test_stale_return_is_refused_as_a_replay(self, client, insured, attempt, settings):
        client.force_login(insured)
        old = time.time() - settings.KIOSQUE_RETURN_MAX_AGE - 1
        assert client.get(RETURN, kiosque_return(attempt, when=old)).status_code == 400
        attempt.refresh_from_db()
        assert attempt.status == AttemptStatus.PENDING

    def test_a_different_outcome_after_the_first_is_refused(
        self, client, insured, creance, attempt
    ):
        client.force_login(insured)
        assert client.get(RETURN, kiosque_return(attempt, status="REFUSED")).status_code == 302
        paid = kiosque_return(attempt, status="ACCEPTED", transaction="KIO-TEST-2")
        assert client.get(RETURN, paid).status_code == 400
        attempt.refresh_from_db()
        assert attempt.status == AttemptStatus.REFUSED
        assert all(line.amount_paid == 0 for line in lines_of(creance))

    def test_a_transaction_replayed_on_another_attempt_is_refused(
        self, client, insured, creance, attempt
    ):
        client.force_login(insured)
        client.get(RETURN, kiosque_return(attempt, transaction="KIO-SAME"))
        second = CreancePaymentFactory(creance=creance, amount=Decimal("16.00"))
        second.lines.create(line=lines_of(creance)[0], amount=Decimal("16.00"))
        assert client.get(RETURN, kiosque_return(second, transaction="KIO-SAME")).status_code == 400
        second.refresh_from_db()
        assert second.status == AttemptStatus.PENDING

    def test_someone_elses_attempt_is_404(self, client, other, attempt):
        client.force_login(other)
        assert client.get(RETURN, kiosque_return(attempt)).status_code == 404
        assert (
            client.get(reverse("paiements:creance_attempt", args=[attempt.public_id])).status_code
            == 404
        )
        attempt.refresh_from_db()
        assert attempt.status == AttemptStatus.PENDING


class TestThroughTheKiosqueSimulator:
    """The portal and the simulator speak the protocol to each other (no mock in between)."""

    @pytest.mark.parametrize(
        ("button", "status", "paid"),
        [
            ("payer", AttemptStatus.PAID, Decimal("20.00")),
            ("refuser", AttemptStatus.REFUSED, Decimal("0.00")),
            ("annuler", AttemptStatus.CANCELLED, Decimal("0.00")),
        ],
    )
    def test_round_trip(self, client, insured, creance, button, status, paid):
        first = lines_of(creance)[0]
        client.force_login(insured)
        page = client.get(pay_url(creance))
        to_kiosque = client.post(pay_url(creance), pay_data(page, **{f"l{first.pk}": "20,00"}))
        kiosque_page = client.get(to_kiosque.url)
        assert kiosque_page.status_code == 200
        assert "20,00" in kiosque_page.content.decode()
        tx = kiosque_page.context["tx"]
        back = client.post(reverse("kiosque:decide", args=[tx.transaction_id]), {"action": button})
        assert back.status_code == 302
        status_page = client.get(back.url, follow=True)
        assert status_page.status_code == 200
        attempt = CreancePayment.objects.get()
        assert attempt.status == status
        assert attempt.transaction_id == tx.transaction_id
        assert CreanceLine.objects.get(pk=first.pk).amount_paid == paid
        # a second click on the kiosque keeps the first choice, and the portal stays the same
        again = client.post(
            reverse("kiosque:decide", args=[tx.transaction_id]), {"action": "payer"}
        )
        assert client.get(again.url).status_code == 302
        assert CreanceLine.objects.get(pk=first.pk).amount_paid == paid


class TestKiosqueSimulator:
    def request_params(self, **changes):
        values = {
            "merchant": psp.MERCHANT,
            "reference": uuid.uuid4().hex,
            "amount": "2000",
            "currency": "EUR",
            "return_url": "http://testserver" + RETURN,
            "timestamp": str(int(time.time())),
        }
        values["signature"] = kiosque_signing.sign(kiosque_signing.REQUEST_FIELDS, values)
        values.update(changes)
        return values

    def test_valid_request_shows_the_amount_and_three_buttons(self, client, db):
        response = client.get(reverse("kiosque:payment"), self.request_params())
        assert response.status_code == 200
        html = response.content.decode()
        for label in ("Payer", "Refuser", "Annuler", "20,00"):
            assert label in html

    @pytest.mark.parametrize(
        "changes",
        [
            {"amount": "1"},
            {"signature": "f" * 64},
            {"return_url": "https://evil.example/"},
            {"timestamp": "1"},
        ],
    )
    def test_bad_requests(self, client, db, changes):
        response = client.get(reverse("kiosque:payment"), self.request_params(**changes))
        assert response.status_code == 400

    def test_unknown_action(self, client, db):
        page = client.get(reverse("kiosque:payment"), self.request_params())
        tx = page.context["tx"]
        response = client.post(reverse("kiosque:decide", args=[tx.transaction_id]), {"action": "x"})
        assert response.status_code == 400

    def test_return_url_query_is_kept(self, client, db):
        params = self.request_params(return_url="http://testserver/retour/?a=1")
        params["signature"] = kiosque_signing.sign(kiosque_signing.REQUEST_FIELDS, params)
        tx = client.get(reverse("kiosque:payment"), params).context["tx"]
        back = client.post(reverse("kiosque:decide", args=[tx.transaction_id]), {"action": "payer"})
        assert back.url.startswith("http://testserver/retour/?a=1&reference=")
        query = {k: v[0] for k, v in parse_qs(urlsplit(back.url).query).items()}
        assert psp.verify_return(query)["status"] == AttemptStatus.PAID
        assert urlencode({"a": "1"}) in back.url
