"""Payments made by the caisse and what hangs off them (FEATURES C1, C4, C5, C6, C7).

Every queryset a view uses starts from the person (ARCHITECTURE decision 2): `for_person`.
"""

import uuid
from decimal import Decimal

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q, Sum
from django.utils import timezone

from assures.models import Caisse, Person

from .enums import AttemptStatus, DeductionKind, Nature, Payee, SickLeaveKind

ZERO = Decimal("0.00")
# The reference a record has in the caisse's own system, kept by the CSV import (FEATURES H6).
SOURCE_REFERENCE_MAX_LENGTH = 40
# Rules of a payment checked by both ways of recording one (H6): the admin form and the import.
BENEFICIARY_OUTSIDE_FAMILY = (
    "Le bénéficiaire des soins doit être l'assuré ou l'un de ses ayants droit."
)
ONLY_IJ_ON_SICK_LEAVE = "Seules les indemnités journalières se rattachent à un arrêt de travail."


class SickLeave(models.Model):
    """An arrêt de travail; its indemnités journalières are grouped by it (FEATURES C5)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="sick_leaves")
    kind = models.CharField("nature de l'arrêt", max_length=30, choices=SickLeaveKind.choices)
    start = models.DateField("début de l'arrêt")
    end = models.DateField("fin de l'arrêt", null=True, blank=True)
    employer = models.CharField("employeur", max_length=200, blank=True)
    received_on = models.DateField("avis d'arrêt reçu le", null=True, blank=True)
    source_reference = models.CharField(
        "référence d'origine",
        max_length=SOURCE_REFERENCE_MAX_LENGTH,
        null=True,
        blank=True,
        editable=False,
        help_text="Référence de l'arrêt dans le système de la caisse (import CSV, FEATURES H6).",
    )

    class Meta:
        verbose_name = "arrêt de travail"
        verbose_name_plural = "arrêts de travail"
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")), name="sickleave_ordered"
            ),
            # H6: importing the same file twice creates nothing twice (paiements/imports.py).
            models.UniqueConstraint(
                fields=["person", "source_reference"],
                condition=Q(source_reference__isnull=False),
                name="sickleave_source_reference_unique",
            ),
        ]

    def __str__(self):
        end = f" au {self.end:%d/%m/%Y}" if self.end else " (en cours)"
        return f"Arrêt de travail ({self.get_kind_display().lower()}) du {self.start:%d/%m/%Y}{end}"


class PaymentQuerySet(models.QuerySet):
    def for_person(self, person):
        """Every payment shown on `person`'s account (theirs and their ayants droit's)."""
        return self.filter(insured=person)

    def latest(self, count):
        return self.select_related("beneficiary").order_by("-paid_on", "-id")[:count]


class Payment(models.Model):
    """A payment by the caisse, shown on the insured's (ouvrant droit's) account.

    `insured` is the account holder's file the payment belongs to; `beneficiary` is the person
    who received the care (the insured or an ayant droit). The index on (insured, -paid_on, -id),
    covering what the month totals and filters read, keeps « Accueil » and « Mes paiements »
    independent of history length. A soins payment's
    amount is the sum of its lines' `net` (the décompte, FEATURES C1); an IJ payment belongs to
    an arrêt de travail and covers `period_start`–`period_end` (C5), as do pensions and rentes.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    insured = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="payments",
        db_index=False,  # payment_insured_paid_on starts with it
    )
    beneficiary = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    paid_on = models.DateField("date du paiement")
    nature = models.CharField("nature", max_length=10, choices=Nature.choices)
    label = models.CharField("libellé", max_length=200)
    amount = models.DecimalField("montant", max_digits=10, decimal_places=2)
    payee = models.CharField("payé à", max_length=10, choices=Payee.choices)
    payee_name = models.CharField("nom du bénéficiaire du paiement", max_length=200, blank=True)
    care_date = models.DateField("date des soins", null=True, blank=True)
    sent_to_complementary = models.BooleanField(
        "transmis automatiquement à la complémentaire", default=False
    )
    sick_leave = models.ForeignKey(
        SickLeave,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name="arrêt de travail",
    )
    period_start = models.DateField("période payée du", null=True, blank=True)
    period_end = models.DateField("période payée au", null=True, blank=True)
    source_reference = models.CharField(
        "référence d'origine",
        max_length=SOURCE_REFERENCE_MAX_LENGTH,
        null=True,
        blank=True,
        editable=False,
        help_text="Référence du paiement dans le système de la caisse (import CSV, FEATURES H6).",
    )

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = "paiement"
        ordering = ["-paid_on", "-id"]
        indexes = [
            # INCLUDE: the month totals and the filters of « Mes paiements » read the index only
            # (PostgreSQL index-only scan), so a month of 100 payments costs as little as one.
            models.Index(
                fields=["insured", "-paid_on", "-id"],
                name="payment_insured_paid_on",
                include=["amount", "nature", "beneficiary", "sent_to_complementary"],
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_end__gte=F("period_start")),
                name="payment_period_ordered",
            ),
            # H6: importing the same file twice creates nothing twice (paiements/imports.py).
            # Partial: payments recorded in the admin have no source reference.
            models.UniqueConstraint(
                fields=["insured", "source_reference"],
                condition=Q(source_reference__isnull=False),
                name="payment_source_reference_unique",
            ),
        ]

    def __str__(self):
        return f"{self.get_nature_display()} du {self.paid_on:%d/%m/%Y} : {self.amount} €"

    @property
    def type_label(self):
        """The « Type de paiement » column of « Mes derniers paiements » (seed 004)."""
        if self.nature == Nature.CARE:
            return self.get_payee_display()
        return self.get_nature_display()

    @property
    def to_transmit(self):
        """« Paiements à transmettre à votre complémentaire »: care not sent automatically."""
        return self.nature == Nature.CARE and not self.sent_to_complementary

    @property
    def period_days(self):
        if self.period_start and self.period_end:
            return (self.period_end - self.period_start).days + 1
        return None

    @property
    def daily_amount(self):
        days = self.period_days
        if self.nature == Nature.DAILY_ALLOWANCE and days:
            return (self.amount / days).quantize(Decimal("0.01"))
        return None


