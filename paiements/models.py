import uuid

from django.db import models

from assures.models import Person

from .enums import Nature, Payee


class PaymentQuerySet(models.QuerySet):
    def for_person(self, person):
        """Every payment shown on `person`'s account (theirs and their ayants droit's)."""
        return self.filter(insured=person)

    def latest(self, count):
        return self.select_related("beneficiary").order_by("-paid_on", "-id")[:count]


class Payment(models.Model):
    """A payment by the caisse, shown on the insured's (ouvrant droit's) account.

    `insured` is the account holder's file the payment belongs to; `beneficiary` is the person
    who received the care (the insured or an ayant droit). The index on (insured, -paid_on, -id)
    keeps « Accueil » and « Mes paiements » independent of history length.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    insured = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="payments")
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

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = "paiement"
        ordering = ["-paid_on", "-id"]
        indexes = [
            models.Index(fields=["insured", "-paid_on", "-id"], name="payment_insured_paid_on"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive")
        ]

    def __str__(self):
        return f"{self.get_nature_display()} du {self.paid_on:%d/%m/%Y} : {self.amount} €"

    @property
    def type_label(self):
        """The « Type de paiement » column of « Mes derniers paiements » (seed 004)."""
        if self.nature == Nature.CARE:
            return self.get_payee_display()
        return self.get_nature_display()
