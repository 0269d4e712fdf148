"""« Me connecter » by NIR (FEATURES A5) and « Déconnexion » (A13)."""

import pytest
from django.urls import reverse

from accounts.factories import DEMO_PASSWORD, AgentFactory, InsuredUserFactory
from accounts.models import LoginEvent
from tests.accounts.security.helpers import EMAIL_CHECK, last_code

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")


def _spaced(nir):
    return f"{nir[0]} {nir[1:3]} {nir[3:5]} {nir[5:7]} {nir[7:10]} {nir[10:13]}"


@pytest.fixture
def insured():
    return InsuredUserFactory()


@pytest.mark.parametrize("with_key", [False, True])
def test_login_with_spaced_nir(client, insured, with_key):
    typed = _spaced(insured.username)
    if with_key:
        typed += " " + insured.person.nir_display[-2:]
    response = client.post(LOGIN, {"login": typed, "password": DEMO_PASSWORD})
    # A6: from a new browser, the login waits for the 6-digit code sent by e-mail.
    assert response.status_code == 302
    assert response.url == EMAIL_CHECK
    assert "_auth_user_id" not in client.session
    response = client.post(EMAIL_CHECK, {"code": last_code(insured)})
    assert response.status_code == 302
    assert response.url == reverse("portal:home")
    assert client.session["_auth_user_id"] == str(insured.pk)
    assert LoginEvent.objects.filter(user=insured).count() == 1


def test_wrong_key_is_explained_next_to_the_field(client, insured):
    key = int(insured.person.nir_display[-2:])
    wrong = f"{insured.username}{(key % 97) + 1:02d}"
    response = client.post(LOGIN, {"login": wrong, "password": DEMO_PASSWORD})
    assert response.status_code == 200
    assert response.context["form"].errors["login"] == [
        "La clé du numéro de sécurité sociale ne correspond pas."
    ]
    assert "_auth_user_id" not in client.session


def test_wrong_password_french_message_no_enumeration(client, insured):
    wrong_password = client.post(LOGIN, {"login": insured.username, "password": "Mauvais-1"})
    unknown_nir = client.post(LOGIN, {"login": "1850175056001", "password": "Mauvais-1"})
    for response in (wrong_password, unknown_nir):
        assert response.status_code == 200
        assert response.context["form"].non_field_errors() == [
            "Le numéro de sécurité sociale ou le mot de passe est incorrect."
        ]
    assert "_auth_user_id" not in client.session


def test_agents_cannot_use_the_insured_form(client):
    agent = AgentFactory(username="agent.test")
    response = client.post(LOGIN, {"login": agent.username, "password": "Agent-Demo-2026"})
    assert response.status_code == 200
    assert "login" in response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_failed_logins_are_throttled_per_account(client, insured):
    for _ in range(5):
        client.post(LOGIN, {"login": insured.username, "password": "Mauvais-1"})
    response = client.post(LOGIN, {"login": insured.username, "password": DEMO_PASSWORD})
    assert response.status_code == 200
    assert "Trop de tentatives" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_page(client, insured):
    client.force_login(insured)
    response = client.post(reverse("account_logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:logged_out")
    html = response.content.decode()
    assert "Vous êtes déconnecté(e) de votre compte. Merci de votre visite !" in html
    assert "J'accède à mon compte" in html
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("portal:home")).status_code == 302


def test_login_page_has_the_nir_help(client):
    html = client.get(LOGIN).content.decode()
    assert "Où trouver mon numéro de sécurité sociale ?" in html
