"""FEATURES E5 « Modifier mes coordonnées bancaires »: holder without accents, IBAN checked,
4-digit code by e-mail (hashed, 10 minutes, 3 attempts) + Vitale serial, attestation,
recorded by an agent or automatically after 48 h, then a message."""

import datetime
import html

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.factories import DEMO_PASSWORD
from assures import identifiers
from assures.models import BankAccount
from demarches import services
from demarches.enums import Status
from demarches.models import Demarche, SecurityCode
from demarches.tasks import process_due
from demarches.types.coordonnees_bancaires import CODE_MAX_ATTEMPTS, clean_holder_name
from messagerie.models import Message, Notification, OutboundMessage

from .conftest import last_code, log_in_confirmed, post_step, start, summary_url

NEW_IBAN = identifiers.make_french_iban("30004", "00823", "00012345678")
SPACED_IBAN = " ".join(NEW_IBAN[i : i + 4] for i in range(0, len(NEW_IBAN), 4))
TYPE = "coordonnees-bancaires"


def account_step(client, family, **overrides):
    data = {
        "type_compte": "individuel",
        "civilite_1": "MME",
        "titulaire_1": "Martin Camille",
        "iban": SPACED_IBAN,
        **overrides,
    }
    demarche = start(client, TYPE, family.person)
    return demarche, post_step(client, demarche, "compte", data, expect_ok=False)


def through_code(client, family):
    demarche, response = account_step(client, family)
    assert response.status_code == 302
    post_step(
        client,
        demarche,
        "securite",
        {"code": last_code(family.user), "numero_serie": family.card.serial_number},
    )
    return demarche


@pytest.mark.parametrize(
    "value, ok",
    [
        ("MARTIN CAMILLE", True),
        ("martin camille", True),
        ("D'ALEMBERT JEAN-PIERRE", True),
        ("MARTIN HÉLÈNE", False),
        ("MÜLLER ANNA", False),
        ("MARTIN", False),
        ("MARTIN C4MILLE", False),
    ],
)
def test_e5_holder_name_without_accents(value, ok):
    if ok:
        assert clean_holder_name(value) == " ".join(value.upper().split())
    else:
        with pytest.raises(Exception, match=r"sans accent|lettres|prénom"):
            clean_holder_name(value)


