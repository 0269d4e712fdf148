"""View tests for « Accueil » (B1) and « Mes informations » (B3): permissions, data, queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.factories import AgentFactory, InsuredUserFactory
from accounts.models import LoginEvent
from assures.factories import (
    BankAccountFactory,
    BeneficiaryFactory,
    CeamFactory,
    ComplementaryContractFactory,
    TreatingDoctorFactory,
)
from paiements.factories import PaymentFactory
from portal.templatetags.portal import euros

pytestmark = pytest.mark.django_db

PAGES = ["portal:home", "portal:mes_informations"]


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_goes_to_login(client, page):
    response = client.get(reverse(page))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert "next=" in response.url


@pytest.mark.parametrize("page", PAGES)
def test_agent_is_sent_to_the_admin(client, page):
    client.force_login(AgentFactory())
    response = client.get(reverse(page))
    assert response.status_code == 302
    assert response.url == reverse("admin:index")


class TestHome:
    def test_shows_latest_payments_name_and_last_login(self, client):
        user = InsuredUserFactory()
        payments = PaymentFactory.create_batch(8, insured=user.person)
        previous = timezone.now() - datetime.timedelta(days=3)
        LoginEvent.objects.create(user=user, at=previous)
        client.force_login(user)  # records the current login
        assert LoginEvent.objects.filter(user=user).count() == 2

        response = client.get(reverse("portal:home"))

        assert response.status_code == 200
        shown = list(response.context["latest_payments"])
        expected = sorted(payments, key=lambda p: (p.paid_on, p.pk), reverse=True)[:5]
        assert shown == expected
        html = response.content.decode()
        for payment in expected:
            assert euros(payment.amount) in html
        assert user.person.first_name in html
        local = timezone.localtime(previous)
        assert f"Dernière connexion le {local:%d/%m/%Y} à {local:%H:%M}" in html

    def test_never_shows_another_persons_payments(self, client):
        me, other = InsuredUserFactory(), InsuredUserFactory()
        PaymentFactory(insured=me.person, amount="11.11")
        PaymentFactory(insured=other.person, amount="99.99")
        client.force_login(me)

        html = client.get(reverse("portal:home")).content.decode()

        assert euros("11.11") in html
        assert euros("99.99") not in html

    def test_first_login_message_and_no_payment(self, client):
        user = InsuredUserFactory()
        client.force_login(user)
        html = client.get(reverse("portal:home")).content.decode()
        assert "Aucun paiement" in html
        assert "première connexion" in html

    def test_query_count_does_not_grow_with_history(self, client, django_assert_max_num_queries):
        user = InsuredUserFactory()
        PaymentFactory.create_batch(40, insured=user.person)
        client.force_login(user)
        # The first request of a minute also re-saves the session (portal.middleware: savepoint,
        # UPDATE, release); the page itself, measured next, is within the 10 queries:
        # user, previous login, B2/F1 home blocks (2), the header's unread counts, latest
        # payments, « Mon agenda » (F3, 1), « Mon espace prévention » (G: family, pregnancies).
        assert client.get(reverse("portal:home")).status_code == 200
        with django_assert_max_num_queries(10):
            assert client.get(reverse("portal:home")).status_code == 200

    def test_query_count_with_children_a_pregnancy_and_an_appointment(
        self, client, django_assert_max_num_queries
    ):
        """B1 for a family like Camille's: G's teaser adds the children's exam statuses."""
        from assures.models import Pregnancy

        user = InsuredUserFactory()
        today = timezone.localdate()
        for years in (10, 4):
            BeneficiaryFactory(
                insured=user.person,
                person__birth_date=today - datetime.timedelta(days=365 * years),
            )
        Pregnancy.objects.create(
            person=user.person,
            declared_on=today - datetime.timedelta(days=60),
            expected_delivery=today + datetime.timedelta(days=120),
        )
        PaymentFactory.create_batch(40, insured=user.person)
        client.force_login(user)
        assert client.get(reverse("portal:home")).status_code == 200
        with django_assert_max_num_queries(10):
            html = client.get(reverse("portal:home")).content.decode()
        assert "Mon espace prévention" in html and "Maternité" in html
        assert "Mon agenda" in html


class TestMesInformations:
    def _family(self):
        user = InsuredUserFactory()
        me = user.person
        children = [BeneficiaryFactory(insured=me).person for _ in range(2)]
        for p in [me, *children]:
            TreatingDoctorFactory(person=p)
            ComplementaryContractFactory(person=p)
        CeamFactory(
            person=me,
            issued_on=timezone.localdate() - datetime.timedelta(days=30),
            expires_on=timezone.localdate() + datetime.timedelta(days=700),
        )
        bank = BankAccountFactory(person=me)
        return user, children, bank

    def test_shows_everything_b3_lists(self, client):
        user, children, bank = self._family()
        client.force_login(user)

        response = client.get(reverse("portal:mes_informations"))

        html = response.content.decode()
        assert response.status_code == 200
        assert "Vos droits à l'Assurance Maladie sont ouverts" in html
        assert user.person.nir_display in html
        assert user.person.caisse.name in html
        assert "Transmission automatique des paiements" in html and "ACTIVÉE" in html
        for child in children:
            assert child.first_name in html
        assert "Aucune carte CEAM en cours de validité" in html  # the children have none
        assert "Valable jusqu'au" in html  # mine
        assert bank.masked_iban in html
        assert bank.iban not in html  # never the full IBAN
        assert "Autorisations de contact" in html
        assert "Paramètres de compte" in html
        assert "Aucune procuration en cours" in html

    def test_closed_rights(self, client):
        user = InsuredUserFactory(person__rights_end=timezone.localdate() - datetime.timedelta(1))
        client.force_login(user)
        html = client.get(reverse("portal:mes_informations")).content.decode()
        assert "ne sont pas ouverts" in html

    def test_other_family_is_not_shown(self, client):
        user, _children, _bank = self._family()
        stranger = BeneficiaryFactory()  # someone else's child
        client.force_login(user)
        html = client.get(reverse("portal:mes_informations")).content.decode()
        assert stranger.person.first_name + " " + stranger.person.last_name.upper() not in html

    def test_query_count_bounded(self, client, django_assert_max_num_queries):
        user, _children, _bank = self._family()
        for _ in range(3):
            BeneficiaryFactory(insured=user.person)
        client.force_login(user)
        # 14 + 1: the header's unread counts of « Ma messagerie » and the bell (F1, B2).
        with django_assert_max_num_queries(15):
            assert client.get(reverse("portal:mes_informations")).status_code == 200


def test_demo_camille_home(client, demo):
    """The demo account of FEATURES.md shows its own latest payments."""
    client.force_login(demo["camille"])
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert "Camille MARTIN" in response.content.decode()
    assert len(response.context["latest_payments"]) == 5
