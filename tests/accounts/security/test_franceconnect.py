"""FEATURES A4 « S'identifier avec FranceConnect », end to end against a local OpenID provider
(tests/fake_oidc) over real HTTP, with real signed tokens and a real discovery document."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from accounts.enums import CreationRoute
from accounts.factories import DEMO_PASSWORD, InsuredUserFactory
from accounts.models import LoginEvent, User
from accounts.security.franceconnect.identity import match_person, normalize_name
from assures.enums import Sex
from assures.factories import PersonFactory
from messagerie.models import OutboundMessage
from tests.fake_oidc import CAMILLE

from .helpers import FC_LOGIN, code_emails, come_back, fc_login, fc_start, logged_in_as

pytestmark = pytest.mark.django_db

HOME = reverse("portal:home")


# --- identity matching (unit) -----------------------------------------------------------------
def test_names_are_compared_without_accents_case_or_hyphens():
    assert normalize_name("Éloïse-Marie d'Arc") == "ELOISE MARIE D ARC"


def test_match_by_birth_name_first_given_name_birth_date_sex_and_place(camille_person):
    assert match_person(dict(CAMILLE)) == camille_person
    assert match_person({**CAMILLE, "given_name": "Camille"}) == camille_person
    assert match_person({**CAMILLE, "family_name": "martin", "given_name": "CAMILLE"})


@pytest.mark.parametrize(
    "change",
    [
        {"family_name": "DUPONT"},
        {"given_name": "Claire Camille"},
        {"birthdate": "1990-03-15"},
        {"gender": "male"},
        {"birthplace": "75107"},  # another arrondissement than the NIR says
        {"birthplace": "", "birthcountry": "99134"},  # born abroad
        {"birthdate": "pas une date"},
        {"gender": ""},
    ],
)
def test_no_match_when_any_part_differs(camille_person, change):
    assert match_person({**CAMILLE, **change}) is None


def test_born_abroad_matches_the_country_code_of_the_nir():
    person = PersonFactory(
        sex=Sex.MALE,
        last_name="García",
        first_name="José",
        birth_date=datetime.date(1985, 6, 1),
        nir="1850699134012",
    )
    identity = {
        "given_name": "Jose",
        "family_name": "GARCIA",
        "birthdate": "1985-06-01",
        "gender": "male",
        "birthplace": "",
        "birthcountry": "99134",
    }
    assert match_person(identity) == person


def test_two_people_with_the_same_identity_is_no_match(camille_person):
    PersonFactory(
        sex=Sex.FEMALE,
        last_name="MARTIN",
        first_name="Camille",
        birth_date=datetime.date(1990, 3, 14),
        nir="2900375106999",
    )
    assert match_person(dict(CAMILLE)) is None


# --- the protocol -----------------------------------------------------------------------------
def test_authorization_request_carries_nonce_acr_and_fc_scopes(client, provider):
    url = fc_start(client)
    assert url.startswith(f"{provider.issuer}/authorize?")
    params = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert params["acr_values"] == "eidas1"
    assert len(params["nonce"]) >= 32
    assert params["client_id"] == provider.client_id and params["response_type"] == "code"
    assert set(params["scope"].split()) >= {"openid", "family_name", "birthdate", "birthplace"}
    assert "prompt" not in params and "max_age" not in params  # only to re-authenticate
    assert fc_start(client) != url  # a fresh state and nonce each time


def test_acr_values_cannot_be_lowered_from_the_request(client, provider):
    response = client.post(f"{FC_LOGIN}?auth_params=acr_values%3Dlow%26nonce%3Dfixe")
    params = parse_qs(urlsplit(response.url).query)
    assert params["acr_values"] == ["eidas1"] and params["nonce"] != ["fixe"]


def test_login_page_shows_the_button_only_when_configured(client, settings, provider):
    html = client.get(reverse("account_login")).content.decode()
    assert "S'identifier avec" in html and "FranceConnect" in html
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": []}}
    assert "FranceConnect" not in client.get(reverse("account_login")).content.decode()


# --- A4: existing account, creation, refusal ----------------------------------------------------
def test_existing_account_is_logged_in_without_the_email_code(client, provider, camille_person):
    camille = InsuredUserFactory(person=camille_person, email="camille.martin@example.org")
    response = fc_login(client)
    assert response.status_code == 302 and response.url == HOME
    assert logged_in_as(client) == str(camille.pk)
    account = SocialAccount.objects.get(user=camille)
    assert account.provider == "franceconnect" and account.uid == CAMILLE["sub"]
    assert not code_emails(camille).exists()
    assert LoginEvent.objects.filter(user=camille).count() == 1
    notice = OutboundMessage.objects.get(template="security_login", user=camille)
    assert "avec FranceConnect" in notice.body_text

    client.post(reverse("account_logout"))
    assert fc_login(client).url == HOME  # the second time, through the linked account
    assert logged_in_as(client) == str(camille.pk)
    assert SocialAccount.objects.count() == 1


def test_person_without_account_gets_one(client, provider, camille_person):
    response = fc_login(client)
    assert response.status_code == 302 and response.url == HOME
    user = User.objects.get(person=camille_person)
    assert logged_in_as(client) == str(user.pk)
    assert user.username == "2900375106123"
    assert user.email == "camille.martin@example.org"
    assert (user.first_name, user.last_name) == ("Camille", "Martin")
    assert not user.has_usable_password()
    assert user.is_active
    assert SocialAccount.objects.get(user=user).uid == CAMILLE["sub"]


def test_an_account_created_with_franceconnect_records_its_creation_route(
    client, provider, camille_person
):
    fc_login(client)
    user = User.objects.get(person=camille_person)
    assert user.created_via == CreationRoute.FRANCECONNECT
    assert user.get_created_via_display() == "Avec FranceConnect"


def test_connecting_franceconnect_keeps_the_route_an_account_was_created_by(
    client, provider, camille_person
):
    camille = InsuredUserFactory(person=camille_person, created_via=CreationRoute.IMMEDIATE)
    fc_login(client)
    assert logged_in_as(client) == str(camille.pk)
    camille.refresh_from_db()
    assert camille.created_via == CreationRoute.IMMEDIATE


def test_created_without_the_email_when_another_account_uses_it(client, provider, camille_person):
    InsuredUserFactory(email="camille.martin@example.org")
    fc_login(client)
    user = User.objects.get(person=camille_person)
    assert user.email == ""
    assert logged_in_as(client) == str(user.pk)


def test_nobody_in_the_registry_means_a_clear_page_and_nothing_created(client, provider):
    users_before = User.objects.count()
    response = fc_login(client)
    assert response.status_code == 403
    html = response.content.decode()
    assert "Nous n'avons pas trouvé votre dossier" in html
    assert "Aucun compte n'a été créé" in html
    assert User.objects.count() == users_before
    assert not SocialAccount.objects.exists()
    assert logged_in_as(client) is None


def test_inactive_account_is_refused(client, provider, camille_person):
    InsuredUserFactory(person=camille_person, is_active=False)
    response = fc_login(client)
    assert response.status_code == 403
    assert "n'est pas accessible" in response.content.decode()
    assert not SocialAccount.objects.exists() and logged_in_as(client) is None


@pytest.mark.parametrize("fault", ["nonce", "signature", "acr", "unsigned_userinfo", "sub"])
def test_a_provider_answer_that_does_not_check_out_is_refused(
    client, provider, camille_person, fault
):
    provider.misbehave.add(fault)
    response = fc_login(client)
    assert response.status_code == 401
    assert "La connexion avec FranceConnect n'a pas abouti" in response.content.decode()
    assert logged_in_as(client) is None
    assert not User.objects.filter(person=camille_person).exists()
    assert not SocialAccount.objects.exists()


def test_cancelled_at_the_provider(client, provider):
    provider.misbehave.add("deny")
    response = fc_login(client)
    assert response.url == reverse("socialaccount_login_cancelled")
    assert "Connexion avec FranceConnect annulée" in client.get(response.url).content.decode()


def test_a_replayed_callback_creates_nothing_twice(client, provider, camille_person):
    answer = requests.get(fc_start(client), allow_redirects=False, timeout=10)
    callback = answer.headers["Location"].split("://testserver", 1)[1]
    assert client.get(callback).url == HOME
    client.post(reverse("account_logout"))
    replay = client.get(callback)
    assert replay.status_code == 401
    assert User.objects.filter(person=camille_person).count() == 1
    assert SocialAccount.objects.count() == 1


def test_a_callback_from_another_browser_is_refused(client, provider, camille_person):
    from django.test import Client

    answer = requests.get(fc_start(client), allow_redirects=False, timeout=10)
    callback = answer.headers["Location"].split("://testserver", 1)[1]
    other = Client()
    assert other.get(callback).status_code == 401
    assert not User.objects.filter(person=camille_person).exists()


# --- connecting FranceConnect to a logged-in account ------------------------------------------
def connect(client):
    response = client.post(FC_LOGIN, {"process": "connect"})
    assert response.status_code == 302
    return come_back(client, response.url)


def test_connect_franceconnect_to_my_own_account(client, provider, camille_person):
    camille = InsuredUserFactory(person=camille_person)
    client.force_login(camille)
    client.post(reverse("account_reauthenticate"), {"password": DEMO_PASSWORD})
    page = client.get(reverse("socialaccount_connections")).content.decode()
    assert "Votre compte n'est pas associé à FranceConnect." in page
    connect(client)
    assert SocialAccount.objects.get().user == camille
    page = client.get(reverse("socialaccount_connections")).content.decode()
    assert "Ne plus utiliser FranceConnect" in page


def test_connect_someone_elses_franceconnect_is_refused(client, provider, camille_person):
    InsuredUserFactory(person=camille_person)
    someone = InsuredUserFactory()
    client.force_login(someone)
    client.post(reverse("account_reauthenticate"), {"password": DEMO_PASSWORD})
    response = connect(client)
    assert response.status_code == 403
    assert "Ce compte FranceConnect n'est pas le vôtre" in response.content.decode()
    assert not SocialAccount.objects.exists()


def test_an_account_created_with_franceconnect_keeps_it_until_a_password_is_set(
    client, provider, camille_person
):
    fc_login(client)
    account = SocialAccount.objects.get()
    response = client.post(reverse("socialaccount_connections"), {"account": account.pk})
    assert response.status_code == 200
    assert SocialAccount.objects.filter(pk=account.pk).exists()
    assert response.context["form"].non_field_errors()
