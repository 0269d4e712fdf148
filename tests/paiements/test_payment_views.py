"""FEATURES C1 « Mes paiements » and C5 (IJ, pensions, rentes): pages, filters, permissions,
and a bounded number of SQL queries whatever the length of the history."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.factories import AgentFactory
from paiements import demo
from paiements.enums import DeductionKind, Nature, Payee
from paiements.factories import PaymentFactory, SickLeaveFactory
from portal.templatetags.portal import euros

pytestmark = pytest.mark.django_db

LIST = reverse("paiements:list")
HISTORY = reverse("paiements:history")


def shown(response):
    """Payments on the page, newest first."""
    window = response.context["window"]
    return [p for month in window.months for p in month.payments] if window else None


class TestAccess:
    PAGES = [
        ("paiements:list", ()),
        ("paiements:history", ()),
        ("paiements:detail", (uuid.uuid4(),)),
        ("paiements:sick_leaves", ()),
        ("paiements:franchises", ()),
        ("paiements:creance_search", ()),
        ("paiements:creance", ("1234567890123456A",)),
        ("paiements:creance_attempt", (uuid.uuid4(),)),
        ("paiements:kiosque_return", ()),
        ("paiements:delais", ()),
    ]

    @pytest.mark.parametrize(("name", "args"), PAGES)
    def test_anonymous_goes_to_login(self, client, name, args):
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))

    @pytest.mark.parametrize(("name", "args"), PAGES)
    def test_agent_goes_to_the_admin(self, client, name, args):
        client.force_login(AgentFactory())
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302
        assert response.url == reverse("admin:index")

    def test_navigation_entry_after_accueil(self, client, insured):
        client.force_login(insured)
        nav = client.get(LIST).context["main_navigation"]
        labels = [item["label"] for item in nav]
        assert labels[labels.index("Accueil") + 1] == "Mes paiements"
        assert next(item for item in nav if item["label"] == "Mes paiements")["current"]


class TestMonthByMonth:
    def test_last_6_months_by_default_with_empty_months(self, client, insured, frozen):
        me = insured.person
        recent = PaymentFactory(insured=me, paid_on=datetime.date(2026, 11, 3))
        june = PaymentFactory(insured=me, paid_on=datetime.date(2026, 6, 1))
        PaymentFactory(insured=me, paid_on=datetime.date(2026, 5, 31))
        client.force_login(insured)

        response = client.get(LIST)

        months = response.context["window"].months
        assert [m.first for m in months] == [
            datetime.date(2026, m, 1) for m in (11, 10, 9, 8, 7, 6)
        ]
        assert shown(response) == [recent, june]
        html = response.content.decode()
        assert "Novembre 2026" in html and "Juin 2026" in html
        assert html.count("Aucun paiement") == 4
        assert "Afficher plus de paiements" in html
        assert "Accéder à mon historique de plus de 6 mois" in html
        for payment in (recent, june):  # C1 « ↓ »: the décompte of each line, as a PDF
            assert reverse("documents:payment_statement", args=[payment.public_id]) in html

    def test_afficher_plus_adds_months_with_a_plain_link(self, client, insured, frozen):
        may = PaymentFactory(insured=insured.person, paid_on=datetime.date(2026, 5, 31))
        client.force_login(insured)
        first = client.get(LIST)
        assert first.context["more_url"] == "?mois=12"
        response = client.get(LIST + first.context["more_url"])
        assert len(response.context["window"].months) == 12
        assert shown(response) == [may]
        assert response.context["more_url"] == "?mois=18"

    @pytest.mark.parametrize("value", ["abc", "-4", "0", "999", "7"])
    def test_months_param_is_clamped(self, client, insured, frozen, value):
        client.force_login(insured)
        months = client.get(LIST, {"mois": value}).context["window"].months
        assert len(months) in (6, 36)
        assert len(months) % 6 == 0

    def test_history_shows_months_older_than_six(self, client, insured, frozen):
        me = insured.person
        PaymentFactory(insured=me, paid_on=datetime.date(2026, 6, 1))
        old = PaymentFactory(insured=me, paid_on=datetime.date(2026, 5, 31))
        older = PaymentFactory(insured=me, paid_on=datetime.date(2025, 12, 1))
        ancient = PaymentFactory(insured=me, paid_on=datetime.date(2025, 11, 30))
        client.force_login(insured)

        response = client.get(HISTORY)

        window = response.context["window"]
        assert window.end == datetime.date(2026, 5, 31)
        assert window.start == datetime.date(2025, 12, 1)
        assert shown(response) == [old, older]
        more = client.get(HISTORY + response.context["more_url"])
        assert ancient in shown(more)

    def test_only_my_payments(self, client, insured, other, frozen):
        mine = PaymentFactory(insured=insured.person, paid_on=datetime.date(2026, 11, 2))
        PaymentFactory(insured=other.person, paid_on=datetime.date(2026, 11, 2))
        client.force_login(insured)
        assert shown(client.get(LIST)) == [mine]

    def test_a_month_cut_by_the_row_limit_links_to_itself(
        self, client, insured, frozen, monkeypatch
    ):
        from paiements import listing

        monkeypatch.setattr(listing, "MAX_ROWS", 3)
        for day in (2, 3, 4, 5, 6):
            PaymentFactory(insured=insured.person, paid_on=datetime.date(2026, 11, day))
        client.force_login(insured)
        response = client.get(LIST)
        month = response.context["window"].months[0]
        assert (len(month.payments), month.count, month.truncated) == (3, 5, True)
        assert "?du=2026-11-01&amp;au=2026-11-30" in response.content.decode()

    def test_rows_escape_the_label_and_name_and_link_the_detail_and_decompte(
        self, client, insured, frozen
    ):
        """C1: the rows are built in Python (paiements.listing.ROW_HTML), so escaping is ours."""
        me = insured.person
        me.first_name = "<b>Léa</b>"
        me.save()
        payment = PaymentFactory(
            insured=me,
            paid_on=datetime.date(2026, 11, 3),
            nature=Nature.CARE,
            label='Consultation <script>alert("x")</script>',
            sent_to_complementary=False,
        )
        client.force_login(insured)
        html = client.get(LIST).content.decode()
        assert "<script>" not in html and "<b>Léa</b>" not in html
        assert "Consultation &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
        assert "&lt;b&gt;Léa&lt;/b&gt;" in html
        detail = reverse("paiements:detail", args=[payment.public_id])
        decompte = reverse("documents:payment_statement", args=[payment.public_id])
        assert f'<a href="{detail}">' in html
        assert f'<a href="{decompte}" class="download-link">' in html
        assert '<time datetime="2026-11-03">3 NOV.</time>' in html
        assert "Télécharger le décompte du 3 novembre 2026 (PDF)" in html
        assert "À transmettre à votre complémentaire</span>" in html

    def test_payment_of_someone_who_left_the_family_still_shows_their_name(
        self, client, insured, child, frozen
    ):
        """An ayant droit who is no longer attached (became independent) keeps their past
        payments on the insured's account, with their name."""
        PaymentFactory(
            insured=insured.person, beneficiary=child, paid_on=datetime.date(2026, 11, 3)
        )
        child.attached_to.all().delete()
        client.force_login(insured)
        response = client.get(LIST)
        (payment,) = shown(response)
        assert payment.beneficiary == child
        assert f"— {child.first_name}</span>" in response.content.decode()


