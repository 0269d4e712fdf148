"""FEATURES A10 « Modifier mon mot de passe personnel », A11 (e-mail, mobile, fixe,
« Autorisations de contact »), re-authentication before each change, A14 notices."""

import datetime
import re
from urllib.parse import urlencode

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from accounts.factories import DEMO_PASSWORD, InsuredUserFactory
from messagerie.models import OutboundMessage

from .helpers import log_in

pytestmark = pytest.mark.django_db

REAUTH = reverse("account_reauthenticate")
PHONES = reverse("security:phones")
CONTACT = reverse("security:contact")
EMAIL = reverse("account_email")
PASSWORD = reverse("account_change_password")
MES_INFOS = reverse("portal:mes_informations")
T0 = datetime.datetime(2026, 7, 14, 15, 35, tzinfo=datetime.UTC)  # 17:35 in Paris (summer)


@pytest.fixture
def insured():
    return InsuredUserFactory(email="camille.test@example.org", first_name="Camille")


@pytest.fixture
def reauthenticated(client, insured):
    """A logged-in client that has just confirmed its password."""
    client.force_login(insured)
    response = client.post(REAUTH, {"password": DEMO_PASSWORD})
    assert response.status_code == 302
    return client


def outbox(template):
    return OutboundMessage.objects.filter(template=template)


# --- re-authentication ------------------------------------------------------------------------
@pytest.mark.parametrize("url", [PHONES, CONTACT, reverse("security:passkey_add")])
def test_changes_ask_for_the_password_again(client, insured, url):
    client.force_login(insured)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{REAUTH}?{urlencode({'next': url})}"


def test_a_fresh_login_still_asks_before_a_change(client, insured):
    log_in(client, insured)
    assert client.get(PHONES).url.startswith(REAUTH)


def test_reauthentication_page_and_wrong_password(client, insured):
    client.force_login(insured)
    page = client.get(f"{REAUTH}?next={PHONES}")
    assert "Confirmer mon identité" in page.content.decode()
    response = client.post(f"{REAUTH}?next={PHONES}", {"password": "Mauvais-2026"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert client.get(PHONES).status_code == 302


def test_reauthentication_leads_back_and_lasts_5_minutes(client, insured):
    with time_machine.travel(T0, tick=False) as traveller:
        client.force_login(insured)
        response = client.post(f"{REAUTH}?next={PHONES}", {"password": DEMO_PASSWORD})
        assert response.url == PHONES
        assert client.get(PHONES).status_code == 200
        traveller.shift(datetime.timedelta(minutes=4, seconds=50))
        assert client.get(PHONES).status_code == 200
        traveller.shift(datetime.timedelta(seconds=20))
        assert client.get(PHONES).url.startswith(REAUTH)


def test_pages_need_a_logged_in_insured(client):
    for url in (PHONES, CONTACT, reverse("security:history"), reverse("security:devices")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


# --- A11 phones -------------------------------------------------------------------------------
def test_phones_saved_in_e164(reauthenticated, insured):
    response = reauthenticated.post(
        PHONES, {"mobile_phone": "06 12 34 56 78", "landline_phone": "+41 22 555 12 34"}
    )
    assert response.url == MES_INFOS
    insured.refresh_from_db()
    assert str(insured.mobile_phone) == "+33612345678"
    assert str(insured.landline_phone) == "+41225551234"
    page = reauthenticated.get(MES_INFOS).content.decode()
    assert "06 12 34 56 78" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"mobile_phone": "06 12", "landline_phone": ""},
            "mobile_phone",
            "Ce numéro de téléphone portable n'est pas valide. Saisissez par exemple "
            "06 12 34 56 78, ou le numéro avec l'indicatif du pays (+32…).",
        ),
        (
            {"mobile_phone": "", "landline_phone": "abc"},
            "landline_phone",
            "Ce numéro de téléphone fixe n'est pas valide. Saisissez par exemple "
            "01 23 45 67 89, ou le numéro avec l'indicatif du pays (+41…).",
        ),
        (
            {"mobile_phone": "01 42 34 56 78", "landline_phone": ""},
            "mobile_phone",
            "Ce numéro n'est pas un numéro de téléphone portable : indiquez-le plutôt "
            "comme téléphone fixe.",
        ),
        (
            {"mobile_phone": "", "landline_phone": "06 12 34 56 78"},
            "landline_phone",
            "Ce numéro est un numéro de téléphone portable : indiquez-le plutôt comme "
            "téléphone portable.",
        ),
    ],
)
def test_bad_phone_numbers_are_explained_and_nothing_is_saved(
    reauthenticated, insured, data, field, message
):
    insured.landline_phone = "+33142345678"
    insured.save()
    response = reauthenticated.post(PHONES, data)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    insured.refresh_from_db()
    assert str(insured.landline_phone) == "+33142345678" and not insured.mobile_phone
    assert message.split(" :")[0].replace("'", "&#x27;") in response.content.decode()


