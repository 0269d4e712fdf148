"""factory_boy factories for the registry. The tests and `seed_demo` share them."""

import datetime

import factory
from factory import fuzzy

from . import identifiers
from .enums import Quality, Sex
from .models import (
    BankAccount,
    Beneficiary,
    Caisse,
    Ceam,
    ComplementaryContract,
    ComplementaryOrganisation,
    Doctor,
    LongTermCondition,
    Person,
    Pregnancy,
    TreatingDoctor,
    VitaleCard,
)


def make_nir(sex: str, birth_date: datetime.date, department: str, commune: str, order: int):
    """A well-formed 13-character NIR for the given identity."""
    return f"{sex}{birth_date:%y}{birth_date:%m}{department}{commune}{order:03d}"


class CaisseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Caisse
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{900 + n % 99:03d}")
    name = factory.LazyAttribute(lambda o: f"CPAM {o.code}")
    address = "1 rue de la Santé"
    postal_code = "75013"
    city = "Paris"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    class Params:
        department = "75"
        commune = "056"

    sex = fuzzy.FuzzyChoice([Sex.MALE, Sex.FEMALE])
    last_name = factory.Faker("last_name", locale="fr_FR")
    first_name = factory.Faker("first_name", locale="fr_FR")
    birth_date = fuzzy.FuzzyDate(datetime.date(1940, 1, 1), datetime.date(2005, 12, 31))
    birth_place = "Paris"
    nir = factory.LazyAttributeSequence(
        lambda o, n: make_nir(o.sex, o.birth_date, o.department, o.commune, n % 1000)
    )
    caisse = factory.SubFactory(CaisseFactory)
    rights_start = factory.LazyAttribute(lambda o: max(o.birth_date, datetime.date(2000, 1, 1)))
    address_line1 = factory.Faker("street_address", locale="fr_FR")
    postal_code = "75013"
    city = "Paris"


class BeneficiaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Beneficiary

    insured = factory.SubFactory(PersonFactory)
    person = factory.SubFactory(
        PersonFactory,
        caisse=factory.SelfAttribute("..insured.caisse"),
        birth_date=fuzzy.FuzzyDate(datetime.date(2012, 1, 1), datetime.date(2024, 12, 31)),
    )
    quality = Quality.CHILD
    since = factory.SelfAttribute("person.birth_date")


class VitaleCardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VitaleCard

    person = factory.SubFactory(PersonFactory)
    serial_number = factory.Sequence(lambda n: f"{10_000_000_000 + n:011d}")
    issued_on = datetime.date(2020, 5, 4)


class CeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ceam

    person = factory.SubFactory(PersonFactory)
    card_number = factory.Sequence(lambda n: f"80250{n:015d}")
    issued_on = datetime.date(2025, 6, 1)
    expires_on = factory.LazyAttribute(
        lambda o: o.issued_on.replace(year=o.issued_on.year + Ceam.VALIDITY_YEARS)
    )


class BankAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BankAccount

    person = factory.SubFactory(PersonFactory)
    holder = factory.LazyAttribute(lambda o: f"{o.person.first_name} {o.person.last_name}".upper())
    iban = factory.Sequence(lambda n: identifiers.make_french_iban("30006", "00001", f"{n:011d}"))
    bic = "AGRIFRPP"
    since = datetime.date(2019, 1, 1)


class ComplementaryOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ComplementaryOrganisation
        django_get_or_create = ("number",)

    name = factory.Sequence(lambda n: f"Mutuelle n° {n}")
    number = factory.Sequence(lambda n: f"{n:08d}")


class ComplementaryContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ComplementaryContract

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SubFactory(ComplementaryOrganisationFactory)
    start = datetime.date(2022, 1, 1)


class DoctorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Doctor
        django_get_or_create = ("rpps",)

    rpps = factory.Sequence(lambda n: f"{10_000_000_000 + n:011d}")
    last_name = factory.Faker("last_name", locale="fr_FR")
    first_name = factory.Faker("first_name", locale="fr_FR")
    city = "Paris"


class TreatingDoctorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TreatingDoctor

    person = factory.SubFactory(PersonFactory)
    doctor = factory.SubFactory(DoctorFactory)
    declared_on = datetime.date(2018, 9, 1)


class LongTermConditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LongTermCondition

    person = factory.SubFactory(PersonFactory)
    label = "Diabète de type 1 et diabète de type 2"
    start = datetime.date(2015, 3, 1)


class PregnancyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pregnancy

    person = factory.SubFactory(PersonFactory, sex=Sex.FEMALE)
    declared_on = datetime.date(2026, 1, 1)
    expected_delivery = datetime.date(2026, 8, 1)