def test_e5_accented_name_and_bad_iban_messages_next_to_fields(client, family):
    log_in_confirmed(client, family.user)
    demarche, response = account_step(
        client, family, titulaire_1="MARTIN HÉLÈNE", iban=SPACED_IBAN[:-1] + "0"
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "sans accent" in errors["titulaire_1"][0]
    assert "IBAN n'est pas valide" in errors["iban"][0]
    html = response.content.decode()
    assert 'id="id_iban_error"' in html and 'id="id_titulaire_1_error"' in html
    demarche.refresh_from_db()
    assert "compte" not in demarche.payload  # nothing half-saved
    assert not SecurityCode.objects.filter(demarche=demarche).exists()


def test_e5_same_iban_refused_and_joint_account_needs_second_holder(client, family):
    log_in_confirmed(client, family.user)
    demarche, response = account_step(client, family, iban=family.bank.iban)
    assert "déjà celui enregistré" in response.context["form"].errors["iban"][0]
    response = post_step(
        client,
        demarche,
        "compte",
        {
            "type_compte": "joint",
            "civilite_1": "MME",
            "titulaire_1": "MARTIN CAMILLE",
            "iban": NEW_IBAN,
        },
        expect_ok=False,
    )
    errors = response.context["form"].errors
    assert "second titulaire" in errors["titulaire_2"][0]
    assert "civilite_2" in errors


def test_e5_code_is_hashed_sent_by_email_and_checked(client, family):
    log_in_confirmed(client, family.user)
    demarche, response = account_step(client, family)
    assert response.status_code == 302
    code = last_code(family.user)
    row = SecurityCode.objects.get(demarche=demarche)
    assert code not in row.code_hash and len(row.code_hash) > 20
    mail = OutboundMessage.objects.get(user=family.user, template="demarche_code_securite")
    assert mail.to == family.user.email and code not in mail.subject
    wrong = "0000" if code != "0000" else "1111"
    response = post_step(
        client,
        demarche,
        "securite",
        {"code": wrong, "numero_serie": family.card.serial_number},
        expect_ok=False,
    )
    assert "Code incorrect. Il vous reste 2 essais." in response.context["form"].errors["code"]
    response = post_step(
        client, demarche, "securite", {"code": code, "numero_serie": "12345678901"}, expect_ok=False
    )
    assert "ne correspond pas" in response.context["form"].errors["numero_serie"][0]
    post_step(
        client, demarche, "securite", {"code": code, "numero_serie": family.card.serial_number}
    )
    demarche.refresh_from_db()
    assert demarche.payload["securite"] == {
        "code_verifie": True,
        "numero_serie": family.card.serial_number,
    }
    assert code not in str(demarche.payload)


def test_e5_three_attempts_then_a_new_code_is_needed(client, family):
    log_in_confirmed(client, family.user)
    demarche, _ = account_step(client, family)
    code = last_code(family.user)
    wrong = "0000" if code != "0000" else "1111"
    for _ in range(CODE_MAX_ATTEMPTS):
        post_step(
            client,
            demarche,
            "securite",
            {"code": wrong, "numero_serie": family.card.serial_number},
            expect_ok=False,
        )
    response = post_step(
        client,
        demarche,
        "securite",
        {"code": code, "numero_serie": family.card.serial_number},
        expect_ok=False,
    )
    assert "Trop d'essais" in response.context["form"].errors["code"][0]
    assert SecurityCode.objects.get(demarche=demarche).attempts == CODE_MAX_ATTEMPTS
    # « Recevoir un nouveau code » (not within the same minute)
    response = client.post(
        reverse("demarches:step", args=[TYPE, demarche.public_id, "securite"]),
        {"nouveau_code": "1"},
    )
    assert response.status_code == 302
    assert SecurityCode.objects.filter(demarche=demarche).count() == 1  # too soon
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        client.post(
            reverse("demarches:step", args=[TYPE, demarche.public_id, "securite"]),
            {"nouveau_code": "1"},
        )
        assert SecurityCode.objects.filter(demarche=demarche).count() == 2
        post_step(
            client,
            demarche,
            "securite",
            {"code": last_code(family.user), "numero_serie": family.card.serial_number},
        )


def test_e5_code_expires_after_ten_minutes(client, family):
    log_in_confirmed(client, family.user)
    demarche, _ = account_step(client, family)
    code = last_code(family.user)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=10, seconds=1)):
        # The 5-minute re-authentication is over too: confirmed again, the code is still late.
        client.post(reverse("account_reauthenticate"), {"password": DEMO_PASSWORD})
        response = post_step(
            client,
            demarche,
            "securite",
            {"code": code, "numero_serie": family.card.serial_number},
            expect_ok=False,
        )
    assert "expiré" in response.context["form"].errors["code"][0]


def test_e5_changing_the_iban_forgets_the_verified_code(client, family):
    log_in_confirmed(client, family.user)
    demarche = through_code(client, family)
    other_iban = identifiers.make_french_iban("30004", "00823", "00087654321")
    post_step(
        client,
        demarche,
        "compte",
        {
            "type_compte": "individuel",
            "civilite_1": "MME",
            "titulaire_1": "MARTIN CAMILLE",
            "iban": other_iban,
        },
    )
    demarche.refresh_from_db()
    assert "securite" not in demarche.payload
    assert SecurityCode.objects.filter(demarche=demarche).count() == 2  # a new code was sent
    response = client.get(summary_url(demarche))
    assert response.status_code == 302 and response.url.endswith("/etape/securite/")


