"""Agents' access to payments, arrêts, créances and published delays (FEATURES H1, H5 for
C1, C5, C6, C7): scoped to their caisse, every read of an insured's file logged."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.roles import ensure_agent_groups
from assures.enums import AccessAction
from assures.models import AccessLog
from paiements.demo import JEAN_CREANCE_REFERENCE
from paiements.factories import CreancePaymentFactory
from paiements.models import (
    Creance,
    CreancePayment,
    Payment,
    ProcessingDelay,
    SickLeave,
)
from tests.admin.html_forms import form_data

pytestmark = pytest.mark.django_db


def admin_url(model, view="changelist", *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def results(client, model):
    response = client.get(admin_url(model))
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_creances_scoped_and_audited(client, demo):
    jean = demo["jean"].person
    creance = Creance.objects.get(reference=JEAN_CREANCE_REFERENCE)
    client.force_login(demo["agent_paris"])
    assert results(client, Creance) == []
    assert client.get(admin_url(Creance, "change", creance.pk)).status_code == 302
    assert not AccessLog.objects.filter(person=jean).exists()

    client.force_login(demo["agent_gironde"])
    assert results(client, Creance) == [creance]
    page = client.get(admin_url(Creance, "change", creance.pk))
    assert page.status_code == 200
    assert "Franchises médicales non récupérées" in page.content.decode()
    log = AccessLog.objects.get(person=jean)
    assert (log.agent, log.action, log.object_type) == (
        demo["agent_gironde"],
        AccessAction.VIEW,
        "créance",
    )
    search = client.get(admin_url(Creance), {"q": JEAN_CREANCE_REFERENCE})
    assert list(search.context["cl"].result_list) == [creance]


def test_payment_with_its_lines_scoped_and_audited(client, demo):
    jean = demo["jean"].person
    payment = Payment.objects.filter(insured=jean, lines__isnull=False).first()
    client.force_login(demo["agent_paris"])
    assert client.get(admin_url(Payment, "change", payment.pk)).status_code == 302
    client.force_login(demo["agent_gironde"])
    page = client.get(admin_url(Payment, "change", payment.pk))
    assert page.status_code == 200
    assert payment.lines.first().act in page.content.decode()
    assert AccessLog.objects.filter(person=jean, object_type="paiement").count() == 1


def test_changing_a_line_updates_the_amount_and_is_logged(client, demo):
    jean = demo["jean"].person
    payment = Payment.objects.filter(insured=jean, lines__isnull=False).first()
    line = payment.lines.first()
    url = admin_url(Payment, "change", payment.pk)
    client.force_login(demo["agent_gironde"])
    data = form_data(client.get(url).content.decode(), "payment_form")
    prefix = next(k for k, v in data.items() if k.endswith("-id") and v == str(line.pk))[:-3]
    data[f"{prefix}-reimbursed"] = str(line.reimbursed + Decimal("1.00"))
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    payment.refresh_from_db()
    assert payment.amount == sum(x.net for x in payment.lines.all())
    assert AccessLog.objects.filter(
        person=jean, action=AccessAction.CHANGE, object_type="ligne de décompte"
    ).exists()


def test_sick_leaves_scoped(client, demo):
    camille = demo["camille"].person
    client.force_login(demo["agent_gironde"])
    assert results(client, SickLeave) == []
    client.force_login(demo["agent_paris"])
    leave = SickLeave.objects.get(person=camille)
    seen = results(client, SickLeave)
    assert leave in seen
    assert {s.person.caisse_id for s in seen} == {demo["agent_paris"].caisse_id}
    assert client.get(admin_url(SickLeave, "change", leave.pk)).status_code == 200
    assert AccessLog.objects.filter(person=camille, object_type="arrêt de travail").exists()


def test_payment_attempts_are_read_only_and_scoped(client, demo):
    creance = Creance.objects.get(reference=JEAN_CREANCE_REFERENCE)
    attempt = CreancePaymentFactory(creance=creance)
    client.force_login(demo["agent_paris"])
    assert results(client, CreancePayment) == []
    client.force_login(demo["agent_gironde"])
    assert results(client, CreancePayment) == [attempt]
    page = client.get(admin_url(CreancePayment, "change", attempt.pk))
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()  # not editable
    assert client.get(admin_url(CreancePayment, "add")).status_code == 403


def test_each_caisse_edits_its_own_published_delays(client, demo):
    paris = demo["agent_paris"]
    client.force_login(paris)
    mine = results(client, ProcessingDelay)
    assert mine and {d.caisse_id for d in mine} == {paris.caisse_id}
    gironde = ProcessingDelay.objects.exclude(caisse=paris.caisse).first()
    assert client.get(admin_url(ProcessingDelay, "change", gironde.pk)).status_code == 302

    delay = mine[0]
    url = admin_url(ProcessingDelay, "change", delay.pk)
    data = form_data(client.get(url).content.decode(), "processingdelay_form")
    data["working_days"] = "7"
    assert client.post(url, data).status_code == 302
    delay.refresh_from_db()
    assert delay.working_days == 7
    # a Paris agent cannot move a delay to another caisse
    data["caisse"] = str(gironde.caisse_id)
    response = client.post(url, data)
    assert response.status_code == 200
    assert "caisse" in response.context["adminform"].form.errors


def test_roles_have_the_payment_file_permissions(db):
    groups = ensure_agent_groups()
    accueil = set(groups["Accueil"].permissions.values_list("codename", flat=True))
    instruction = set(groups["Instruction"].permissions.values_list("codename", flat=True))
    assert {"view_creance", "view_sickleave", "view_paymentline", "view_processingdelay"} <= accueil
    assert "change_creance" not in accueil
    assert {"add_paymentline", "change_sickleave", "change_processingdelay"} <= instruction
