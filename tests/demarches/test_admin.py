"""FEATURES H2 « Instruire les démarches » in the admin: queues by type and status with counts,
decisions only through the engine (accept / refuse with a reason / ask for a document /
classer sans suite), registry effects, the insured notified, agents limited to their caisse,
every access audited (H5)."""

import pytest
from django.urls import reverse

from accounts.factories import AgentFactory
from accounts.roles import ensure_agent_groups
from assures.enums import AccessAction
from assures.factories import CaisseFactory
from assures.models import AccessLog, BankAccount
from demarches.enums import Status
from demarches.factories import DemarcheFactory
from demarches.models import Demarche
from messagerie.models import Message

from .conftest import PDF_BYTES


@pytest.fixture
def groups(db):
    return ensure_agent_groups()


@pytest.fixture
def instructor(family, groups):
    return AgentFactory(caisse=family.person.caisse, groups=[groups["Instruction"]])


@pytest.fixture
def accueil(family, groups):
    return AgentFactory(caisse=family.person.caisse, groups=[groups["Accueil"]])


@pytest.fixture
def outsider(groups):
    return AgentFactory(caisse=CaisseFactory(code="331"), groups=[groups["Instruction"]])


def change_url(demarche):
    return reverse("admin:demarches_demarche_change", args=[demarche.pk])


def decision_url(demarche):
    return reverse("admin:demarches_demarche_decision", args=[demarche.pk])


def iban_demarche(family):
    return DemarcheFactory(
        person=family.person,
        type="coordonnees-bancaires",
        submitted=True,
        payload={
            "compte": {
                "type_compte": "individuel",
                "civilite_1": "MME",
                "titulaire_1": "MARTIN CAMILLE",
                "civilite_2": "",
                "titulaire_2": "",
                "iban": "FR7630004008230001234567814",
            },
            "securite": {"code_verifie": True, "numero_serie": family.card.serial_number},
        },
    )


