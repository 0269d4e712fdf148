"""« Créer mon compte »: FEATURES A1 (identity + e-mail link valid 7 days) and A2 (immediate,
carte Vitale + IBAN). Rules as units, then every step and error path through the views."""

import datetime

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.urls import reverse
from django.utils import timezone

from accounts.creation import services
from accounts.creation.forms import ContactForm, IdentityForm
from accounts.creation.views import A1_RUN
from accounts.enums import AccountState, CreationRoute
from accounts.factories import DEMO_PASSWORD
from accounts.models import LoginEvent, User
from assures.enums import VitaleStatus
from assures.factories import PersonFactory

from .helpers import (
    CONTACT_URL,
    CREDENTIALS_URL,
    IDENTITY_URL,
    IMMEDIATE_URL,
    LOGIN_URL,
    PASSWORD_URL,
    SENT_URL,
    SOPHIE,
    STRONG_PASSWORD,
    TERMS_URL,
    birth,
    contact_data,
    credentials_data,
    emails,
    identity_data,
    immediate_data,
    link_in,
    non_field_errors,
    path_of,
    run_a1_until_contact,
    spaced,
)

ACTIVATION_RE = r"https?://\S+/compte/creer/activation/\S+/"


def sophie_account():
    return User.objects.filter(username=SOPHIE["nir"]).first()


# --- rules (units) -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("leroy", "LEROY"),
        ("  Leroy ", "LEROY"),
        ("Lé Roy-Dupré", "LE ROY DUPRE"),
        ("d'Estaing", "D ESTAING"),
        ("Œuvrard", "OEUVRARD"),
        ("MÜLLER", "Muller"),
    ],
)
def test_a1_name_comparison_ignores_case_accents_and_separators(typed, stored):
    assert services.normalize_name(typed) == services.normalize_name(stored)


def test_a1_different_names_do_not_match():
    assert services.normalize_name("Leroy") != services.normalize_name("Leray")


def test_a1_identity_matches_all_four_parts(sophie):
    birth = datetime.date(1995, 7, 8)
    match = services.match_identity
    assert match(last_name="leroy", nir=sophie.nir, birth_date=birth, postal_code="44000") == sophie
    assert match(last_name="Martin", nir=sophie.nir, birth_date=birth, postal_code="44000") is None
    assert match(last_name="Leroy", nir=sophie.nir, birth_date=birth, postal_code="44100") is None
    other_day = birth + datetime.timedelta(days=1)
    assert (
        match(last_name="Leroy", nir=sophie.nir, birth_date=other_day, postal_code="44000") is None
    )
    assert (
        match(last_name="Leroy", nir="2950744109035", birth_date=birth, postal_code="44000") is None
    )


def test_a1_usage_name_is_accepted_too(sophie):
    sophie.usage_name = "Bérénger"
    sophie.save()
    found = services.match_identity(
        last_name="berenger", nir=sophie.nir, birth_date=sophie.birth_date, postal_code="44000"
    )
    assert found == sophie


