"""« Code provisoire »: FEATURES A3 (creation or recovery with the code), A9 (sent by SMS) and
H4 (issued by an agent in the admin, scoped to the caisse, logged)."""

import datetime
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.enums import (
    AccountState,
    CodeChannel,
    CodeDelivery,
    CodePurpose,
    CodeStatus,
    CreationRoute,
)
from accounts.factories import AgentFactory
from accounts.models import TemporaryCode, User
from accounts.recovery import codes
from accounts.recovery.views import CODE_REFUSED, KIOSK_CODE_CANNOT_CREATE, TOO_MANY_REQUESTS
from accounts.roles import ensure_agent_groups
from assures.enums import AccessAction
from assures.factories import CaisseFactory, PersonFactory
from assures.models import AccessLog
from messagerie.enums import Channel
from messagerie.models import OutboundMessage

from .helpers import (
    CODE_PASSWORD_URL,
    CODE_URL,
    CREDENTIALS_URL,
    LOGIN_URL,
    SOPHIE,
    STRONG_PASSWORD,
    birth,
    credentials_data,
    emails,
    non_field_errors,
)

T0 = datetime.datetime(2026, 5, 4, 8, 30, tzinfo=datetime.UTC)


@pytest.fixture
def desk_agent(sophie):
    """An « Accueil » agent of Sophie's caisse (Loire-Atlantique has no demo agent)."""
    groups = ensure_agent_groups()
    return AgentFactory(caisse=sophie.caisse, groups=[groups["Accueil"]])


def issue(person, agent, **kwargs):
    kwargs.setdefault("channel", CodeChannel.DESK)
    kwargs.setdefault("delivery", CodeDelivery.DISPLAY)
    return codes.issue_code(person, issued_by=agent, **kwargs)


def code_form(person, code):
    return {"nir": person.nir, "birth_date": birth(person), "code": code}


def other_code(code):
    return f"{(int(code) + 1) % 10_000:04d}"


# --- rules (units) -----------------------------------------------------------------------------
def test_a3_code_is_4_random_digits():
    drawn = {codes.generate_code() for _ in range(300)}
    assert all(re.fullmatch(r"\d{4}", c) for c in drawn)
    assert len(drawn) > 200, "codes must be random"
    assert any(c.startswith("0") for c in drawn) or len(drawn) < 300


def test_a3_only_a_keyed_hash_is_stored(sophie, desk_agent):
    row, code = issue(sophie, desk_agent)
    row.refresh_from_db()
    assert code not in row.code_hash
    assert len(row.code_hash) == 64
    assert row.matches(code) and not row.matches(other_code(code))
    again = TemporaryCode.hash_code(row.public_id, code)
    other_row = TemporaryCode.hash_code("another-id", code)
    assert again == row.code_hash != other_row, "the hash depends on the row (salt)"


def test_a3_valid_48_hours_exactly(sophie, desk_agent):
    with time_machine.travel(T0, tick=False):
        row, code = issue(sophie, desk_agent)
    assert row.expires_at - row.issued_at == datetime.timedelta(hours=48)
    with time_machine.travel(T0 + datetime.timedelta(hours=47, minutes=59), tick=False):
        assert codes.check_code(sophie, code) == row
    with time_machine.travel(T0 + datetime.timedelta(hours=48), tick=False):
        assert codes.check_code(sophie, code) is None
        row.refresh_from_db()
        assert row.status == CodeStatus.EXPIRED


def test_a3_single_use(sophie, desk_agent):
    row, code = issue(sophie, desk_agent)
    assert codes.consume_code(row, CodePurpose.CREATION)
    assert not codes.consume_code(row, CodePurpose.CREATION)
    assert codes.check_code(sophie, code) is None
    row.refresh_from_db()
    assert row.status == CodeStatus.USED and row.used_for == CodePurpose.CREATION


def test_a3_burnt_after_5_wrong_tries(sophie, desk_agent):
    row, code = issue(sophie, desk_agent)
    for attempt in range(1, TemporaryCode.MAX_ATTEMPTS + 1):
        assert codes.check_code(sophie, other_code(code)) is None
        row.refresh_from_db()
        assert row.attempts == attempt
    assert codes.check_code(sophie, code) is None
    assert row.status == CodeStatus.BLOCKED


def test_a3_a_new_code_replaces_the_previous_one(sophie, desk_agent):
    first, first_code = issue(sophie, desk_agent)
    second, second_code = issue(sophie, desk_agent)
    first.refresh_from_db()
    assert first.status == CodeStatus.REVOKED
    if first_code != second_code:
        assert codes.check_code(sophie, first_code) is None
    assert codes.check_code(sophie, second_code) == second