class TestSearch:
    def test_beneficiary_filter(self, client, insured, child, frozen):
        me = insured.person
        PaymentFactory(insured=me, beneficiary=me, paid_on=datetime.date(2026, 11, 2))
        for_child = PaymentFactory(
            insured=me, beneficiary=child, paid_on=datetime.date(2026, 11, 3)
        )
        client.force_login(insured)
        response = client.get(LIST, {"beneficiaire": str(child.public_id)})
        assert shown(response) == [for_child]
        html = response.content.decode()
        assert f'value="{child.public_id}" selected' in html  # the value stays in the form

    def test_family_choices_are_me_and_my_ayants_droit_only(self, client, insured, child, other):
        client.force_login(insured)
        choices = dict(client.get(LIST).context["form"].fields["beneficiaire"].choices)
        assert choices == {
            "": "Toute la famille",
            str(insured.person.public_id): insured.person.full_name,
            str(child.public_id): child.full_name,
        }

    def test_someone_elses_id_is_a_form_error_not_data(self, client, insured, other, frozen):
        PaymentFactory(insured=other.person, paid_on=datetime.date(2026, 11, 2), amount="77.77")
        PaymentFactory(insured=insured.person, paid_on=datetime.date(2026, 11, 2), amount="11.11")
        client.force_login(insured)
        response = client.get(LIST, {"beneficiaire": str(other.person.public_id)})
        assert response.status_code == 200
        assert response.context["window"] is None
        assert response.context["form"].errors["beneficiaire"] == [
            "Choisissez « Toute la famille » ou une personne de votre famille."
        ]
        html = response.content.decode()
        assert euros("77.77") not in html and euros("11.11") not in html

    def test_nature_filter(self, client, insured, frozen):
        me = insured.person
        PaymentFactory(insured=me, paid_on=datetime.date(2026, 11, 2))
        ij = PaymentFactory(
            insured=me, paid_on=datetime.date(2026, 11, 3), nature=Nature.DAILY_ALLOWANCE
        )
        pension = PaymentFactory(
            insured=me, paid_on=datetime.date(2026, 11, 4), nature=Nature.INVALIDITY_PENSION
        )
        rente = PaymentFactory(
            insured=me, paid_on=datetime.date(2026, 11, 5), nature=Nature.WORK_ACCIDENT_ANNUITY
        )
        client.force_login(insured)
        assert shown(client.get(LIST, {"nature": "ij"})) == [ij]
        assert shown(client.get(LIST, {"nature": ["pension", "rente"]})) == [rente, pension]
        response = client.get(LIST, {"nature": "n_importe_quoi"})
        assert response.context["window"] is None
        assert "nature" in response.context["form"].errors

    def test_payments_to_transmit_to_the_complementary(self, client, insured, frozen):
        me = insured.person
        PaymentFactory(insured=me, paid_on=datetime.date(2026, 11, 2), sent_to_complementary=True)
        to_send = PaymentFactory(
            insured=me, paid_on=datetime.date(2026, 11, 3), sent_to_complementary=False
        )
        PaymentFactory(
            insured=me, paid_on=datetime.date(2026, 11, 4), nature=Nature.INVALIDITY_PENSION
        )
        client.force_login(insured)
        response = client.get(LIST, {"a_transmettre": "on"})
        assert shown(response) == [to_send]
        assert "À transmettre à votre complémentaire" in response.content.decode()

    def test_period(self, client, insured, frozen):
        me = insured.person
        PaymentFactory(insured=me, paid_on=datetime.date(2025, 2, 28))
        inside = PaymentFactory(insured=me, paid_on=datetime.date(2025, 3, 1))
        PaymentFactory(insured=me, paid_on=datetime.date(2025, 4, 16))
        client.force_login(insured)
        response = client.get(LIST, {"du": "2025-03-01", "au": "2025-04-15"})
        assert shown(response) == [inside]
        assert [m.first.month for m in response.context["window"].months] == [4, 3]
        assert response.context["more_url"] is None
        french = client.get(LIST, {"du": "01/03/2025", "au": "15/04/2025"})
        assert shown(french) == [inside]

    @pytest.mark.parametrize(
        ("params", "field", "message"),
        [
            (
                {"du": "2026-05-01", "au": "2026-04-01"},
                "au",
                "La date de fin doit être postérieure",
            ),
            ({"au": "2026-11-25"}, "au", "La date de fin ne peut pas être dans le futur."),
            ({"du": "2026-13-01"}, "du", "Saisissez une date valide"),
            ({"du": "2020-01-01", "au": "2026-11-01"}, "du", "ne peut pas dépasser 36 mois"),
        ],
    )
    def test_bad_period_is_explained_next_to_the_field(
        self, client, insured, frozen, params, field, message
    ):
        client.force_login(insured)
        response = client.get(LIST, params)
        assert response.context["window"] is None
        assert message in " ".join(response.context["form"].errors[field])
        html = response.content.decode()
        assert f'id="id_{field}_error"' in html