def test_h2_queue_with_type_and_status_counts_without_drafts(client, family, instructor):
    DemarcheFactory(person=family.person, type="ceam")  # a draft: not for agents
    iban_demarche(family)
    DemarcheFactory(person=family.person, type="changement-adresse", accepted=True)
    client.force_login(instructor)
    response = client.get(reverse("admin:demarches_demarche_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2
    text = response.content.decode()
    assert "Modifier mes coordonnées bancaires" in text and "(1)" in text  # facets
    filtered = client.get(reverse("admin:demarches_demarche_changelist"), {"file": "a_traiter"})
    assert [d.type for d in filtered.context["cl"].result_list] == ["coordonnees-bancaires"]
    by_type = client.get(
        reverse("admin:demarches_demarche_changelist"), {"type": "changement-adresse"}
    )
    assert by_type.context["cl"].result_count == 1


def test_h2_accept_records_iban_notifies_and_audits(client, family, instructor):
    demarche = iban_demarche(family)
    client.force_login(instructor)
    page = client.get(change_url(demarche))
    assert page.status_code == 200 and "Enregistrer la décision" in page.content.decode()
    assert "FR76" in page.content.decode()  # the agent sees the answers
    assert AccessLog.objects.filter(person=family.person, action=AccessAction.VIEW).exists()
    response = client.post(decision_url(demarche), {"action": "accept", "reason": ""})
    assert response.status_code == 302
    demarche.refresh_from_db()
    assert demarche.status == Status.ACCEPTEE
    assert [(t.to_status, t.by) for t in demarche.transitions.all()] == [
        (Status.EN_INSTRUCTION, instructor),
        (Status.ACCEPTEE, instructor),
    ]
    assert (
        BankAccount.objects.get(person=family.person, is_current=True).iban
        == "FR7630004008230001234567814"
    )
    assert Message.objects.filter(
        thread__person=family.person, body__contains="sont enregistrées"
    ).exists()
    log = AccessLog.objects.filter(person=family.person, action=AccessAction.CHANGE).latest("at")
    assert log.agent == instructor and "Accepter" in log.detail
    # No decision twice.
    response = client.post(decision_url(demarche), {"action": "refuse", "reason": "Trop tard"})
    assert response.status_code == 200 and "action" in response.context["form"].errors


@pytest.mark.parametrize(
    "action, status",
    [
        ("refuse", Status.REFUSEE),
        ("request_document", Status.PIECE_DEMANDEE),
        ("classify", Status.SANS_SUITE),
    ],
)
def test_h2_reasoned_decisions(client, family, instructor, action, status):
    demarche = iban_demarche(family)
    client.force_login(instructor)
    response = client.post(decision_url(demarche), {"action": action, "reason": ""})
    assert response.status_code == 200
    assert "motif" in response.context["form"].errors["reason"][0]
    demarche.refresh_from_db()
    assert demarche.status == Status.DEPOSEE
    client.post(
        decision_url(demarche), {"action": action, "reason": "Le RIB transmis est illisible."}
    )
    demarche.refresh_from_db()
    assert demarche.status == status
    assert demarche.transitions.last().reason == "Le RIB transmis est illisible."
    message = Message.objects.filter(thread__related_reference=demarche.reference).latest(
        "created_at"
    )
    assert "Le RIB transmis est illisible." in message.body
    assert BankAccount.objects.get(person=family.person, is_current=True).pk == family.bank.pk


def test_h2_no_direct_edit_no_add_no_delete(client, family, instructor):
    demarche = iban_demarche(family)
    client.force_login(instructor)
    response = client.post(change_url(demarche), {"status": "acceptee"})
    assert response.status_code == 403
    demarche.refresh_from_db()
    assert demarche.status == Status.DEPOSEE
    assert client.get(reverse("admin:demarches_demarche_add")).status_code == 403
    assert (
        client.post(reverse("admin:demarches_demarche_delete", args=[demarche.pk])).status_code
        == 403
    )


def test_h2_accueil_sees_but_cannot_decide(client, family, accueil):
    demarche = iban_demarche(family)
    client.force_login(accueil)
    page = client.get(change_url(demarche))
    assert page.status_code == 200 and "Enregistrer la décision" not in page.content.decode()
    assert client.post(decision_url(demarche), {"action": "accept"}).status_code == 403
    demarche.refresh_from_db()
    assert demarche.status == Status.DEPOSEE


def test_h2_other_caisse_agent_has_no_access(client, family, outsider):
    demarche = iban_demarche(family)
    stored = demarche.files.create(
        kind="rib",
        label="RIB",
        original_name="rib.pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
    )
    client.force_login(outsider)
    changelist = client.get(reverse("admin:demarches_demarche_changelist"))
    assert changelist.context["cl"].result_count == 0
    assert client.get(change_url(demarche)).status_code == 302  # like a missing object
    assert client.post(decision_url(demarche), {"action": "accept"}).status_code == 404
    file_url = reverse("admin:demarches_demarche_file", args=[demarche.pk, stored.public_id])
    assert client.get(file_url).status_code == 404
    demarche.refresh_from_db()
    assert demarche.status == Status.DEPOSEE
    assert not AccessLog.objects.filter(person=family.person).exists()


def test_h2_file_download_is_audited(client, family, instructor):
    from django.core.files.base import ContentFile

    demarche = iban_demarche(family)
    stored = demarche.files.create(
        kind="rib",
        label="RIB",
        original_name="rib.pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
    )
    stored.file.save("rib.pdf", ContentFile(PDF_BYTES))
    client.force_login(instructor)
    response = client.get(
        reverse("admin:demarches_demarche_file", args=[demarche.pk, stored.public_id])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Disposition"] == 'attachment; filename="rib.pdf"'
    assert AccessLog.objects.filter(
        person=family.person, detail__contains="Téléchargement"
    ).exists()


def test_h2_bulk_start_instruction(client, family, instructor):
    first, second = (
        iban_demarche(family),
        DemarcheFactory(person=family.person, type="changement-adresse", submitted=True),
    )
    client.force_login(instructor)
    client.post(
        reverse("admin:demarches_demarche_changelist"),
        {"action": "start_instruction_selected", "_selected_action": [first.pk, second.pk]},
    )
    assert set(Demarche.objects.values_list("status", flat=True)) == {Status.EN_INSTRUCTION}


def test_h2_changelist_query_count(client, family, instructor, django_assert_max_num_queries):
    for _ in range(5):
        DemarcheFactory(person=family.person, type="changement-adresse", submitted=True)
    client.force_login(instructor)
    client.get(reverse("admin:demarches_demarche_changelist"))
    with django_assert_max_num_queries(25):
        assert client.get(reverse("admin:demarches_demarche_changelist")).status_code == 200
