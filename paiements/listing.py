"""« Mes paiements » month by month (FEATURES C1), at a cost that does not grow with history.

Two queries per page, both range scans of the index (insured, -paid_on, -id): one aggregate per
month in SQL (count and total, so every month of the window gets its header or « Aucun
paiement »), and the rows themselves, newest first, cut at `MAX_ROWS`. A month whose rows were
cut says how many it has and links to a search on that month alone.

Each row's strings (the two links, the French date labels) are computed here, once per row and
once per distinct date, rather than by `{% url %}` and `date` filters in the template: the rows
are most of the page's rendering time (ISSUE « performance »).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.urls import NoReverseMatch, reverse
from django.utils import dateformat, translation

from portal.templatetags.portal import euros

RECENT_MONTHS = 6  # « les 6 derniers mois »
MONTHS_STEP = 6  # « Afficher plus de paiements » adds this many months
MAX_MONTHS = 36
MAX_ROWS = 25  # a cut month links to a search on itself

_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


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


def _url_pattern(name):
    """`name`'s URL for a public id, as a format string: reverse once, format per row."""
    try:
        return reverse(name, args=[_PLACEHOLDER]).replace(_PLACEHOLDER, "{}")
    except NoReverseMatch:
        return None


@lru_cache(maxsize=4096)
def _date_labels(day, language):
    """(ISO, « 17 NOV. », « 17 novembre 2026 ») for `day`, as the template's `date:"j N"|upper`
    and `date:"j F Y"` would show it in `language`, the active one (part of the cache key)."""
    return (
        day.isoformat(),
        dateformat.format(day, "j N").upper(),
        dateformat.format(day, "j F Y"),
    )


def decorate_rows(payments):
    """Set on each payment the strings `_payment_rows.html` shows: `row_iso`, `row_day`,
    `row_date`, `row_type`, `row_amount` (« 12,62 € »), `row_detail_url` and
    `row_statement_url` (None without the documents app)."""
    detail = _url_pattern("paiements:detail")
    statement = _url_pattern("documents:payment_statement")
    language = translation.get_language()
    for payment in payments:
        payment.row_iso, payment.row_day, payment.row_date = _date_labels(payment.paid_on, language)
        payment.row_type, payment.row_amount = payment.type_label, euros(payment.amount)
        public_id = str(payment.public_id)
        payment.row_detail_url = detail.format(public_id)
        payment.row_statement_url = statement.format(public_id) if statement else None
    return payments


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
    rows = list(in_range.select_related("beneficiary").order_by("-paid_on", "-id")[: max_rows + 1])
    truncated = len(rows) > max_rows
    for payment in decorate_rows(rows[:max_rows]):
        months[first_of_month(payment.paid_on)].payments.append(payment)
    return Window(start, end, list(months.values()), truncated)
