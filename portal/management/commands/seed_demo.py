"""`manage.py seed_demo`: the demo people of FEATURES.md, idempotently, with the test factories.

Running it twice leaves the same data. Dates (payments, pregnancy, CEAM expiry) are computed
from the day of the first run, so a fresh install always shows a living account.
"""

import datetime
import random
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.factories import AGENT_DEMO_PASSWORD, DEMO_PASSWORD, AgentFactory
from accounts.models import User
from accounts.roles import ensure_agent_groups
from assures import identifiers
from assures.enums import Quality, Sex
from assures.factories import make_nir
from assures.models import (
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
from messagerie import demo as messagerie_demo
from paiements import demo as paiements_demo
from paiements.enums import Nature, Payee, SickLeaveKind
from paiements.factories import PaymentFactory
from paiements.models import Payment, SickLeave
from rendezvous import demo as rendezvous_demo

CAISSES = {
    "751": ("CPAM de Paris", "21 rue Georges Auric", "75019", "Paris"),
    "331": ("CPAM de la Gironde", "Place de l'Europe", "33085", "Bordeaux"),
    "441": ("CPAM de Loire-Atlantique", "9 rue Gaëtan Rondeau", "44200", "Nantes"),
}


ALD_ADVICE = (
    "Vos soins en rapport avec votre ALD sont pris en charge à 100 % sur la base du tarif de "
    "l'Assurance Maladie. Présentez votre protocole de soins à chaque professionnel consulté "
    "et demandez à votre médecin traitant de distinguer les soins liés à l'ALD sur "
    "l'ordonnance (ordonnance bizone).\nFaites un bilan de vos yeux et de vos pieds chaque année."
)


def months_ago(day, months):
    month_index = day.year * 12 + day.month - 1 - months
    return datetime.date(month_index // 12, month_index % 12 + 1, min(day.day, 28))


class Command(BaseCommand):
    help = "Crée (ou complète) les personnes de démonstration de FEATURES.md."

    @transaction.atomic
    def handle(self, *args, **options):
        self.today = timezone.localdate()
        caisses = {
            code: Caisse.objects.update_or_create(
                code=code,
                defaults={"name": n, "address": a, "postal_code": pc, "city": c},
            )[0]
            for code, (n, a, pc, c) in CAISSES.items()
        }
        groups = ensure_agent_groups()
        paiements_demo.ensure_processing_delays(caisses)  # C7 « Mes délais »
        self.doctors = {
            "bernard": self.doctor("10003456789", "BERNARD", "Claire", "Paris"),
            "roux": self.doctor("10004567891", "ROUX", "Paul", "Paris", "Pédiatrie"),
            "girard": self.doctor("10005678912", "GIRARD", "Antoine", "Paris"),
            "lambert": self.doctor("10006789123", "LAMBERT", "Isabelle", "Bordeaux"),
            "moreau": self.doctor("10007891234", "MOREAU", "Julien", "Nantes"),
        }
        self.camille(caisses["751"])
        self.thomas(caisses["751"])
        self.jean(caisses["331"])
        self.sophie(caisses["441"])
        for username, code in (("agent.paris", "751"), ("agent.gironde", "331")):
            if not User.objects.filter(username=username).exists():
                AgentFactory(
                    username=username,
                    first_name="Agent",
                    last_name=caisses[code].name,
                    caisse=caisses[code],
                    groups=list(groups.values()),
                )
        messagerie_demo.seed(self.today)  # F1 exchanges, B2 notifications
        rendezvous_demo.seed(self.today)  # F3 accueils, slots, Jean's booking
        self.stdout.write(
            self.style.SUCCESS(
                f"Données de démonstration prêtes : mot de passe des assurés {DEMO_PASSWORD}, "
                f"des agents {AGENT_DEMO_PASSWORD}."
            )
        )

    # --- helpers ------------------------------------------------------------------------------
    def doctor(self, rpps, last, first, city, specialty="Médecine générale"):
        return Doctor.objects.update_or_create(
            rpps=rpps,
            defaults={"last_name": last, "first_name": first, "city": city, "specialty": specialty},
        )[0]

    def person(self, nir, **fields):
        return Person.objects.update_or_create(nir=nir, defaults=fields)[0]

    def account(self, person, email, mobile=""):
        user = User.objects.filter(person=person).first()
        if user is None:
            from accounts.factories import InsuredUserFactory

            user = InsuredUserFactory(
                person=person,
                email=email,
                mobile_phone=mobile,
                paperless_since=timezone.now(),
                contact_by_sms=bool(mobile),
            )
        return user

    def child(self, parent, nir, first_name, sex, birth_date):
        child = self.person(
            nir,
            sex=sex,
            last_name=parent.last_name,
            first_name=first_name,
            birth_date=birth_date,
            birth_place="Paris",
            caisse=parent.caisse,
            rights_start=birth_date,
            address_line1=parent.address_line1,
            postal_code=parent.postal_code,
            city=parent.city,
        )
        Beneficiary.objects.get_or_create(
            insured=parent, person=child, defaults={"quality": Quality.CHILD, "since": birth_date}
        )
        return child

    def treating(self, person, doctor, declared_on):
        TreatingDoctor.objects.get_or_create(
            person=person, ended_on=None, defaults={"doctor": doctor, "declared_on": declared_on}
        )

    def vitale(self, person, serial, issued_on):
        VitaleCard.objects.get_or_create(
            serial_number=serial, defaults={"person": person, "issued_on": issued_on}
        )

    def bank(self, person, holder, iban, bic):
        BankAccount.objects.get_or_create(
            person=person,
            is_current=True,
            defaults={
                "holder": holder,
                "iban": iban,
                "bic": bic,
                "since": datetime.date(2018, 4, 1),
            },
        )

    def oc(self, number, name):
        return ComplementaryOrganisation.objects.update_or_create(
            number=number, defaults={"name": name}
        )[0]

    def contract(self, person, organisation, start, transmission=True):
        ComplementaryContract.objects.get_or_create(
            person=person,
            organisation=organisation,
            defaults={"start": start, "automatic_transmission": transmission},
        )

    def care_payments(self, insured, beneficiaries, months, seed, per_month=(1, 4), visits=None):
        """Soins payments with their décompte lines, deterministic for a given seed.

        Generated first, then liquidated in the order the caisse paid them, so each payment's
        PF/franchises follow the beneficiary's yearly counter (FEATURES C1, C4).
        """
        if Payment.objects.filter(insured=insured).exists():
            return False
        rng = random.Random(seed)
        specs = []
        for m in range(months):
            first = months_ago(self.today, m).replace(day=1)
            last_day = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
            last_day -= datetime.timedelta(days=1)
            if m == 0:
                last_day = self.today
            for _ in range(rng.randint(*per_month)):
                paid_on = first + datetime.timedelta(days=rng.randint(0, last_day.day - 1))
                beneficiary = rng.choice(beneficiaries)
                if visits is not None:
                    choices = visits
                elif beneficiary.age_on(paid_on) < 18:
                    choices = paiements_demo.CHILD_VISITS
                else:
                    choices = paiements_demo.ADULT_VISITS
                specs.append(
                    {
                        "beneficiary": beneficiary,
                        "paid_on": paid_on,
                        "care_date": paid_on - datetime.timedelta(days=rng.randint(2, 12)),
                        "visit": rng.choice(choices),
                        "sent_to_complementary": rng.random() < 0.8,
                    }
                )
        for spec in sorted(specs, key=lambda spec: spec["paid_on"]):
            paiements_demo.create_care_payment(insured=insured, **spec)
        return True

    # --- the demo people ----------------------------------------------------------------------
    def camille(self, caisse):
        camille = self.person(
            "2900375106123",
            sex=Sex.FEMALE,
            last_name="MARTIN",
            first_name="Camille",
            birth_date=datetime.date(1990, 3, 14),
            birth_place="Paris",
            caisse=caisse,
            rights_start=datetime.date(2008, 3, 14),
            address_line1="12 rue des Lilas",
            postal_code="75019",
            city="Paris",
        )
        self.account(camille, "camille.martin@example.org", "+33612345678")
        lea = self.child(
            camille,
            make_nir("2", datetime.date(2016, 6, 12), "75", "119", 45),
            "Léa",
            Sex.FEMALE,
            datetime.date(2016, 6, 12),
        )
        hugo = self.child(
            camille,
            make_nir("1", datetime.date(2022, 2, 3), "75", "119", 112),
            "Hugo",
            Sex.MALE,
            datetime.date(2022, 2, 3),
        )
        self.vitale(camille, "92157480312", datetime.date(2019, 10, 7))
        self.vitale(lea, "92157480455", datetime.date(2024, 9, 2))
        self.treating(camille, self.doctors["bernard"], datetime.date(2016, 1, 12))
        self.treating(lea, self.doctors["roux"], datetime.date(2016, 9, 1))
        self.treating(hugo, self.doctors["roux"], datetime.date(2022, 4, 15))
        self.bank(
            camille,
            "MME CAMILLE MARTIN",
            identifiers.make_french_iban("30006", "00001", "12345678901"),
            "AGRIFRPP882",
        )
        mutuelle = self.oc("75012345", "Mutuelle Parisienne de Santé")
        for p in (camille, lea, hugo):
            self.contract(p, mutuelle, datetime.date(2021, 1, 1))
        # CEAM expiring in 6 weeks (E3: renewal possible from 2 months before expiry).
        expires = self.today + datetime.timedelta(weeks=6)
        Ceam.objects.get_or_create(
            person=camille,
            defaults={
                "card_number": "80250000029003751061",
                "issued_on": expires.replace(year=expires.year - Ceam.VALIDITY_YEARS),
                "expires_on": expires,
            },
        )
        # Pregnant, due in 4 months.
        due = months_ago(self.today, -4)
        Pregnancy.objects.get_or_create(
            person=camille,
            defaults={"declared_on": months_ago(self.today, 1), "expected_delivery": due},
        )
        if self.care_payments(camille, [camille, camille, lea, hugo], 27, seed=2903):
            # IJ of a past arrêt de travail (about 10 months ago, 6 weeks, paid every 14 days),
            # grouped by their arrêt (FEATURES C5).
            start = months_ago(self.today, 10)
            leave = SickLeave.objects.create(
                person=camille,
                kind=SickLeaveKind.ILLNESS,
                start=start,
                end=start + datetime.timedelta(days=41),
                employer="Librairie des Buttes",
                received_on=start + datetime.timedelta(days=1),
            )
            for i in range(3):
                period_start = start + datetime.timedelta(days=14 * i)
                period_end = period_start + datetime.timedelta(days=13)
                PaymentFactory(
                    insured=camille,
                    beneficiary=camille,
                    paid_on=period_end + datetime.timedelta(days=4),
                    care_date=period_start,
                    nature=Nature.DAILY_ALLOWANCE,
                    label=f"Indemnités journalières maladie du {period_start:%d/%m/%Y} "
                    f"au {period_end:%d/%m/%Y}",
                    amount=Decimal("590.38"),
                    payee=Payee.INSURED,
                    sick_leave=leave,
                    period_start=period_start,
                    period_end=period_end,
                )
        return camille

    def thomas(self, caisse):
        thomas = self.person(
            "1881169123045",
            sex=Sex.MALE,
            last_name="MARTIN",
            first_name="Thomas",
            birth_date=datetime.date(1988, 11, 2),
            birth_place="Lyon",
            caisse=caisse,
            rights_start=datetime.date(2006, 11, 2),
            address_line1="12 rue des Lilas",
            postal_code="75019",
            city="Paris",
        )
        self.account(thomas, "thomas.martin@example.org")
        self.vitale(thomas, "91883344556", datetime.date(2018, 3, 20))
        self.treating(thomas, self.doctors["girard"], datetime.date(2017, 5, 3))
        self.bank(
            thomas,
            "M THOMAS MARTIN",
            identifiers.make_french_iban("30002", "00550", "00001234567"),
            "CRLYFRPP",
        )
        self.contract(
            thomas, self.oc("75012345", "Mutuelle Parisienne de Santé"), datetime.date(2021, 1, 1)
        )
        self.care_payments(thomas, [thomas], 12, seed=1188, per_month=(0, 2))
        # FEATURES D2/D3: an accident du travail last year, so that Thomas has a relevé fiscal.
        if not SickLeave.objects.filter(person=thomas).exists():
            start = datetime.date(self.today.year - 1, 3, 2)
            leave = SickLeave.objects.create(
                person=thomas,
                kind=SickLeaveKind.WORK_ACCIDENT,
                start=start,
                end=start + datetime.timedelta(days=20),
                employer="Atelier Lumière",
                received_on=start + datetime.timedelta(days=1),
            )
            for first_day, days in ((0, 14), (14, 7)):
                period_start = start + datetime.timedelta(days=first_day)
                period_end = period_start + datetime.timedelta(days=days - 1)
                PaymentFactory(
                    insured=thomas,
                    beneficiary=thomas,
                    paid_on=period_end + datetime.timedelta(days=5),
                    care_date=period_start,
                    nature=Nature.DAILY_ALLOWANCE,
                    label=f"Indemnités journalières accident du travail du "
                    f"{period_start:%d/%m/%Y} au {period_end:%d/%m/%Y}",
                    amount=Decimal("48.12") * days,
                    payee=Payee.INSURED,
                    sick_leave=leave,
                    period_start=period_start,
                    period_end=period_end,
                )

    def jean(self, caisse):
        jean = self.person(
            "1620133063087",
            sex=Sex.MALE,
            last_name="DUPUIS",
            first_name="Jean",
            birth_date=datetime.date(1962, 1, 20),
            birth_place="Bordeaux",
            caisse=caisse,
            rights_start=datetime.date(1980, 1, 20),
            address_line1="8 cours de l'Intendance",
            postal_code="33000",
            city="Bordeaux",
        )
        self.account(jean, "jean.dupuis@example.org", "+33698765432")
        self.vitale(jean, "91620133087", datetime.date(2017, 2, 14))
        self.treating(jean, self.doctors["lambert"], datetime.date(2012, 6, 1))
        self.bank(
            jean,
            "M JEAN DUPUIS",
            identifiers.make_french_iban("10907", "00001", "98765432101"),
            "CCBPFRPPBDX",
        )
        LongTermCondition.objects.get_or_create(
            person=jean,
            label="Diabète de type 1 et diabète de type 2",
            defaults={"start": datetime.date(2015, 3, 1), "advice": ALD_ADVICE},
        )
        # Two OCs in chevauchement (E10): an old contract never closed and a new one.
        self.contract(
            jean, self.oc("33045678", "Mutuelle Atlantique Santé"), datetime.date(2020, 1, 1)
        )
        self.contract(
            jean,
            self.oc("33098765", "Prévoyance du Sud-Ouest"),
            months_ago(self.today, 5).replace(day=1),
            transmission=False,
        )
        # C6: an « avis de sommes à payer » of PF and franchises to pay online.
        paiements_demo.ensure_creance(jean, issued_on=months_ago(self.today, 2))
        if self.care_payments(
            jean, [jean], 27, seed=1620, per_month=(1, 3), visits=paiements_demo.ALD_VISITS
        ):
            for m in range(27):
                paid_on = months_ago(self.today, m).replace(day=9)
                if paid_on > self.today:
                    continue
                PaymentFactory(
                    insured=jean,
                    beneficiary=jean,
                    paid_on=paid_on,
                    care_date=None,
                    nature=Nature.INVALIDITY_PENSION,
                    label=f"Pension d'invalidité catégorie 2 — {paid_on:%m/%Y}",
                    amount=Decimal("1024.37"),
                    payee=Payee.INSURED,
                    period_start=paid_on.replace(day=1),
                    period_end=months_ago(paid_on, -1).replace(day=1) - datetime.timedelta(days=1),
                )
                if paid_on.month in (1, 4, 7, 10):
                    PaymentFactory(
                        insured=jean,
                        beneficiary=jean,
                        paid_on=paid_on.replace(day=15),
                        care_date=None,
                        nature=Nature.WORK_ACCIDENT_ANNUITY,
                        label="Rente accident du travail (trimestre)",
                        amount=Decimal("312.45"),
                        payee=Payee.INSURED,
                        # the quarter just ended
                        period_start=months_ago(paid_on, 3).replace(day=1),
                        period_end=paid_on.replace(day=1) - datetime.timedelta(days=1),
                    )

    def sophie(self, caisse):
        sophie = self.person(
            "2950744109034",
            sex=Sex.FEMALE,
            last_name="LEROY",
            first_name="Sophie",
            birth_date=datetime.date(1995, 7, 8),
            birth_place="Nantes",
            caisse=caisse,
            rights_start=datetime.date(2013, 7, 8),
            address_line1="5 quai de la Fosse",
            postal_code="44000",
            city="Nantes",
        )
        self.vitale(sophie, "90071234567", datetime.date(2021, 6, 30))
        self.treating(sophie, self.doctors["moreau"], datetime.date(2020, 2, 10))
        # IBAN ending 4321 (A2: the last digits prove the identity).
        self.bank(sophie, "MME SOPHIE LEROY", "FR7630004008230000000084321", "BNPAFRPPNTE")