@pytest.mark.parametrize(
    "typed",
    [SOPHIE["nir"], spaced(SOPHIE["nir"]), spaced(SOPHIE["nir"], SOPHIE["key"]), "295074410903480"],
)
def test_a1_identity_form_takes_13_or_15_characters_with_spaces(typed):
    form = IdentityForm(identity_data(nir=typed, postal_code="44 000"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["nir"] == SOPHIE["nir"]
    assert form.cleaned_data["postal_code"] == "44000"


def test_a1_identity_form_checks_the_key_and_formats():
    wrong_key = f"{SOPHIE['nir']}{(int(SOPHIE['key']) % 97) + 1:02d}"
    form = IdentityForm(identity_data(nir=wrong_key, birth_date="1995-13-45", postal_code="440"))
    assert not form.is_valid()
    assert form.errors["nir"] == ["La clé du numéro de sécurité sociale ne correspond pas."]
    assert form.errors["birth_date"] == ["Saisissez une date de naissance au format jj/mm/aaaa."]
    assert form.errors["postal_code"] == ["Le code postal comporte 5 chiffres."]


def test_a2_vitale_and_iban_must_all_match(sophie):
    birth = sophie.birth_date
    match = services.match_vitale_and_iban
    ok = {"nir": sophie.nir, "birth_date": birth, "vitale_serial": "90071234567"}
    assert match(**ok, iban_end="4321") == sophie
    assert match(**ok, iban_end="4320") is None
    assert match(**{**ok, "vitale_serial": "90071234568"}, iban_end="4321") is None
    assert match(**{**ok, "birth_date": birth.replace(day=9)}, iban_end="4321") is None


def test_a2_an_invalidated_card_proves_nothing(sophie):
    sophie.vitale_cards.update(status=VitaleStatus.INVALIDATED)
    assert (
        services.match_vitale_and_iban(
            nir=sophie.nir,
            birth_date=sophie.birth_date,
            vitale_serial=SOPHIE["vitale"],
            iban_end=SOPHIE["iban_end"],
        )
        is None
    )


def test_a2_only_the_current_iban_counts(sophie):
    current = sophie.bank_accounts.get(is_current=True)
    current.is_current = False
    current.save()
    assert (
        services.match_vitale_and_iban(
            nir=sophie.nir,
            birth_date=sophie.birth_date,
            vitale_serial=SOPHIE["vitale"],
            iban_end=SOPHIE["iban_end"],
        )
        is None
    )


def test_a1_one_email_one_account_case_insensitive(camille, sophie):
    assert services.email_taken("Camille.Martin@EXAMPLE.org", sophie)
    assert not services.email_taken("sophie.leroy@example.org", sophie)
    # the person's own address is not « another account »
    assert not services.email_taken(camille.email.upper(), camille.person)


def _pending(person, email="sophie.leroy@example.org", started=None):
    return services.create_pending_account(
        person,
        password_hash=make_password(STRONG_PASSWORD),
        contact=services.ContactData(email=email),
        terms_accepted_at=timezone.now(),
        run_started_at=started or timezone.now(),
    )


def test_a1_unconfirmed_address_is_released_after_7_days(camille, sophie):
    with time_machine.travel(datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC), tick=False):
        pending, _ = _pending(sophie, email="partage@example.org")
    thomas = camille.person
    with time_machine.travel(datetime.datetime(2026, 3, 7, 9, tzinfo=datetime.UTC), tick=False):
        assert services.email_taken("partage@example.org", thomas)
    with time_machine.travel(datetime.datetime(2026, 3, 8, 10, tzinfo=datetime.UTC), tick=False):
        assert not services.email_taken("partage@example.org", thomas)
        user, created = services.open_account_now(
            PersonFactory(),
            password=STRONG_PASSWORD,
            email="partage@example.org",
            terms_accepted_at=timezone.now(),
            route=CreationRoute.IMMEDIATE,
            run_started_at=timezone.now(),
        )
    assert created and user.email == "partage@example.org"
    pending.refresh_from_db()
    assert pending.email == ""
    assert not EmailAddress.objects.filter(user=pending).exists()


def test_a1_activation_link_valid_7_days_then_expired(sophie):
    start = datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        user, sent = _pending(sophie)
        token = services.activation_token(user)
    assert sent
    with time_machine.travel(start + datetime.timedelta(days=7, minutes=-1), tick=False):
        assert services.read_activation_token(token) == user
    with time_machine.travel(start + datetime.timedelta(days=7, minutes=1), tick=False):
        with pytest.raises(services.ActivationLinkError) as error:
            services.read_activation_token(token)
        assert error.value.kind == "expired"
        with pytest.raises(services.ActivationLinkError):
            services.activate_account(token)
    user.refresh_from_db()
    assert user.state == AccountState.PENDING


def test_a1_activation_link_single_use_and_replaced_by_a_newer_request(sophie):
    user, _ = _pending(sophie)
    first = services.activation_token(user)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=5), tick=False):
        user, sent = _pending(sophie)  # a new run: new request, new link
    assert sent
    second = services.activation_token(user)
    with pytest.raises(services.ActivationLinkError) as error:
        services.read_activation_token(first)
    assert error.value.kind == "invalid"
    services.activate_account(second)
    user.refresh_from_db()
    assert user.is_active and user.activation_pending_since is None
    assert EmailAddress.objects.get(user=user).verified
    with pytest.raises(services.ActivationLinkError) as error:
        services.activate_account(second)
    assert error.value.kind == "used"


