"""CSV import of payments, arrêts de travail and rights (FEATURES H6, for C1, C5 and B3).

`manage.py import_csv <paiements|arrets|droits> fichier.csv [--dry-run]` and the module behind
it (`paiements/imports.py`): every row is checked first and each error is placed on its line
and column, in French; one bad row and nothing is saved; importing the same file twice creates
nothing twice; the number of queries does not grow with the number of rows.
"""

import csv
import datetime
import io
import re
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assures import identifiers
from assures.factories import BeneficiaryFactory, PersonFactory
from assures.models import Person
from paiements import imports
from paiements.enums import DeductionKind, Nature, Payee, SickLeaveKind
from paiements.factories import PaymentFactory, SickLeaveFactory
from paiements.models import Payment, PaymentLine, SickLeave
from portal.templatetags.portal import euros

pytestmark = pytest.mark.django_db

D = Decimal
DAY = datetime.date
SAMPLES = Path(imports.__file__).resolve().parent / "samples"
README = Path(imports.__file__).resolve().parent.parent / "README.md"
UNKNOWN_NIR = "1991299999999"  # well formed, nobody has it


# --- building files -------------------------------------------------------------------------
def header(kind):
    return [column.name for column in imports.IMPORTERS[kind].columns]


def csv_bytes(kind, rows, *, delimiter=";", bom=False, lineterminator="\n", columns=None):
    """A CSV file of `kind` with all its columns (or `columns`), one line per dict of `rows`."""
    columns = columns or header(kind)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=lineterminator)
    writer.writerow(columns)
    writer.writerows([[row.get(column, "") for column in columns] for row in rows])
    return (("\ufeff" if bom else "") + out.getvalue()).encode()


def spaced(nir):
    """The 15-character NIR with spaces, as printed on a carte Vitale."""
    return identifiers.format_nir(nir, with_key=True)


def care_row(person, reference="DEC-1", **values):
    return {
        "reference": reference,
        "nir_assure": spaced(person.nir),
        "date_paiement": "12/11/2026",
        "nature": "soins",
        "libelle": "Consultation médecin généraliste",
        "montant": "19,00",
        "date_soins": "10/11/2026",
        **values,
    }


def line_row(person, reference="DEC-1", **values):
    """One line of a décompte: 30 € paid, 70 % of 30 € = 21 € reimbursed, 2 € PF kept back."""
    return care_row(
        person,
        reference,
        **{
            "montant": "",
            "acte": "Consultation du médecin généraliste",
            "code_acte": "G",
            "professionnel": "Dr Claire BERNARD",
            "montant_paye": "30,00",
            "base_remboursement": "30,00",
            "taux": "70",
            "montant_rembourse": "21,00",
            "type_deduction": "participation_forfaitaire",
            "montant_deduit": "2,00",
            **values,
        },
    )


def ij_row(person, reference="IJ-1", **values):
    return {
        "reference": reference,
        "nir_assure": person.nir,
        "date_paiement": "20/11/2026",
        "nature": "ij",
        "libelle": "Indemnités journalières maladie",
        "montant": "673,68",
        "periode_debut": "01/11/2026",
        "periode_fin": "14/11/2026",
        **values,
    }


def leave_row(person, reference="ARR-1", **values):
    return {
        "reference": reference,
        "nir": spaced(person.nir),
        "nature": "maladie",
        "date_debut": "05/10/2026",
        "date_fin": "25/10/2026",
        "employeur": "Atelier Lumière",
        "date_reception": "06/10/2026",
        **values,
    }


def rights_row(person, **values):
    return {"nir": spaced(person.nir), "debut_droits": "01/09/2001", "fin_droits": "", **values}


def run(kind, rows, **options):
    dry_run = options.pop("dry_run", False)
    return imports.import_csv(kind, csv_bytes(kind, rows, **options), dry_run=dry_run)


def messages(report):
    return [str(error) for error in report.errors]


@pytest.fixture
def people(db):
    insured = PersonFactory(rights_start=DAY(2000, 1, 1), rights_end=None)
    child = BeneficiaryFactory(insured=insured, person__rights_start=DAY(2016, 6, 12)).person
    stranger = PersonFactory(rights_start=DAY(2000, 1, 1), rights_end=DAY(2025, 12, 31))
    return SimpleNamespace(insured=insured, child=child, stranger=stranger)


