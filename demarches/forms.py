"""Forms of the démarches engine: the base of every step, the summary, the agents' decision."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.db import models
from django.utils import dateformat, timezone

from portal.uploads import UploadField

from .engine import SummaryItem

CHECKBOX_TEMPLATE = "forms/checkbox.html"


def jsonable(value):
    """A cleaned value as stored in `Demarche.payload` (and bound again on re-validation)."""
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    return value


class StepForm(forms.Form):
    """Base of a step's form. It receives the démarche (`self.demarche`) and its person.

    * Plain fields are stored in `payload[step]` as JSON (`to_payload`) and bound again when
      the démarche is submitted: every earlier step is re-validated (`revalidate`).
    * `UploadField`s become `DemarcheFile` rows of kind = the field's name; a file already
      stored satisfies a required upload field, so the person does not upload it twice.
    * `summary_exclude` lists fields left out of the « récapitulatif »; `display_value()` can
      be overridden for a nicer rendering of one answer.
    * `after_save(request)` runs in the same transaction as the save (e.g. send a code).
    """

    summary_exclude: tuple = ()
    # Secondary buttons of the step ({name: label}), handled by `perform_action`.
    extra_actions: dict = {}

    def __init__(self, *args, demarche, **kwargs):
        self.demarche = demarche
        self.person = demarche.person
        self.beneficiary = demarche.beneficiary
        self.today = timezone.localdate()
        super().__init__(*args, **kwargs)
        self.existing_files = {}
        stored = {}
        if demarche.pk:
            for f in demarche.files.all():
                stored[f.kind] = f
        for name, field in self.fields.items():
            if isinstance(field, forms.BooleanField):
                field.template_name = CHECKBOX_TEMPLATE
            if isinstance(field, UploadField):
                if name in stored:
                    self.existing_files[name] = stored[name]
                    field.required = False
                    field.stored_name = stored[name].original_name
                limits = field.help_for_limits()
                field.help_text = f"{field.help_text} {limits}".strip()

    # --- storage ------------------------------------------------------------------------------
    def upload_fields(self):
        return {n: f for n, f in self.fields.items() if isinstance(f, UploadField)}

    def to_payload(self) -> dict:
        uploads = self.upload_fields()
        return {
            name: jsonable(value)
            for name, value in self.cleaned_data.items()
            if name not in uploads
        }

    def uploads(self) -> dict:
        """{kind: (label, UploadInfo)} of the files sent with this form."""
        return {
            name: (str(field.label), self.cleaned_data[name])
            for name, field in self.upload_fields().items()
            if self.cleaned_data.get(name) is not None
        }

    def after_save(self, request):
        """Hook run in the saving transaction once the answers are stored."""

    def perform_action(self, name, request):
        """Run a secondary button (`extra_actions`); returns (ok, French message)."""
        return False, "Action inconnue."

    @classmethod
    def revalidate(cls, demarche, data) -> list:
        """Errors of the stored answers of this step (empty when they are still valid)."""
        if data is None:
            return ["Cette étape n'a pas été remplie."]
        form = cls(data=data, demarche=demarche)
        if form.is_valid():
            return []
        return [str(e) for errors in form.errors.values() for e in errors]

    # --- review -------------------------------------------------------------------------------
    def display_value(self, name, value, review=True):
        field = self.fields[name]
        if value in (None, "", []):
            return "Non renseigné"
        if isinstance(field, forms.BooleanField):
            return "Oui" if value else "Non"
        if isinstance(field, forms.MultipleChoiceField):
            labels = dict(field.choices)
            return ", ".join(str(labels.get(v, v)) for v in value)
        if isinstance(field, forms.ChoiceField):
            return str(dict(field.choices).get(value, value))
        if isinstance(field, forms.DateField):
            return dateformat.format(datetime.date.fromisoformat(value), "j F Y")
        return str(value)

    def summary_items(self, data, files, review=True) -> list:
        items = []
        by_kind = {f.kind: f for f in files}
        for name, field in self.fields.items():
            if name in self.summary_exclude:
                continue
            if isinstance(field, UploadField):
                stored = by_kind.get(name)
                if stored is not None:
                    items.append(SummaryItem(str(field.label), stored.original_name))
                continue
            if name not in data:
                continue
            items.append(
                SummaryItem(str(field.label), self.display_value(name, data[name], review))
            )
        return items


class BeneficiaryForm(forms.Form):
    """« Pour qui faites-vous cette démarche ? » — the members the type allows."""

    beneficiary = forms.ChoiceField(
        label="Pour qui faites-vous cette démarche ?", widget=forms.RadioSelect
    )
    follows = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["beneficiary"].choices = choices
        if len(choices) == 1:
            self.fields["beneficiary"].initial = choices[0][0]


class SummaryForm(forms.Form):
    """The « récapitulatif » page: the attestation (when the type has one) and « Valider »."""

    attestation = forms.BooleanField(required=True)

    def __init__(self, *args, attestation_text="", **kwargs):
        super().__init__(*args, **kwargs)
        if attestation_text:
            self.fields["attestation"].label = attestation_text
            self.fields["attestation"].template_name = CHECKBOX_TEMPLATE
            self.fields["attestation"].error_messages["required"] = (
                "Cochez l'attestation sur l'honneur pour valider votre demande."
            )
        else:
            del self.fields["attestation"]


class ProvideDocumentForm(forms.Form):
    """« Pièce demandée »: the person sends the document an agent asked for."""

    document = UploadField(label="Document demandé")
    comment = forms.CharField(
        label="Commentaire",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["document"]
        field.help_text = field.help_for_limits()


class DecisionForm(forms.Form):
    """H2: an agent's decision on a démarche, through the engine's transitions."""

    ACTIONS = [
        ("start_instruction", "Passer en instruction"),
        ("accept", "Accepter"),
        ("refuse", "Refuser (motif obligatoire)"),
        ("request_document", "Demander une pièce (message obligatoire)"),
        ("classify", "Classer sans suite (motif obligatoire)"),
    ]
    REASON_REQUIRED = {"refuse", "request_document", "classify"}

    action = forms.ChoiceField(label="Décision", choices=ACTIONS)
    reason = forms.CharField(
        label="Motif ou message à l'assuré",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Il est envoyé à l'assuré : écrivez-le en termes simples.",
    )

    def __init__(self, *args, allowed=None, **kwargs):
        super().__init__(*args, **kwargs)
        if allowed is not None:
            self.fields["action"].choices = [c for c in self.ACTIONS if c[0] in allowed]

    def clean(self):
        data = super().clean()
        if data.get("action") in self.REASON_REQUIRED and not (data.get("reason") or "").strip():
            self.add_error("reason", "Indiquez le motif : il sera communiqué à l'assuré.")
        return data
