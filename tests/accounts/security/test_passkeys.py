"""FEATURES A7 « Utiliser l'authentification biométrique pour me connecter »: register a passkey
(allauth.mfa WebAuthn) and log in with it, without the password and without the A6 code. A
software authenticator (softauthn.py) plays the browser's part."""

import json

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from accounts.factories import DEMO_PASSWORD, InsuredUserFactory
from accounts.models import LoginEvent
from accounts.security.stages import EMAIL_CHECK_STAGE, MFA_AUTHENTICATE_STAGE, login_stages
from messagerie.models import OutboundMessage

from .helpers import EMAIL_CHECK, code_emails, last_code, post_password
from .softauthn import SoftPasskey

pytestmark = pytest.mark.django_db

ADD = reverse("security:passkey_add")
LOGIN_WEBAUTHN = reverse("mfa_login_webauthn")
HOME = reverse("portal:home")
DEVICES = reverse("security:devices")
UA_CHROME_LINUX = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)


@pytest.fixture
def localhost_client():
    """A client on http://localhost, a secure context where WebAuthn is allowed."""
    return Client(HTTP_HOST="localhost", HTTP_USER_AGENT=UA_CHROME_LINUX)


@pytest.fixture
def insured():
    return InsuredUserFactory(email="camille.test@example.org")


def register(localhost_client, user, passkey, name=None):
    localhost_client.force_login(user)
    localhost_client.post(reverse("account_reauthenticate"), {"password": DEMO_PASSWORD})
    page = localhost_client.get(ADD)
    assert page.status_code == 200
    options = page.context["js_data"]["creation_options"]
    data = {"credential": passkey.create(options)}
    if name is not None:
        data["name"] = name
    return localhost_client.post(ADD, data)


def passkey_login(localhost_client, passkey):
    options = localhost_client.get(LOGIN_WEBAUTHN, HTTP_ACCEPT="application/json").json()
    return localhost_client.post(
        LOGIN_WEBAUTHN, {"credential": passkey.get(options["request_options"])}
    )


def test_login_stages_drop_mfa_as_second_factor_and_add_the_email_check():
    stages = login_stages(["allauth.account.stages.LoginByCodeStage", MFA_AUTHENTICATE_STAGE])
    assert stages == ["allauth.account.stages.LoginByCodeStage", EMAIL_CHECK_STAGE]


def test_the_page_asks_for_a_resident_key_with_user_verification(localhost_client, insured):
    localhost_client.force_login(insured)
    localhost_client.post(reverse("account_reauthenticate"), {"password": DEMO_PASSWORD})
    page = localhost_client.get(ADD)
    options = page.context["js_data"]["creation_options"]["publicKey"]
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["rp"]["id"] == "localhost"
    html = page.content.decode()
    assert "Utiliser l'authentification biométrique pour me connecter" in html
    assert 'value="Chrome sur Linux"' in html  # suggested name
    assert "<script>" not in html  # CSP: no inline script


def test_register_then_log_in_without_password_nor_code(localhost_client, insured):
    passkey = SoftPasskey()
    response = register(localhost_client, insured, passkey, name="Ordinateur de Camille")
    assert response.status_code == 302 and response.url == DEVICES
    (key,) = Authenticator.objects.filter(user=insured, type=Authenticator.Type.WEBAUTHN)
    assert key.wrap().name == "Ordinateur de Camille"
    assert key.wrap().is_passwordless
    (notice,) = OutboundMessage.objects.filter(template="security_passkey")
    assert "a été ajoutée" in notice.body_text and notice.to == insured.email

    localhost_client.post(reverse("account_logout"))
    assert "_auth_user_id" not in localhost_client.session
    before = LoginEvent.objects.filter(user=insured).count()
    response = passkey_login(localhost_client, passkey)
    assert response.status_code == 302 and response.url == HOME
    assert localhost_client.session["_auth_user_id"] == str(insured.pk)
    assert LoginEvent.objects.filter(user=insured).count() == before + 1
    assert not code_emails(insured).exists()  # a passkey is strong: no A6 code
    notice = OutboundMessage.objects.filter(template="security_login").latest("pk")
    assert "avec une clé d'accès" in notice.body_text
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_a_passkey_without_user_verification_is_refused(localhost_client, insured):
    response = register(localhost_client, insured, SoftPasskey(user_verified=False))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Authenticator.objects.filter(user=insured).exists()


def test_a_forged_assertion_does_not_log_in(localhost_client, insured):
    passkey = SoftPasskey()
    register(localhost_client, insured, passkey)
    localhost_client.post(reverse("account_logout"))
    impostor = SoftPasskey()
    impostor.credential_id = passkey.credential_id
    impostor.user_handle = passkey.user_handle  # same ids, another private key
    response = passkey_login(localhost_client, impostor)
    assert response.status_code == 302 and response.url == reverse("account_login")
    assert "_auth_user_id" not in localhost_client.session


def test_missing_credential_is_explained(localhost_client, insured):
    localhost_client.force_login(insured)
    localhost_client.post(reverse("account_reauthenticate"), {"password": DEMO_PASSWORD})
    response = localhost_client.post(ADD, {"name": "Clé"})
    assert response.status_code == 200
    assert response.context["form"].errors["credential"] == [
        "L'enregistrement de la clé d'accès n'a pas abouti. Réessayez."
    ]
    response = localhost_client.post(ADD, {"name": "Clé", "credential": json.dumps({"id": "x"})})
    assert response.status_code == 200
    assert not Authenticator.objects.filter(user=insured).exists()


def test_with_a_passkey_the_password_login_still_works_with_the_email_code(
    localhost_client, insured
):
    passkey = SoftPasskey()
    register(localhost_client, insured, passkey)
    other = Client()
    response = post_password(other, insured)
    assert response.url == EMAIL_CHECK  # A6, not allauth's « second factor » page
    response = other.post(EMAIL_CHECK, {"code": last_code(insured)})
    assert response.url == HOME and other.session["_auth_user_id"] == str(insured.pk)


def test_reauthentication_with_the_passkey(localhost_client, insured):
    passkey = SoftPasskey()
    register(localhost_client, insured, passkey)
    localhost_client.post(reverse("account_logout"))
    passkey_login(localhost_client, passkey)
    reauth = reverse("mfa_reauthenticate_webauthn")
    page = localhost_client.get(f"{reauth}?next={reverse('security:phones')}")
    assert page.status_code == 200
    assert "Utiliser ma clé d'accès" in page.content.decode()
    options = page.context["js_data"]["request_options"]
    response = localhost_client.post(
        f"{reauth}?next={reverse('security:phones')}", {"credential": passkey.get(options)}
    )
    assert response.url == reverse("security:phones")
    assert localhost_client.get(reverse("security:phones")).status_code == 200


def test_login_page_offers_the_passkey(client):
    html = client.get(reverse("account_login")).content.decode()
    assert "Me connecter avec une clé d'accès" in html
    assert 'id="mfa_login"' in html and "/static/js/passkeys.js" in html
    assert "<script>" not in html