# --- happy paths ----------------------------------------------------------------------------
def test_payments_with_decompte_lines_ij_and_pension(people):
    """C1 (H6): two rows of one reference are the lines of one care payment, whose amount is
    their net; C5: an IJ payment joins its arrêt de travail; a pension with its period."""
    leave = SickLeaveFactory(person=people.insured, source_reference="ARR-1")
    pharmacy = {
        "nir_beneficiaire": spaced(people.child.nir),
        "libelle": "Médicaments",
        "paye_a": "Paiement à un tiers",
        "nom_tiers": "Pharmacie du Centre",
        "transmis_complementaire": "oui",
        "type_deduction": "Franchise sur les médicaments",
        "professionnel": "Pharmacie du Centre",
        "code_acte": "PH7",
        "taux": "65",
    }
    report = run(
        "paiements",
        [
            line_row(
                people.insured,
                "DEC-1",
                **pharmacy,
                date_soins="03/11/2026",
                acte="Paracétamol 1 g, boîte de 8 comprimés",
                montant_paye="2,18",
                base_remboursement="2,18",
                montant_rembourse="1,42",
                montant_deduit="0,50",
            ),
            line_row(
                people.insured,
                "DEC-1",
                **pharmacy,
                date_soins="02/11/2026",
                acte="Amoxicilline 1 g, boîte de 6 comprimés",
                montant_paye="4,52",
                base_remboursement="4,52",
                montant_rembourse="2,94",
                montant_deduit="1,00",
            ),
            ij_row(people.insured, "IJ-1", reference_arret="ARR-1", date_paiement="2026-11-20"),
            ij_row(
                people.insured,
                "PEN-11",
                nature="Pensions d'invalidité",
                libelle="Pension d'invalidité catégorie 2 — 11/2026",
                montant="1 024,37 €",
                periode_debut="01/11/2026",
                periode_fin="30/11/2026",
            ),
        ],
    )

    assert messages(report) == []
    assert (report.rows, report.created, report.already_present, report.lines_created) == (
        4,
        3,
        0,
        2,
    )
    care = Payment.objects.get(source_reference="DEC-1")
    assert (care.insured, care.beneficiary) == (people.insured, people.child)
    assert care.nature == Nature.CARE
    assert care.amount == (D("1.42") - D("0.50")) + (D("2.94") - D("1.00"))
    assert (care.payee, care.payee_name) == (Payee.THIRD_PARTY, "Pharmacie du Centre")
    assert care.sent_to_complementary is True
    assert care.care_date == DAY(2026, 11, 2)  # the earliest line
    assert care.paid_on == DAY(2026, 11, 12)
    lines = [
        (line.care_date, line.act, line.rate, line.reimbursed, line.deduction_kind, line.deduction)
        for line in care.lines.all()
    ]
    assert lines == [
        (
            DAY(2026, 11, 2),
            "Amoxicilline 1 g, boîte de 6 comprimés",
            65,
            D("2.94"),
            DeductionKind.MEDICINE,
            D("1.00"),
        ),
        (
            DAY(2026, 11, 3),
            "Paracétamol 1 g, boîte de 8 comprimés",
            65,
            D("1.42"),
            DeductionKind.MEDICINE,
            D("0.50"),
        ),
    ]
    ij = Payment.objects.get(source_reference="IJ-1")
    assert ij.sick_leave == leave
    assert (ij.nature, ij.amount, ij.paid_on) == (
        Nature.DAILY_ALLOWANCE,
        D("673.68"),
        DAY(2026, 11, 20),
    )
    assert (ij.beneficiary, ij.payee, ij.sent_to_complementary) == (
        people.insured,
        Payee.INSURED,
        False,
    )
    assert ij.period_days == 14
    pension = Payment.objects.get(source_reference="PEN-11")
    assert (pension.nature, pension.amount, pension.sick_leave) == (
        Nature.INVALIDITY_PENSION,
        D("1024.37"),
        None,
    )
    # Shown on the insured's account like any other payment (C1).
    assert set(Payment.objects.for_person(people.insured)) == {care, ij, pension}


def test_same_reference_for_two_insured_people_is_two_payments(people):
    """H6: the natural key is (insured, reference): two files merged stay two payments."""
    report = run("paiements", [care_row(people.insured, "X-1"), care_row(people.stranger, "X-1")])
    assert messages(report) == []
    assert report.created == 2
    assert Payment.objects.filter(source_reference="X-1").count() == 2


def test_sick_leaves(people):
    """C5 (H6): arrêts de travail, an ongoing one without end date; kind by code or label."""
    report = run(
        "arrets",
        [
            leave_row(people.insured, "ARR-1"),
            leave_row(
                people.stranger,
                "ARR-2",
                nir=people.stranger.nir,
                nature="Accident du travail",
                date_debut="2026-09-14",
                date_fin="",
                employeur="",
                date_reception="",
            ),
        ],
    )
    assert messages(report) == []
    assert (report.created, report.already_present) == (2, 0)
    first = SickLeave.objects.get(source_reference="ARR-1")
    assert (
        first.person,
        first.kind,
        first.start,
        first.end,
        first.employer,
        first.received_on,
    ) == (
        people.insured,
        SickLeaveKind.ILLNESS,
        DAY(2026, 10, 5),
        DAY(2026, 10, 25),
        "Atelier Lumière",
        DAY(2026, 10, 6),
    )
    ongoing = SickLeave.objects.get(source_reference="ARR-2")
    assert (ongoing.person, ongoing.kind, ongoing.start, ongoing.end, ongoing.employer) == (
        people.stranger,
        SickLeaveKind.WORK_ACCIDENT,
        DAY(2026, 9, 14),
        None,
        "",
    )


