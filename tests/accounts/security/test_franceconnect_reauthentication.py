"""Re-authentication before a sensitive change for an account created with FranceConnect (A4),
which has no password (A10, A11; accounts/security/reauthentication.py): « Confirmer mon
identité » goes through FranceConnect again (prompt=login, max_age=0, auth_time checked),
end to end against the local OpenID provider (tests/fake_oidc) over real HTTP."""

import datetime
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
import time_machine
from allauth.account.internal.flows import reauthentication as allauth_reauthentication
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from accounts.factories import DEMO_PASSWORD, InsuredUserFactory
from accounts.models import LoginEvent, User
from accounts.security import reauthentication
from messagerie.models import OutboundMessage
from tests.fake_oidc import CAMILLE

from .helpers import come_back, fc_login, logged_in_as

pytestmark = pytest.mark.django_db

FC_REAUTH = reverse("security:reauthenticate_franceconnect")
PASSWORD_REAUTH = reverse("account_reauthenticate")
PHONES = reverse("security:phones")
CONTACT = reverse("security:contact")
EMAIL = reverse("account_email")
PASSKEY_ADD = reverse("security:passkey_add")
SET_PASSWORD = reverse("account_set_password")
CHANGE_PASSWORD = reverse("account_change_password")
MES_INFOS = reverse("portal:mes_informations")
T0 = datetime.datetime(2026, 7, 14, 15, 35, tzinfo=datetime.UTC)


@pytest.fixture
def fc_user(client, provider, camille_person):
    """Logged in with an account that « S'identifier avec FranceConnect » has just created."""
    assert fc_login(client).url == reverse("portal:home")
    user = User.objects.get(person=camille_person)
    assert not user.has_usable_password()
    return user


def asked_to_confirm_with_franceconnect(response, next_url):
    return response.status_code == 302 and response.url == (
        f"{FC_REAUTH}?{urlencode({'next': next_url})}"
    )


def go_to_franceconnect(client, page_url):
    """« S'identifier avec FranceConnect » on « Confirmer mon identité »: the provider's URL."""
    response = client.post(page_url)
    assert response.status_code == 302, response
    return response.url


def confirm_with_franceconnect(client, page_url):
    return come_back(client, go_to_franceconnect(client, page_url))


def query(url):
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


# --- the gap is closed ------------------------------------------------------------------------
def test_allauths_check_is_the_portals():
    assert allauth_reauthentication.did_recently_reauthenticate is (
        reauthentication.did_recently_reauthenticate
    )
    reauthentication.install()  # idempotent
    assert allauth_reauthentication.did_recently_reauthenticate is (
        reauthentication.did_recently_reauthenticate
    )


@pytest.mark.parametrize("url", [PHONES, CONTACT, PASSKEY_ADD, SET_PASSWORD])
def test_a_passwordless_account_is_asked_to_confirm_with_franceconnect(client, fc_user, url):
    """Logging in with FranceConnect is not a re-authentication (as for a password)."""
    assert asked_to_confirm_with_franceconnect(client.get(url), url)


def test_a_passwordless_account_cannot_change_its_email_without_confirming(client, fc_user):
    response = client.post(EMAIL, {"action_add": "", "email": "nouvelle@example.org"})
    assert asked_to_confirm_with_franceconnect(response, EMAIL)
    assert not EmailAddress.objects.filter(email="nouvelle@example.org").exists()
    assert not OutboundMessage.objects.filter(template="account/email/email_confirmation")


def test_a_passwordless_account_cannot_save_phones_without_confirming(client, fc_user):
    response = client.post(PHONES, {"mobile_phone": "06 12 34 56 78", "landline_phone": ""})
    assert asked_to_confirm_with_franceconnect(response, PHONES)
    fc_user.refresh_from_db()
    assert not fc_user.mobile_phone