def test_a1_tampered_link_is_invalid(sophie):
    user, _ = _pending(sophie)
    token = services.activation_token(user)
    with pytest.raises(services.ActivationLinkError) as error:
        services.read_activation_token(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    assert error.value.kind == "invalid"


def test_a1_same_run_submitted_twice_makes_one_request(sophie):
    started = timezone.now()
    first, sent_first = _pending(sophie, started=started)
    second, sent_second = _pending(sophie, started=started)
    assert first.pk == second.pk
    assert (sent_first, sent_second) == (True, False)
    assert len(emails(template="account_activation")) == 1


# --- A1 through the views ----------------------------------------------------------------------
def test_a1_full_journey_then_login(client, sophie):
    assert client.get(IDENTITY_URL).status_code == 200
    run_a1_until_contact(client)
    session_dump = str(dict(client.session))
    assert STRONG_PASSWORD not in session_dump, "the password must never be kept in clear"
    assert client.session[A1_RUN]["password_hash"]
    response = client.post(CONTACT_URL, contact_data(contact_by_sms="on"))
    assert response.status_code == 302 and response.url == SENT_URL
    user = sophie_account()
    assert user.state == AccountState.PENDING
    assert user.check_password(STRONG_PASSWORD)
    assert user.paperless_since is not None
    assert user.email == "sophie.leroy@example.org"
    assert user.mobile_phone.as_e164 == "+33612345678"
    assert (user.contact_by_email, user.contact_by_sms, user.contact_by_phone) == (
        True,
        True,
        False,
    )
    assert user.created_via == CreationRoute.EMAIL
    page = client.get(SENT_URL).content.decode()
    assert "s•••" in page and "7 jours" in page
    assert A1_RUN not in client.session

    # Not confirmed yet: the right password gets a clear message, no session.
    response = client.post(LOGIN_URL, {"login": SOPHIE["nir"], "password": STRONG_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("accounts:account_inactive")
    page = client.get(response.url).content.decode()
    assert "Votre compte n&#x27;est pas encore validé" in page or "pas encore validé" in page
    assert "_auth_user_id" not in client.session
    assert not LoginEvent.objects.filter(user=user).exists()

    (message,) = emails(to=user.email, template="account_activation")
    link = path_of(link_in(message, ACTIVATION_RE))
    # F4: the copy kept once sent has no activation link.
    assert message.has_secret and link not in message.redacted_text + message.redacted_html
    page = client.get(link)
    assert page.status_code == 200
    assert "Valider la création de mon compte" in page.content.decode()
    user.refresh_from_db()
    assert not user.is_active, "GET must not open the account (mail scanners follow links)"
    response = client.post(link)
    assert response.status_code == 302 and response.url == LOGIN_URL
    user.refresh_from_db()
    assert user.state == AccountState.ACTIVE
    assert emails(to=user.email, template="account_opened")

    response = client.post(LOGIN_URL, {"login": SOPHIE["nir"], "password": STRONG_PASSWORD})
    # Logged in (a new browser may still be asked the A6 e-mail code first).
    assert response.status_code == 302
    assert response.url in (reverse("portal:home"), reverse("security:email_check"))
    reused = client.get(link)
    assert "Votre compte est déjà validé" in reused.content.decode()


@pytest.mark.parametrize(
    "wrong",
    [
        {"last_name": "MARTIN"},
        {"postal_code": "75019"},
        {"birth_date": "09/07/1995"},
        {"nir": "2950744109035"},
    ],
    ids=["nom", "code postal", "date de naissance", "NIR"],
)
def test_a1_wrong_identity_one_generic_error(client, sophie, wrong):
    response = client.post(IDENTITY_URL, identity_data(**wrong))
    assert response.status_code == 200
    assert non_field_errors(response) == [services.IDENTITY_MISMATCH]
    assert not response.context["form"].has_error("last_name")
    assert not response.context["form"].has_error("postal_code")
    assert A1_RUN not in client.session


def test_a1_identity_throttled_per_nir(client, sophie):
    for _ in range(5):
        assert client.post(IDENTITY_URL, identity_data(last_name="X")).status_code == 200
    response = client.post(IDENTITY_URL, identity_data())  # even the right answer now
    assert response.status_code == 429
    assert non_field_errors(response) == [services.TOO_MANY_ATTEMPTS]
    assert A1_RUN not in client.session


def test_a1_identity_throttled_per_ip(client, sophie, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "account_creation": "2/h/ip"}
    client.post(IDENTITY_URL, identity_data(nir="1850175056001"))
    client.post(IDENTITY_URL, identity_data(nir="1850175056002"))
    response = client.post(IDENTITY_URL, identity_data())
    assert response.status_code == 429


def test_a1_person_with_an_active_account_is_sent_to_login(client, camille):
    person = camille.person
    response = client.post(
        IDENTITY_URL,
        identity_data(
            last_name="Martin",
            nir=person.nir,
            birth_date=birth(person),
            postal_code=person.postal_code,
        ),
    )
    assert non_field_errors(response) == [services.ALREADY_ACTIVE]


@pytest.mark.parametrize("url", [TERMS_URL, PASSWORD_URL, CONTACT_URL])
def test_a1_later_steps_need_the_identity_step(client, sophie, url):
    response = client.get(url)
    assert response.status_code == 302 and response.url == IDENTITY_URL


def test_a1_steps_cannot_be_skipped(client, sophie):
    client.post(IDENTITY_URL, identity_data())
    response = client.get(CONTACT_URL)
    assert response.status_code == 302 and response.url == TERMS_URL
    client.post(TERMS_URL, {"accept": "on"})
    assert client.get(CONTACT_URL).url == PASSWORD_URL


def test_a1_terms_must_be_accepted(client, sophie):
    client.post(IDENTITY_URL, identity_data())
    response = client.post(TERMS_URL, {})
    assert response.context["form"].errors["accept"] == [
        "Pour créer votre compte, vous devez accepter les conditions d'utilisation."
    ]
    assert "terms_at" not in client.session[A1_RUN]


def test_a1_run_expires_after_30_minutes(client, sophie):
    start = datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        client.post(IDENTITY_URL, identity_data())
    with time_machine.travel(start + datetime.timedelta(minutes=31), tick=False):
        response = client.get(TERMS_URL)
    assert response.status_code == 302 and response.url == IDENTITY_URL


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("court1A", "Ce mot de passe est trop court"),
        ("toutenminuscules1", "une majuscule, une minuscule"),
        ("Sophie08071995", "ni votre date de naissance"),
        ("Ab295074410903", "ni votre date de naissance"),
    ],
)
def test_a1_password_rules(client, sophie, password, message):
    client.post(IDENTITY_URL, identity_data())
    client.post(TERMS_URL, {"accept": "on"})
    response = client.post(PASSWORD_URL, {"password1": password, "password2": password})
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors["password1"])
    assert "password_hash" not in client.session[A1_RUN]