def test_rights(people):
    """B3 (H6): rights set as in the file; an empty end opens them with no end date; a person
    whose rights are already as in the file is counted as such."""
    report = run(
        "droits",
        [
            rights_row(people.insured, debut_droits="01/09/2001", fin_droits="31/12/2027"),
            rights_row(people.child, debut_droits="12/06/2016"),  # unchanged
            rights_row(people.stranger, debut_droits="2000-01-01", fin_droits=""),
        ],
    )
    assert messages(report) == []
    assert (report.created, report.already_present) == (2, 1)
    for person in (people.insured, people.child, people.stranger):
        person.refresh_from_db()
    assert (people.insured.rights_start, people.insured.rights_end) == (
        DAY(2001, 9, 1),
        DAY(2027, 12, 31),
    )
    assert (people.child.rights_start, people.child.rights_end) == (DAY(2016, 6, 12), None)
    assert people.stranger.rights_end is None
    assert people.stranger.rights_open(DAY(2030, 1, 1))


# --- idempotence, all or nothing, dry run ----------------------------------------------------
def files(people):
    """Per kind: a valid file, and what it leaves in the database (to compare)."""
    return {
        "paiements": (
            [
                line_row(people.insured, "DEC-1"),
                line_row(
                    people.insured,
                    "DEC-1",
                    acte="Vaccin",
                    type_deduction="aucune",
                    montant_deduit="",
                ),
                care_row(people.insured, "DEC-2", nir_beneficiaire=people.child.nir),
            ],
            lambda: (Payment.objects.count(), PaymentLine.objects.count()),
        ),
        "arrets": (
            [leave_row(people.insured, "ARR-1"), leave_row(people.stranger, "ARR-1")],
            lambda: SickLeave.objects.count(),
        ),
        "droits": (
            [rights_row(people.insured, fin_droits="31/12/2027"), rights_row(people.child)],
            lambda: list(Person.objects.order_by("pk").values_list("rights_start", "rights_end")),
        ),
    }


@pytest.mark.parametrize("kind", ["paiements", "arrets", "droits"])
def test_importing_the_same_file_twice_creates_nothing_twice(people, kind):
    """H6: a file imported again (e.g. a re-run after a crash) is « déjà présent »."""
    rows, state = files(people)[kind]
    before = state()
    first = run(kind, rows)
    assert messages(first) == [] and first.created == 2 and first.already_present == 0
    after_first = state()
    assert after_first != before

    second = run(kind, rows)
    assert messages(second) == []
    assert (second.created, second.already_present, second.lines_created) == (0, 2, 0)
    assert state() == after_first


def test_a_file_re_exported_with_more_rows_creates_only_the_new_ones(people):
    """H6: already present payments are left as they are (corrections go through the admin)."""
    run("paiements", [care_row(people.insured, "DEC-1")])
    report = run(
        "paiements",
        [care_row(people.insured, "DEC-1", montant="25,00"), care_row(people.insured, "DEC-2")],
    )
    assert (report.created, report.already_present) == (1, 1)
    assert Payment.objects.get(source_reference="DEC-1").amount == D("19.00")
    assert Payment.objects.filter(insured=people.insured).count() == 2


def test_payments_recorded_in_the_admin_have_no_reference_and_never_collide(people):
    """H6: the unique constraint is partial: payments without reference are not concerned."""
    PaymentFactory.create_batch(2, insured=people.insured)
    report = run("paiements", [care_row(people.insured, "DEC-1")])
    assert report.created == 1
    assert Payment.objects.filter(insured=people.insured, source_reference=None).count() == 2


@pytest.mark.parametrize("kind", ["paiements", "arrets", "droits"])
def test_one_bad_row_and_nothing_is_saved(people, kind):
    """H6: all or nothing. Every error of the file is reported at once, with its line."""
    rows, state = files(people)[kind]
    bad = {
        "paiements": lambda i: care_row(people.insured, f"DEC-9{i}", montant="abc"),
        "arrets": lambda i: leave_row(people.insured, f"ARR-9{i}", date_debut="32/01/2026"),
        "droits": lambda i: rights_row(PersonFactory(), debut_droits="hier"),
    }[kind]
    rows = [bad(1), *rows, bad(2)]
    before = state()
    report = run(kind, rows)
    assert [error.line for error in report.errors] == [2, len(rows) + 1]
    assert (report.created, report.already_present) == (0, 0)
    assert state() == before


def test_dry_run_checks_and_counts_but_saves_nothing(people):
    """H6: --dry-run validates only."""
    rows = [line_row(people.insured, "DEC-1"), care_row(people.insured, "DEC-2")]
    report = run("paiements", rows, dry_run=True)
    assert messages(report) == []
    assert (report.created, report.lines_created) == (2, 1)
    assert "2 paiements à créer (1 ligne de décompte)" in report.summary()
    assert not Payment.objects.exists()

    bad = run("paiements", [care_row(people.insured, "DEC-3", montant="")], dry_run=True)
    assert [(error.line, error.column) for error in bad.errors] == [(2, "montant")]


