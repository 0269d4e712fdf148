"""« Résilier mon compte ameli » (FEATURES A12): confirmed with the password; access removed,
sessions ended, paper mail resumes, the caisse's data kept, a notice e-mail; the person may
create an account again later (same account row re-opened)."""

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.sessions.backends.cached_db import SessionStore
from django.urls import reverse

from accounts.creation.views import A1_RUN
from accounts.enums import AccountState
from accounts.factories import DEMO_PASSWORD
from accounts.models import User
from assures.models import Person

from .helpers import (
    CONTACT_URL,
    CREDENTIALS_URL,
    IDENTITY_URL,
    IMMEDIATE_URL,
    LOGIN_URL,
    STRONG_PASSWORD,
    birth,
    contact_data,
    credentials_data,
    emails,
    immediate_data,
    non_field_errors,
)

CLOSE_URL = reverse("accounts:close")
CLOSED_URL = reverse("accounts:closed")


@pytest.fixture
def paperless_camille(camille):
    from django.utils import timezone

    camille.paperless_since = timezone.now()
    camille.save()
    return camille


def test_a12_link_in_mes_informations(client, camille):
    client.force_login(camille)
    page = client.get(reverse("portal:mes_informations")).content.decode()
    assert "Paramètres de compte" in page
    assert f'href="{CLOSE_URL}"' in page
    assert "Résilier mon compte ameli" in page


def test_a12_needs_a_logged_in_insured(client, db):
    response = client.get(CLOSE_URL)
    assert response.status_code == 302 and response.url.startswith(LOGIN_URL)


def test_a12_wrong_password_changes_nothing(client, paperless_camille):
    client.force_login(paperless_camille)
    response = client.post(CLOSE_URL, {"password": "Pas-le-bon-1"})
    assert response.status_code == 200
    assert response.context["form"].errors["password"] == ["Le mot de passe est incorrect."]
    paperless_camille.refresh_from_db()
    assert paperless_camille.state == AccountState.ACTIVE
    assert paperless_camille.paperless_since is not None
    assert emails(template="account_closed") == []


def test_a12_closing_removes_access_and_keeps_the_file(
    client, paperless_camille, django_capture_on_commit_callbacks
):
    camille = paperless_camille
    other_browser = client.__class__()
    other_browser.force_login(camille)
    assert other_browser.get(reverse("portal:home")).status_code == 200
    other_key = other_browser.session.session_key
    UserSession.objects.get_or_create(  # as listed in « Mes appareils et sessions » (X3)
        session_key=other_key, defaults={"user": camille, "ip": "127.0.0.1", "user_agent": "test"}
    )
    client.force_login(camille)
    person_fields = Person.objects.filter(pk=camille.person_id).values().get()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CLOSE_URL, {"password": DEMO_PASSWORD})
    assert not UserSession.objects.filter(user=camille).exists(), "sessions ended"
    assert not SessionStore().exists(other_key)
    assert response.status_code == 302 and response.url == CLOSED_URL
    page = client.get(CLOSED_URL).content.decode()
    assert "Votre compte a été résilié" in page
    assert "_auth_user_id" not in client.session

    camille.refresh_from_db()
    assert camille.state == AccountState.CLOSED
    assert camille.closed_at is not None
    assert camille.paperless_since is None, "paper mail resumes"
    assert Person.objects.filter(pk=camille.person_id).values().get() == person_fields
    (notice,) = emails(to=camille.email, template="account_closed")
    assert "a été résilié le" in notice.body_text
    assert "par voie postale" in notice.body_text

    # Every other session of the account is ended too.
    response = other_browser.get(reverse("portal:home"))
    assert response.status_code == 302 and response.url.startswith(LOGIN_URL)

    # Logging in again explains why it fails.
    response = client.post(LOGIN_URL, {"login": camille.username, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("accounts:account_inactive")
    page = client.get(response.url).content.decode()
    assert "Votre compte a été résilié" in page
    assert "_auth_user_id" not in client.session


def test_a12_wrong_password_tries_are_throttled(client, camille):
    client.force_login(camille)
    for _ in range(5):
        client.post(CLOSE_URL, {"password": "Faux-2026"})
    response = client.post(CLOSE_URL, {"password": DEMO_PASSWORD})
    assert response.status_code == 429
    assert non_field_errors(response)
    camille.refresh_from_db()
    assert camille.is_active


def test_a12_closed_page_only_after_closing(client, db):
    assert client.get(CLOSED_URL).url == LOGIN_URL


def test_a12_then_a2_reopens_the_same_account(client, camille):
    client.force_login(camille)
    client.post(CLOSE_URL, {"password": DEMO_PASSWORD})
    person = camille.person
    response = client.post(
        IMMEDIATE_URL,
        immediate_data(
            nir=person.nir,
            birth_date=birth(person),
            vitale_serial=person.vitale_cards.get().serial_number,
            iban_end=person.bank_accounts.get(is_current=True).iban[-4:],
        ),
    )
    assert response.url == CREDENTIALS_URL
    response = client.post(CREDENTIALS_URL, credentials_data(email=camille.email))
    assert response.url == reverse("portal:home")
    assert User.objects.filter(person=person).count() == 1
    reopened = User.objects.get(person=person)
    assert reopened.pk == camille.pk
    assert reopened.state == AccountState.ACTIVE
    assert reopened.closed_at is None and reopened.paperless_since is not None
    assert reopened.check_password(STRONG_PASSWORD)


def test_a12_then_a1_reopens_the_same_account_after_the_link(client, camille):
    client.force_login(camille)
    client.post(CLOSE_URL, {"password": DEMO_PASSWORD})
    person = camille.person
    response = client.post(
        IDENTITY_URL,
        {
            "last_name": person.last_name,
            "nir": person.nir,
            "birth_date": birth(person),
            "postal_code": person.postal_code,
        },
    )
    assert A1_RUN in client.session, non_field_errors(response)
    client.post(reverse("accounts:create_terms"), {"accept": "on"})
    client.post(
        reverse("accounts:create_password"),
        {"password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD},
    )
    client.post(CONTACT_URL, contact_data(email=camille.email))
    camille.refresh_from_db()
    assert camille.state == AccountState.PENDING and camille.closed_at is None


def test_inactive_page_only_after_a_login_attempt(client, db):
    response = client.get(reverse("accounts:account_inactive"))
    assert response.status_code == 302 and response.url == LOGIN_URL
