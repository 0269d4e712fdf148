"""The demo people (seed_demo) can download what FEATURES promises them (D1–D6, C2, C3)."""

from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from documents import rules, services
from documents.enums import DocumentKind
from portal.templatetags.portal import euros

from .conftest import document_text, squash

pytestmark = pytest.mark.django_db


def test_camilles_hub(client, demo, django_assert_max_num_queries):
    client.force_login(demo["camille"])
    with django_assert_max_num_queries(14):
        html = unescape(client.get(reverse("documents:hub")).content.decode())
    assert reverse("documents:daily_allowances") in html  # IJ of a past arrêt de travail
    assert "Image de la carte de Camille" in html  # CEAM expiring in 6 weeks
    assert "3 à 24 ans : Léa, Hugo." in html
    assert "Relevé annuel" in html


def test_thomas_has_a_relevé_fiscal(client, demo):
    """Thomas's accident du travail last year: IJ taxable for half of their amount (D3)."""
    thomas = demo["thomas"].person
    today = timezone.localdate()
    assert rules.tax_statement_exists(thomas, today)
    document = services.issue(thomas, DocumentKind.TAX_STATEMENT, {"year": today.year - 1})
    text = document_text(document)
    paid = sum(p.amount for p in rules.ij_payments(thomas).filter(paid_on__year=today.year - 1))
    assert paid == Decimal("1010.52")
    assert squash(euros(paid / 2)) in text
    assert "Accident du travail" in text


def test_jean_has_no_ij_attestation(client, demo):
    client.force_login(demo["jean"])
    html = unescape(client.get(reverse("documents:daily_allowances")).content.decode())
    assert "Aucune indemnité journalière ne vous a été versée depuis" in html