def test_a_conflict_found_by_the_database_rolls_everything_back(people, monkeypatch):
    """H6: the unique constraint backs the checks up (e.g. two imports of one file at once):
    the database refuses, the transaction is rolled back, nothing of the file is saved."""
    run("paiements", [care_row(people.insured, "DEC-1")])
    monkeypatch.setattr(imports, "ids_by_reference", lambda *args: {})  # the race: not seen
    report = run(
        "paiements", [care_row(people.insured, "DEC-0"), care_row(people.insured, "DEC-1")]
    )
    assert len(report.errors) == 1
    assert str(report.errors[0]).startswith("La base de données a refusé l'import")
    assert report.created == 0
    assert list(Payment.objects.values_list("source_reference", flat=True)) == ["DEC-1"]


# --- every error on its line and column ----------------------------------------------------
def _arret_of_someone_else(p):
    SickLeaveFactory(person=p.stranger, source_reference="ARR-X")
    return [ij_row(p.insured, reference_arret="ARR-X")]


AMOUNT_MISMATCH = (
    f"Le montant ({euros(D('20'))}) n'est pas le total des lignes du décompte "
    f"({euros(D('19'))}) : corrigez-le ou laissez la colonne vide."
)
KIND_WITHOUT_DEDUCTION = (
    "Valeur obligatoire avec une participation forfaitaire ou une franchise (le montant "
    "effectivement retenu, 0 si rien ne l'a été)."
)
ROW_ERRORS = {
    # kind, rows after a valid line 2 (so the first bad row is line 3), [(line, column, message)]
    "nir_key": (
        "paiements",
        lambda p: [care_row(p.insured, "B", nir_assure=p.insured.nir + "00")],
        [(3, "nir_assure", "La clé du numéro de sécurité sociale ne correspond pas.")],
    ),
    "nir_length": (
        "paiements",
        lambda p: [care_row(p.insured, "B", nir_beneficiaire="2 90 03 75")],
        [
            (
                3,
                "nir_beneficiaire",
                "Le numéro de sécurité sociale comporte 13 chiffres (15 avec la clé).",
            )
        ],
    ),
    "nir_unknown": (
        "paiements",
        lambda p: [care_row(p.insured, "B", nir_assure=UNKNOWN_NIR)],
        [
            (
                3,
                "nir_assure",
                "Aucune personne du référentiel n'a le NIR 1 99 12 99 999 999.",
            )
        ],
    ),
    "nir_sex_digit": (
        "droits",
        lambda p: [rights_row(p.insured, nir="5" + p.insured.nir[1:])],
        [(3, "nir", "Le premier chiffre du numéro de sécurité sociale doit être 1 ou 2.")],
    ),
    "date": (
        "paiements",
        lambda p: [care_row(p.insured, "B", date_paiement="31/02/2026")],
        [
            (
                3,
                "date_paiement",
                "Date invalide « 31/02/2026 » : attendue au format JJ/MM/AAAA.",
            )
        ],
    ),
    "amount_format": (
        "paiements",
        lambda p: [care_row(p.insured, "B", montant="12,5x")],
        [(3, "montant", "Montant invalide « 12,5x » : attendu par exemple 12,50.")],
    ),
    "amount_decimals_model": (
        "paiements",
        lambda p: [care_row(p.insured, "B", montant="12,345")],
        [(3, "montant", "Assurez-vous qu’il n’y a pas plus de 2 chiffres après la virgule.")],
    ),
    "amount_zero": (
        "paiements",
        lambda p: [care_row(p.insured, "B", montant="0,00")],
        [(3, "montant", "Le montant d'un paiement doit être supérieur à 0.")],
    ),
    "amount_missing": (
        "paiements",
        lambda p: [care_row(p.insured, "B", montant="")],
        [
            (
                3,
                "montant",
                "Valeur obligatoire manquante (sauf pour des soins détaillés par lignes).",
            )
        ],
    ),
    "required": (
        "paiements",
        lambda p: [care_row(p.insured, "B", libelle="")],
        [(3, "libelle", "Valeur obligatoire manquante.")],
    ),
    "nature": (
        "paiements",
        lambda p: [care_row(p.insured, "B", nature="remboursement")],
        [
            (
                3,
                "nature",
                "Valeur inconnue « remboursement » : valeurs possibles soins, ij, pension, rente.",
            )
        ],
    ),
    "label_length_model": (
        "paiements",
        lambda p: [care_row(p.insured, "B", libelle="x" * 201)],
        [
            (
                3,
                "libelle",
                "Assurez-vous que cette valeur comporte au plus 200 caractères (actuellement 201).",
            )
        ],
    ),
    "reference_length_model": (
        "paiements",
        lambda p: [care_row(p.insured, "R" * 41)],
        [
            (
                3,
                "reference",
                "Assurez-vous que cette valeur comporte au plus 40 caractères (actuellement 41).",
            )
        ],
    ),
    "boolean": (
        "paiements",
        lambda p: [care_row(p.insured, "B", transmis_complementaire="peut-être")],
        [
            (
                3,
                "transmis_complementaire",
                "Valeur « peut-être » non comprise : attendu oui ou non.",
            )
        ],
    ),
    "period_order": (
        "paiements",
        lambda p: [ij_row(p.insured, periode_debut="15/11/2026", periode_fin="01/11/2026")],
        [(3, "periode_fin", "La fin de la période payée précède son début.")],
    ),
    "beneficiary_not_attached": (
        "paiements",
        lambda p: [care_row(p.insured, "B", nir_beneficiaire=p.stranger.nir)],
        [
            (
                3,
                "nir_beneficiaire",
                "Le bénéficiaire des soins doit être l'assuré ou l'un de ses ayants droit.",
            )
        ],
    ),
    "arret_on_care": (
        "paiements",
        lambda p: [care_row(p.insured, "B", reference_arret="ARR-1")],
        [
            (
                3,
                "reference_arret",
                "Seules les indemnités journalières se rattachent à un arrêt de travail.",
            )
        ],
    ),
    "arret_of_someone_else": (
        "paiements",
        _arret_of_someone_else,
        [
            (
                3,
                "reference_arret",
                "Aucun arrêt de travail de référence ARR-X pour cet assuré : importez d'abord "
                "les arrêts (import_csv arrets).",
            )
        ],
    ),
    "lines_on_ij": (
        "paiements",
        lambda p: [line_row(p.insured, "B", nature="ij")],
        [(3, "acte", "Seuls les paiements de soins (nature soins) ont des lignes.")],
    ),
    "amount_not_the_lines_total": (
        "paiements",
        lambda p: [line_row(p.insured, "B", montant="20,00")],
        [(3, "montant", AMOUNT_MISMATCH)],
    ),
    "line_value_missing": (
        "paiements",
        lambda p: [line_row(p.insured, "B", base_remboursement="")],
        [(3, "base_remboursement", "Valeur obligatoire pour une ligne de décompte.")],
    ),
    "line_without_act": (
        "paiements",
        lambda p: [line_row(p.insured, "B", acte="")],
        [(3, "acte", "Valeur obligatoire pour une ligne de décompte.")],
    ),
    "rate_format": (
        "paiements",
        lambda p: [line_row(p.insured, "B", taux="soixante-dix")],
        [
            (
                3,
                "taux",
                "Taux invalide « soixante-dix » : attendu un pourcentage entier (70).",
            )
        ],
    ),
    "rate_over_100": (
        "paiements",
        lambda p: [line_row(p.insured, "B", taux="120 %")],
        [(3, "taux", "Le taux de remboursement ne peut pas dépasser 100 %.")],
    ),
    "deduction_over_reimbursed": (
        "paiements",
        lambda p: [line_row(p.insured, "B", montant_deduit="25,00")],
        [(3, "montant_deduit", "Le montant déduit dépasse le montant remboursé.")],
    ),
    "deduction_without_kind": (
        "paiements",
        lambda p: [line_row(p.insured, "B", type_deduction="")],
        [
            (
                3,
                "montant_deduit",
                "Un montant déduit suppose une participation forfaitaire ou une franchise "
                "(colonne type_deduction).",
            )
        ],
    ),
    "kind_without_deduction": (
        "paiements",
        lambda p: [line_row(p.insured, "B", montant_deduit="")],
        [(3, "montant_deduit", KIND_WITHOUT_DEDUCTION)],
    ),
    "negative_line_amount_model": (
        "paiements",
        lambda p: [line_row(p.insured, "B", montant_paye="-30,00")],
        [(3, "montant_paye", "Assurez-vous que cette valeur est supérieure ou égale à 0.00.")],
    ),
    "deduction_kind": (
        "paiements",
        lambda p: [line_row(p.insured, "B", type_deduction="franchise")],
        [
            (
                3,
                "type_deduction",
                "Valeur inconnue « franchise » : valeurs possibles none, "
                "participation_forfaitaire, franchise_medicament, franchise_paramedical, "
                "franchise_transport.",
            )
        ],
    ),
    "reference_reused_without_lines": (
        "paiements",
        lambda p: [care_row(p.insured, "B"), care_row(p.insured, "B", montant="5,00")],
        [
            (
                4,
                "reference",
                "Référence B déjà utilisée ligne 3 pour le même assuré : seules les lignes d'un "
                "même décompte (colonne acte remplie) peuvent la partager.",
            )
        ],
    ),
    "lines_disagree_on_the_payment": (
        "paiements",
        lambda p: [line_row(p.insured, "B"), line_row(p.insured, "B", libelle="Autre")],
        [
            (
                4,
                "libelle",
                "Valeur différente de celle de la ligne 3 pour le même paiement (référence B).",
            )
        ],
    ),
    "arret_end_before_start": (
        "arrets",
        lambda p: [leave_row(p.insured, "B", date_fin="01/10/2026")],
        [(3, "date_fin", "La fin de l'arrêt précède son début.")],
    ),
    "arret_nature": (
        "arrets",
        lambda p: [leave_row(p.insured, "B", nature="grippe")],
        [
            (
                3,
                "nature",
                "Valeur inconnue « grippe » : valeurs possibles maladie, accident_travail, "
                "maladie_professionnelle, maternite.",
            )
        ],
    ),
    "arret_twice_in_the_file": (
        "arrets",
        lambda p: [leave_row(p.insured, "B"), leave_row(p.insured, "B")],
        [
            (
                4,
                "reference",
                "Arrêt de même référence pour le même assuré déjà présent ligne 3 du fichier.",
            )
        ],
    ),
    "arret_unknown_nir": (
        "arrets",
        lambda p: [leave_row(p.insured, "B", nir=UNKNOWN_NIR)],
        [(3, "nir", "Aucune personne du référentiel n'a le NIR 1 99 12 99 999 999.")],
    ),
    "arret_employer_length_model": (
        "arrets",
        lambda p: [leave_row(p.insured, "B", employeur="E" * 201)],
        [
            (
                3,
                "employeur",
                "Assurez-vous que cette valeur comporte au plus 200 caractères (actuellement 201).",
            )
        ],
    ),
    "rights_end_before_start": (
        "droits",
        lambda p: [rights_row(p.stranger, debut_droits="01/01/2020", fin_droits="31/12/2019")],
        [(3, "fin_droits", "La fin des droits précède leur début.")],
    ),
    "rights_missing_start": (
        "droits",
        lambda p: [rights_row(p.stranger, debut_droits="")],
        [(3, "debut_droits", "Valeur obligatoire manquante.")],
    ),
    "rights_twice_in_the_file": (
        "droits",
        lambda p: [rights_row(p.stranger), rights_row(p.stranger, fin_droits="31/12/2030")],
        [(4, "nir", "Même NIR déjà présent ligne 3 du fichier.")],
    ),
}
VALID_LINE_2 = {
    "paiements": lambda p: care_row(p.insured, "OK"),
    "arrets": lambda p: leave_row(p.insured, "OK"),
    "droits": lambda p: rights_row(p.child),
}