class TestDetail:
    def test_care_detail_lines(self, client, insured, frozen):
        payment = PaymentFactory(
            insured=insured.person,
            paid_on=datetime.date(2026, 11, 10),
            care_date=datetime.date(2026, 11, 4),
            payee=Payee.INSURED,
            lines=[
                demo.LineSpec(
                    "Consultation du dermatologue",
                    "APC",
                    Decimal("60.00"),
                    Decimal("50.00"),
                    70,
                    DeductionKind.FLAT_FEE,
                )
            ],
        )
        line = payment.lines.get()
        assert (line.reimbursed, line.deduction, payment.amount) == (
            Decimal("35.00"),
            Decimal("2.00"),
            Decimal("33.00"),
        )
        client.force_login(insured)
        response = client.get(reverse("paiements:detail", args=[payment.public_id]))
        assert response.status_code == 200
        html = response.content.decode()
        for text in (
            "04/11/2026",
            "Consultation du dermatologue",
            euros("60.00"),
            euros("50.00"),
            "70 %",
            euros("35.00"),
            "- " + euros("2.00"),
            "Participation forfaitaire",
            euros("33.00"),
            "Paiement à l'assuré, sur votre compte bancaire",
        ):
            assert text in html, text

    def test_third_party_payment_says_to_whom(self, client, insured):
        payment = PaymentFactory(
            insured=insured.person, payee=Payee.THIRD_PARTY, payee_name="Pharmacie du Centre"
        )
        client.force_login(insured)
        html = client.get(reverse("paiements:detail", args=[payment.public_id])).content.decode()
        assert "Paiement à un tiers : Pharmacie du Centre" in html

    def test_someone_elses_payment_is_404(self, client, insured, other):
        payment = PaymentFactory(insured=other.person)
        client.force_login(insured)
        assert client.get(reverse("paiements:detail", args=[payment.public_id])).status_code == 404
        assert client.get(reverse("paiements:detail", args=[uuid.uuid4()])).status_code == 404

    def test_my_childs_payment_is_mine(self, client, insured, child):
        payment = PaymentFactory(insured=insured.person, beneficiary=child)
        client.force_login(insured)
        response = client.get(reverse("paiements:detail", args=[payment.public_id]))
        assert response.status_code == 200
        assert child.full_name in response.content.decode()

    def test_ij_detail_shows_the_arret_and_its_other_payments(self, client, insured):
        leave = SickLeaveFactory(
            person=insured.person, start=datetime.date(2026, 1, 5), end=datetime.date(2026, 2, 1)
        )
        first, second = (
            PaymentFactory(
                insured=insured.person,
                nature=Nature.DAILY_ALLOWANCE,
                sick_leave=leave,
                paid_on=datetime.date(2026, 1, 5) + datetime.timedelta(days=18 + 14 * i),
                period_start=datetime.date(2026, 1, 5) + datetime.timedelta(days=14 * i),
                period_end=datetime.date(2026, 1, 18) + datetime.timedelta(days=14 * i),
                amount=Decimal("560.00"),
            )
            for i in range(2)
        )
        PaymentFactory(insured=insured.person, nature=Nature.DAILY_ALLOWANCE)  # another arrêt
        client.force_login(insured)
        response = client.get(reverse("paiements:detail", args=[second.public_id]))
        assert response.context["same_leave"] == [first, second]
        html = response.content.decode()
        assert "Arrêt de travail" in html and "5 janvier 2026" in html
        assert "14 jours" in html
        assert euros("40.00") + " par jour" in html
        assert reverse("paiements:detail", args=[first.public_id]) in html

    def test_pension_detail_shows_the_period(self, client, insured):
        payment = PaymentFactory(
            insured=insured.person,
            nature=Nature.INVALIDITY_PENSION,
            period_start=datetime.date(2026, 10, 1),
            period_end=datetime.date(2026, 10, 31),
        )
        client.force_login(insured)
        html = client.get(reverse("paiements:detail", args=[payment.public_id])).content.decode()
        assert "Du 1 octobre 2026 au 31 octobre 2026" in html
        assert "Relevé de pension d'invalidité" in html


