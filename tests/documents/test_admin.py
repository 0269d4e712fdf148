"""Agents see the documents issued to the insured of their caisse, read-only; opening one and
downloading its PDF are audited (FEATURES H1, H5, D8)."""

import pytest
from django.urls import reverse

from accounts.factories import AgentFactory, InsuredUserFactory
from accounts.roles import ensure_agent_groups
from assures.enums import AccessAction
from assures.factories import CaisseFactory
from assures.models import AccessLog
from documents import services
from documents.enums import DocumentKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(frozen):
    groups = ensure_agent_groups()
    paris, gironde = CaisseFactory(code="751"), CaisseFactory(code="331")
    mine = InsuredUserFactory(person__caisse=paris).person
    theirs = InsuredUserFactory(person__caisse=gironde).person
    return {
        "agent": AgentFactory(caisse=paris, groups=[groups["Accueil"]]),
        "messagerie_agent": AgentFactory(caisse=paris, groups=[groups["Messagerie"]]),
        "mine": services.issue(mine, DocumentKind.RIGHTS, {"beneficiary": None}),
        "theirs": services.issue(theirs, DocumentKind.RIGHTS, {"beneficiary": None}),
    }


def url(view, *args):
    return reverse(f"admin:documents_generateddocument_{view}", args=args)


def test_list_is_scoped_to_the_caisse(client, setup):
    client.force_login(setup["agent"])
    html = client.get(url("changelist")).content.decode()
    assert setup["mine"].verification_code_display in html
    assert setup["theirs"].verification_code_display not in html
    assert not AccessLog.objects.exists()  # a list is not a read of one file


def test_search_by_verification_code(client, setup):
    client.force_login(setup["agent"])
    code = setup["mine"].verification_code_display.lower()
    response = client.get(url("changelist"), {"q": code})
    assert list(response.context["cl"].result_list) == [setup["mine"]]


def test_read_only_and_audited(client, setup):
    agent, document = setup["agent"], setup["mine"]
    client.force_login(agent)
    page = client.get(url("change", document.pk))
    assert page.status_code == 200
    assert 'type="submit"' not in page.content.decode().split('id="content-main"')[1]
    log = AccessLog.objects.get()
    assert (log.agent, log.person, log.action) == (agent, document.owner, AccessAction.VIEW)
    assert client.get(url("add")).status_code == 403
    assert client.post(url("delete", document.pk), {"post": "yes"}).status_code == 403


def test_download_is_audited(client, setup):
    agent, document = setup["agent"], setup["mine"]
    client.force_login(agent)
    response = client.get(url("download", document.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert response["Content-Disposition"].startswith("attachment;")
    log = AccessLog.objects.get()
    assert log.detail == "Téléchargement du PDF"
    assert log.person == document.owner and log.caisse == agent.caisse


def test_another_caisses_document_is_404(client, setup):
    client.force_login(setup["agent"])
    assert client.get(url("download", setup["theirs"].pk)).status_code == 404
    assert client.get(url("change", setup["theirs"].pk)).status_code == 302  # « doesn't exist »
    assert not AccessLog.objects.exists()


def test_agents_without_the_permission(client, setup):
    client.force_login(setup["messagerie_agent"])
    assert client.get(url("changelist")).status_code == 403
    assert client.get(url("download", setup["mine"].pk)).status_code == 404
    assert not AccessLog.objects.exists()