def test_sms_contact_needs_a_mobile(reauthenticated, insured):
    insured.mobile_phone = "+33612345678"
    insured.contact_by_sms = True
    insured.save()
    response = reauthenticated.post(PHONES, {"mobile_phone": "", "landline_phone": ""})
    assert response.status_code == 200
    assert (
        "Vous avez accepté d'être contacté(e) par SMS"
        in response.context["form"].errors["mobile_phone"][0]
    )
    insured.refresh_from_db()
    assert insured.mobile_phone


def test_phone_contact_needs_a_phone(reauthenticated, insured):
    insured.landline_phone = "+33142345678"
    insured.contact_by_phone = True
    insured.save()
    response = reauthenticated.post(PHONES, {"mobile_phone": "", "landline_phone": ""})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Vous avez accepté d'être contacté(e) par téléphone : gardez au moins un numéro, ou "
        "modifiez d'abord vos autorisations de contact."
    ]
    insured.refresh_from_db()
    assert insured.landline_phone


# --- A11 contact preferences ------------------------------------------------------------------
def test_contact_preferences(reauthenticated, insured):
    insured.mobile_phone = "+33612345678"
    insured.save()
    response = reauthenticated.post(CONTACT, {"contact_by_sms": "on", "contact_by_phone": "on"})
    assert response.url == MES_INFOS
    insured.refresh_from_db()
    assert (insured.contact_by_email, insured.contact_by_sms, insured.contact_by_phone) == (
        False,
        True,
        True,
    )


def test_contact_by_email_without_an_address_is_refused(reauthenticated, insured):
    insured.email = ""
    insured.save()
    response = reauthenticated.post(CONTACT, {"contact_by_email": "on"})
    assert response.context["form"].errors["contact_by_email"] == [
        "Indiquez d'abord une adresse e-mail dans Mes informations."
    ]