@pytest.mark.parametrize(
    ("channel", "delivery", "agent", "phone", "message"),
    [
        ("borne", "affiche", False, "", "Une borne multiservices envoie le code par SMS"),
        ("borne", "sms", True, "+33612345678", "Une borne multiservices envoie le code par SMS"),
        ("guichet", "affiche", False, "", "délivré par un agent"),
        ("telephone", "affiche", True, "", "envoyé par SMS : il ne peut pas être dicté"),
        ("guichet", "sms", True, "", "numéro de téléphone portable"),
    ],
)
def test_a3_issuance_rules(sophie, desk_agent, channel, delivery, agent, phone, message):
    with pytest.raises(ValidationError) as error:
        codes.issue_code(
            sophie,
            channel=channel,
            delivery=delivery,
            issued_by=desk_agent if agent else None,
            phone=phone,
        )
    assert message in error.value.messages[0]
    assert not TemporaryCode.objects.exists()


def test_a9_code_sent_by_sms_through_the_outbox(sophie, desk_agent):
    with time_machine.travel(T0, tick=False):
        row, code = issue(
            sophie, desk_agent, channel=CodeChannel.PHONE, delivery="sms", phone="06 12 34 56 78"
        )
    (sms,) = OutboundMessage.objects.filter(channel=Channel.SMS)
    assert sms.to == "+33612345678"
    assert f"votre code provisoire est {code}" in sms.body_text
    # 48 h after 10:30 in Paris (08:30 UTC, summer time) is Wednesday 6 May at 10:30.
    assert "jusqu'au mercredi 6 mai 2026 à 10:30" in sms.body_text
    assert sms.template == codes.SMS_TEMPLATE
    assert row.phone.as_e164 == "+33612345678"
    # F4: once sent, only the masked copy stays in the outbox.
    assert sms.has_secret and code not in sms.redacted_text
    assert "votre code provisoire est ••••" in sms.redacted_text


def test_h4_issuance_by_an_agent_is_audited(sophie, desk_agent):
    row, _ = issue(sophie, desk_agent)
    log = AccessLog.objects.get()
    assert (log.agent, log.person, log.action) == (desk_agent, sophie, AccessAction.ADD)
    assert log.object_type == "code provisoire" and log.object_id == str(row.pk)
    assert "Accueil physique (guichet)" in log.detail
    assert row.issued_by == desk_agent and row.channel == CodeChannel.DESK


def test_a3_kiosk_code_needs_no_agent_and_is_not_audited(sophie):
    row, _ = codes.issue_code(sophie, channel="borne", delivery="sms", phone="0612345678")
    assert row.issued_by is None
    assert not AccessLog.objects.exists()