class PaymentLine(models.Model):
    """One act of a décompte: what was paid, the base, the rate, what was reimbursed and what
    was kept back (participation forfaitaire or franchise, FEATURES C1/C4)."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="lines")
    care_date = models.DateField("date des soins")
    act = models.CharField("acte", max_length=200)
    act_code = models.CharField("code de l'acte", max_length=20, blank=True)
    professional = models.CharField("professionnel de santé", max_length=200, blank=True)
    amount_paid = models.DecimalField(
        "montant payé", max_digits=10, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    base = models.DecimalField(
        "base de remboursement",
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(ZERO)],
    )
    rate = models.PositiveSmallIntegerField("taux (%)")
    reimbursed = models.DecimalField(
        "montant remboursé",
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(ZERO)],
        help_text="Avant déduction de la participation forfaitaire ou de la franchise.",
    )
    deduction_kind = models.CharField(
        "participation ou franchise",
        max_length=30,
        choices=DeductionKind.choices,
        default=DeductionKind.NONE,
    )
    deduction = models.DecimalField(
        "montant déduit",
        max_digits=10,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO)],
    )

    class Meta:
        verbose_name = "ligne de décompte"
        verbose_name_plural = "lignes de décompte"
        ordering = ["care_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(rate__lte=100), name="paymentline_rate_percent"),
            models.CheckConstraint(
                condition=Q(deduction__gte=0) & Q(deduction__lte=F("reimbursed")),
                name="paymentline_deduction_within_reimbursed",
            ),
        ]

    def __str__(self):
        return f"{self.act} du {self.care_date:%d/%m/%Y}"

    @property
    def net(self):
        """What is actually paid for this line (« Montant remboursé » less the deduction)."""
        return self.reimbursed - self.deduction


class C2sCoverage(models.Model):
    """A period of Complémentaire santé solidaire: exempts from PF and franchises (C4)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="c2s_coverages")
    start = models.DateField("début")
    end = models.DateField("fin")
    with_participation = models.BooleanField("avec participation financière", default=False)

    class Meta:
        verbose_name = "période de Complémentaire santé solidaire"
        verbose_name_plural = "périodes de Complémentaire santé solidaire"
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="c2s_period_ordered")
        ]

    def __str__(self):
        return f"C2S de {self.person} du {self.start:%d/%m/%Y} au {self.end:%d/%m/%Y}"


# --- C6 « Payer une créance » -----------------------------------------------------------------
creance_reference_validator = RegexValidator(
    r"^\d{16}[A-Z]$", "La référence comporte 16 chiffres suivis d'une lettre."
)


class CreanceQuerySet(models.QuerySet):
    def for_person(self, person):
        return self.filter(person=person)


class Creance(models.Model):
    """An « avis de sommes à payer » sent to a person; its lines are paid at the kiosque."""

    reference = models.CharField(
        "référence de l'avis", max_length=17, unique=True, validators=[creance_reference_validator]
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="creances")
    issued_on = models.DateField("avis émis le")
    label = models.CharField("objet", max_length=200)

    objects = CreanceQuerySet.as_manager()

    class Meta:
        verbose_name = "créance"
        ordering = ["-issued_on"]

    def __str__(self):
        return f"Avis de sommes à payer {self.reference}"


