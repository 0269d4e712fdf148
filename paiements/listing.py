"""« Mes paiements » month by month (FEATURES C1), at a cost that does not grow with history.

Two queries per page, both range scans of the index (insured, -paid_on, -id): one aggregate per
month in SQL (count and total, so every month of the window gets its header or « Aucun
paiement »), and the rows themselves, newest first, cut at `MAX_ROWS`. A month whose rows were
cut says how many it has and links to a search on that month alone.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

RECENT_MONTHS = 6  # « les 6 derniers mois »
MONTHS_STEP = 6  # « Afficher plus de paiements » adds this many months
MAX_MONTHS = 36
MAX_ROWS = 100


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` away from `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def last_of_month(day: datetime.date) -> datetime.date:
    return add_months(day, 1) - datetime.timedelta(days=1)


@dataclass
class Month:
    first: datetime.date
    count: int = 0
    total: Decimal = Decimal("0.00")
    payments: list = field(default_factory=list)

    @property
    def truncated(self) -> bool:
        return len(self.payments) < self.count

    @property
    def last(self) -> datetime.date:
        return last_of_month(self.first)


@dataclass
class Window:
    start: datetime.date
    end: datetime.date
    months: list
    truncated: bool


def window_for(today, months, history=False):
    """(start, end) of the default window: the `months` last months, or the `months` before the
    6 last ones for « mon historique de plus de 6 mois »."""
    end = add_months(today, -(RECENT_MONTHS - 1)) - datetime.timedelta(days=1) if history else today
    start = add_months(end, -(months - 1))
    return start, end


def months_between(start, end):
    """First days of the months from `end`'s back to `start`'s, newest first."""
    months, current = [], first_of_month(end)
    while current >= first_of_month(start):
        months.append(current)
        current = add_months(current, -1)
    return months


def build_window(queryset, start, end, max_rows=None) -> Window:
    """The payments of `queryset` paid between `start` and `end`, month by month."""
    max_rows = max_rows or MAX_ROWS
    in_range = queryset.filter(paid_on__gte=start, paid_on__lte=end)
    months = {first: Month(first) for first in months_between(start, end)}
    aggregate = (
        in_range.order_by()
        .annotate(month=TruncMonth("paid_on"))
        .values("month")
        .annotate(count=Count("id"), total=Sum("amount"))
    )
    for row in aggregate:
        first = row["month"]
        if isinstance(first, datetime.datetime):
            first = first.date()
        month = months.get(first)
        if month is not None:
            month.count, month.total = row["count"], row["total"]
    rows = list(
        in_range.select_related("beneficiary", "sick_leave").order_by("-paid_on", "-id")[
            : max_rows + 1
        ]
    )
    truncated = len(rows) > max_rows
    for payment in rows[:max_rows]:
        months[first_of_month(payment.paid_on)].payments.append(payment)
    return Window(start, end, list(months.values()), truncated)
