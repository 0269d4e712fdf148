"""FEATURES E5 « Modifier mes coordonnées bancaires ».

Seed 001 § 6: the civilité of the account's holder(s); the holder's name and first name
**without accents**; the IBAN as printed on the RIB (checked as it is typed) → « Suivant »;
the **4-digit security code received by e-mail** and the **serial number of the Vitale card**
→ « Suivant »; review, attestation sur l'honneur, « Valider »; an accusé de réception in the
messagerie. For a personal account or a joint account the insured co-holds, or a first IBAN.
Processed in 48 h: at the end the new IBAN is recorded (by an agent, or automatically by the
periodic task) and a message says so.

The security code: 4 random digits, only its hash stored, valid 10 minutes, 3 attempts,
a new one on request (at most 5 per démarche, one a minute); a change of the account's details
forgets the verified code, so the code always confirms the IBAN that is submitted.
"""

import datetime
import re
import secrets

from django import forms
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from assures import identifiers
from assures.enums import VitaleStatus
from assures.models import BankAccount, VitaleCard
from messagerie.services import send_templated_email

from ..engine import ELIGIBLE, DemarcheType, Step, refused
from ..forms import StepForm
from ..models import SecurityCode
from ..registry import register

CODE_VALIDITY = datetime.timedelta(minutes=10)
CODE_MAX_ATTEMPTS = 3
CODES_PER_DEMARCHE = 5
CODE_RESEND_INTERVAL = datetime.timedelta(seconds=60)
# The verified code must be recent when the request is submitted.
VERIFIED_CODE_FRESHNESS = datetime.timedelta(minutes=30)
PROCESSING_DELAY = datetime.timedelta(hours=48)

CIVILITES = [("MME", "Madame"), ("M", "Monsieur")]
HOLDER_RE = re.compile(r"^[A-Z][A-Z' -]*[A-Z]$")


def clean_holder_name(value: str) -> str:
    """The holder's name as the bank prints it: capitals, no accents (validated, not fixed)."""
    text = " ".join((value or "").split())
    if any(ord(c) > 127 for c in text):
        raise ValidationError(
            "Saisissez le nom et le prénom sans accent ni caractère spécial "
            "(par exemple HELENE et non HÉLÈNE), comme sur votre relevé d'identité bancaire."
        )
    text = text.upper()
    if not HOLDER_RE.match(text):
        raise ValidationError(
            "Le nom et le prénom ne peuvent contenir que des lettres, des espaces, des tirets "
            "et des apostrophes."
        )
    if len(text.split()) < 2:
        raise ValidationError("Saisissez le nom et le prénom du titulaire.")
    return text