@pytest.mark.parametrize("case", list(ROW_ERRORS))
def test_each_error_is_reported_on_its_line_and_column(people, case):
    """H6 (C1, C5, B3): the French message, on the line (header = 1) and column at fault."""
    kind, bad_rows, expected = ROW_ERRORS[case]
    rows = [VALID_LINE_2[kind](people), *bad_rows(people)]
    before = Payment.objects.count(), SickLeave.objects.count()
    report = run(kind, rows)
    assert [(e.line, e.column, e.message) for e in report.errors] == expected
    line, column, message = expected[0]
    assert str(report.errors[0]) == f"ligne {line}, colonne {column} : {message}"
    assert (Payment.objects.count(), SickLeave.objects.count()) == before


def test_file_level_errors(people):
    """H6: header problems are errors of line 1; then no row is looked at."""
    unknown = imports.import_csv("arrets", b"reference;nir;nature;date_debut;Montnt\n")
    assert [(e.line, e.column) for e in unknown.errors] == [(1, "Montnt")]
    assert unknown.errors[0].message.startswith("Colonne inconnue : colonnes possibles reference")

    missing = imports.import_csv("paiements", b"reference;nir_assure;nature\nA;B;C\n")
    assert messages(missing) == [
        "ligne 1, colonne date_paiement : Colonne obligatoire absente de l'en-tête.",
        "ligne 1, colonne libelle : Colonne obligatoire absente de l'en-tête.",
    ]

    twice = imports.import_csv("droits", b"nir;debut_droits;Debut droits\n")
    assert messages(twice) == ["ligne 1, colonne debut_droits : Colonne présente plusieurs fois."]

    too_many = imports.import_csv(
        "droits",
        f"nir;debut_droits;fin_droits\n{people.child.nir};01/01/2020;\n"
        f"{people.insured.nir};01/01/2020;;12,50\n".encode(),
    )
    assert [(e.line, e.column) for e in too_many.errors] == [(3, "")]
    assert str(too_many.errors[0]).startswith("ligne 3 : 4 valeurs pour 3 colonnes")

    latin1 = imports.import_csv(
        "droits", f"nir;debut_droits\n{people.child.nir};01/01/2020\n# Léa\n".encode("latin-1")
    )
    assert messages(latin1) == [
        "ligne 3 : Le fichier n'est pas encodé en UTF-8 : enregistrez-le au format « CSV UTF-8 »."
    ]

    assert messages(imports.import_csv("droits", b"\xef\xbb\xbf\r\n")) == ["Le fichier est vide."]
    header_only = imports.import_csv("droits", b"nir;debut_droits;fin_droits\n")
    assert (header_only.errors, header_only.rows, header_only.created) == ([], 0, 0)


