"""Identifier rules: NIR and IBAN (python-stdnum does the checksums; we add what it lacks).

FEATURES A1/A5: the NIR has 13 characters (15 with the key), 2A/2B accepted for Corsica,
spaces allowed when typed. stdnum's `fr.nir` checks length, format and key only, so the sex
digit and the month are checked here. stdnum's `iban` checks mod 97, not the French RIB key.
"""

import re

from django.core.exceptions import ValidationError
from stdnum import iban as std_iban
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import nir as std_nir

# 1/2: born in France or registered; 3/4: provisional; 7/8: temporary numbers (NIA).
NIR_SEX_DIGITS = {"1", "2", "3", "4", "7", "8"}


def _month_is_valid(month: int) -> bool:
    # 01-12, or 20-42 / 50-99 when the civil status did not give the month.
    return 1 <= month <= 12 or 20 <= month <= 42 or 50 <= month <= 99


def compact_nir(value: str) -> str:
    """Remove spaces, dots and dashes, upper-case (2a -> 2A)."""
    return re.sub(r"[\s.\-]", "", value or "").upper()


def validate_nir(value: str) -> str:
    """Return the 13-character NIR for a 13- or 15-character input, or raise ValidationError.

    With 15 characters the key is checked. With 13 characters there is no key to check, but the
    sex digit, the month and the format are.
    """
    nir = compact_nir(value)
    if len(nir) not in (13, 15):
        raise ValidationError(
            "Le numéro de sécurité sociale comporte 13 chiffres (15 avec la clé).", code="length"
        )
    body = nir[:13]
    if not re.fullmatch(r"\d{5}(\d{2}|2A|2B)\d{6}", body):
        raise ValidationError(
            "Le numéro de sécurité sociale ne contient que des chiffres (2A ou 2B pour la Corse).",
            code="format",
        )
    if body[0] not in NIR_SEX_DIGITS:
        raise ValidationError(
            "Le premier chiffre du numéro de sécurité sociale doit être 1 ou 2.", code="sex"
        )
    if not _month_is_valid(int(body[3:5])):
        raise ValidationError(
            "Le mois de naissance du numéro de sécurité sociale n'est pas valide.", code="month"
        )
    if len(nir) == 15:
        try:
            std_nir.validate(nir)
        except StdnumError:
            raise ValidationError(
                "La clé du numéro de sécurité sociale ne correspond pas.", code="key"
            ) from None
    return body


def nir_key(nir13: str) -> str:
    return std_nir.calc_check_digits(nir13)


def format_nir(nir13: str, with_key: bool = False) -> str:
    """'2900375106123' -> '2 90 03 75 106 123' (+ ' 07')."""
    n = nir13
    parts = [n[0], n[1:3], n[3:5], n[5:7], n[7:10], n[10:13]]
    if with_key:
        parts.append(nir_key(n))
    return " ".join(parts)


def compact_iban(value: str) -> str:
    return std_iban.compact(value or "")


def rib_key(bank: str, branch: str, account: str) -> str:
    """French RIB key (clé RIB), letters of the account converted as the Banque de France says."""
    table = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "12345678912345678923456789")
    acc = account.upper().translate(table)
    return f"{97 - (89 * int(bank) + 15 * int(branch) + 3 * int(acc)) % 97:02d}"


def validate_iban(value: str) -> str:
    """Return the compact IBAN or raise; a French IBAN must also carry a valid RIB key."""
    iban = compact_iban(value)
    try:
        std_iban.validate(iban)
    except StdnumError:
        raise ValidationError(
            "Cet IBAN n'est pas valide : vérifiez chaque caractère.", code="iban"
        ) from None
    if iban.startswith("FR"):
        bank, branch, account, key = iban[4:9], iban[9:14], iban[14:25], iban[25:27]
        if rib_key(bank, branch, account) != key:
            raise ValidationError(
                "Cet IBAN n'est pas valide : la clé RIB ne correspond pas.", code="rib"
            )
    return iban


def make_french_iban(bank: str, branch: str, account: str) -> str:
    """Build a valid French IBAN from its RIB parts (used by factories and demo data)."""
    bban = f"{bank}{branch}{account}{rib_key(bank, branch, account)}"
    return f"FR{std_iban.calc_check_digits('FR00' + bban)}{bban}"


def mask_iban(iban: str) -> str:
    """Hide all but the country, the check digits and the last 4 characters, grouped by 4."""
    iban = compact_iban(iban)
    if len(iban) <= 8:
        return "•" * len(iban)
    masked = iban[:4] + "•" * (len(iban) - 8) + iban[-4:]
    return " ".join(masked[i : i + 4] for i in range(0, len(masked), 4))
