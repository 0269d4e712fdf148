"""Formatting shared by every template (ARCHITECTURE decision 7: amounts as « 12,62 € »)."""

from decimal import Decimal

from django import template

register = template.Library()

NBSP = "\u00a0"
NNBSP = "\u202f"  # narrow no-break space: French thousands separator


@register.filter
def euros(value):
    """12.62 -> '12,62 €' ; 1234.5 -> '1 234,50 €' (no-break spaces)."""
    if value is None or value == "":
        return ""
    amount = Decimal(value).quantize(Decimal("0.01"))
    sign = "-" if amount < 0 else ""
    whole, cents = f"{abs(amount):.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{NNBSP.join(groups)},{cents}{NBSP}€"
