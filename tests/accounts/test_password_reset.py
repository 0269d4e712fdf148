"""« Mot de passe oublié ? » (FEATURES A8): NIR + date de naissance + captcha (image or sound)
→ the same answer for every NIR → a link valid 30 minutes, single use → new password twice →
confirmation screen + the e-mail « votre mot de passe a été modifié le … » (A14, Paris time)."""

import datetime
import re
import shutil

import pytest
import time_machine
from captcha.models import CaptchaStore
from django.urls import reverse

from accounts.recovery import captcha
from accounts.recovery.views import TOO_MANY_REQUESTS

from .helpers import (
    LOGIN_URL,
    STRONG_PASSWORD,
    birth,
    emails,
    link_in,
    non_field_errors,
    path_of,
)

RESET_URL = reverse("accounts:password_reset")
SENT_URL = reverse("accounts:password_reset_sent")
RESET_LINK_RE = r"https?://\S+/compte/password/reset/key/\S+/"
SAME_ANSWER = "Si les informations saisies correspondent à un compte, un e-mail vous a été envoyé"
T0 = datetime.datetime(2026, 12, 28, 16, 5, tzinfo=datetime.UTC)  # 17:05 in Paris


def solved_captcha(client):
    """GET the form and answer its captcha as a person reading the image would."""
    html = client.get(RESET_URL).content.decode()
    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', html).group(1)
    return {"captcha_0": key, "captcha_1": CaptchaStore.objects.get(hashkey=key).challenge}


def request_reset(client, nir, birth_date):
    return client.post(RESET_URL, {"nir": nir, "birth_date": birth_date, **solved_captcha(client)})


def reset_link(user):
    (message,) = emails(to=user.email, template="account_password_reset")
    link = path_of(link_in(message, RESET_LINK_RE))
    # F4: the copy kept once sent has no personal link.
    assert message.has_secret and link not in message.redacted_text + message.redacted_html
    assert "••••" in message.redacted_text
    return link


def follow_link(client, link):
    """allauth moves the key from the URL into the session, then shows the form."""
    response = client.get(link)
    if response.status_code == 302:
        response = client.get(response.url)
    return response


def set_password(client, link, password=STRONG_PASSWORD, confirm=None):
    response = follow_link(client, link)
    return client.post(
        response.context["action_url"],
        {"password1": password, "password2": confirm or password},
    )


# --- the request ---------------------------------------------------------------------------------
def test_a8_known_nir_gets_a_link_valid_30_minutes(client, camille):
    person = camille.person
    response = request_reset(client, person.nir, birth(person))
    assert response.status_code == 302 and response.url == SENT_URL
    page = client.get(SENT_URL).content.decode()
    assert SAME_ANSWER in page and "30 minutes" in page
    (message,) = emails(to=camille.email, template="account_password_reset")
    assert "dans les 30 minutes" in message.body_text
    assert "Renouveler mon mot de passe" in message.body_html


@pytest.mark.parametrize("case", ["unknown NIR", "wrong birth date", "inactive account"])
def test_a8_same_answer_and_no_mail_otherwise(client, camille, case):
    person = camille.person
    nir, birth_date = person.nir, birth(person)
    if case == "unknown NIR":
        nir = "1850175056001"
    elif case == "wrong birth date":
        birth_date = "01/01/1970"
    else:
        camille.is_active = False
        camille.save()
    response = request_reset(client, nir, birth_date)
    assert response.status_code == 302 and response.url == SENT_URL
    assert SAME_ANSWER in client.get(SENT_URL).content.decode()
    assert emails(template="account_password_reset") == []


def test_a8_wrong_captcha_is_refused_and_renewed(client, camille):
    data = solved_captcha(client)
    person = camille.person
    response = client.post(
        RESET_URL, {"nir": person.nir, "birth_date": birth(person), **data, "captcha_1": "ZZZZZ"}
    )
    assert response.status_code == 200
    assert "ne correspondent pas" in response.context["form"].errors["captcha"][0]
    assert emails(template="account_password_reset") == []
    # The captcha was used up: the page shows a new one, the old answer no longer works.
    assert not CaptchaStore.objects.filter(hashkey=data["captcha_0"]).exists()
    response = client.post(RESET_URL, {"nir": person.nir, "birth_date": birth(person), **data})
    assert "captcha" in response.context["form"].errors


def test_a8_captcha_answer_ignores_case(client, camille):
    data = solved_captcha(client)
    data["captcha_1"] = data["captcha_1"].lower()
    person = camille.person
    response = client.post(RESET_URL, {"nir": person.nir, "birth_date": birth(person), **data})
    assert response.status_code == 302


def test_a8_throttled_per_nir_whether_or_not_it_exists(client, camille):
    for nir in (camille.person.nir, "1850175056001"):
        for _ in range(3):
            assert request_reset(client, nir, "01/01/1970").status_code == 302
        response = request_reset(client, nir, birth(camille.person))
        assert response.status_code == 429
        assert non_field_errors(response) == [TOO_MANY_REQUESTS]
    assert emails(template="account_password_reset") == []


