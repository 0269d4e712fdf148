import datetime

import factory
from factory import fuzzy

from assures.factories import PersonFactory

from .enums import Nature, Payee
from .models import Payment


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    insured = factory.SubFactory(PersonFactory)
    beneficiary = factory.SelfAttribute("insured")
    paid_on = fuzzy.FuzzyDate(datetime.date(2025, 1, 1), datetime.date(2026, 11, 1))
    care_date = factory.LazyAttribute(lambda o: o.paid_on - datetime.timedelta(days=5))
    nature = Nature.CARE
    label = "Consultation médecin généraliste"
    amount = fuzzy.FuzzyDecimal(1, 120)
    payee = Payee.INSURED
