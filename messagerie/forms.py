"""Forms of « Ma messagerie » (FEATURES F1) and of the agents' answer (H3).

Attachments are checked by `portal.uploads.validate_upload` (PDF, JPEG, PNG recognised from
their bytes, size limit: ARCHITECTURE decision 6); errors are in French, next to the field.
A hidden `client_token` (a UUID generated when the form is shown) makes a double submission
create one thread or one message.
"""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy

from portal.uploads import human_size, max_upload_bytes, validate_upload

from .enums import Theme

MAX_ATTACHMENTS = 3
SUBJECT_MAX_LENGTH = 120
BODY_MAX_LENGTH = 5000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Up to MAX_ATTACHMENTS files, each checked by `validate_upload`; cleans to a list of
    `UploadInfo`. Every refused file is named in the error, with the reason."""

    widget = MultipleFileInput

    def __init__(self, *args, max_files=MAX_ATTACHMENTS, **kwargs):
        self.max_files = max_files
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("accept", ".pdf,.jpg,.jpeg,.png,application/pdf,image/*")

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > self.max_files:
            raise ValidationError(
                f"Vous pouvez joindre au plus {self.max_files} fichiers à un message.",
                code="too_many_files",
            )
        cleaned, errors = [], []
        for uploaded in files:
            uploaded = super().clean(uploaded, initial)
            try:
                info = validate_upload(uploaded)
            except ValidationError as error:
                errors.extend(f"« {uploaded.name} » : {message}" for message in error.messages)
                continue
            cleaned.append(info)
        if errors:
            raise ValidationError(errors)
        return cleaned


class AccessibleErrorsMixin:
    """A field in error points to its message (`aria-describedby`, WCAG 3.3.1)."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            bound = self[name]
            ids = [f"{bound.auto_id}_error"]
            if self.fields[name].help_text:
                ids.append(f"{bound.auto_id}_helptext")
            self.fields[name].widget.attrs["aria-describedby"] = " ".join(ids)


class ClientTokenMixin(forms.Form):
    client_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("client_token", uuid.uuid4())


def _body_field(label):
    return forms.CharField(
        label=label,
        max_length=BODY_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": "Écrivez votre message.",
            "max_length": f"Votre message ne doit pas dépasser {BODY_MAX_LENGTH} caractères "
            "(il en compte %(show_value)d).",
        },
    )


def attachments_help():
    return (
        f"Jusqu'à {MAX_ATTACHMENTS} fichiers PDF, JPEG ou PNG, "
        f"{human_size(max_upload_bytes())} au maximum chacun. "
        "N'envoyez que les documents utiles à votre demande."
    )


ATTACHMENTS_HELP = lazy(attachments_help, str)()  # the size limit is read from the settings


class QuestionForm(AccessibleErrorsMixin, ClientTokenMixin, forms.Form):
    """« J'ai une question »: a theme, a subject, the message and optional attachments."""

    theme = forms.ChoiceField(
        label="Thème de ma question",
        choices=[("", "Choisissez un thème"), *Theme.choices],
        error_messages={
            "required": "Choisissez le thème de votre question.",
            "invalid_choice": "Choisissez un thème dans la liste.",
        },
    )
    subject = forms.CharField(
        label="Objet",
        max_length=SUBJECT_MAX_LENGTH,
        help_text="En quelques mots, par exemple « Remboursement d'une consultation du 3 mars ».",
        error_messages={
            "required": "Indiquez l'objet de votre message.",
            "max_length": f"L'objet ne doit pas dépasser {SUBJECT_MAX_LENGTH} caractères "
            "(il en compte %(show_value)d).",
        },
    )
    body = _body_field("Mon message")
    attachments = AttachmentsField(label="Pièces jointes", help_text=ATTACHMENTS_HELP)

    field_order = ["theme", "subject", "body", "attachments", "client_token"]


class ReplyForm(AccessibleErrorsMixin, ClientTokenMixin, forms.Form):
    """The insured's answer in a thread."""

    body = _body_field("Ma réponse")
    attachments = AttachmentsField(label="Pièces jointes", help_text=ATTACHMENTS_HELP)

    field_order = ["body", "attachments", "client_token"]


class AgentReplyForm(ClientTokenMixin, forms.Form):
    """H3: the agent's answer, from the admin."""

    body = forms.CharField(
        label="Réponse à l'assuré",
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 80}),
        error_messages={"required": "Écrivez la réponse."},
    )
    attachments = AttachmentsField(label="Pièces jointes", help_text=ATTACHMENTS_HELP)
    close = forms.BooleanField(
        label="Clore l'échange après cette réponse",
        required=False,
        help_text="L'assuré ne pourra plus répondre dans cet échange ; il pourra poser une "
        "nouvelle question.",
    )


class AssistantForm(AccessibleErrorsMixin, forms.Form):
    """F2: one question to the assistant."""

    question = forms.CharField(
        label="Votre question",
        max_length=300,
        help_text="Par exemple « J'ai perdu ma carte Vitale » ou « Je déménage ».",
        error_messages={
            "required": "Écrivez votre question.",
            "max_length": "Posez une question courte : 300 caractères au plus "
            "(elle en compte %(show_value)d).",
        },
    )
