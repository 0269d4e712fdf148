"""CSV import of payments, arrêts de travail and rights (FEATURES H6, for C1, C5 and B3).

`manage.py import_csv <paiements|arrets|droits> fichier.csv [--dry-run]` calls `import_csv()`;
the columns of each kind are declared below (`Column`) and listed in README « Importer des
données (H6) » and in `import_csv --help`.

How a file is read:

* UTF-8 with or without BOM (what Excel's « CSV UTF-8 » writes); the delimiter (`;`, `,` or
  tab) is guessed from the header line;
* headers in French, case, accents and spaces ignored (« Date paiement » = `date_paiement`);
  an unknown, repeated or missing required column is an error of line 1;
* dates JJ/MM/AAAA (or AAAA-MM-JJ), amounts « 1 024,37 » or « 1024.37 », booleans oui/non,
  enumerations by code or French label (`ij` or « Indemnités journalières »);
* people by NIR, 13 characters or 15 with the key, spaces allowed (`assures.identifiers`).

Every row is checked before anything is written: the model's own field validation
(`clean_fields`: lengths, decimals, validators), the enums, the NIR rules, then what the
database's CHECK constraints and the admin form would refuse, each as a French message with
its line (of the file: the header is line 1) and column. One invalid row and nothing is saved:
the whole import is one transaction.

Idempotent: payments and arrêts carry the reference they have in the caisse's system
(`source_reference`, unique per insured); a reference already recorded is « déjà présent » and
left as it is. Rights are set to the file's values, which is idempotent by nature.

Queries do not grow with the rows: people, attachments, arrêts and existing references are
read in one query per `LOOKUP_CHUNK` keys, rows are written by `bulk_create` / `bulk_update`.
"""

from __future__ import annotations

import abc
import csv
import datetime
import io
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from assures import identifiers
from assures.models import Beneficiary, Person
from portal.templatetags.portal import euros

from .enums import NATURE_FILTER_LABELS, DeductionKind, Nature, Payee, SickLeaveKind
from .models import (
    BENEFICIARY_OUTSIDE_FAMILY,
    ONLY_IJ_ON_SICK_LEAVE,
    ZERO,
    Payment,
    PaymentLine,
    SickLeave,
)

BATCH_SIZE = 1000  # rows per INSERT / UPDATE (Django lowers it where the database needs)
LOOKUP_CHUNK = 5000  # keys per lookup query (SQLite accepts 32 766 parameters)
DELIMITERS = (";", ",", "\t")


# --- errors and report ------------------------------------------------------------------------
@dataclass(frozen=True)
class RowError:
    """« ligne 4, colonne montant : … ». `line` is None for what concerns the whole file."""

    line: int | None
    column: str
    message: str

    def __str__(self):
        where = [f"ligne {self.line}"] if self.line else []
        if self.column:
            where.append(f"colonne {self.column}")
        return f"{', '.join(where)} : {self.message}" if where else self.message


@dataclass
class ImportReport:
    kind: str
    dry_run: bool = False
    rows: int = 0
    created: int = 0  # payments or arrêts created, people whose rights were changed
    already_present: int = 0  # already recorded (same reference), rights already as in the file
    lines_created: int = 0  # décompte lines of the payments created
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors

    def summary(self) -> str:
        return IMPORTERS[self.kind].summary(self)


def plural(count: int, singular: str, plural_form: str) -> str:
    """French agreement: 0 and 1 take the singular."""
    return f"{count} {singular if count <= 1 else plural_form}"