def test_e5_submit_then_agent_or_48h_records_the_iban(client, family):
    log_in_confirmed(client, family.user)
    demarche = through_code(client, family)
    response = client.get(summary_url(demarche))
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert SPACED_IBAN in page  # the review shows what was typed
    assert "J'atteste sur l'honneur" in page
    response = client.post(summary_url(demarche), {})
    assert "attestation" in response.context["form"].errors
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        response = client.post(summary_url(demarche), {"attestation": "on"})
    assert response.status_code == 302
    demarche.refresh_from_db()
    assert demarche.status == Status.DEPOSEE
    assert demarche.auto_accept_at == now + datetime.timedelta(hours=48)
    # Nothing recorded before the 48 h
    with time_machine.travel(now + datetime.timedelta(hours=47, minutes=59)):
        process_due()
    assert BankAccount.objects.get(person=family.person, is_current=True).pk == family.bank.pk
    with time_machine.travel(now + datetime.timedelta(hours=48, minutes=1)):
        result = process_due()
        process_due()  # idempotent
    assert result["accepted"] == 1
    demarche.refresh_from_db()
    assert demarche.status == Status.ACCEPTEE
    current = BankAccount.objects.get(person=family.person, is_current=True)
    assert current.iban == NEW_IBAN and current.holder == "MME MARTIN CAMILLE"
    family.bank.refresh_from_db()
    assert family.bank.is_current is False
    assert [t.to_status for t in demarche.transitions.all()] == [
        Status.DEPOSEE,
        Status.EN_INSTRUCTION,
        Status.ACCEPTEE,
    ]
    assert all(t.actor == "systeme" for t in demarche.transitions.all()[1:])
    recorded = Message.objects.filter(thread__related_reference=demarche.reference)
    assert recorded.count() == 2  # accusé de réception, then « enregistrées »
    assert "sont enregistrées" in recorded.latest("created_at").body
    assert (
        Notification.objects.filter(
            person=family.person, url__contains=str(demarche.public_id)
        ).count()
        == 2
    )


def test_e5_an_agent_refusal_before_48h_prevents_the_automatic_record(client, family):
    from accounts.factories import AgentFactory

    log_in_confirmed(client, family.user)
    demarche = through_code(client, family)
    client.post(summary_url(demarche), {"attestation": "on"})
    agent = AgentFactory(caisse=family.person.caisse)
    services.refuse(
        Demarche.objects.get(pk=demarche.pk), agent, "Le RIB ne correspond pas à votre identité."
    )
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=49)):
        assert process_due()["accepted"] == 0
    assert BankAccount.objects.get(person=family.person, is_current=True).pk == family.bank.pk


def test_e5_needs_an_active_vitale_card_and_an_email(client, family):
    from assures.enums import VitaleStatus

    family.card.status = VitaleStatus.INVALIDATED
    family.card.save()
    log_in_confirmed(client, family.user)
    response = client.get(reverse("demarches:start", args=[TYPE]))
    assert "numéro de série de votre carte Vitale" in html.unescape(response.content.decode())
    assert response.context["eligible"] == []


# --- re-authentication (ARCHITECTURE « Password and session rules »: before changing the IBAN) --
def test_e5_asks_the_password_again_then_resumes(client, family):
    client.force_login(family.user)
    start_url = reverse("demarches:start", args=["coordonnees-bancaires"])
    response = client.get(start_url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))
    response = client.post(response.url, {"password": "pas le bon"})
    assert response.status_code == 200  # wrong password: asked again, nothing opened
    assert not Demarche.objects.filter(person=family.person).exists()
    response = client.post(
        reverse("account_reauthenticate") + f"?next={start_url}", {"password": DEMO_PASSWORD}
    )
    assert response.status_code == 302 and response.url == start_url
    assert client.get(start_url).status_code == 200


def test_e5_steps_of_a_draft_also_ask_for_it(client, family):
    log_in_confirmed(client, family.user)
    demarche = start(client, "coordonnees-bancaires", family.person)
    other = type(client)()
    other.force_login(family.user)  # another session of the same person, not confirmed
    for url in (
        reverse("demarches:step", args=[demarche.type, demarche.public_id, "compte"]),
        summary_url(demarche),
    ):
        response = other.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("account_reauthenticate")), url


def test_other_demarches_do_not_ask_for_it(client, family):
    client.force_login(family.user)
    response = client.get(reverse("demarches:start", args=["changement-adresse"]))
    assert response.status_code == 200