class TestSickLeaves:
    def test_ij_grouped_by_arret(self, client, insured, other):
        leave = SickLeaveFactory(person=insured.person)
        paid = PaymentFactory(
            insured=insured.person, nature=Nature.DAILY_ALLOWANCE, sick_leave=leave, amount="300.00"
        )
        SickLeaveFactory(person=other.person, employer="Société secrète")
        client.force_login(insured)
        response = client.get(reverse("paiements:sick_leaves"))
        leaves = response.context["leaves"]
        assert leaves == [leave]
        assert leaves[0].paid == [paid]
        assert leaves[0].total == Decimal("300.00")
        assert "Société secrète" not in response.content.decode()


class TestQueryCounts:
    """Pages cost the same with 27 months or 10 years of history."""

    @pytest.fixture
    def long_history(self, insured, child):
        me = insured.person
        start = datetime.date(2016, 12, 1)
        for i in range(400):
            PaymentFactory(
                insured=me,
                beneficiary=child if i % 3 else me,
                paid_on=start + datetime.timedelta(days=9 * i),
                sent_to_complementary=bool(i % 2),
            )
        return me

    @pytest.mark.parametrize(
        "params",
        [
            {},
            {"mois": "36"},
            {"nature": ["soins", "ij"], "a_transmettre": "on"},
            {"du": "2024-01-01", "au": "2026-11-01"},
        ],
    )
    def test_list(
        self, client, insured, long_history, frozen, django_assert_max_num_queries, params
    ):
        client.force_login(insured)
        with django_assert_max_num_queries(10):
            response = client.get(LIST, params)
        assert response.status_code == 200
        assert shown(response)

    def test_history(self, client, insured, long_history, frozen, django_assert_max_num_queries):
        client.force_login(insured)
        with django_assert_max_num_queries(10):
            assert client.get(HISTORY, {"mois": "36"}).status_code == 200

    def test_detail(self, client, insured, long_history, django_assert_max_num_queries):
        payment = PaymentFactory(insured=insured.person, with_lines=True)
        assert payment.lines.exists()
        assert payment.amount == sum(line.net for line in payment.lines.all())
        client.force_login(insured)
        with django_assert_max_num_queries(10):
            assert (
                client.get(reverse("paiements:detail", args=[payment.public_id])).status_code == 200
            )

    def test_franchises_and_sick_leaves(
        self, client, insured, long_history, django_assert_max_num_queries
    ):
        for _ in range(30):
            PaymentFactory(
                insured=insured.person, with_lines=True, paid_on=datetime.date(2026, 3, 3)
            )
        client.force_login(insured)
        with django_assert_max_num_queries(10):
            assert client.get(reverse("paiements:franchises")).status_code == 200
        with django_assert_max_num_queries(10):
            assert client.get(reverse("paiements:sick_leaves")).status_code == 200