def test_a8_form_errors_next_to_the_fields(client, db):
    response = client.post(RESET_URL, {"nir": "12", "birth_date": "32/13/1990"})
    errors = response.context["form"].errors
    assert errors["nir"] == ["Le numéro de sécurité sociale comporte 13 chiffres (15 avec la clé)."]
    assert errors["birth_date"] == ["Saisissez une date de naissance au format jj/mm/aaaa."]
    assert errors["captcha"]


def test_a8_pages_have_bounded_queries(client, db, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):  # the captcha row, its cleanup, the session
        assert client.get(RESET_URL).status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get(reverse("accounts:code_provisoire")).status_code == 200


def test_allauth_email_form_is_replaced(client, db):
    response = client.get("/compte/password/reset/")
    assert response.status_code == 302 and response.url == RESET_URL


def test_login_page_links_to_a8(client, db):
    assert f'href="{RESET_URL}"' in client.get(LOGIN_URL).content.decode()


# --- the link ------------------------------------------------------------------------------------
def test_a8_new_password_then_notice_in_paris_time(client, camille):
    with time_machine.travel(T0, tick=False):
        request_reset(client, camille.person.nir, birth(camille.person))
        link = reset_link(camille)
    with time_machine.travel(T0 + datetime.timedelta(minutes=29), tick=False):
        form_page = follow_link(client, link)
        assert form_page.status_code == 200
        assert "Valider le nouveau mot de passe" in form_page.content.decode()
        response = set_password(client, link)
    assert response.status_code == 302
    assert response.url == reverse("account_reset_password_from_key_done")
    done = client.get(response.url).content.decode()
    assert "Votre mot de passe a été modifié" in done
    camille.refresh_from_db()
    assert camille.check_password(STRONG_PASSWORD)
    (notice,) = emails(to=camille.email, template="account_password_changed")
    # 16:34 UTC on 28 December 2026 is 17:34 in Paris (winter time), a Monday.
    assert (
        "Le mot de passe de votre compte ameli a été modifié le lundi 28 décembre 2026 à 17:34 "
        "(heure de Paris)." in notice.body_text
    )
    assert (
        client.post(LOGIN_URL, {"login": camille.username, "password": STRONG_PASSWORD}).status_code
        == 302
    )


def test_a8_link_expires_after_30_minutes(client, camille):
    with time_machine.travel(T0, tick=False):
        request_reset(client, camille.person.nir, birth(camille.person))
        link = reset_link(camille)
    with time_machine.travel(T0 + datetime.timedelta(minutes=31), tick=False):
        response = follow_link(client, link)
    assert response.status_code == 200
    assert response.context["token_fail"]
    assert "Ce lien n'est plus valable" in response.content.decode()
    camille.refresh_from_db()
    assert not camille.check_password(STRONG_PASSWORD)


def test_a8_link_works_once(client, camille):
    request_reset(client, camille.person.nir, birth(camille.person))
    link = reset_link(camille)
    set_password(client, link)
    other = client.__class__()
    response = follow_link(other, link)
    assert response.context["token_fail"]
    assert "Ce lien n'est plus valable" in response.content.decode()


def test_a8_new_password_rules_and_confirmation(client, camille):
    request_reset(client, camille.person.nir, birth(camille.person))
    link = reset_link(camille)
    response = set_password(client, link, confirm="Pas-Pareil-2026")
    assert response.status_code == 200
    assert response.context["form"].errors["password2"] == [
        "Les deux mots de passe saisis ne sont pas identiques."
    ]
    weak = f"Aa{camille.person.nir}"
    response = set_password(client, link, weak)
    assert "numéro de sécurité sociale" in response.context["form"].errors["password1"][0]
    camille.refresh_from_db()
    assert not camille.check_password(weak)
    assert emails(template="account_password_changed") == []


def test_a8_tampered_link(client, camille):
    request_reset(client, camille.person.nir, birth(camille.person))
    link = reset_link(camille)
    response = follow_link(client, link[:-3] + "zz/")
    assert response.context["token_fail"]


# --- the captcha's sound extract ------------------------------------------------------------------
def test_a8_captcha_challenge_is_unambiguous():
    for _ in range(200):
        text, answer = captcha.challenge()
        assert len(text) == captcha.LENGTH and answer == text.lower()
        assert set(text) <= set(captcha.ALPHABET)
    assert not set("0O1IL") & set(captcha.ALPHABET)


@pytest.mark.skipif(not shutil.which("espeak-ng"), reason="espeak-ng (Debian package) missing")
def test_a8_sound_extract_is_a_french_wav(client, db, settings):
    settings.CAPTCHA_ESPEAK_PATH = shutil.which("espeak-ng")
    html = client.get(RESET_URL).content.decode()
    audio = re.search(r'src="(/compte/captcha/audio/[0-9a-f]+\.wav)"', html).group(1)
    response = client.get(audio)
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    body = response.content
    assert body[:4] == b"RIFF" and body[8:12] == b"WAVE"
    assert len(body) > 50_000, "a few seconds of speech"
    assert client.get("/compte/captcha/audio/0000.wav").status_code == 404


def test_a8_no_sound_link_without_espeak(client, db, settings):
    settings.CAPTCHA_ESPEAK_PATH = ""
    html = client.get(RESET_URL).content.decode()
    assert "captcha/audio" not in html
    assert "alt=" in html