def test_contact_by_sms_without_a_mobile_is_refused(reauthenticated, insured):
    response = reauthenticated.post(CONTACT, {"contact_by_email": "on", "contact_by_sms": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors["contact_by_sms"] == [
        "Pour être contacté(e) par SMS, indiquez d'abord un numéro de téléphone portable."
    ]
    insured.refresh_from_db()
    assert not insured.contact_by_sms


# --- A10 password -----------------------------------------------------------------------------
def test_password_change_sends_the_notice_in_paris_time(client, insured):
    client.force_login(insured)
    with time_machine.travel(T0, tick=False):
        response = client.post(
            f"{PASSWORD}?next={MES_INFOS}",
            {
                "oldpassword": DEMO_PASSWORD,
                "password1": "Nouveau-Mdp-2026!",
                "password2": "Nouveau-Mdp-2026!",
            },
        )
        assert client.get(MES_INFOS).status_code == 200  # still logged in here
    assert response.status_code == 302 and response.url == MES_INFOS
    insured.refresh_from_db()
    assert insured.check_password("Nouveau-Mdp-2026!")
    (notice,) = outbox("account_password_changed")
    assert notice.to == insured.email
    assert (
        "Le mot de passe de votre compte ameli a été modifié le mardi 14 juillet 2026 à 17:35 "
        "(heure de Paris)." in notice.body_text
    )


def test_password_change_logs_out_the_other_sessions(client, insured):
    other = Client()
    other.force_login(insured)
    client.force_login(insured)
    client.post(
        PASSWORD,
        {
            "oldpassword": DEMO_PASSWORD,
            "password1": "Nouveau-Mdp-2026!",
            "password2": "Nouveau-Mdp-2026!",
        },
    )
    assert other.get(MES_INFOS).status_code == 302


@pytest.mark.parametrize(
    ("data", "field", "fragment"),
    [
        (
            {
                "oldpassword": "Pas-le-bon-1",
                "password1": "Nouveau-Mdp-2026!",
                "password2": "Nouveau-Mdp-2026!",
            },
            "oldpassword",
            "mot de passe",
        ),
        (
            {
                "oldpassword": DEMO_PASSWORD,
                "password1": "nouveau-mdp-2026",
                "password2": "nouveau-mdp-2026",
            },
            "password1",
            "une majuscule",
        ),
        (
            {
                "oldpassword": DEMO_PASSWORD,
                "password1": "Nouveau-Mdp-2026!",
                "password2": "Autre-Mdp-2026!",
            },
            "password2",
            "",
        ),
    ],
)
def test_bad_password_change_is_explained_and_nothing_changes(
    client, insured, data, field, fragment
):
    client.force_login(insured)
    response = client.post(PASSWORD, data)
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert errors and fragment in " ".join(errors)
    insured.refresh_from_db()
    assert insured.check_password(DEMO_PASSWORD)
    assert not outbox("account_password_changed").exists()


def test_password_built_from_the_nir_is_refused(client, insured):
    client.force_login(insured)
    weak = f"Aa-{insured.username}"
    response = client.post(
        PASSWORD, {"oldpassword": DEMO_PASSWORD, "password1": weak, "password2": weak}
    )
    assert "numéro de sécurité sociale" in " ".join(response.context["form"].errors["password1"])


# --- A11 e-mail -------------------------------------------------------------------------------
def confirmation_link(message):
    match = re.search(r"https?://\S+/compte/confirm-email/\S+/", message.body_text)
    assert match, message.body_text
    return match.group(0)


def test_email_change_needs_reauthentication_then_resumes(client, insured):
    client.force_login(insured)
    response = client.post(EMAIL, {"action_add": "", "email": "nouvelle@example.org"})
    assert response.status_code == 302 and response.url.startswith(REAUTH)
    assert not EmailAddress.objects.filter(email="nouvelle@example.org").exists()
    response = client.post(response.url, {"password": DEMO_PASSWORD})
    assert EmailAddress.objects.filter(user=insured, email="nouvelle@example.org").exists()
    (link_mail,) = outbox("account/email/email_confirmation")
    assert link_mail.to == "nouvelle@example.org"
    # F4: allauth's confirmation link is masked in the copy the outbox keeps once sent.
    link = re.search(r"https?://\S+", link_mail.body_text).group(0)
    assert link_mail.has_secret and link not in link_mail.redacted_text
    assert "••••" in link_mail.redacted_text


def test_email_change_full_flow_with_notice_to_the_old_address(reauthenticated, insured):
    with time_machine.travel(T0, tick=False):
        response = reauthenticated.post(EMAIL, {"action_add": "", "email": "Nouvelle@Example.org"})
        assert response.status_code == 302
        insured.refresh_from_db()
        assert insured.email == "camille.test@example.org"  # unchanged until confirmed
        page = reauthenticated.get(EMAIL).content.decode()
        assert "nouvelle@example.org" in page and "en attente de confirmation" in page
        (link_mail,) = outbox("account/email/email_confirmation")
        link = confirmation_link(link_mail)
        path = link.split("testserver", 1)[-1]
        visitor = Client()  # the link works from the mailbox, in any browser
        assert "Confirmer mon adresse e-mail" in visitor.get(path).content.decode()
        visitor.post(path)
    insured.refresh_from_db()
    assert insured.email == "nouvelle@example.org"
    assert list(EmailAddress.objects.filter(user=insured).values_list("email", flat=True)) == [
        "nouvelle@example.org"
    ]
    (notice,) = outbox("security_email_changed")
    assert notice.to == "camille.test@example.org"
    assert "a été modifiée le mardi 14 juillet 2026 à 17:35 (heure de Paris)" in notice.body_text
    assert "nouvelle@example.org" in notice.body_text


def test_an_email_used_by_another_account_is_refused(reauthenticated, insured):
    InsuredUserFactory(email="deja.prise@example.org")
    response = reauthenticated.post(EMAIL, {"action_add": "", "email": "Deja.Prise@example.org"})
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "Cette adresse e-mail est déjà associée à un autre compte. Une adresse e-mail ne peut "
        "servir qu'à un seul compte."
    ]
    assert not EmailAddress.objects.filter(user=insured, email="deja.prise@example.org").exists()
    assert not outbox("account/email/email_confirmation").exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("pas-une-adresse", "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr."),
        ("", "Saisissez votre nouvelle adresse e-mail."),
        ("CAMILLE.TEST@example.org", "C'est déjà l'adresse e-mail de votre compte."),
    ],
)
def test_bad_new_email_is_explained(reauthenticated, typed, message):
    response = reauthenticated.post(EMAIL, {"action_add": "", "email": typed})
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [message]


def test_expired_confirmation_link(client):
    response = client.get(reverse("account_confirm_email", args=["pas-une-cle"]))
    assert "Ce lien de confirmation n'est plus valable" in response.content.decode()


def test_mes_informations_links(client, insured):
    client.force_login(insured)
    html = client.get(MES_INFOS).content.decode()
    for label in (
        "Modifier mon mot de passe personnel",
        "Modifier mon adresse e-mail",
        "Modifier mes numéros de téléphone",
        "Modifier mes autorisations de contact",
        "Utiliser l'authentification biométrique pour me connecter",
        "Mes appareils et sessions",
        "Historique des accès à mon dossier",
    ):
        assert label in html, label