def group_iban(iban: str) -> str:
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def send_code(demarche, user):
    """Create a new code (hashed) and e-mail it; returns the SecurityCode row."""
    code = f"{secrets.randbelow(10_000):04d}"
    now = timezone.now()
    row = SecurityCode.objects.create(
        demarche=demarche,
        code_hash=make_password(code),
        created_at=now,
        expires_at=now + CODE_VALIDITY,
    )
    send_templated_email(
        "demarche_code_securite",
        to=user.email,
        context={
            "code": code,
            "person": demarche.person,
            "minutes": int(CODE_VALIDITY.total_seconds() // 60),
        },
        user=user,
        secret_keys=("code",),  # kept masked once sent
    )
    return row


class CompteForm(StepForm):
    type_compte = forms.ChoiceField(
        label="Type de compte",
        choices=[
            ("individuel", "Compte individuel (à mon nom)"),
            ("joint", "Compte joint dont je suis cotitulaire"),
        ],
        widget=forms.RadioSelect,
        initial="individuel",
        error_messages={"required": "Indiquez s'il s'agit d'un compte individuel ou joint."},
    )
    civilite_1 = forms.ChoiceField(
        label="Civilité du titulaire", choices=CIVILITES, widget=forms.RadioSelect
    )
    titulaire_1 = forms.CharField(
        label="Nom et prénom du titulaire, sans accent",
        max_length=70,
        help_text="Comme sur votre relevé d'identité bancaire (RIB), par exemple MARTIN CAMILLE.",
    )
    civilite_2 = forms.ChoiceField(
        label="Civilité du second titulaire (compte joint)",
        choices=CIVILITES,
        widget=forms.RadioSelect,
        required=False,
    )
    titulaire_2 = forms.CharField(
        label="Nom et prénom du second titulaire, sans accent (compte joint)",
        max_length=70,
        required=False,
    )
    iban = forms.CharField(
        label="IBAN",
        max_length=42,
        help_text="Tel qu'il figure sur votre RIB : 27 caractères pour un compte en France, "
        "commençant par FR76. Les espaces sont acceptés.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["iban"].widget.attrs.update(
            {
                "autocomplete": "off",
                "spellcheck": "false",
                "autocapitalize": "characters",
                "class": "js-iban",
            }
        )
        self.fields["titulaire_1"].widget.attrs["autocomplete"] = "name"

    def clean_titulaire_1(self):
        return clean_holder_name(self.cleaned_data["titulaire_1"])

    def clean_titulaire_2(self):
        value = self.cleaned_data.get("titulaire_2", "")
        return clean_holder_name(value) if value.strip() else ""

    def clean_iban(self):
        iban = identifiers.validate_iban(self.cleaned_data["iban"])
        current = BankAccount.objects.filter(person=self.person, is_current=True).first()
        if current is not None and identifiers.compact_iban(current.iban) == iban:
            raise ValidationError("Cet IBAN est déjà celui enregistré dans votre dossier.")
        return iban

    def clean(self):
        data = super().clean()
        if data.get("type_compte") == "joint":
            if not data.get("civilite_2"):
                self.add_error("civilite_2", "Indiquez la civilité du second titulaire.")
            if not data.get("titulaire_2") and "titulaire_2" not in self.errors:
                self.add_error("titulaire_2", "Saisissez le nom et le prénom du second titulaire.")
        else:
            data["civilite_2"] = ""
            data["titulaire_2"] = ""
        return data

    def summary_items(self, data, files, review=True):
        items = super().summary_items(data, files, review)
        if data.get("type_compte") != "joint":  # no second holder to show
            labels = {str(self.fields[n].label) for n in ("civilite_2", "titulaire_2")}
            items = [item for item in items if item.label not in labels]
        return items

    def display_value(self, name, value, review=True):
        if name == "iban" and value:
            return group_iban(value) if review else identifiers.mask_iban(value)
        if name in ("civilite_2", "titulaire_2") and not value:
            return "—"
        return super().display_value(name, value, review)

    def after_save(self, request):
        # A new code for every new (or changed) set of account details: the security step was
        # reset by the change (Step.reset_when_earlier_changes).
        if "securite" not in self.demarche.payload:
            send_code(self.demarche, request.user)


class SecuriteForm(StepForm):
    code = forms.CharField(
        label="Code de sécurité à 4 chiffres",
        min_length=4,
        max_length=4,
        help_text="Envoyé à l'instant à votre adresse e-mail ; valable 10 minutes.",
        error_messages={
            "required": "Saisissez le code de sécurité reçu par e-mail.",
            "min_length": "Le code de sécurité comporte 4 chiffres.",
            "max_length": "Le code de sécurité comporte 4 chiffres.",
        },
    )
    numero_serie = forms.CharField(
        label="Numéro de série de votre carte Vitale",
        max_length=20,
        help_text="Sur une carte Vitale sans photo, au dos en haut à gauche ; sur une carte "
        "avec photo, au recto, à droite.",
        error_messages={"required": "Saisissez le numéro de série de votre carte Vitale."},
    )
    summary_exclude = ("code", "numero_serie")
    extra_actions = {"nouveau_code": "Recevoir un nouveau code"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            {"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{4}"}
        )
        self.fields["numero_serie"].widget.attrs.update(
            {"inputmode": "numeric", "autocomplete": "off"}
        )
        self.verified = None

    def clean_numero_serie(self):
        serial = re.sub(r"\s", "", self.cleaned_data["numero_serie"])
        active = VitaleCard.objects.filter(person=self.person, status=VitaleStatus.ACTIVE).first()
        if active is None or active.serial_number != serial:
            raise ValidationError(
                "Ce numéro de série ne correspond pas à votre carte Vitale en cours de validité."
            )
        return serial

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise ValidationError("Le code de sécurité comporte 4 chiffres.")
        latest = SecurityCode.objects.filter(demarche=self.demarche).first()
        if latest is None:
            raise ValidationError("Demandez un code de sécurité.")
        if latest.expires_at <= timezone.now():
            raise ValidationError("Ce code a expiré : demandez un nouveau code.")
        # Count the attempt first, atomically: parallel guesses cannot exceed the limit.
        counted = SecurityCode.objects.filter(
            pk=latest.pk, attempts__lt=CODE_MAX_ATTEMPTS, verified_at__isnull=True
        ).update(attempts=F("attempts") + 1)
        if not counted:
            raise ValidationError("Trop d'essais avec ce code : demandez un nouveau code.")
        if not check_password(code, latest.code_hash):
            left = CODE_MAX_ATTEMPTS - latest.attempts - 1
            if left <= 0:
                raise ValidationError("Code incorrect. Demandez un nouveau code.")
            raise ValidationError(
                f"Code incorrect. Il vous reste {left} essai{'s' if left > 1 else ''}."
            )
        self.verified = latest
        return code

    def to_payload(self):
        return {"code_verifie": True, "numero_serie": self.cleaned_data["numero_serie"]}

    def after_save(self, request):
        if self.verified is not None:
            SecurityCode.objects.filter(pk=self.verified.pk).update(verified_at=timezone.now())

    @classmethod
    def revalidate(cls, demarche, data):
        if not data or not data.get("code_verifie"):
            return ["Saisissez le code de sécurité reçu par e-mail."]
        fresh = SecurityCode.objects.filter(
            demarche=demarche,
            verified_at__gte=timezone.now() - VERIFIED_CODE_FRESHNESS,
        ).exists()
        if not fresh:
            return [
                "Le code de sécurité a été saisi il y a trop longtemps : demandez-en un nouveau."
            ]
        active = VitaleCard.objects.filter(
            person=demarche.person, status=VitaleStatus.ACTIVE
        ).first()
        if active is None or active.serial_number != data.get("numero_serie"):
            return [
                "Le numéro de série ne correspond plus à votre carte Vitale en cours de validité."
            ]
        return []

    def perform_action(self, name, request):
        """« Recevoir un nouveau code » (limited in number and frequency)."""
        codes = SecurityCode.objects.filter(demarche=self.demarche)
        if codes.count() >= CODES_PER_DEMARCHE:
            return False, (
                "Vous avez demandé trop de codes pour cette démarche : contactez votre caisse "
                "au 36 46."
            )
        latest = codes.first()
        if latest is not None and latest.created_at > timezone.now() - CODE_RESEND_INTERVAL:
            return (
                False,
                "Un code vient de vous être envoyé : patientez une minute avant d'en demander "
                "un autre.",
            )
        send_code(self.demarche, request.user)
        return True, "Un nouveau code de sécurité vient de vous être envoyé par e-mail."


@register
class CoordonneesBancaires(DemarcheType):
    slug = "coordonnees-bancaires"
    label = "Modifier mes coordonnées bancaires"
    feature = "E5"
    order = 50
    description = "Le compte sur lequel vos remboursements sont versés (traitement en 48 h)."
    delay_text = (
        "Votre demande est traitée en 48 h : vous serez averti dans votre messagerie de "
        "l'enregistrement de vos nouvelles coordonnées bancaires."
    )
    auto_accept_after = PROCESSING_DELAY
    requires_reauthentication = True
    message_theme = "coordonnees"
    attestation = (
        "J'atteste sur l'honneur être titulaire ou cotitulaire de ce compte et l'exactitude des "
        "informations déclarées."
    )
    steps = [
        Step(
            "compte",
            "Titulaire et IBAN",
            CompteForm,
            template="demarches/types/coordonnees_bancaires_compte.html",
        ),
        Step(
            "securite",
            "Code de sécurité et carte Vitale",
            SecuriteForm,
            template="demarches/types/coordonnees_bancaires_securite.html",
            reset_when_earlier_changes=True,
        ),
    ]

    def extra_eligibility(self, family, member):
        from accounts.models import User

        if family.active_card(family.person) is None:
            return refused(
                "Ce service demande le numéro de série de votre carte Vitale en cours de "
                "validité : contactez votre caisse au 36 46."
            )
        email = User.objects.filter(person=family.person).values_list("email", flat=True).first()
        if not email:
            return refused(
                "Ce service envoie un code de sécurité par e-mail : renseignez d'abord votre "
                "adresse e-mail dans « Mes informations »."
            )
        return ELIGIBLE

    def holder(self, answers) -> str:
        first = f"{answers.get('civilite_1', '')} {answers.get('titulaire_1', '')}".strip()
        if answers.get("type_compte") == "joint" and answers.get("titulaire_2"):
            second = f"{answers.get('civilite_2', '')} {answers.get('titulaire_2', '')}".strip()
            return f"{first} OU {second}"
        return first

    def on_accept(self, demarche):
        """The new IBAN becomes the current one (the old one is kept, no longer current)."""
        answers = demarche.payload.get("compte", {})
        today = timezone.localdate(demarche.decided_at)
        BankAccount.objects.select_for_update().filter(
            person=demarche.person, is_current=True
        ).update(is_current=False)
        BankAccount.objects.create(
            person=demarche.person,
            holder=self.holder(answers)[:140],
            iban=answers["iban"],
            since=today,
            is_current=True,
        )

    def accepted_text(self, demarche):
        answers = demarche.payload.get("compte", {})
        return (
            "Vos nouvelles coordonnées bancaires sont enregistrées (IBAN "
            f"{identifiers.mask_iban(answers.get('iban', ''))}, référence {demarche.reference}) : "
            "vos prochains paiements y seront versés."
        )