# --- values ---------------------------------------------------------------------------------
def normalize(text: str) -> str:
    """« Date du Paiement » -> "date_du_paiement": headers and labels compared this way."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")


def parse_text(text: str) -> str:
    return text


def parse_nir(text: str) -> str:
    """The 13-character NIR, with the rules of the login and account creation forms."""
    return identifiers.validate_nir(text)


DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")


def parse_date(text: str) -> datetime.date:
    for date_format in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, date_format).date()
        except ValueError:
            continue
    raise ValidationError(f"Date invalide « {text} » : attendue au format JJ/MM/AAAA.")


def parse_amount(text: str) -> Decimal:
    """« 1 024,37 € », « 1024.37 », « 1.024,37 » -> Decimal("1024.37")."""
    compact = re.sub(r"[\s€]", "", text)  # \s covers the no-break spaces of French numbers
    if "," in compact and "." in compact:
        thousands = "." if compact.rfind(",") > compact.rfind(".") else ","
        compact = compact.replace(thousands, "")
    compact = compact.replace(",", ".")
    if not re.fullmatch(r"[+-]?\d+(\.\d+)?", compact):
        raise ValidationError(f"Montant invalide « {text} » : attendu par exemple 12,50.")
    try:
        return Decimal(compact)
    except InvalidOperation:  # pragma: no cover - the pattern above only lets numbers through
        raise ValidationError(f"Montant invalide « {text} ».") from None


def parse_rate(text: str) -> int:
    compact = re.sub(r"[\s%]", "", text)
    if not compact.isdigit():
        raise ValidationError(f"Taux invalide « {text} » : attendu un pourcentage entier (70).")
    return int(compact)


TRUE_WORDS = {"oui", "o", "vrai", "1", "x", "true", "yes"}
FALSE_WORDS = {"non", "n", "faux", "0", "false", "no"}


def parse_bool(text: str) -> bool:
    word = normalize(text)
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValidationError(f"Valeur « {text} » non comprise : attendu oui ou non.")


def choice_parser(choices, extra_labels=None) -> Callable[[str], str]:
    """A parser accepting a TextChoices value or its French label (case and accents ignored)."""
    known = {}
    for value, label in choices.choices:
        known[normalize(value)] = value
        known[normalize(str(label))] = value
    for value, label in (extra_labels or {}).items():
        known[normalize(str(label))] = value
    codes = ", ".join(choices.values)

    def parse(text: str) -> str:
        try:
            return known[normalize(text)]
        except KeyError:
            raise ValidationError(
                f"Valeur inconnue « {text} » : valeurs possibles {codes}."
            ) from None

    parse.codes = codes
    return parse


# --- reading the file -----------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    name: str
    parse: Callable[[str], object]
    required: bool = False  # in the header and on every row
    help: str = ""


@dataclass
class Row:
    line: int
    raw: dict[str, str]
    values: dict[str, object] = field(default_factory=dict)  # None where the cell is empty
    bad: set[str] = field(default_factory=set)  # columns already reported as wrong


def read_bytes(source) -> bytes:
    """`source`: bytes, a path, or a binary file object."""
    if isinstance(source, bytes | bytearray):
        return bytes(source)
    if isinstance(source, str | Path):
        return Path(source).read_bytes()
    data = source.read()
    return data.encode() if isinstance(data, str) else data


def sniff_delimiter(header_line: str) -> str:
    counts = {delimiter: header_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ";"


def read_table(data: bytes, columns: Iterable[Column]) -> tuple[list[Row], list[RowError]]:
    """The rows of the CSV `data` (each cell stripped), or the errors of the file itself."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return [], [
            RowError(
                line,
                "",
                "Le fichier n'est pas encodé en UTF-8 : enregistrez-le au format « CSV UTF-8 ».",
            )
        ]
    if not text.strip():
        return [], [RowError(None, "", "Le fichier est vide.")]
    delimiter = sniff_delimiter(text.lstrip("\r\n").split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    by_name = {column.name: column for column in columns}
    errors = []
    rows = []
    try:
        header = next(reader)
        while not any(cell.strip() for cell in header):  # blank lines before the header
            header = next(reader)
        header_line = reader.line_num
        while header and not header[-1].strip():  # « a;b;c; » as spreadsheets often write
            header.pop()
        names = [normalize(cell) for cell in header]
        for cell, name in zip(header, names, strict=True):
            if name not in by_name:
                errors.append(
                    RowError(
                        header_line,
                        cell.strip() or "(sans nom)",
                        "Colonne inconnue : colonnes possibles "
                        f"{', '.join(by_name)} (voir README « Importer des données (H6) »).",
                    )
                )
        for name in sorted({n for n in names if names.count(n) > 1 and n in by_name}):
            errors.append(RowError(header_line, name, "Colonne présente plusieurs fois."))
        for column in by_name.values():
            if column.required and column.name not in names:
                errors.append(
                    RowError(header_line, column.name, "Colonne obligatoire absente de l'en-tête.")
                )
        if errors:
            return [], errors
        next_line = reader.line_num + 1
        for record in reader:
            line, next_line = next_line, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if any(cell.strip() for cell in record[len(names) :]):
                errors.append(
                    RowError(
                        line,
                        "",
                        f"{len(record)} valeurs pour {len(names)} colonnes : vérifiez le "
                        f"séparateur « {delimiter} » et les guillemets autour des valeurs qui "
                        "le contiennent.",
                    )
                )
                continue
            cells = [cell.strip() for cell in record]
            cells += [""] * (len(names) - len(cells))
            rows.append(Row(line, dict(zip(names, cells, strict=False))))
    except StopIteration:
        return [], [RowError(None, "", "Le fichier est vide.")]
    except csv.Error as exc:
        errors.append(RowError(reader.line_num, "", f"Fichier CSV illisible ({exc})."))
    return rows, errors


# --- lookups (one query per LOOKUP_CHUNK keys) ---------------------------------------------------
def chunked(items, size=LOOKUP_CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def people_by_nir(nirs, *fields):
    """{nir: Person} of the registry people whose NIR is in `nirs` (only `fields` loaded)."""
    found = {}
    for chunk in chunked(sorted(nirs)):
        for person in Person.objects.filter(nir__in=chunk).only("pk", "nir", *fields):
            found[person.nir] = person
    return found


def ids_by_reference(model, owner_field, keys):
    """{(owner id, source reference): row id} of the `model` rows among `keys`."""
    found = {}
    owner = f"{owner_field}_id"
    for chunk in chunked(sorted(keys)):
        wanted = set(chunk)
        rows = model.objects.filter(
            **{
                f"{owner}__in": {owner_id for owner_id, _ in chunk},
                "source_reference__in": {reference for _, reference in chunk},
            }
        ).values_list(owner, "source_reference", "pk")
        for owner_id, reference, pk in rows:
            if (owner_id, reference) in wanted:
                found[(owner_id, reference)] = pk
    return found


# --- the importers ------------------------------------------------------------------------------
class Importer(abc.ABC):
    """Reads the rows, checks them all, then writes them all (or nothing)."""

    kind = ""
    label = ""
    columns: tuple[Column, ...] = ()

    def __init__(self):
        self.errors: list[RowError] = []

    def error(self, row: Row, column: str, message: str):
        self.errors.append(RowError(row.line, column, message))
        row.bad.add(column)

    def sorted_errors(self) -> list[RowError]:
        """By line, then in the order of the columns."""
        position = {column.name: i for i, column in enumerate(self.columns)}
        return sorted(self.errors, key=lambda e: (e.line or 0, position.get(e.column, -1)))

    def parse(self, row: Row):
        for column in self.columns:
            text = row.raw.get(column.name, "")
            row.values[column.name] = None
            if not text:
                if column.required:
                    self.error(row, column.name, "Valeur obligatoire manquante.")
                continue
            try:
                row.values[column.name] = column.parse(text)
            except ValidationError as exc:
                self.error(row, column.name, " ".join(exc.messages))

    def check_fields(self, instance, row: Row, field_columns: dict[str, str]):
        """The model's own field validation (lengths, decimals, validators), reported on the
        row's columns. Fields without a column, or already reported, are not checked again;
        foreign keys are resolved in bulk, not here (Model.clean_fields would query them)."""
        exclude = set()
        for model_field in instance._meta.concrete_fields:
            column = field_columns.get(model_field.name)
            if column is None or column in row.bad or model_field.is_relation:
                exclude.add(model_field.name)
            elif getattr(instance, model_field.attname) is None and not model_field.null:
                exclude.add(model_field.name)  # a required value missing: already reported
        try:
            instance.clean_fields(exclude=exclude)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                self.error(row, field_columns[name], " ".join(messages))

    def unknown_nirs(self, rows, people, columns):
        for row in rows:
            for column in columns:
                nir = row.values.get(column)
                if nir and nir not in people:
                    self.error(
                        row,
                        column,
                        f"Aucune personne du référentiel n'a le NIR {identifiers.format_nir(nir)}.",
                    )

    def duplicates(self, rows, key, column, what):
        """Report the rows whose `key(row)` (None: not checked) repeats an earlier row's."""
        seen = {}
        for row in rows:
            value = key(row)
            if value is None:
                continue
            if value in seen:
                self.error(row, column, f"{what} déjà présent ligne {seen[value]} du fichier.")
            else:
                seen[value] = row.line

    @abc.abstractmethod
    def validate(self, rows: list[Row], report: ImportReport):
        """Check `rows` (errors through `self.error`), counting into `report`."""

    @abc.abstractmethod
    def save(self, report: ImportReport):
        """Write what `validate` prepared (inside the command's transaction)."""

    @classmethod
    @abc.abstractmethod
    def summary(cls, report: ImportReport) -> str:
        """The French one-line result printed by the command."""

    @classmethod
    def columns_help(cls) -> str:
        width = max(len(column.name) for column in cls.columns)
        return "\n".join(
            f"  {column.name:<{width}}  {'*' if column.required else ' '} {column.help}"
            for column in cls.columns
        )


def _will(report, past: str, conditional: str) -> str:
    return conditional if report.dry_run else past


# --- arrêts de travail (C5) -------------------------------------------------------------------
SICK_LEAVE_KIND = choice_parser(SickLeaveKind)


class SickLeaveImport(Importer):
    """FEATURES C5: one row per arrêt de travail; its IJ payments are imported as payments
    (kind « paiements ») that name the arrêt's reference in `reference_arret`."""

    kind = "arrets"
    label = "arrêts de travail"
    columns = (
        Column("reference", parse_text, True, "référence de l'arrêt dans le système de la caisse"),
        Column("nir", parse_nir, True, "NIR de l'assuré (13 chiffres, ou 15 avec la clé)"),
        Column("nature", SICK_LEAVE_KIND, True, f"{SICK_LEAVE_KIND.codes}"),
        Column("date_debut", parse_date, True, "début de l'arrêt (JJ/MM/AAAA)"),
        Column("date_fin", parse_date, False, "fin de l'arrêt, vide s'il est en cours"),
        Column("employeur", parse_text, False, "employeur"),
        Column("date_reception", parse_date, False, "avis d'arrêt reçu le"),
    )
    FIELDS = {
        "source_reference": "reference",
        "kind": "nature",
        "start": "date_debut",
        "end": "date_fin",
        "employer": "employeur",
        "received_on": "date_reception",
    }

    def validate(self, rows, report):
        people = people_by_nir({row.values["nir"] for row in rows if row.values["nir"]})
        self.unknown_nirs(rows, people, ["nir"])
        self.duplicates(
            rows,
            lambda row: (
                (row.values["nir"], row.values["reference"])
                if row.values["nir"] and row.values["reference"]
                else None
            ),
            "reference",
            "Arrêt de même référence pour le même assuré",
        )
        leaves = []
        for row in rows:
            v = row.values
            person = people.get(v["nir"])
            leave = SickLeave(
                person_id=person.pk if person else None,
                source_reference=v["reference"],
                kind=v["nature"],
                start=v["date_debut"],
                end=v["date_fin"],
                employer=v["employeur"] or "",
                received_on=v["date_reception"],
            )
            if leave.start and leave.end and leave.end < leave.start:  # sickleave_ordered
                self.error(row, "date_fin", "La fin de l'arrêt précède son début.")
            self.check_fields(leave, row, self.FIELDS)
            if person is not None and v["reference"] and not row.bad:
                leaves.append(leave)
        existing = ids_by_reference(
            SickLeave, "person", {(leave.person_id, leave.source_reference) for leave in leaves}
        )
        self.new = [
            leave for leave in leaves if (leave.person_id, leave.source_reference) not in existing
        ]
        report.already_present = len(leaves) - len(self.new)
        report.created = len(self.new)

    def save(self, report):
        SickLeave.objects.bulk_create(self.new, batch_size=BATCH_SIZE)

    @classmethod
    def summary(cls, report):
        return (
            f"{plural(report.created, 'arrêt de travail', 'arrêts de travail')} "
            f"{_will(report, 'créé' if report.created <= 1 else 'créés', 'à créer')}, "
            f"{report.already_present} déjà "
            f"{'présent' if report.already_present <= 1 else 'présents'}."
        )


# --- rights (B3) ------------------------------------------------------------------------------
class RightsImport(Importer):
    """FEATURES B3/D1: the period a person's rights are open (« Vos droits à l'Assurance Maladie
    sont ouverts »). An empty `fin_droits` means open with no end date."""

    kind = "droits"
    label = "droits"
    columns = (
        Column("nir", parse_nir, True, "NIR de la personne (13 chiffres, ou 15 avec la clé)"),
        Column("debut_droits", parse_date, True, "droits ouverts depuis le (JJ/MM/AAAA)"),
        Column("fin_droits", parse_date, False, "droits ouverts jusqu'au, vide : sans fin"),
    )
    FIELDS = {"rights_start": "debut_droits", "rights_end": "fin_droits"}

    def validate(self, rows, report):
        people = people_by_nir(
            {row.values["nir"] for row in rows if row.values["nir"]}, "rights_start", "rights_end"
        )
        self.unknown_nirs(rows, people, ["nir"])
        self.duplicates(rows, lambda row: row.values["nir"], "nir", "Même NIR")
        self.changed = []
        for row in rows:
            v = row.values
            start, end = v["debut_droits"], v["fin_droits"]
            if start and end and end < start:  # person_rights_period_ordered
                self.error(row, "fin_droits", "La fin des droits précède leur début.")
            person = people.get(v["nir"])
            if person is None or row.bad:
                continue
            if (person.rights_start, person.rights_end) == (start, end):
                report.already_present += 1
                continue
            person.rights_start, person.rights_end = start, end
            self.check_fields(person, row, self.FIELDS)
            self.changed.append(person)
        report.created = len(self.changed)

    def save(self, report):
        Person.objects.bulk_update(
            self.changed, ["rights_start", "rights_end"], batch_size=BATCH_SIZE
        )

    @classmethod
    def summary(cls, report):
        return (
            f"Droits de {plural(report.created, 'personne', 'personnes')} "
            f"{_will(report, 'mis à jour', 'à mettre à jour')}, "
            f"{report.already_present} déjà à jour."
        )


# --- payments (C1, C5) ------------------------------------------------------------------------
NATURE = choice_parser(Nature, NATURE_FILTER_LABELS)
PAYEE = choice_parser(Payee)
DEDUCTION_KIND = choice_parser(DeductionKind)

# Columns of the payment itself: repeated identically on each line of the same décompte.
PAYMENT_COLUMNS = (
    "reference",
    "nir_assure",
    "nir_beneficiaire",
    "date_paiement",
    "nature",
    "libelle",
    "montant",
    "paye_a",
    "nom_tiers",
    "transmis_complementaire",
    "reference_arret",
    "periode_debut",
    "periode_fin",
)
# Columns of one line of the décompte (C1): a row with `acte` filled is a line.
LINE_COLUMNS = (
    "acte",
    "code_acte",
    "professionnel",
    "montant_paye",
    "base_remboursement",
    "taux",
    "montant_rembourse",
    "type_deduction",
    "montant_deduit",
)
LINE_REQUIRED = (
    "acte",
    "date_soins",
    "montant_paye",
    "base_remboursement",
    "taux",
    "montant_rembourse",
)


class PaymentImport(Importer):
    """FEATURES C1/C5: one row per payment, or one row per line of its décompte.

    Rows sharing a `reference` (for the same insured) are the lines of one care payment:
    their payment columns must be equal, and the payment's amount is the net of its lines
    (« montant remboursé » less the PF or franchise kept back), as in the admin. IJ payments
    name their arrêt de travail (imported first) in `reference_arret`.
    """

    kind = "paiements"
    label = "paiements"
    columns = (
        Column("reference", parse_text, True, "référence du paiement dans le système de la caisse"),
        Column("nir_assure", parse_nir, True, "NIR de l'assuré (ouvrant droit) du compte"),
        Column(
            "nir_beneficiaire", parse_nir, False, "NIR de l'ayant droit soigné ; vide : l'assuré"
        ),
        Column("date_paiement", parse_date, True, "date du paiement (JJ/MM/AAAA)"),
        Column("nature", NATURE, True, NATURE.codes),
        Column("libelle", parse_text, True, "libellé affiché dans « Mes paiements »"),
        Column("montant", parse_amount, False, "montant payé ; vide : total des lignes (soins)"),
        Column("paye_a", PAYEE, False, f"{PAYEE.codes} ; vide : assure"),
        Column("nom_tiers", parse_text, False, "nom du tiers payé (professionnel, établissement)"),
        Column("date_soins", parse_date, False, "date des soins (de la ligne s'il y en a)"),
        Column("transmis_complementaire", parse_bool, False, "oui / non ; vide : non"),
        Column("reference_arret", parse_text, False, "IJ : référence de l'arrêt de travail"),
        Column("periode_debut", parse_date, False, "IJ, pension, rente : période payée du"),
        Column("periode_fin", parse_date, False, "IJ, pension, rente : période payée au"),
        Column("acte", parse_text, False, "ligne de décompte : acte"),
        Column("code_acte", parse_text, False, "ligne : code de l'acte (G, PH7…)"),
        Column("professionnel", parse_text, False, "ligne : professionnel de santé"),
        Column("montant_paye", parse_amount, False, "ligne : montant payé par l'assuré"),
        Column("base_remboursement", parse_amount, False, "ligne : base de remboursement"),
        Column("taux", parse_rate, False, "ligne : taux de remboursement (%)"),
        Column("montant_rembourse", parse_amount, False, "ligne : montant remboursé"),
        Column("type_deduction", DEDUCTION_KIND, False, f"ligne : {DEDUCTION_KIND.codes}"),
        Column("montant_deduit", parse_amount, False, "ligne : PF ou franchise retenue"),
    )
    FIELDS = {
        "source_reference": "reference",
        "paid_on": "date_paiement",
        "nature": "nature",
        "label": "libelle",
        "amount": "montant",
        "payee": "paye_a",
        "payee_name": "nom_tiers",
        "care_date": "date_soins",
        "sent_to_complementary": "transmis_complementaire",
        "period_start": "periode_debut",
        "period_end": "periode_fin",
    }
    LINE_FIELDS = {
        "care_date": "date_soins",
        "act": "acte",
        "act_code": "code_acte",
        "professional": "professionnel",
        "amount_paid": "montant_paye",
        "base": "base_remboursement",
        "rate": "taux",
        "reimbursed": "montant_rembourse",
        "deduction_kind": "type_deduction",
        "deduction": "montant_deduit",
    }

    def validate(self, rows, report):
        nir_columns = ("nir_assure", "nir_beneficiaire")
        nirs = {row.values[c] for row in rows for c in nir_columns if row.values[c]}
        self.people = people_by_nir(nirs)
        self.unknown_nirs(rows, self.people, nir_columns)
        insured_ids = {
            self.people[row.values["nir_assure"]].pk
            for row in rows
            if row.values["nir_assure"] in self.people
        }
        self.attached = set()
        for chunk in chunked(sorted(insured_ids)):
            self.attached.update(
                Beneficiary.objects.filter(insured_id__in=chunk).values_list(
                    "insured_id", "person_id"
                )
            )
        self.leaves = ids_by_reference(
            SickLeave,
            "person",
            {
                (self.people[row.values["nir_assure"]].pk, row.values["reference_arret"])
                for row in rows
                if row.values["reference_arret"] and row.values["nir_assure"] in self.people
            },
        )
        # Rows of the same payment: same insured, same reference (a row that lacks either is
        # checked on its own).
        groups = {}
        for row in rows:
            v = row.values
            if v["nir_assure"] and v["reference"]:
                groups.setdefault((v["nir_assure"], v["reference"]), []).append(row)
            else:
                groups[row.line] = [row]
        payments = [self.build(group) for group in groups.values()]
        payments = [(p, lines) for p, lines in payments if p is not None]
        existing = ids_by_reference(
            Payment, "insured", {(p.insured_id, p.source_reference) for p, _ in payments}
        )
        self.new = [
            (p, ls) for p, ls in payments if (p.insured_id, p.source_reference) not in existing
        ]
        report.already_present = len(payments) - len(self.new)
        report.created = len(self.new)
        report.lines_created = sum(len(lines) for _, lines in self.new)

    @staticmethod
    def is_line(row):
        return any(row.raw.get(column) for column in LINE_COLUMNS)

    def build(self, rows):
        """The payment (and its lines) of the rows of one reference, or (None, []) when they
        cannot be saved; every problem found is reported."""
        first, v = rows[0], rows[0].values
        line_rows = [row for row in rows if self.is_line(row)]
        if len(rows) > 1 and len(line_rows) < len(rows):
            for row in rows[1:]:
                self.error(
                    row,
                    "reference",
                    f"Référence {v['reference']} déjà utilisée ligne {first.line} pour le même "
                    "assuré : seules les lignes d'un même décompte (colonne acte remplie) "
                    "peuvent la partager.",
                )
            return None, []
        for row in rows[1:]:
            for column in PAYMENT_COLUMNS:
                if column in row.bad or column in first.bad:
                    continue
                if row.values[column] != v[column]:
                    self.error(
                        row,
                        column,
                        f"Valeur différente de celle de la ligne {first.line} pour le même "
                        f"paiement (référence {v['reference']}).",
                    )
        lines = [self.build_line(row) for row in line_rows]
        insured = self.people.get(v["nir_assure"])
        beneficiary = self.people.get(v["nir_beneficiaire"] or v["nir_assure"])
        attached = insured and beneficiary and (insured.pk, beneficiary.pk) in self.attached
        if insured and beneficiary and insured.pk != beneficiary.pk and not attached:
            self.error(  # the rule of the admin's PaymentAdminForm
                first,
                "nir_beneficiaire",
                BENEFICIARY_OUTSIDE_FAMILY,
            )
        nature = v["nature"]
        if lines and nature and nature != Nature.CARE:
            for row in line_rows:
                self.error(
                    row, "acte", "Seuls les paiements de soins (nature soins) ont des lignes."
                )
        amount = self.amount(first, line_rows, lines)
        sick_leave_id = None
        if v["reference_arret"]:
            if nature and nature != Nature.DAILY_ALLOWANCE:
                self.error(
                    first,
                    "reference_arret",
                    ONLY_IJ_ON_SICK_LEAVE,
                )
            elif insured is not None:
                sick_leave_id = self.leaves.get((insured.pk, v["reference_arret"]))
                if sick_leave_id is None:
                    self.error(
                        first,
                        "reference_arret",
                        f"Aucun arrêt de travail de référence {v['reference_arret']} pour cet "
                        "assuré : importez d'abord les arrêts (import_csv arrets).",
                    )
        start, end = v["periode_debut"], v["periode_fin"]
        if start and end and end < start:  # payment_period_ordered
            self.error(first, "periode_fin", "La fin de la période payée précède son début.")
        care_dates = [line.care_date for line in lines if line.care_date]
        payment = Payment(
            insured_id=insured.pk if insured else None,
            beneficiary_id=beneficiary.pk if beneficiary else None,
            source_reference=v["reference"],
            paid_on=v["date_paiement"],
            nature=nature,
            label=v["libelle"],
            amount=amount,
            payee=v["paye_a"] or Payee.INSURED,
            payee_name=v["nom_tiers"] or "",
            care_date=min(care_dates) if care_dates else v["date_soins"],
            sent_to_complementary=bool(v["transmis_complementaire"]),
            sick_leave_id=sick_leave_id,
            period_start=start,
            period_end=end,
        )
        self.check_fields(payment, first, self.FIELDS)
        if insured is None or beneficiary is None or any(row.bad for row in rows):
            return None, []
        return payment, lines

    def amount(self, first, line_rows, lines):
        """The payment's amount: the `montant` column, or the net of the lines (C1)."""
        amount = first.values["montant"]
        if "montant" in first.bad:
            return amount
        if lines:
            if any(row.bad & {"montant_rembourse", "montant_deduit"} for row in line_rows):
                return amount  # the total cannot be known
            total = sum((line.net for line in lines), ZERO)
            if amount is not None and amount != total:
                self.error(
                    first,
                    "montant",
                    f"Le montant ({euros(amount)}) n'est pas le total des lignes du décompte "
                    f"({euros(total)}) : corrigez-le ou laissez la colonne vide.",
                )
                return amount
            amount = total
        elif amount is None:
            self.error(
                first,
                "montant",
                "Valeur obligatoire manquante (sauf pour des soins détaillés par lignes).",
            )
            return None
        if amount <= ZERO:  # payment_amount_positive
            self.error(first, "montant", "Le montant d'un paiement doit être supérieur à 0.")
        return amount

    def build_line(self, row):
        v = row.values
        for column in LINE_REQUIRED:
            if v[column] is None and column not in row.bad:
                self.error(row, column, "Valeur obligatoire pour une ligne de décompte.")
        kind = v["type_deduction"] or DeductionKind.NONE
        deduction = v["montant_deduit"]
        if deduction is None and "montant_deduit" not in row.bad:
            if kind != DeductionKind.NONE:
                self.error(
                    row,
                    "montant_deduit",
                    "Valeur obligatoire avec une participation forfaitaire ou une franchise "
                    "(le montant effectivement retenu, 0 si rien ne l'a été).",
                )
            deduction = ZERO
        elif (
            deduction is not None
            and deduction > ZERO
            and kind == DeductionKind.NONE
            and "type_deduction" not in row.bad
        ):
            self.error(
                row,
                "montant_deduit",
                "Un montant déduit suppose une participation forfaitaire ou une franchise "
                "(colonne type_deduction).",
            )
        reimbursed = v["montant_rembourse"]
        if deduction is not None and reimbursed is not None and deduction > reimbursed:
            self.error(  # paymentline_deduction_within_reimbursed
                row, "montant_deduit", "Le montant déduit dépasse le montant remboursé."
            )
        if v["taux"] is not None and v["taux"] > 100:  # paymentline_rate_percent
            self.error(row, "taux", "Le taux de remboursement ne peut pas dépasser 100 %.")
        line = PaymentLine(
            care_date=v["date_soins"],
            act=v["acte"],
            act_code=v["code_acte"] or "",
            professional=v["professionnel"] or "",
            amount_paid=v["montant_paye"],
            base=v["base_remboursement"],
            rate=v["taux"],
            reimbursed=reimbursed,
            deduction_kind=kind,
            deduction=deduction,
        )
        self.check_fields(line, row, self.LINE_FIELDS)
        return line

    def save(self, report):
        payments = Payment.objects.bulk_create([p for p, _ in self.new], batch_size=BATCH_SIZE)
        lines = []
        for payment, (_, payment_lines) in zip(payments, self.new, strict=True):
            for line in payment_lines:
                line.payment = payment
                lines.append(line)
        PaymentLine.objects.bulk_create(lines, batch_size=BATCH_SIZE)

    @classmethod
    def summary(cls, report):
        lines = ""
        if report.lines_created:
            lines = f" ({plural(report.lines_created, 'ligne', 'lignes')} de décompte)"
        return (
            f"{plural(report.created, 'paiement', 'paiements')} "
            f"{_will(report, 'créé' if report.created <= 1 else 'créés', 'à créer')}{lines}, "
            f"{report.already_present} déjà "
            f"{'présent' if report.already_present <= 1 else 'présents'}."
        )


IMPORTERS = {importer.kind: importer for importer in (PaymentImport, SickLeaveImport, RightsImport)}


def import_csv(kind: str, source, *, dry_run: bool = False) -> ImportReport:
    """Check every row of the CSV `source` (bytes, path or binary file) of `kind`, then save
    them all in one transaction — or nothing when a row is wrong or `dry_run` is set.

    Returns the report: counts, and the errors (empty when the import went through).
    """
    importer = IMPORTERS[kind]()
    report = ImportReport(kind=kind, dry_run=dry_run)
    with translation.override("fr"):
        rows, errors = read_table(read_bytes(source), importer.columns)
        report.rows = len(rows)
        if errors:
            report.errors = errors
            return report
        try:
            with transaction.atomic():
                for row in rows:
                    importer.parse(row)
                importer.validate(rows, report)
                if importer.errors:
                    report.errors = importer.sorted_errors()
                elif not dry_run:
                    importer.save(report)
        except IntegrityError as exc:
            # Another import saved the same references meanwhile, or a rule the checks above
            # missed: the database refused and the transaction was rolled back.
            report.errors = [RowError(None, "", f"La base de données a refusé l'import ({exc}).")]
        if report.errors:
            report.created = report.already_present = report.lines_created = 0
    return report


def columns_help() -> str:
    """The columns of each kind (`*`: required), for `import_csv --help`."""
    parts = []
    for kind, importer in IMPORTERS.items():
        parts.append(f"Colonnes « {kind} » ({importer.label}) :\n{importer.columns_help()}")
    return "\n\n".join(parts)