class CreanceLine(models.Model):
    creance = models.ForeignKey(Creance, on_delete=models.CASCADE, related_name="lines")
    label = models.CharField("libellé", max_length=200)
    period_label = models.CharField("période", max_length=100, blank=True)
    amount_due = models.DecimalField(
        "montant dû", max_digits=10, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    amount_paid = models.DecimalField(
        "montant réglé",
        max_digits=10,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO)],
    )

    class Meta:
        verbose_name = "ligne de créance"
        verbose_name_plural = "lignes de créance"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_paid__gte=0) & Q(amount_paid__lte=F("amount_due")),
                name="creanceline_paid_within_due",
            )
        ]

    def __str__(self):
        return self.label

    @property
    def remaining(self):
        return self.amount_due - self.amount_paid


class CreancePaymentQuerySet(models.QuerySet):
    def for_person(self, person):
        return self.filter(creance__person=person)


class CreancePayment(models.Model):
    """One payment attempt at the « kiosque bancaire »: pending, then paid, refused or
    cancelled, as the kiosque's signed return says (FEATURES C6)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    creance = models.ForeignKey(Creance, on_delete=models.PROTECT, related_name="attempts")
    submission_token = models.UUIDField(
        "jeton du formulaire",
        unique=True,
        help_text="Un même formulaire soumis deux fois ne crée qu'une tentative.",
    )
    amount = models.DecimalField("montant", max_digits=10, decimal_places=2)
    status = models.CharField(
        "statut", max_length=12, choices=AttemptStatus.choices, default=AttemptStatus.PENDING
    )
    transaction_id = models.CharField("transaction du kiosque", max_length=64, blank=True)
    created_at = models.DateTimeField("créée le", default=timezone.now)
    returned_at = models.DateTimeField("retour du kiosque le", null=True, blank=True)

    objects = CreancePaymentQuerySet.as_manager()

    class Meta:
        verbose_name = "paiement de créance"
        verbose_name_plural = "paiements de créances"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="creancepayment_positive"),
            models.UniqueConstraint(
                fields=["transaction_id"],
                condition=~Q(transaction_id=""),
                name="creancepayment_transaction_unique",
            ),
        ]

    def __str__(self):
        return f"Paiement {self.get_status_display().lower()} de {self.amount} € ({self.creance})"

    @property
    def amount_cents(self):
        return int((self.amount * 100).to_integral_value())

    @property
    def is_final(self):
        return self.status != AttemptStatus.PENDING


class CreancePaymentLine(models.Model):
    attempt = models.ForeignKey(CreancePayment, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey(CreanceLine, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField("montant", max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = "montant réglé sur une ligne"
        verbose_name_plural = "montants réglés par ligne"
        constraints = [
            models.UniqueConstraint(fields=["attempt", "line"], name="creancepaymentline_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="creancepaymentline_positive"),
        ]

    def __str__(self):
        return f"{self.amount} € sur « {self.line} »"


def pending_reserved(lines, since):
    """{line id: amount held by attempts still pending at the kiosque since `since`}."""
    rows = (
        CreancePaymentLine.objects.filter(
            line__in=lines,
            attempt__status=AttemptStatus.PENDING,
            attempt__created_at__gte=since,
        )
        .values("line_id")
        .annotate(total=Sum("amount"))
    )
    return {row["line_id"]: row["total"] for row in rows}


# --- C7 « Mes délais » ------------------------------------------------------------------------
class ProcessingTheme(models.Model):
    """A « thématique » of « Consulter les délais de traitement de ma caisse »."""

    code = models.SlugField("code", max_length=50, unique=True)
    label = models.CharField("thématique", max_length=150)
    position = models.PositiveSmallIntegerField("ordre d'affichage", default=0)
    active = models.BooleanField("proposée aux assurés", default=True)

    class Meta:
        verbose_name = "thématique de délai"
        verbose_name_plural = "thématiques de délais"
        ordering = ["position", "label"]

    def __str__(self):
        return self.label


class ProcessingDelay(models.Model):
    """The delay a caisse publishes for a thématique, in working days (same for all its insured)."""

    caisse = models.ForeignKey(Caisse, on_delete=models.CASCADE, related_name="processing_delays")
    theme = models.ForeignKey(
        ProcessingTheme, on_delete=models.CASCADE, related_name="delays", verbose_name="thématique"
    )
    working_days = models.PositiveSmallIntegerField(
        "délai (jours ouvrés)", validators=[MinValueValidator(1)]
    )
    updated_on = models.DateField("publié le", default=timezone.localdate)

    class Meta:
        verbose_name = "délai de traitement publié"
        verbose_name_plural = "délais de traitement publiés"
        ordering = ["caisse", "theme__position"]
        constraints = [
            models.UniqueConstraint(fields=["caisse", "theme"], name="processingdelay_unique")
        ]

    def __str__(self):
        return f"{self.theme} : {self.working_days} jours ouvrés ({self.caisse})"
