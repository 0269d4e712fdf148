"""FEATURES C4 (the counter page) and C7 « Mes délais » (the form and its estimate)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from assures.factories import PregnancyFactory
from paiements import demo
from paiements.enums import DeductionKind, Payee
from paiements.factories import (
    C2sCoverageFactory,
    PaymentFactory,
    ProcessingDelayFactory,
    ProcessingThemeFactory,
)

pytestmark = pytest.mark.django_db
D = Decimal
FRANCHISES = reverse("paiements:franchises")
DELAIS = reverse("paiements:delais")

BOX = demo.LineSpec("Boîte de médicament", "PH7", D("4.00"), D("4.00"), 65, DeductionKind.MEDICINE)
CONSULT = demo.LineSpec("Consultation", "G", D("30.00"), D("30.00"), 70, DeductionKind.FLAT_FEE)


class TestLiquidation:
    """services.liquidate_care_payment keeps back what the counter says, on new lines only."""

    def test_amount_is_the_net_of_the_lines(self, insured):
        payment = PaymentFactory(
            insured=insured.person,
            care_date=datetime.date(2026, 3, 2),
            payee=Payee.INSURED,
            lines=[CONSULT, BOX, BOX],
        )
        lines = list(payment.lines.order_by("id"))
        assert [line.deduction for line in lines] == [D("2.00"), D("1.00"), D("1.00")]
        assert payment.amount == sum(line.net for line in lines)
        assert payment.amount == D("21.00") + 2 * D("2.60") - D("4.00")

    def test_tiers_payant_keeps_nothing_back(self, insured):
        payment = PaymentFactory(
            insured=insured.person,
            care_date=datetime.date(2026, 3, 2),
            payee=Payee.THIRD_PARTY,
            lines=[BOX],
        )
        assert payment.lines.get().deduction == 0
        assert payment.amount == D("2.60")

    def test_caps_follow_earlier_payments_of_the_year(self, insured):
        person = insured.person
        for i in range(12):  # 48 € of franchises on 12 days
            PaymentFactory(
                insured=person,
                paid_on=datetime.date(2026, 2, 1) + datetime.timedelta(days=i),
                care_date=datetime.date(2026, 1, 1) + datetime.timedelta(days=i),
                lines=[BOX, BOX, BOX, BOX],
            )
        last = PaymentFactory(
            insured=person,
            paid_on=datetime.date(2026, 3, 1),
            care_date=datetime.date(2026, 2, 20),
            lines=[BOX, BOX, BOX],
        )
        assert [line.deduction for line in last.lines.order_by("id")] == [D("1.00"), D("1.00"), 0]

    def test_exempt_child(self, insured, child):
        payment = PaymentFactory(insured=insured.person, beneficiary=child, lines=[CONSULT])
        assert payment.lines.get().deduction == 0


class TestCounterPage:
    def test_shows_deducted_and_owed_per_person_this_year_and_last(
        self, client, insured, child, frozen
    ):
        me = insured.person
        PaymentFactory(
            insured=me, care_date=datetime.date(2026, 3, 2), payee=Payee.INSURED, lines=[CONSULT]
        )
        PaymentFactory(
            insured=me,
            care_date=datetime.date(2026, 3, 3),
            payee=Payee.THIRD_PARTY,
            lines=[BOX, BOX],
        )
        PaymentFactory(
            insured=me,
            care_date=datetime.date(2025, 6, 3),
            payee=Payee.THIRD_PARTY,
            lines=[CONSULT],
        )
        PaymentFactory(
            insured=me, beneficiary=child, care_date=datetime.date(2026, 3, 3), lines=[CONSULT]
        )
        client.force_login(insured)

        response = client.get(FRANCHISES)

        years = response.context["by_year"]
        assert [y["year"] for y in years] == [2026, 2025]
        (p1, this_year), (p2, child_year) = years[0]["people"]
        assert (p1, p2) == (me, child)
        assert (this_year.pf.deducted, this_year.pf.owed) == (D("2.00"), 0)
        assert (this_year.franchises.deducted, this_year.franchises.owed) == (0, D("2.00"))
        assert child_year.pf.due == 0
        assert child_year.exemptions == ["Moins de 18 ans au 1er janvier"]
        last_year = years[1]["people"][0][1]
        assert last_year.pf.owed == D("2.00")
        assert response.context["owed"] == D("4.00")
        assert not response.context["payable"]
        html = response.content.decode()
        assert "Reste à récupérer" in html and child.full_name in html

    def test_pregnancy_and_c2s_exempt(self, client, insured, frozen):
        me = insured.person
        PregnancyFactory(person=me, expected_delivery=datetime.date(2026, 9, 1))
        C2sCoverageFactory(
            person=me, start=datetime.date(2025, 1, 1), end=datetime.date(2025, 12, 31)
        )
        PaymentFactory(insured=me, care_date=datetime.date(2026, 6, 15), lines=[CONSULT])
        PaymentFactory(insured=me, care_date=datetime.date(2025, 6, 15), lines=[CONSULT])
        client.force_login(insured)
        years = client.get(FRANCHISES).context["by_year"]
        assert years[0]["people"][0][1].exemptions == [
            "Maternité (à partir du 6e mois de grossesse)"
        ]
        assert years[1]["people"][0][1].exemptions == ["Complémentaire santé solidaire"]

    @pytest.mark.parametrize(
        ("days_2025", "owed", "payable"),
        [(0, "100.00", True), (10, "130.00", True), (16, "148.00", True), (17, "151.00", False)],
    )
    def test_a_balance_between_100_and_150_can_be_paid(
        self, client, insured, frozen, days_2025, owed, payable
    ):
        me = insured.person
        for i in range(30):  # 50 € of PF and 50 € of franchises owed in 2026 (capped)
            PaymentFactory(
                insured=me,
                payee=Payee.THIRD_PARTY,
                care_date=datetime.date(2026, 1, 1) + datetime.timedelta(days=i),
                lines=[CONSULT, BOX, BOX],
            )
        for i in range(days_2025):  # 2 € of PF and 1 € of franchise owed a day in 2025
            PaymentFactory(
                insured=me,
                payee=Payee.THIRD_PARTY,
                care_date=datetime.date(2025, 1, 1) + datetime.timedelta(days=i),
                lines=[CONSULT, BOX],
            )
        client.force_login(insured)
        response = client.get(FRANCHISES)
        assert response.context["owed"] == D(owed)
        assert response.context["payable"] is payable
        this_year = response.context["by_year"][0]["people"][0][1]
        assert this_year.pf.cap_reached and this_year.franchises.cap_reached
        html = response.content.decode()
        assert "plafond atteint" in html
        assert ("Payer une créance</a>." in html) is payable

    def test_a_balance_below_100_is_not_offered_for_payment(self, client, insured, frozen):
        PaymentFactory(insured=insured.person, payee=Payee.THIRD_PARTY, lines=[CONSULT])
        client.force_login(insured)
        response = client.get(FRANCHISES)
        assert not response.context["payable"]


@pytest.fixture
def delays(insured):
    caisse = insured.person.caisse
    sheet = ProcessingThemeFactory(code="feuille", label="Feuille de soins papier", position=1)
    ij = ProcessingThemeFactory(code="ij", label="Indemnités journalières", position=2)
    elsewhere = ProcessingThemeFactory(code="ailleurs", label="Thème d'une autre caisse")
    ProcessingDelayFactory(caisse=caisse, theme=sheet, working_days=10)
    ProcessingDelayFactory(caisse=caisse, theme=ij, working_days=25)
    ProcessingDelayFactory(theme=elsewhere, working_days=3)  # another caisse
    return {"sheet": sheet, "ij": ij, "elsewhere": elsewhere}


class TestDelais:
    def test_lists_my_caisses_published_delays_only(self, client, insured, delays):
        client.force_login(insured)
        response = client.get(DELAIS)
        html = response.content.decode()
        assert "Feuille de soins papier" in html and "25 jours ouvrés" in html
        assert "Thème d&#x27;une autre caisse" not in html
        assert list(response.context["form"].fields["thematique"].queryset) == [
            delays["sheet"],
            delays["ij"],
        ]

    def test_estimate_within_the_delay(self, client, insured, delays, frozen):
        client.force_login(insured)
        response = client.post(
            DELAIS,
            {
                "thematique": delays["sheet"].pk,
                "precisions": "Dentiste de Léa",
                "date_envoi": "2026-11-20",
            },
        )
        estimate = response.context["estimate"]
        assert estimate.expected_on == datetime.date(2026, 12, 4)  # 10 working days
        assert not estimate.exceeded
        html = response.content.decode()
        assert "vendredi 4 décembre 2026" in html
        assert "Dentiste de Léa" in html
        assert "est dépassé" not in html

    def test_exceeded_estimate_points_to_informations_payments_messagerie(
        self, client, insured, delays, frozen
    ):
        client.force_login(insured)
        response = client.post(
            DELAIS, {"thematique": delays["sheet"].pk, "date_envoi": "2026-10-01"}
        )
        assert response.context["estimate"].exceeded
        html = response.content.decode()
        assert "Le délai de traitement estimé de votre demande est dépassé." in html
        assert reverse("portal:mes_informations") in html
        assert reverse("paiements:list") in html
        assert "Ma messagerie" in html

    @pytest.mark.parametrize(
        ("data", "field", "message"),
        [
            (
                {"date_envoi": "2026-11-20"},
                "thematique",
                "Choisissez la thématique de votre demande.",
            ),
            (
                {"date_envoi": "2026-11-25"},
                "date_envoi",
                "La date d'envoi ne peut pas être dans le futur.",
            ),
            ({"date_envoi": "2024-11-23"}, "date_envoi", "plus de 2 ans"),
            (
                {"date_envoi": ""},
                "date_envoi",
                "Indiquez la date de dépôt ou d'envoi de votre demande.",
            ),
            ({"date_envoi": "31/02/2026"}, "date_envoi", "Saisissez une date valide"),
            ({"date_envoi": "2026-11-20", "precisions": "x" * 501}, "precisions", "500 caractères"),
        ],
    )
    def test_errors_next_to_the_field(self, client, insured, delays, frozen, data, field, message):
        client.force_login(insured)
        data = {"thematique": delays["sheet"].pk, **data} if field != "thematique" else data
        response = client.post(DELAIS, data)
        assert response.context["estimate"] is None
        assert any(message in error for error in response.context["form"].errors[field])
        assert f'id="id_{field}_error"' in response.content.decode()

    def test_another_caisses_theme_is_not_a_choice(self, client, insured, delays, frozen):
        client.force_login(insured)
        response = client.post(
            DELAIS, {"thematique": delays["elsewhere"].pk, "date_envoi": "2026-11-20"}
        )
        assert response.context["form"].errors["thematique"] == [
            "Choisissez une thématique de la liste."
        ]

    def test_query_count(self, client, insured, delays, django_assert_max_num_queries, frozen):
        client.force_login(insured)
        with django_assert_max_num_queries(10):
            client.post(DELAIS, {"thematique": delays["ij"].pk, "date_envoi": "2026-11-20"})
