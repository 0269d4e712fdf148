"""Password rules (ARCHITECTURE « Password and session rules », FEATURES A1)."""

import datetime

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from accounts.models import User
from assures.models import Person


def _user():
    person = Person(nir="2900375106123", birth_date=datetime.date(1990, 3, 14))
    return User(username="2900375106123", person=person)


@pytest.mark.parametrize("password", ["Ameli-Demo-2026", "Bonjour!Soleil", "Printemps7vert"])
def test_good_passwords(password):
    validate_password(password, _user())


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Ab1!", "password_too_short"),
        ("tout-en-minuscules-1", "password_classes"),
        ("TOUT-EN-MAJUSCULES-1", "password_classes"),
        ("SansChiffreNiSigne", "password_classes"),
        ("Password1", "password_too_common"),
        ("Ab!2900375106", "password_personal_data"),
        ("Camille14031990", "password_personal_data"),
        ("Xy!1990-03-14", "password_personal_data"),
    ],
)
def test_bad_passwords(password, code):
    with pytest.raises(ValidationError) as error:
        validate_password(password, _user())
    assert code in [e.code for e in error.value.error_list]


def test_special_characters_of_a5_are_accepted():
    validate_password("Aa?!$€£@&(-+_)=*%/<>,.;", _user())
