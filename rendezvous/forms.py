"""Forms of « Prendre un rendez-vous » (F3) and of the agents' slot series (H1)."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from phonenumber_field.formfields import PhoneNumberField

from . import rules
from .enums import Mode, Reason
from .models import Place

MODE_CHOICES = [
    (Mode.PHYSIQUE.value, "Rendez-vous physique : dans un accueil de votre caisse"),
    (Mode.TELEPHONIQUE.value, "Rendez-vous téléphonique : un conseiller vous appelle"),
]


class ChoiceForm(forms.Form):
    """Step 1: motif, type and accueil (sent by GET: the choices stay in the URL, the back
    button works, nothing is stored before the booking itself)."""

    motif = forms.ChoiceField(
        label="Motif du rendez-vous",
        choices=Reason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez le motif de votre rendez-vous.",
            "invalid_choice": "Choisissez l'un des motifs proposés.",
        },
    )
    mode = forms.ChoiceField(
        label="Type de rendez-vous",
        choices=MODE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez un rendez-vous physique ou téléphonique.",
            "invalid_choice": "Choisissez un rendez-vous physique ou téléphonique.",
        },
    )
    lieu = forms.TypedChoiceField(
        label="Accueil de votre caisse",
        coerce=int,
        widget=forms.RadioSelect,
        help_text="Pour un rendez-vous téléphonique, un conseiller de cet accueil vous appelle.",
        error_messages={
            "required": "Choisissez un accueil.",
            "invalid_choice": "Choisissez l'un des accueils proposés.",
        },
    )

    def __init__(self, *args, places, upcoming=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.places = {place.pk: place for place in places}
        self.upcoming = upcoming
        self.fields["lieu"].choices = [
            (place.pk, f"{place.name} — {place.one_line_address}") for place in places
        ]
        if len(places) == 1:
            self.initial.setdefault("lieu", places[0].pk)

    def clean_motif(self):
        reason = self.cleaned_data["motif"]
        conflict = rules.reason_conflict(self.upcoming, reason)
        if conflict:
            raise forms.ValidationError(conflict)
        return reason

    @property
    def place(self):
        return self.places[self.cleaned_data["lieu"]]


class SlotForm(forms.Form):
    """Step 2: the slot, the number to call (téléphonique), optional précisions, and the
    form's token (a double submission books once)."""

    creneau = forms.IntegerField(
        label="Créneau",
        error_messages={
            "required": "Choisissez un créneau.",
            "invalid": "Choisissez l'un des créneaux proposés.",
        },
    )
    telephone = PhoneNumberField(
        label="Numéro auquel le conseiller vous appelle",
        required=False,
        region="FR",
        help_text="Par exemple 06 12 34 56 78.",
        error_messages={
            "invalid": "Ce numéro de téléphone n'est pas valide. Saisissez par exemple "
            "06 12 34 56 78, ou le numéro avec l'indicatif du pays (+32…)."
        },
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    precisions = forms.CharField(
        label="Précisez votre demande",
        required=False,
        max_length=500,
        help_text="N'indiquez aucune information médicale : vous en parlerez avec le conseiller. "
        "500 caractères au plus.",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
        error_messages={
            "max_length": "500 caractères au plus (vous en avez écrit %(show_value)d)."
        },
    )
    jeton = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, mode, **kwargs):
        super().__init__(*args, **kwargs)
        self.mode = mode
        if mode == Mode.TELEPHONIQUE:
            self.fields["telephone"].required = True
            self.fields["telephone"].error_messages["required"] = (
                "Indiquez le numéro auquel le conseiller peut vous appeler."
            )
        else:
            del self.fields["telephone"]

    def cleaned_phone(self):
        number = self.cleaned_data.get("telephone")
        return number.as_e164 if number else ""


# --- agents (H1): a series of slots -------------------------------------------------------
WEEKDAYS = [
    (0, "Lundi"),
    (1, "Mardi"),
    (2, "Mercredi"),
    (3, "Jeudi"),
    (4, "Vendredi"),
    (5, "Samedi"),
]
MAX_SERIES_DAYS = 184  # about six months at once
MAX_SERIES_SLOTS = 3000


def fits(start, end, duration_minutes):
    day = datetime.date(2000, 1, 3)
    slot_end = datetime.datetime.combine(day, start) + datetime.timedelta(minutes=duration_minutes)
    return slot_end <= datetime.datetime.combine(day, end)


class SlotSeriesForm(forms.Form):
    """« Créer une série de créneaux »: days × hours × modes at one accueil of the caisse."""

    place = forms.ModelChoiceField(label="Accueil", queryset=Place.objects.none())
    first_day = forms.DateField(label="Du", widget=forms.DateInput(attrs={"type": "date"}))
    last_day = forms.DateField(label="Au (inclus)", widget=forms.DateInput(attrs={"type": "date"}))
    weekdays = forms.TypedMultipleChoiceField(
        label="Jours de la semaine",
        choices=WEEKDAYS,
        coerce=int,
        initial=[0, 1, 2, 3, 4],
        widget=forms.CheckboxSelectMultiple,
    )
    start_time = forms.TimeField(
        label="Premier créneau à", widget=forms.TimeInput(attrs={"type": "time"})
    )
    end_time = forms.TimeField(
        label="Dernier créneau fini à", widget=forms.TimeInput(attrs={"type": "time"})
    )
    duration_minutes = forms.IntegerField(
        label="Durée d'un créneau (minutes)", min_value=5, max_value=240, initial=30
    )
    modes = forms.MultipleChoiceField(
        label="Types de rendez-vous",
        choices=Mode.choices,
        initial=[Mode.PHYSIQUE.value],
        widget=forms.CheckboxSelectMultiple,
    )
    capacity = forms.IntegerField(
        label="Capacité de chaque créneau",
        min_value=1,
        max_value=50,
        initial=1,
        help_text="Nombre de personnes reçues ou appelées en même temps (un par conseiller).",
    )

    def __init__(self, *args, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places

    def clean(self):
        data = super().clean()
        first, last = data.get("first_day"), data.get("last_day")
        today = timezone.localdate()
        if first and first < today:
            self.add_error("first_day", "La série ne peut pas commencer dans le passé.")
        if first and last:
            if last < first:
                self.add_error("last_day", "La date de fin doit suivre la date de début.")
            elif (last - first).days > MAX_SERIES_DAYS:
                self.add_error("last_day", "Une série couvre six mois au plus.")
        start, end = data.get("start_time"), data.get("end_time")
        duration = data.get("duration_minutes")
        if start and end and duration and not fits(start, end, duration):
            self.add_error("end_time", "Aucun créneau ne tient entre ces deux heures.")
        if not self.errors:
            count = len(
                rules.series_starts(first, last, data["weekdays"], start, end, duration)
            ) * len(data["modes"])
            if count == 0:
                raise forms.ValidationError("Ces choix ne donnent aucun créneau.")
            if count > MAX_SERIES_SLOTS:
                raise forms.ValidationError(
                    f"Ces choix donnent {count} créneaux : {MAX_SERIES_SLOTS} au plus à la fois."
                )
            data["count"] = count
        return data