def test_the_confirmation_page(client, fc_user):
    page = client.get(f"{FC_REAUTH}?next={PHONES}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Confirmer mon identité" in html
    assert "identifiez-vous à nouveau avec FranceConnect" in html
    assert "S'identifier avec" in html
    assert f'name="next" value="{PHONES}"' in html
    assert "Confirmer avec mon mot de passe" not in html  # it has none


# --- confirming with FranceConnect ------------------------------------------------------------
def test_franceconnect_is_asked_for_a_new_identification(client, fc_user, provider):
    url = go_to_franceconnect(client, f"{FC_REAUTH}?next={PHONES}")
    assert url.startswith(f"{provider.issuer}/authorize?")
    params = query(url)
    assert params["prompt"] == "login" and params["max_age"] == "0"
    assert params["acr_values"] == "eidas1" and len(params["nonce"]) >= 32


def test_after_confirming_the_phones_can_be_changed(client, fc_user, provider):
    session_key = client.session.session_key
    logins = LoginEvent.objects.filter(user=fc_user).count()
    response = client.get(PHONES)
    response = confirm_with_franceconnect(client, response.url)
    assert response.status_code == 302 and response.url == PHONES
    assert client.get(PHONES).status_code == 200
    response = client.post(PHONES, {"mobile_phone": "06 12 34 56 78", "landline_phone": ""})
    assert response.url == MES_INFOS
    fc_user.refresh_from_db()
    assert str(fc_user.mobile_phone) == "+33612345678"
    # A confirmation, not a new login: same session, no login recorded, nothing created.
    assert logged_in_as(client) == str(fc_user.pk)
    assert client.session.session_key == session_key
    assert LoginEvent.objects.filter(user=fc_user).count() == logins
    assert SocialAccount.objects.count() == 1 and User.objects.count() == 1


def test_the_email_change_resumes_after_confirming(client, fc_user):
    response = client.post(EMAIL, {"action_add": "", "email": "nouvelle@example.org"})
    response = confirm_with_franceconnect(client, response.url)
    assert response.status_code == 302 and response.url == EMAIL  # allauth's e-mail view
    assert EmailAddress.objects.filter(user=fc_user, email="nouvelle@example.org").exists()
    (link_mail,) = OutboundMessage.objects.filter(template="account/email/email_confirmation")
    assert link_mail.to == "nouvelle@example.org"


def test_a_first_password_can_be_chosen_after_confirming(client, fc_user):
    response = confirm_with_franceconnect(client, client.get(SET_PASSWORD).url)
    assert response.url == SET_PASSWORD
    assert "Choisir un mot de passe" in client.get(SET_PASSWORD).content.decode()
    client.post(SET_PASSWORD, {"password1": "Nouveau-Mdp-2026!", "password2": "Nouveau-Mdp-2026!"})
    fc_user.refresh_from_db()
    assert fc_user.check_password("Nouveau-Mdp-2026!")


def test_the_confirmation_lasts_5_minutes_then_is_asked_again(client, provider, camille_person):
    with time_machine.travel(T0, tick=False) as traveller:
        fc_login(client)
        confirm_with_franceconnect(client, client.get(PHONES).url)
        assert client.get(PHONES).status_code == 200
        traveller.shift(datetime.timedelta(minutes=4, seconds=50))
        assert client.get(CONTACT).status_code == 200
        traveller.shift(datetime.timedelta(seconds=20))
        assert asked_to_confirm_with_franceconnect(client.get(PHONES), PHONES)
        response = client.post(EMAIL, {"action_add": "", "email": "nouvelle@example.org"})
        assert asked_to_confirm_with_franceconnect(response, EMAIL)
        assert confirm_with_franceconnect(client, response.url).url == EMAIL
    assert EmailAddress.objects.filter(email="nouvelle@example.org").exists()


# --- what does not count as a confirmation ----------------------------------------------------
@pytest.mark.parametrize("fault", ["ignore_prompt", "no_auth_time"])
def test_an_identification_franceconnect_did_not_renew_is_refused(client, fc_user, provider, fault):
    """The provider reused an old session despite prompt=login (auth_time too old), or did
    not say when the person identified: nothing is confirmed."""
    provider.login_at = int(time.time()) - 3600
    provider.misbehave.add(fault)
    response = confirm_with_franceconnect(client, client.get(PHONES).url)
    assert response.status_code == 401
    html = response.content.decode()
    assert "Votre identité n'a pas été confirmée" in html
    assert "Rien n'a été modifié" in html
    assert logged_in_as(client) == str(fc_user.pk)
    assert asked_to_confirm_with_franceconnect(client.get(PHONES), PHONES)


def test_another_persons_franceconnect_identity_confirms_nothing(client, fc_user, provider):
    provider.identity = {**CAMILLE, "sub": "fc-sub-quelqu-un-d-autre", "given_name": "Claire"}
    response = confirm_with_franceconnect(client, client.get(PHONES).url)
    assert response.status_code == 403
    assert "Ce compte FranceConnect n'est pas le vôtre" in response.content.decode()
    assert logged_in_as(client) == str(fc_user.pk)
    assert asked_to_confirm_with_franceconnect(client.get(PHONES), PHONES)
    assert SocialAccount.objects.count() == 1 and User.objects.count() == 1


def test_a_confirmation_answer_serves_once(client, fc_user):
    answer = requests.get(
        go_to_franceconnect(client, client.get(PHONES).url), allow_redirects=False, timeout=10
    )
    callback = answer.headers["Location"].split("://testserver", 1)[1]
    assert client.get(callback).url == PHONES
    assert client.get(callback).status_code == 401  # allauth's state was used up


def test_a_confirmation_started_before_logging_out_does_nothing(client, fc_user):
    answer = requests.get(
        go_to_franceconnect(client, client.get(PHONES).url), allow_redirects=False, timeout=10
    )
    client.post(reverse("account_logout"))
    callback = answer.headers["Location"].split("://testserver", 1)[1]
    assert client.get(callback).status_code == 401
    assert logged_in_as(client) is None


# --- accounts with a password: as before ------------------------------------------------------
def test_a_password_account_still_confirms_with_its_password(client):
    user = InsuredUserFactory()
    client.force_login(user)
    response = client.get(PHONES)
    assert response.url == f"{PASSWORD_REAUTH}?{urlencode({'next': PHONES})}"
    page = client.get(response.url).content.decode()
    assert "saisissez à nouveau votre mot de passe" in page
    assert "Confirmer avec FranceConnect" not in page
    # Not connected to FranceConnect: its confirmation page is not for this account.
    assert client.get(f"{FC_REAUTH}?next={PHONES}").url.startswith(PASSWORD_REAUTH)
    assert client.post(response.url, {"password": DEMO_PASSWORD}).url == PHONES
    assert client.get(PHONES).status_code == 200
    assert client.get(SET_PASSWORD).url == CHANGE_PASSWORD  # allauth's, unchanged


def test_a_password_account_connected_to_franceconnect_may_confirm_with_either(
    client, provider, camille_person
):
    camille = InsuredUserFactory(person=camille_person)
    fc_login(client)  # connects FranceConnect to her account, and logs her in
    assert logged_in_as(client) == str(camille.pk)
    response = client.get(PHONES)
    assert response.url.startswith(PASSWORD_REAUTH)  # the password first, as before
    page = client.get(response.url).content.decode()
    assert "Confirmer avec FranceConnect" in page
    response = confirm_with_franceconnect(client, f"{FC_REAUTH}?next={PHONES}")
    assert response.url == PHONES
    assert client.get(PHONES).status_code == 200


# --- A12 « Résilier mon compte ameli » without a password -------------------------------------
CLOSE = reverse("accounts:close")


def test_a_passwordless_account_confirms_with_franceconnect_before_closing(client, fc_user):
    response = client.get(CLOSE)
    assert asked_to_confirm_with_franceconnect(response, CLOSE)
    assert client.post(CLOSE, {"confirm": "on"}).status_code == 302
    fc_user.refresh_from_db()
    assert fc_user.is_active  # nothing closed before the confirmation


def test_a_passwordless_account_closes_after_confirming_and_ticking(client, fc_user):
    confirm_with_franceconnect(client, f"{FC_REAUTH}?{urlencode({'next': CLOSE})}")
    page = client.get(CLOSE)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'type="password"' not in html
    assert "Je confirme vouloir résilier mon compte ameli" in html

    unticked = client.post(CLOSE, {})
    assert unticked.status_code == 200
    assert unticked.context["form"].errors["confirm"] == [
        "Cochez la case pour confirmer la résiliation."
    ]
    fc_user.refresh_from_db()
    assert fc_user.is_active

    response = client.post(CLOSE, {"confirm": "on"})
    assert response.status_code == 302 and response.url == reverse("accounts:closed")
    fc_user.refresh_from_db()
    assert not fc_user.is_active