# --- reading: BOM, delimiters, line endings, headers ------------------------------------------
@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
@pytest.mark.parametrize("bom", [False, True], ids=["sans-BOM", "BOM"])
@pytest.mark.parametrize("lineterminator", ["\n", "\r\n"], ids=["LF", "CRLF"])
def test_delimiter_bom_and_line_endings(people, delimiter, bom, lineterminator):
    """H6: UTF-8 with or without BOM, `;` `,` or tab guessed, values quoted when they hold the
    delimiter (« 1 024,37 » in a comma file), a multi-line quoted value keeps the line count."""
    report = run(
        "paiements",
        [
            care_row(people.insured, "DEC-1", montant="1 024,37", libelle="Soins, dentaires"),
            care_row(people.insured, "DEC-2", libelle="Hospitalisation\nséjour du 3 au 5"),
            care_row(people.insured, "DEC-3", montant="nul"),
        ],
        delimiter=delimiter,
        bom=bom,
        lineterminator=lineterminator,
    )
    # Line 3 spans two lines of the file, so the bad row is line 5.
    assert [(e.line, e.column) for e in report.errors] == [(5, "montant")]

    report = run(
        "paiements",
        [
            care_row(people.insured, "DEC-1", montant="1 024,37", libelle="Soins, dentaires"),
            care_row(people.insured, "DEC-2", libelle="Hospitalisation\nséjour du 3 au 5"),
        ],
        delimiter=delimiter,
        bom=bom,
        lineterminator=lineterminator,
    )
    assert messages(report) == []
    first = Payment.objects.get(source_reference="DEC-1")
    assert (first.amount, first.label) == (D("1024.37"), "Soins, dentaires")
    assert Payment.objects.get(source_reference="DEC-2").label.startswith("Hospitalisation")


