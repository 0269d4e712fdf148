"""Forms of the download pages (FEATURES D1, D2, D4, D6) and of « Vérifier une attestation »
(X1). Each form turns what the person chose into the `parameters` of a document; every error is
a French sentence shown next to its field."""

from django import forms

from . import rules
from .enums import IjMention
from .renderers import TPT_MARKER
from .verification import is_well_formed, normalize_code


def person_label(person, owner):
    if person.pk == owner.pk:
        return f"{person.full_name} (vous-même)"
    return (
        f"{person.full_name}, né{'e' if person.sex == '2' else ''} le {person.birth_date:%d/%m/%Y}"
    )


class RightsAttestationForm(forms.Form):
    """D1: « Sélection du bénéficiaire » (default: every beneficiary, seed 004)."""

    beneficiary = forms.ChoiceField(
        label="Sélectionnez une attestation pour",
        required=False,
        help_text=(
            "Par défaut, l'attestation délivrée couvre l'ensemble de vos bénéficiaires. Vous "
            "pouvez aussi demander une attestation pour un seul bénéficiaire."
        ),
    )

    def __init__(self, *args, owner, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["beneficiary"].choices = [("", "Tous les bénéficiaires")] + [
            (str(p.public_id), person_label(p, owner)) for p in people
        ]

    def parameters(self):
        return {"beneficiary": self.cleaned_data["beneficiary"] or None}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DailyAllowancesForm(forms.Form):
    """D2: « Je clique sur l'année ou je saisis les dates » + optional mentions (seed 001)."""

    YEAR, DATES = "annee", "dates"

    period = forms.ChoiceField(
        label="Période de l'attestation",
        choices=[(YEAR, "Une année"), (DATES, "Des dates précises")],
        widget=forms.RadioSelect,
        initial=YEAR,
    )
    year = forms.TypedChoiceField(
        label="Année",
        coerce=int,
        help_text="Années au cours desquelles des indemnités journalières vous ont été versées.",
        error_messages={"required": "Choisissez une année."},
    )
    start = forms.DateField(
        label="Du",
        widget=DateInput(),
        error_messages={
            "required": "Indiquez la date de début.",
            "invalid": "Saisissez une date valide, par exemple 15/03/2024.",
        },
    )
    end = forms.DateField(
        label="Au",
        widget=DateInput(),
        error_messages={
            "required": "Indiquez la date de fin.",
            "invalid": "Saisissez une date valide, par exemple 30/06/2024.",
        },
    )
    mentions = forms.MultipleChoiceField(
        label="Mentions complémentaires à faire figurer",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, owner, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner, self.today = owner, today
        self.window_start = rules.ij_window_start(today)
        years = rules.ij_years(owner, today)
        self.fields["year"].choices = [(y, str(y)) for y in years]
        if years:
            self.fields["year"].initial = years[0]
        for name in ("start", "end"):
            self.fields[name].widget.attrs.update(
                {
                    "min": self.window_start.isoformat(),
                    "max": today.isoformat(),
                    "aria-describedby": "dates-help",
                }
            )
        # Only the fields of the chosen way of giving the period are required.
        if self.data.get("period") == self.DATES:
            self.fields["year"].required = False
        elif self.is_bound:
            self.fields["start"].required = self.fields["end"].required = False
        mentions = []
        if owner.alds.exists():
            mentions.append((IjMention.ALD.value, IjMention.ALD.label))
        window = rules.ij_payments_in_window(owner, today)
        if window.filter(label__icontains=TPT_MARKER).exists():
            mentions.append(
                (IjMention.THERAPEUTIC_PART_TIME.value, IjMention.THERAPEUTIC_PART_TIME.label)
            )
        if mentions:
            self.fields["mentions"].choices = mentions
        else:
            del self.fields["mentions"]

    def clean(self):
        cleaned = super().clean()
        period = cleaned.get("period")
        if period == self.YEAR:
            # Dates typed before choosing « Une année » do not matter.
            for name in ("start", "end"):
                self._errors.pop(name, None)
            year = cleaned.get("year")
            if not year:
                return cleaned
            start, end = rules.ij_period_for_year(year, self.today)
            field = "year"
        elif period == self.DATES:
            start, end = cleaned.get("start"), cleaned.get("end")
            if start is None or end is None:
                return cleaned
            field = "start"
            if start < self.window_start:
                self.add_error(
                    "start",
                    "L'attestation couvre les 8 dernières années : choisissez une date à partir "
                    f"du {self.window_start:%d/%m/%Y}.",
                )
            if end > self.today:
                self.add_error("end", "La date de fin ne peut pas être postérieure à aujourd'hui.")
            if start > end:
                self.add_error("end", "La date de fin doit être postérieure à la date de début.")
            if self.errors:
                return cleaned
        else:
            return cleaned
        if not rules.ij_payments(self.owner).filter(paid_on__gte=start, paid_on__lte=end).exists():
            self.add_error(
                field,
                "Aucune indemnité journalière ne vous a été versée entre le "
                f"{start:%d/%m/%Y} et le {end:%d/%m/%Y}.",
            )
        cleaned["period_start"], cleaned["period_end"] = start, end
        return cleaned

    def parameters(self):
        data = self.cleaned_data
        return {
            "start": data["period_start"].isoformat(),
            "end": data["period_end"].isoformat(),
            "year": data["year"] if data["period"] == self.YEAR else None,
            "mentions": sorted(data.get("mentions") or []),
        }


class PersonChoiceForm(forms.Form):
    """D4 certificat provisoire, D6 M'T Dents: for whom (the insured or an ayant droit)."""

    person = forms.ChoiceField(label="Pour qui ?")

    def __init__(self, *args, owner, people, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(p.public_id): p for p in people}
        self.fields["person"].choices = [
            (k, person_label(p, owner)) for k, p in self.people.items()
        ]
        if label:
            self.fields["person"].label = label

    def clean_person(self):
        value = self.cleaned_data["person"]
        return self.people[value]


class VerificationForm(forms.Form):
    """X1 « Vérifier une attestation »: the code printed under the QR code."""

    code = forms.CharField(
        label="Code de vérification",
        max_length=30,
        help_text=(
            "12 caractères, imprimés en bas de chaque page du document (ex. : K7QM-4XRT-H2PV)."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def clean_code(self):
        code = normalize_code(self.cleaned_data["code"])
        if not is_well_formed(code):
            raise forms.ValidationError(
                "Ce code n'a pas le bon format : il comporte 12 lettres et chiffres, "
                "sans O, I, L, 0 ni 1."
            )
        return code
