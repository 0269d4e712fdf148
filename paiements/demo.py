"""Realistic décomptes, créances and published delays for the demo data and the tests.

`seed_demo` (portal/management/commands/seed_demo.py) and `PaymentFactory(with_lines=True)` use
these: every care payment is liquidated like a real one (`services.liquidate_care_payment`), so
its amount is the net of its lines and the PF/franchise counter (C4) is consistent.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from .enums import DeductionKind, Payee
from .models import (
    Creance,
    CreanceLine,
    Payment,
    PaymentLine,
    ProcessingDelay,
    ProcessingTheme,
)
from .services import liquidate_care_payment

D = Decimal
PF = DeductionKind.FLAT_FEE
MEDICINE = DeductionKind.MEDICINE
PARAMEDICAL = DeductionKind.PARAMEDICAL
TRANSPORT = DeductionKind.TRANSPORT
NONE = DeductionKind.NONE


@dataclass(frozen=True)
class LineSpec:
    act: str
    act_code: str
    amount_paid: Decimal
    base: Decimal
    rate: int
    kind: str = NONE

    def build(self, care_date, professional):
        reimbursed = (self.base * self.rate / 100).quantize(D("0.01"))
        return PaymentLine(
            care_date=care_date,
            act=self.act,
            act_code=self.act_code,
            professional=professional,
            amount_paid=self.amount_paid,
            base=self.base,
            rate=self.rate,
            reimbursed=reimbursed,
            deduction_kind=self.kind,
        )


@dataclass(frozen=True)
class CareVisit:
    """One visit (a label on « Mes paiements ») and the lines of its décompte."""

    label: str
    professional: str
    payee: str
    lines: tuple

    @property
    def payee_name(self):
        return self.professional if self.payee == Payee.THIRD_PARTY else ""


GP = "Dr Claire BERNARD"
CONSULTATION_GP = LineSpec(
    "Consultation du médecin généraliste", "G", D("30.00"), D("30.00"), 70, PF
)

ADULT_VISITS = [
    CareVisit("Consultation médecin généraliste", GP, Payee.INSURED, (CONSULTATION_GP,)),
    CareVisit("Consultation médecin généraliste", GP, Payee.THIRD_PARTY, (CONSULTATION_GP,)),
    CareVisit(
        "Médicaments",
        "Pharmacie du Centre",
        Payee.THIRD_PARTY,
        (
            LineSpec(
                "Paracétamol 1 g, boîte de 8 comprimés", "PH7", D("2.18"), D("2.18"), 65, MEDICINE
            ),
            LineSpec(
                "Amoxicilline 1 g, boîte de 6 comprimés", "PH7", D("4.52"), D("4.52"), 65, MEDICINE
            ),
        ),
    ),
    CareVisit(
        "Médicaments",
        "Pharmacie du Centre",
        Payee.INSURED,
        (
            LineSpec(
                "Ibuprofène 400 mg, boîte de 12 comprimés",
                "PH7",
                D("2.62"),
                D("2.62"),
                65,
                MEDICINE,
            ),
            LineSpec("Vitamine D3, flacon de 10 ml", "PH7", D("3.00"), D("3.00"), 65, MEDICINE),
        ),
    ),
    CareVisit(
        "Analyses de biologie",
        "Laboratoire Bio-Santé",
        Payee.THIRD_PARTY,
        (
            LineSpec("Numération formule sanguine", "B", D("8.10"), D("8.10"), 60, PF),
            LineSpec("Bilan lipidique", "B", D("19.87"), D("19.87"), 60, NONE),
        ),
    ),
    CareVisit(
        "Séances de kinésithérapie",
        "M. Lucas PETIT, masseur-kinésithérapeute",
        Payee.INSURED,
        (
            LineSpec(
                "Séance de rééducation du rachis", "AMK", D("17.58"), D("17.58"), 60, PARAMEDICAL
            ),
        ),
    ),
    CareVisit(
        "Consultation de spécialiste",
        "Dr Marc FONTAINE, dermatologue",
        Payee.INSURED,
        (LineSpec("Consultation du dermatologue", "APC", D("60.00"), D("50.00"), 70, PF),),
    ),
    CareVisit(
        "Soins dentaires",
        "Dr Sophie BLANC, chirurgien-dentiste",
        Payee.THIRD_PARTY,
        (
            LineSpec("Consultation dentaire", "C", D("23.00"), D("23.00"), 60, PF),
            LineSpec("Détartrage et polissage des dents", "HBJD001", D("43.38"), D("43.38"), 60),
        ),
    ),
]

CHILD_VISITS = [
    CareVisit(
        "Consultation pédiatre",
        "Dr Paul ROUX",
        Payee.INSURED,
        (LineSpec("Consultation du pédiatre", "CCP", D("35.00"), D("35.00"), 70, PF),),
    ),
    CareVisit(
        "Médicaments",
        "Pharmacie du Centre",
        Payee.THIRD_PARTY,
        (
            LineSpec(
                "Paracétamol 2,4 % sirop, flacon de 100 ml",
                "PH7",
                D("2.30"),
                D("2.30"),
                65,
                MEDICINE,
            ),
        ),
    ),
]

# Jean DUPUIS: diabetes (ALD, 100 %) and an invalidity pension.
ALD_VISITS = [
    CareVisit(
        "Consultation médecin généraliste (ALD)",
        "Dr Isabelle LAMBERT",
        Payee.INSURED,
        (
            LineSpec(
                "Consultation du médecin traitant, suivi ALD", "G", D("30.00"), D("30.00"), 100, PF
            ),
        ),
    ),
    CareVisit(
        "Médicaments (ALD)",
        "Pharmacie des Chartrons",
        Payee.THIRD_PARTY,
        (
            LineSpec(
                "Insuline glargine, 5 stylos de 3 ml", "PH4", D("56.24"), D("56.24"), 100, MEDICINE
            ),
            LineSpec(
                "Metformine 1000 mg, boîte de 90 comprimés",
                "PH7",
                D("7.96"),
                D("7.96"),
                100,
                MEDICINE,
            ),
            LineSpec(
                "Bandelettes d'autosurveillance glycémique", "LPP", D("24.90"), D("24.90"), 100
            ),
        ),
    ),
    CareVisit(
        "Analyses de biologie (ALD)",
        "Laboratoire Gironde Analyses",
        Payee.THIRD_PARTY,
        (LineSpec("Hémoglobine glyquée (HbA1c)", "B", D("9.45"), D("9.45"), 100, PF),),
    ),
    CareVisit(
        "Transport sanitaire",
        "Taxi conventionné Bordeaux Santé",
        Payee.THIRD_PARTY,
        (
            LineSpec(
                "Transport en taxi conventionné (aller)",
                "TAX",
                D("38.60"),
                D("38.60"),
                100,
                TRANSPORT,
            ),
        ),
    ),
    CareVisit(
        "Soins de pédicurie-podologie (ALD)",
        "Mme Anne GARNIER, pédicure-podologue",
        Payee.INSURED,
        (
            LineSpec(
                "Séance de prévention des lésions du pied",
                "POD",
                D("32.00"),
                D("32.00"),
                100,
                PARAMEDICAL,
            ),
        ),
    ),
]


def create_care_payment(*, insured, beneficiary, visit, paid_on, care_date, **fields):
    """A liquidated care payment of `visit` (its lines, PF/franchises kept back, amount)."""
    payment = Payment.objects.create(
        insured=insured,
        beneficiary=beneficiary,
        paid_on=paid_on,
        care_date=care_date,
        nature="soins",
        label=visit.label,
        amount=D("0.01"),  # set from the lines by the liquidation
        payee=visit.payee,
        payee_name=visit.payee_name,
        **fields,
    )
    lines = [spec.build(care_date, visit.professional) for spec in visit.lines]
    return liquidate_care_payment(payment, lines)


# --- C6: Jean's « avis de sommes à payer » ------------------------------------------------------
JEAN_CREANCE_REFERENCE = "1234567890123456A"


def ensure_creance(person, reference=JEAN_CREANCE_REFERENCE, issued_on=None):
    """A créance of PF and franchises that could not be recovered on reimbursements (the
    years before the payments shown online), 119,50 € in three lines."""
    creance, created = Creance.objects.get_or_create(
        reference=reference,
        defaults={
            "person": person,
            "issued_on": issued_on or datetime.date(2026, 1, 15),
            "label": "Participations forfaitaires et franchises médicales non récupérées",
        },
    )
    if created:
        CreanceLine.objects.bulk_create(
            [
                CreanceLine(
                    creance=creance,
                    label="Participations forfaitaires non récupérées",
                    period_label="Année 2022",
                    amount_due=D("38.00"),
                ),
                CreanceLine(
                    creance=creance,
                    label="Franchises médicales non récupérées",
                    period_label="Année 2022",
                    amount_due=D("46.50"),
                ),
                CreanceLine(
                    creance=creance,
                    label="Franchises médicales non récupérées",
                    period_label="Année 2023",
                    amount_due=D("35.00"),
                ),
            ]
        )
    return creance


# --- C7: « Mes délais » ---------------------------------------------------------------------
PROCESSING_THEMES = [
    # code, label, working days in Paris (751), Gironde (331), Loire-Atlantique (441)
    ("feuille-de-soins", "Remboursement d'une feuille de soins papier", (12, 9, 10)),
    ("ij-maladie", "Indemnités journalières maladie : premier paiement", (25, 20, 22)),
    ("ij-maternite", "Indemnités journalières maternité ou paternité", (18, 15, 16)),
    ("ij-at", "Indemnités journalières accident du travail", (30, 24, 26)),
    ("c2s", "Complémentaire santé solidaire", (22, 18, 20)),
    ("iban", "Changement de coordonnées bancaires", (2, 2, 2)),
    ("adresse", "Changement d'adresse", (3, 3, 3)),
    ("soins-etranger", "Remboursement de soins reçus à l'étranger", (40, 35, 38)),
    ("invalidite", "Pension d'invalidité", (45, 40, 42)),
    ("carte-vitale", "Carte Vitale : première demande ou renouvellement", (10, 10, 10)),
]
CAISSE_COLUMNS = ("751", "331", "441")


def ensure_processing_delays(caisses):
    """The thématiques and each demo caisse's published delays (agents edit them later)."""
    for position, (code, label, days) in enumerate(PROCESSING_THEMES, start=1):
        theme, _ = ProcessingTheme.objects.get_or_create(
            code=code, defaults={"label": label, "position": position}
        )
        for caisse_code, working_days in zip(CAISSE_COLUMNS, days, strict=True):
            caisse = caisses.get(caisse_code)
            if caisse is not None:
                ProcessingDelay.objects.get_or_create(
                    caisse=caisse, theme=theme, defaults={"working_days": working_days}
                )
