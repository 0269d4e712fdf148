"""A4: find the registry person of the identity FranceConnect returns (« identité pivot »).

FranceConnect gives the birth name (`family_name`), the given names (`given_name`, space
separated), the birth date, the gender, and the INSEE code of the birthplace (`birthplace`,
a commune; empty for people born abroad) and of the birth country (`birthcountry`, 99100 for
France). In a NIR, characters 6 to 10 are exactly that place code (the commune for people born
in France, 99 + the country for people born abroad), so the match is: same birth date, same
sex, same birth name and first given name (ignoring accents, case, hyphens), and same place of
birth as the NIR says. Exactly one person must match; anything else is no match.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from assures.enums import Sex
from assures.models import Person

GENDERS = {"female": Sex.FEMALE, "male": Sex.MALE}
FRANCE = "99100"


def normalize_name(value: str) -> str:
    """« Éloïse-Marie d'Arc » -> « ELOISE MARIE D ARC »."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^A-Za-z]+", " ", ascii_only).upper().split())


def _birth_date(value) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return None


def birth_place_code(identity: dict) -> str:
    place = str(identity.get("birthplace") or "").strip()
    country = str(identity.get("birthcountry") or "").strip()
    if place and (not country or country == FRANCE):
        return place.upper()
    return country


def _first_names(given_name: str) -> set[str]:
    names = {normalize_name(given_name)}
    first = (given_name or "").strip().split(" ")[0]
    names.add(normalize_name(first))
    return {n for n in names if n}


def match_person(identity: dict) -> Person | None:
    birth_date = _birth_date(identity.get("birthdate"))
    sex = GENDERS.get(str(identity.get("gender") or "").lower())
    family_name = normalize_name(identity.get("family_name", ""))
    first_names = _first_names(identity.get("given_name", ""))
    place = birth_place_code(identity)
    if not (birth_date and sex and family_name and first_names and len(place) == 5):
        return None
    candidates = [
        person
        for person in Person.objects.filter(birth_date=birth_date, sex=sex, nir__isnull=False)
        .select_related("caisse")
        .only("pk", "nir", "sex", "last_name", "first_name", "birth_date", "caisse__name")
        if normalize_name(person.last_name) == family_name
        and normalize_name(person.first_name) in first_names
        and person.nir[5:10].upper() == place
    ]
    return candidates[0] if len(candidates) == 1 else None
