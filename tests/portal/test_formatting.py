"""Amounts as « 12,62 € » (ARCHITECTURE decision 7)."""

from decimal import Decimal

import pytest

from portal.templatetags.portal import euros


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("12.62"), "12,62\u00a0€"),
        (Decimal("3"), "3,00\u00a0€"),
        (Decimal("1024.37"), "1\u202f024,37\u00a0€"),
        (Decimal("1234567.5"), "1\u202f234\u202f567,50\u00a0€"),
        (Decimal("-5.1"), "-5,10\u00a0€"),
        ("19.875", "19,88\u00a0€"),
        (None, ""),
    ],
)
def test_euros(value, expected):
    assert euros(value) == expected
