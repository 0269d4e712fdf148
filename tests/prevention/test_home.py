"""The « Mon espace prévention » teaser offered to « Accueil » (FEATURES B1, G1, G2), and the
demo data (Camille MARTIN)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.factories import InsuredUserFactory
from assures.factories import BeneficiaryFactory
from prevention.home import MAX_ITEMS, home_teaser
from prevention.models import ChildExamStatus
from prevention.queries import prevention_space

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def test_teaser_next_appointment_then_each_childs_next_exam(family, django_assert_num_queries):
    with django_assert_num_queries(3):  # family, pregnancies, exam statuses
        teaser = home_teaser(family.me, TODAY)["prevention_teaser"]
    assert teaser["url"] == reverse("prevention:hub")
    assert [(i["title"], i["text"]) for i in teaser["items"]] == [
        ("Maternité", "2e échographie"),
        ("Santé de l'enfant : Léa", "Examen « Entre 11 et 13 ans »"),
        ("Santé de l'enfant : Hugo", "Examen « Au cours de la 5e année »"),
    ]
    hugo = teaser["items"][2]
    assert (hugo["start"], hugo["end"]) == (datetime.date(2026, 2, 3), datetime.date(2027, 2, 2))
    assert hugo["url"] == reverse("prevention:child", args=[family.hugo.public_id])


def test_teaser_is_short_and_follows_the_statuses(family):
    BeneficiaryFactory(insured=family.me, person__birth_date=datetime.date(2025, 6, 1))
    ChildExamStatus.objects.create(person=family.hugo, exam="5e-annee", status="realise")
    items = home_teaser(family.me, TODAY)["prevention_teaser"]["items"]
    assert len(items) == MAX_ITEMS
    assert "Au cours de la 5e année" not in str(items)


def test_teaser_without_anything_to_show():
    user = InsuredUserFactory(person__birth_date=datetime.date(1962, 1, 20))
    teaser = home_teaser(user.person, TODAY)["prevention_teaser"]
    assert teaser["items"] == [] and teaser["url"] == reverse("prevention:hub")


def test_demo_camille(demo):
    """FEATURES « Demo data »: Camille is pregnant (due in 4 months) with Léa (2016) and Hugo
    (2022): the seed needs nothing more for G1–G3."""
    camille = demo["camille"].person
    today = timezone.localdate()
    space = prevention_space(camille, today)
    (pregnant,) = space["pregnancies"]
    assert pregnant.person == camille
    assert pregnant.calendar.leave.rule.situation == "3e enfant ou plus"
    assert [h.person.first_name for h in space["children"]] == ["Léa", "Hugo"]
    assert all(h.next is not None for h in space["children"])
    assert {d.person.first_name for d in space["dental"] if d.voucher} == {"Léa", "Hugo"}
    jean = demo["jean"].person
    assert [ald.label for ald in prevention_space(jean, today)["alds"]]
