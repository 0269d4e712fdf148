"""French dates for text built outside templates (PDFs, e-mails, SMS, admin columns): the one
place that formats them, whatever language is active."""

from django.utils import dateformat, timezone, translation


def fr_date(value, fmt="j F Y"):
    """« 17 novembre 2026 » (or `fmt`, Django's date format letters), in French."""
    with translation.override("fr"):
        return dateformat.format(value, fmt)


def fr_datetime(value) -> str:
    """« mercredi 28 décembre 2022 à 17:35 », in the local (Paris) time (seed 001's wording)."""
    local = timezone.localtime(value)
    return f"{fr_date(local, 'l j F Y')} à {local:%H:%M}"