def test_headers_as_a_person_types_them(people):
    """H6: case, accents and spaces in headers are ignored; a trailing empty column is fine."""
    data = (
        "Référence;NIR assuré;Date paiement;NATURE;Libellé;Montant;Payé à;;\n"
        f"DEC-1;{spaced(people.insured.nir)};12/11/2026;Remboursement de soins;"
        "Consultation;19,00;Paiement à l'assuré;;\n"
    ).encode()
    report = imports.import_csv("paiements", data)
    assert messages(report) == []
    payment = Payment.objects.get(source_reference="DEC-1")
    assert (payment.nature, payment.payee, payment.amount) == (
        Nature.CARE,
        Payee.INSURED,
        D("19.00"),
    )


# --- the command ---------------------------------------------------------------------------
def test_command_imports_and_reports(people, tmp_path):
    """H6: `manage.py import_csv paiements fichier.csv`, then again (idempotent)."""
    path = tmp_path / "paiements.csv"
    path.write_bytes(
        csv_bytes(
            "paiements", [line_row(people.insured, "DEC-1"), care_row(people.insured, "DEC-2")]
        )
    )
    out = io.StringIO()
    call_command("import_csv", "paiements", str(path), stdout=out)
    assert (
        "2 lignes lues. 2 paiements créés (1 ligne de décompte), 0 déjà présent." in out.getvalue()
    )
    out = io.StringIO()
    call_command("import_csv", "paiements", str(path), stdout=out)
    assert "0 paiement créé, 2 déjà présents." in out.getvalue()
    assert Payment.objects.count() == 2


def test_command_dry_run(people, tmp_path):
    path = tmp_path / "arrets.csv"
    path.write_bytes(csv_bytes("arrets", [leave_row(people.insured, "ARR-1")]))
    out = io.StringIO()
    call_command("import_csv", "arrets", str(path), "--dry-run", stdout=out)
    assert "Vérification seule (--dry-run), rien n'a été enregistré" in out.getvalue()
    assert "1 arrêt de travail à créer, 0 déjà présent." in out.getvalue()
    assert not SickLeave.objects.exists()


def test_command_prints_the_errors_and_fails(people, tmp_path):
    path = tmp_path / "droits.csv"
    path.write_bytes(
        csv_bytes(
            "droits",
            [rights_row(people.insured), rights_row(people.child, fin_droits="01/01/1999")],
        )
    )
    err = io.StringIO()
    with pytest.raises(
        CommandError, match=r"1 erreur dans .*droits\.csv : rien n'a été enregistré"
    ):
        call_command("import_csv", "droits", str(path), stderr=err)
    assert err.getvalue().splitlines() == [
        "ligne 3, colonne fin_droits : La fin des droits précède leur début."
    ]
    people.insured.refresh_from_db()
    assert people.insured.rights_start == DAY(2000, 1, 1)  # line 2 was valid, yet not saved

    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("import_csv", "droits", str(tmp_path / "absent.csv"))