def test_a1_password_typed_twice(client, sophie):
    client.post(IDENTITY_URL, identity_data())
    client.post(TERMS_URL, {"accept": "on"})
    response = client.post(PASSWORD_URL, {"password1": STRONG_PASSWORD, "password2": "Autre-2026"})
    assert response.context["form"].errors["password2"] == [
        "Les deux mots de passe saisis ne sont pas identiques."
    ]


def test_a1_email_already_used_by_another_account(client, camille, sophie):
    run_a1_until_contact(client)
    response = client.post(CONTACT_URL, contact_data(email="CAMILLE.MARTIN@example.org"))
    assert response.status_code == 200
    (error,) = response.context["form"].errors["email"]
    assert "1 e-mail = 1 compte" in error
    assert sophie_account() is None


def test_a1_contact_preferences_need_the_numbers(sophie):
    form = ContactForm(
        contact_data(mobile_phone="", contact_by_sms="on", contact_by_phone="on"), person=sophie
    )
    assert not form.is_valid()
    assert form.errors["mobile_phone"] == [
        "Pour recevoir des SMS, indiquez votre numéro de téléphone portable."
    ]
    assert form.errors["landline_phone"] == [
        "Pour être appelé(e), indiquez au moins un numéro de téléphone."
    ]


def test_a1_mobile_must_be_a_mobile_number(sophie):
    form = ContactForm(contact_data(mobile_phone="01 40 00 00 00"), person=sophie)
    assert not form.is_valid()
    assert "portable" in form.errors["mobile_phone"][0]
    form = ContactForm(contact_data(landline_phone="pas un numéro"), person=sophie)
    assert not form.is_valid() and "numéro de téléphone valide" in form.errors["landline_phone"][0]


