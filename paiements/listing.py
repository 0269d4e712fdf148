"""« Mes paiements » month by month (FEATURES C1), at a cost that does not grow with history.

Two queries per page, both range scans of the index (insured, -paid_on, -id): one aggregate per
month in SQL (count and total, so every month of the window gets its header or « Aucun
paiement »), and the rows themselves, newest first, cut at `MAX_ROWS`. A month whose rows were
cut says how many it has and links to a search on that month alone.

Each row's HTML is built here from one format string (`ROW_HTML`, every value escaped), with the
URLs reversed once per page and the French date labels computed once per distinct date, rather
than by a template loop: at 25 rows, a `{% for %}` with a dozen `{{ }}` per row was most of the
page's rendering time and made a long history 30 % slower than a short one (issue « fast at 10
million payments », budget heavy/light ≤ 1.2×; see bench/pages.py).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from html import escape

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.urls import NoReverseMatch, reverse
from django.utils import dateformat, translation
from django.utils.safestring import mark_safe

from assures.models import Person
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
    rows_html: str = ""  # the `<tr>` of `payments` (`render_rows`)

    @property
    def truncated(self) -> bool:
        return len(self.payments) < self.count

    @property
    def last(self) -> datetime.date:
        return last_of_month(self.first)

    @property
    def name(self) -> str:
        """« novembre 2026 », in the active language (`date:"F Y"`)."""
        return _month_name(self.first, translation.get_language())

    @property
    def slug(self) -> str:
        return f"{self.first:%Y-%m}"

    @property
    def search_query(self) -> str:
        """The query string of a search on this month alone (« Voir les N paiements de … »)."""
        return f"?du={self.first:%Y-%m-%d}&au={self.last:%Y-%m-%d}"


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


@lru_cache(maxsize=512)
def _month_name(first, language):
    return dateformat.format(first, "F Y")


# One row of a month's table (`templates/paiements/liste.html` holds the table around
# it): the date, the type opening the detail (C1) with the label and beneficiary, the badge
# « À transmettre à votre complémentaire », the amount and the « ↓ » décompte PDF.
ROW_HTML = (
    '<tr><td><time datetime="{iso}">{day}</time></td>'
    '<td><a href="{detail_url}">{type}<span class="visually-hidden"> du {date}, voir le détail'
    '</span></a><span class="table__sub">{label} — {first_name}</span>{badge}</td>'
    '<td class="num">{amount}</td><td class="table__download">{download}</td></tr>'
)
BADGE_HTML = '<span class="badge badge--warning">À transmettre à votre complémentaire</span>'
DOWNLOAD_HTML = (
    '<a href="{url}" class="download-link"><span aria-hidden="true">↓</span>'
    '<span class="visually-hidden">Télécharger le décompte du {date} (PDF)</span></a>'
)


def render_rows(payments, detail=None, statement=None):
    """The rows of `payments` as HTML, every value escaped (labels and names are data).
    `detail` and `statement` are `_url_pattern`s, reversed once per page by the caller."""
    detail = detail or _url_pattern("paiements:detail")
    statement = statement or _url_pattern("documents:payment_statement")
    language = translation.get_language()
    rows = []
    for payment in payments:
        iso, day, date = _date_labels(payment.paid_on, language)
        public_id = str(payment.public_id)
        rows.append(
            ROW_HTML.format(
                iso=iso,
                day=escape(day),
                date=escape(date),
                detail_url=detail.format(public_id),
                type=escape(str(payment.type_label)),
                label=escape(payment.label),
                first_name=escape(payment.beneficiary.first_name),
                badge=BADGE_HTML if payment.to_transmit else "",
                amount=escape(euros(payment.amount)),
                download=DOWNLOAD_HTML.format(url=statement.format(public_id), date=escape(date))
                if statement
                else "",
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 - built from escaped values only


def attach_beneficiaries(payments, people):
    """Set each payment's `beneficiary` from `people` (the family the page already loaded)
    rather than by a join building a Person per row; someone no longer in the family (an ayant
    droit who left it) is fetched, all in one query."""
    known = {person.pk: person for person in people}
    missing = {p.beneficiary_id for p in payments} - known.keys()
    if missing:
        known.update(Person.objects.in_bulk(missing))
    for payment in payments:
        payment.beneficiary = known[payment.beneficiary_id]
    return payments


def build_window(queryset, start, end, max_rows=None, people=None) -> Window:
    """The payments of `queryset` paid between `start` and `end`, month by month. `people`:
    the persons the page has already loaded (`Person.family()`), reused as beneficiaries."""
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
    ordered = in_range.order_by("-paid_on", "-id")
    if people is None:
        rows = list(ordered.select_related("beneficiary")[: max_rows + 1])
    else:
        rows = attach_beneficiaries(list(ordered[: max_rows + 1]), people)
    truncated = len(rows) > max_rows
    for payment in rows[:max_rows]:
        months[first_of_month(payment.paid_on)].payments.append(payment)
    detail, statement = (
        _url_pattern("paiements:detail"),
        _url_pattern("documents:payment_statement"),
    )
    for month in months.values():
        if month.payments:
            month.rows_html = render_rows(month.payments, detail, statement)
    return Window(start, end, list(months.values()), truncated)