# --- queries do not grow with the rows ---------------------------------------------------------
def payment_rows(count, families):
    """`count` rows over `families` (insured, child, arrêt): care lines, IJ, plain care."""
    rows = []
    for i in range(count):
        insured, child, _ = families[i % len(families)]
        if i % 3 == 0:
            rows.append(line_row(insured, f"DEC-{i}", nir_beneficiaire=child.nir))
        elif i % 3 == 1:
            rows.append(ij_row(insured, f"IJ-{i}", reference_arret="ARR-1"))
        else:
            rows.append(care_row(insured, f"SOI-{i}"))
    return rows


@pytest.fixture
def families(db):
    result = []
    for _ in range(15):
        link = BeneficiaryFactory()
        leave = SickLeaveFactory(person=link.insured, source_reference="ARR-1")
        result.append((link.insured, link.person, leave))
    return result


def bulk_rows(kind, count, families):
    if kind == "paiements":
        return payment_rows(count, families)
    if kind == "arrets":
        people = [family[0] for family in families]
        return [leave_row(people[i % len(people)], f"ARR-{i + 2}") for i in range(count)]
    people = PersonFactory.create_batch(count)
    return [rights_row(person, fin_droits="31/12/2027") for person in people]


# Lookups (people, attachments, arrêts, existing references: 4 at most) + a savepoint (2) +
# the batched INSERTs / UPDATEs: SQLite takes at most 999 parameters a statement, so 400
# payments and their lines need about 10 statements there, 2 on PostgreSQL.
MAX_QUERIES = 20


@pytest.mark.parametrize("kind", ["paiements", "arrets", "droits"])
@pytest.mark.parametrize("count", [12, 400])
def test_query_count_is_bounded_whatever_the_number_of_rows(
    kind, count, families, django_assert_max_num_queries
):
    """H6: one query resolves all the NIRs, rows are written in batches."""
    data = csv_bytes(kind, bulk_rows(kind, count, families))
    with django_assert_max_num_queries(MAX_QUERIES):
        report = imports.import_csv(kind, data)
    assert messages(report) == []
    assert report.created == count


@pytest.mark.parametrize("kind", ["paiements", "arrets", "droits"])
def test_checking_a_file_costs_the_same_queries_for_12_or_400_rows(kind, families):
    """H6: the validation's lookups are per file, not per row (--dry-run writes nothing)."""
    counts = []
    for count in (12, 400):
        data = csv_bytes(kind, bulk_rows(kind, count, families))
        with CaptureQueriesContext(connection) as queries:
            report = imports.import_csv(kind, data, dry_run=True)
        assert messages(report) == [] and report.created == count
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 6


# --- the sample files and their documentation ---------------------------------------------------
def test_sample_files_load_on_the_demo_people(demo, client):
    """H6: paiements/samples/ loads on the demo data of FEATURES (arrêts first, as README
    says), twice without creating anything twice; agents see the imported reference."""
    outcome = {
        kind: imports.import_csv(kind, SAMPLES / f"{kind}.csv")
        for kind in ("arrets", "paiements", "droits")
    }
    assert {kind: messages(report) for kind, report in outcome.items()} == {
        "arrets": [],
        "paiements": [],
        "droits": [],
    }
    references = {
        kind: {
            row["reference"]
            for row in csv.DictReader(
                io.StringIO((SAMPLES / f"{kind}.csv").read_text()), delimiter=";"
            )
        }
        for kind in ("arrets", "paiements")
    }
    assert outcome["arrets"].created == len(references["arrets"])
    assert outcome["paiements"].created == len(references["paiements"])
    assert outcome["paiements"].lines_created > 0
    assert outcome["droits"].created >= 1

    again = {
        kind: imports.import_csv(kind, SAMPLES / f"{kind}.csv")
        for kind in ("arrets", "paiements", "droits")
    }
    assert [report.created for report in again.values()] == [0, 0, 0]

    thomas = demo["thomas"].person
    ij = Payment.objects.filter(insured=thomas, source_reference__startswith="IJ-")
    assert ij.count() == 2
    assert {payment.sick_leave.source_reference for payment in ij} == {"ARR-2026-751-000412"}
    camille = demo["camille"].person
    pharmacy = Payment.objects.get(insured=camille, source_reference="DEC-2026-751-100002")
    assert pharmacy.amount == sum((line.net for line in pharmacy.lines.all()), D("0"))

    client.force_login(demo["agent_paris"])
    url = reverse("admin:paiements_payment_change", args=[pharmacy.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "DEC-2026-751-100002" in page.content.decode()


def test_readme_documents_every_column():
    """H6: README « Importer des données (H6) » lists the columns of each kind."""
    text = README.read_text()
    match = re.search(r"^## Importer des données \(H6\)\n(.*?)(?=^## )", text, re.M | re.S)
    assert match, "README section « Importer des données (H6) » missing"
    section = match.group(1)
    for kind, importer in imports.IMPORTERS.items():
        assert f"import_csv {kind}" in section
        for column in importer.columns:
            assert f"`{column.name}`" in section, (kind, column.name)