# --- A3 through the views ----------------------------------------------------------------------
def test_a3_creation_with_a_desk_code_opens_the_account(client, sophie, desk_agent):
    row, code = issue(sophie, desk_agent)
    response = client.post(CODE_URL, code_form(sophie, code))
    assert response.status_code == 302 and response.url == CREDENTIALS_URL
    row.refresh_from_db()
    assert row.status == CodeStatus.USED and row.used_for == CodePurpose.CREATION
    assert "code provisoire" in client.get(CREDENTIALS_URL).content.decode()
    response = client.post(CREDENTIALS_URL, credentials_data())
    assert response.status_code == 302 and response.url == reverse("portal:home")
    user = User.objects.get(person=sophie)
    assert user.state == AccountState.ACTIVE and user.created_via == CreationRoute.TEMPORARY_CODE
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a3_recovery_with_a_code_sets_a_new_password(client, camille):
    agent = AgentFactory(caisse=camille.person.caisse)
    row, code = issue(camille.person, agent)
    response = client.post(CODE_URL, code_form(camille.person, code))
    assert response.status_code == 302 and response.url == CODE_PASSWORD_URL
    response = client.post(
        CODE_PASSWORD_URL, {"password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD}
    )
    assert response.status_code == 302 and response.url == reverse("accounts:password_changed")
    page = client.get(response.url).content.decode()
    assert "Votre mot de passe a été modifié" in page
    camille.refresh_from_db()
    assert camille.check_password(STRONG_PASSWORD)
    row.refresh_from_db()
    assert row.used_for == CodePurpose.RECOVERY
    (notice,) = emails(to=camille.email, template="account_password_changed")
    assert "Le mot de passe de votre compte ameli a été modifié le" in notice.body_text
    # The same code again: refused, single use.
    client.logout()
    response = client.post(CODE_URL, code_form(camille.person, code))
    assert non_field_errors(response) == [CODE_REFUSED]
    # Submitting the new password again changes nothing more.
    again = client.post(CODE_PASSWORD_URL, {"password1": "Autre-Mot-2026", "password2": "x"})
    assert again.status_code == 302
    camille.refresh_from_db()
    assert camille.check_password(STRONG_PASSWORD)


def test_a3_recovery_password_rules_apply(client, camille):
    agent = AgentFactory(caisse=camille.person.caisse)
    _, code = issue(camille.person, agent)
    client.post(CODE_URL, code_form(camille.person, code))
    nir_based = f"Aa{camille.person.nir}"
    response = client.post(CODE_PASSWORD_URL, {"password1": nir_based, "password2": nir_based})
    assert response.status_code == 200
    assert "numéro de sécurité sociale" in response.context["form"].errors["password1"][0]


def test_a3_kiosk_code_cannot_create_an_account(client, sophie):
    row, code = codes.issue_code(sophie, channel="borne", delivery="sms", phone="0612345678")
    response = client.post(CODE_URL, code_form(sophie, code))
    assert response.status_code == 200
    assert non_field_errors(response) == [KIOSK_CODE_CANNOT_CREATE]
    row.refresh_from_db()
    assert row.status == CodeStatus.VALID, "a refused borne code is not used up"
    assert not User.objects.filter(person=sophie).exists()


def test_a3_kiosk_code_still_recovers_a_password(client, camille):
    _, code = codes.issue_code(camille.person, channel="borne", delivery="sms", phone="0612345678")
    response = client.post(CODE_URL, code_form(camille.person, code))
    assert response.status_code == 302 and response.url == CODE_PASSWORD_URL


def test_a3_expired_code_refused(client, sophie, desk_agent):
    with time_machine.travel(T0, tick=False):
        _, code = issue(sophie, desk_agent)
    with time_machine.travel(T0 + datetime.timedelta(hours=49), tick=False):
        response = client.post(CODE_URL, code_form(sophie, code))
    assert non_field_errors(response) == [CODE_REFUSED]


@pytest.mark.parametrize("wrong", ["birth_date", "nir", "code"])
def test_a3_wrong_data_same_answer(client, sophie, desk_agent, wrong):
    _, code = issue(sophie, desk_agent)
    data = code_form(sophie, code)
    data[wrong] = {"birth_date": "09/07/1995", "nir": "2950744109035", "code": other_code(code)}[
        wrong
    ]
    response = client.post(CODE_URL, data)
    assert non_field_errors(response) == [CODE_REFUSED]


def test_a3_five_wrong_tries_burn_the_code(client, sophie, desk_agent, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "temporary_code": "20/h/key"}
    _, code = issue(sophie, desk_agent)
    for _ in range(TemporaryCode.MAX_ATTEMPTS):
        client.post(CODE_URL, code_form(sophie, other_code(code)))
    response = client.post(CODE_URL, code_form(sophie, code))
    assert non_field_errors(response) == [CODE_REFUSED]


def test_a3_throttled_per_nir(client, sophie, desk_agent, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "temporary_code": "3/h/key"}
    _, code = issue(sophie, desk_agent)
    for _ in range(3):
        client.post(CODE_URL, code_form(sophie, "0000" if code != "0000" else "1111"))
    response = client.post(CODE_URL, code_form(sophie, code))
    assert response.status_code == 429
    assert non_field_errors(response) == [TOO_MANY_REQUESTS]


def test_a3_code_format(client, sophie):
    response = client.post(CODE_URL, code_form(sophie, "12a4"))
    assert response.context["form"].errors["code"] == ["Le code provisoire comporte 4 chiffres."]


def test_a3_password_step_needs_an_accepted_code(client, db):
    response = client.get(CODE_PASSWORD_URL)
    assert response.status_code == 302 and response.url == CODE_URL


def test_a3_password_step_expires_after_30_minutes(client, camille):
    agent = AgentFactory(caisse=camille.person.caisse)
    with time_machine.travel(T0, tick=False):
        _, code = issue(camille.person, agent)
        client.post(CODE_URL, code_form(camille.person, code))
    with time_machine.travel(T0 + datetime.timedelta(minutes=31), tick=False):
        response = client.get(CODE_PASSWORD_URL)
    assert response.status_code == 302 and response.url == CODE_URL


# --- H4 in the admin -----------------------------------------------------------------------------
def add_url(**params):
    url = reverse("admin:accounts_temporarycode_add")
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def test_h4_desk_agent_issues_a_code_shown_once(client, sophie, desk_agent):
    client.force_login(desk_agent)
    page = client.get(add_url(person=sophie.pk))
    assert page.status_code == 200
    assert page.context["adminform"].form.initial["person"] == sophie.pk
    response = client.post(
        add_url(), {"person": sophie.pk, "channel": "guichet", "delivery": "affiche", "phone": ""}
    )
    assert response.status_code == 200
    assert (
        "no-store" in response.headers["Cache-Control"]
        or "no-cache" in response.headers["Cache-Control"]
    )
    html = response.content.decode()
    shown = re.search(r'class="temporary-code"[^>]*>(\d{4})<', html).group(1)
    row = TemporaryCode.objects.get()
    assert row.matches(shown)
    assert (row.person, row.issued_by, row.channel, row.delivery) == (
        sophie,
        desk_agent,
        CodeChannel.DESK,
        CodeDelivery.DISPLAY,
    )
    assert AccessLog.objects.filter(
        agent=desk_agent, person=sophie, action=AccessAction.ADD, object_id=str(row.pk)
    ).exists()
    # The code never appears again: not in the list, not on the code's own page.
    listing = client.get(reverse("admin:accounts_temporarycode_changelist")).content.decode()
    detail = client.get(reverse("admin:accounts_temporarycode_change", args=[row.pk]))
    assert detail.status_code == 200
    assert not re.search(rf">\s*{shown}\s*<", listing + detail.content.decode())


def test_h4_code_by_sms_is_not_shown(client, sophie, desk_agent):
    client.force_login(desk_agent)
    response = client.post(
        add_url(),
        {"person": sophie.pk, "channel": "telephone", "delivery": "sms", "phone": "07 81 23 45 67"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "temporary-code" not in html
    assert "envoyé par SMS au 07 81 23 45 67" in html
    (sms,) = OutboundMessage.objects.filter(channel=Channel.SMS)
    code = re.search(r"code provisoire est (\d{4})", sms.body_text).group(1)
    assert TemporaryCode.objects.get().matches(code)


def test_h4_phone_channel_needs_sms_and_a_mobile(client, sophie, desk_agent):
    client.force_login(desk_agent)
    response = client.post(
        add_url(), {"person": sophie.pk, "channel": "telephone", "delivery": "affiche"}
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "ne peut pas être dicté" in errors["delivery"][0]
    response = client.post(
        add_url(), {"person": sophie.pk, "channel": "guichet", "delivery": "sms", "phone": ""}
    )
    assert "numéro de téléphone portable" in response.context["adminform"].form.errors["phone"][0]
    assert not TemporaryCode.objects.exists()


def test_h4_agent_cannot_issue_for_another_caisse(client, sophie, desk_agent):
    elsewhere = PersonFactory(caisse=CaisseFactory(code="331"))
    client.force_login(desk_agent)
    page = client.get(add_url(person=elsewhere.pk))
    assert "person" not in page.context["adminform"].form.initial
    response = client.post(
        add_url(), {"person": elsewhere.pk, "channel": "guichet", "delivery": "affiche"}
    )
    assert response.status_code == 200
    assert "person" in response.context["adminform"].form.errors
    assert not TemporaryCode.objects.exists()
    assert not AccessLog.objects.filter(person=elsewhere).exists()


def test_h4_codes_list_scoped_to_the_caisse(client, sophie, desk_agent):
    issue(sophie, desk_agent)
    other_agent = AgentFactory(caisse=CaisseFactory(code="331"))
    other_agent.groups.add(*ensure_agent_groups().values())
    client.force_login(other_agent)
    response = client.get(reverse("admin:accounts_temporarycode_changelist"))
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []
    row = TemporaryCode.objects.get()
    assert client.get(
        reverse("admin:accounts_temporarycode_change", args=[row.pk])
    ).status_code in (
        302,
        404,
    )


def test_h4_agents_without_the_accueil_role_cannot_issue(client, sophie):
    groups = ensure_agent_groups()
    agent = AgentFactory(caisse=sophie.caisse, groups=[groups["Messagerie"]])
    client.force_login(agent)
    assert client.get(add_url()).status_code == 403


def test_h4_person_page_offers_the_button(client, sophie, desk_agent):
    client.force_login(desk_agent)
    page = client.get(reverse("admin:assures_person_change", args=[sophie.pk])).content.decode()
    assert "Délivrer un code provisoire" in page
    assert add_url(person=sophie.pk) in page


def test_h4_issued_code_then_used_by_the_person(client, sophie, desk_agent):
    """End to end without a browser: the agent's screen gives the code, the person uses it."""
    agent_client = client.__class__()
    agent_client.force_login(desk_agent)
    html = agent_client.post(
        add_url(), {"person": sophie.pk, "channel": "guichet", "delivery": "affiche"}
    ).content.decode()
    shown = re.search(r'class="temporary-code"[^>]*>(\d{4})<', html).group(1)
    response = client.post(
        CODE_URL, {"nir": SOPHIE["nir"], "birth_date": SOPHIE["birth_date"], "code": shown}
    )
    assert response.url == CREDENTIALS_URL
    assert client.post(CREDENTIALS_URL, credentials_data()).url == reverse("portal:home")
    assert client.get(LOGIN_URL).status_code == 302  # logged in now