def test_a1_last_step_submitted_twice_creates_one_account(client, sophie):
    run_a1_until_contact(client)
    first = client.post(CONTACT_URL, contact_data())
    second = client.post(CONTACT_URL, contact_data())
    assert first.url == SENT_URL
    assert second.status_code == 302 and second.url == SENT_URL
    assert User.objects.filter(person=sophie).count() == 1
    assert len(emails(template="account_activation")) == 1


def test_a1_expired_link_page(client, sophie):
    start = datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        run_a1_until_contact(client)
        client.post(CONTACT_URL, contact_data())
    (message,) = emails(template="account_activation")
    link = path_of(link_in(message, ACTIVATION_RE))
    with time_machine.travel(start + datetime.timedelta(days=8), tick=False):
        for response in (client.get(link), client.post(link)):
            assert response.status_code == 410
            assert "Ce lien a expiré" in response.content.decode()
    assert sophie_account().state == AccountState.PENDING


def test_a1_unknown_link_page(client, db):
    response = client.get(reverse("accounts:create_activate", args=["pas-un-lien"]))
    assert response.status_code == 404
    assert "Ce lien n'est pas valable" in response.content.decode()


def test_a1_pending_person_can_start_again(client, sophie):
    run_a1_until_contact(client)
    client.post(CONTACT_URL, contact_data(email="ancienne@example.org"))
    first_pk = sophie_account().pk
    client.post(IDENTITY_URL, identity_data())  # a new run (e.g. the e-mail was wrong)
    client.post(TERMS_URL, {"accept": "on"})
    client.post(PASSWORD_URL, {"password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD})
    client.post(CONTACT_URL, contact_data(email="nouvelle@example.org"))
    user = sophie_account()
    assert user.pk == first_pk
    assert user.email == "nouvelle@example.org"
    assert list(EmailAddress.objects.filter(user=user).values_list("email", flat=True)) == [
        "nouvelle@example.org"
    ]
    old, new = emails(template="account_activation")
    client.post(path_of(link_in(old, ACTIVATION_RE)))
    user.refresh_from_db()
    assert not user.is_active, "the first e-mail's link was replaced"
    client.post(path_of(link_in(new, ACTIVATION_RE)))
    user.refresh_from_db()
    assert user.is_active


def test_a1_pages_have_bounded_queries(client, sophie, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        assert client.get(reverse("accounts:create")).status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get(IDENTITY_URL).status_code == 200
    client.post(IDENTITY_URL, identity_data())
    with django_assert_max_num_queries(8):
        assert client.get(TERMS_URL).status_code == 200


def test_logged_in_people_are_not_offered_creation(client, camille):
    client.force_login(camille)
    for url in (reverse("accounts:create"), IDENTITY_URL, IMMEDIATE_URL):
        response = client.get(url)
        assert response.status_code == 302 and response.url == reverse("portal:home")


# --- A2 ------------------------------------------------------------------------------------------
def test_a2_creates_and_opens_the_account_at_once(client, sophie):
    response = client.post(IMMEDIATE_URL, immediate_data(nir=spaced(SOPHIE["nir"], SOPHIE["key"])))
    assert response.status_code == 302 and response.url == CREDENTIALS_URL
    page = client.get(CREDENTIALS_URL).content.decode()
    assert "Sophie" in page
    response = client.post(CREDENTIALS_URL, credentials_data())
    assert response.status_code == 302 and response.url == reverse("portal:home")
    user = sophie_account()
    assert client.session["_auth_user_id"] == str(user.pk)
    assert user.state == AccountState.ACTIVE
    assert user.created_via == CreationRoute.IMMEDIATE
    assert user.paperless_since is not None
    assert user.check_password(STRONG_PASSWORD)
    assert LoginEvent.objects.filter(user=user).count() == 1
    (notice,) = emails(to="sophie.leroy@example.org", template="account_opened")
    assert "a été ouvert le" in notice.body_text
    home = client.get(reverse("portal:home"))
    assert home.status_code == 200


@pytest.mark.parametrize(
    "wrong",
    [
        {"vitale_serial": "90071234568"},
        {"iban_end": "4320"},
        {"birth_date": "07/07/1995"},
        {"nir": "2950744109035"},
    ],
    ids=["carte Vitale", "IBAN", "date de naissance", "NIR"],
)
def test_a2_wrong_combination_one_generic_error(client, sophie, wrong):
    response = client.post(IMMEDIATE_URL, immediate_data(**wrong))
    assert response.status_code == 200
    assert non_field_errors(response) == [services.IDENTITY_MISMATCH]
    assert client.get(CREDENTIALS_URL).url == IMMEDIATE_URL


def test_a2_throttled_per_nir(client, sophie):
    for _ in range(5):
        client.post(IMMEDIATE_URL, immediate_data(iban_end="0000"))
    response = client.post(IMMEDIATE_URL, immediate_data())
    assert response.status_code == 429
    assert non_field_errors(response) == [services.TOO_MANY_ATTEMPTS]


def test_a2_field_formats(client, sophie):
    response = client.post(IMMEDIATE_URL, immediate_data(vitale_serial="12ab", iban_end="12"))
    errors = response.context["form"].errors
    assert errors["vitale_serial"] == [
        "Le numéro de série de la carte Vitale comporte 8 à 11 chiffres."
    ]
    assert errors["iban_end"] == ["Saisissez les 4 derniers caractères de votre IBAN."]


def test_a2_credentials_errors_keep_nothing(client, camille, sophie):
    client.post(IMMEDIATE_URL, immediate_data())
    response = client.post(
        CREDENTIALS_URL,
        credentials_data(accept="", email=camille.email, password2="Different-1"),
    )
    errors = response.context["form"].errors
    assert set(errors) == {"accept", "email", "password2"}
    assert sophie_account() is None


def test_a2_last_step_submitted_twice_creates_one_account(client, sophie):
    client.post(IMMEDIATE_URL, immediate_data())
    first = client.post(CREDENTIALS_URL, credentials_data())
    second = client.post(CREDENTIALS_URL, credentials_data())
    assert first.url == second.url == reverse("portal:home")
    assert User.objects.filter(person=sophie).count() == 1
    assert len(emails(template="account_opened")) == 1


def test_a2_same_run_twice_in_the_service_creates_once(sophie):
    started = timezone.now()
    kwargs = {
        "password": STRONG_PASSWORD,
        "email": "sophie.leroy@example.org",
        "terms_accepted_at": started,
        "route": CreationRoute.IMMEDIATE,
        "run_started_at": started,
    }
    first, created_first = services.open_account_now(sophie, **kwargs)
    second, created_second = services.open_account_now(sophie, **kwargs)
    assert first.pk == second.pk and (created_first, created_second) == (True, False)


def test_a2_credentials_need_the_identity_step(client, sophie):
    response = client.get(CREDENTIALS_URL)
    assert response.status_code == 302 and response.url == IMMEDIATE_URL


def vitale_and_iban_of(person):
    return immediate_data(
        nir=person.nir,
        birth_date=birth(person),
        vitale_serial=person.vitale_cards.get(status=VitaleStatus.ACTIVE).serial_number,
        iban_end=person.bank_accounts.get(is_current=True).iban[-4:],
    )


def test_a2_person_with_active_account_refused(client, camille):
    response = client.post(IMMEDIATE_URL, vitale_and_iban_of(camille.person))
    assert non_field_errors(response) == [services.ALREADY_ACTIVE]


def test_account_disabled_by_the_caisse_cannot_be_reopened_online(client, camille):
    camille.is_active = False
    camille.save()
    assert camille.state == AccountState.DISABLED
    person = camille.person
    response = client.post(IMMEDIATE_URL, vitale_and_iban_of(person))
    assert non_field_errors(response) == [services.DISABLED]
    response = client.post(LOGIN_URL, {"login": person.nir, "password": DEMO_PASSWORD})
    page = client.get(response.url).content.decode()
    assert "Votre compte est désactivé" in page
