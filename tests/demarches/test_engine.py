"""ARCHITECTURE decision 3: the démarches engine — statuses, guarded transitions and their log,
database constraints, references, idempotent submission, drafts that survive a logout."""

import datetime
import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.factories import AgentFactory
from demarches import services
from demarches.enums import FINAL_STATUSES, Actor, Status
from demarches.factories import DemarcheFactory, DemarcheTransitionFactory
from demarches.models import Demarche, DemarcheTransition, ReferenceSequence
from demarches.registry import all_types, get_type
from messagerie.models import Message

from .conftest import log_in_confirmed, post_step, start, summary_url

ADDRESS = {
    "residence": "france",
    "address_line1": "3 place du Capitole",
    "postal_code": "31000",
    "city": "Toulouse",
}

# Every (status, transition) pair, and the status it leads to when allowed.
ALLOWED = {
    (Status.BROUILLON, "submit"): Status.DEPOSEE,
    (Status.DEPOSEE, "start_instruction"): Status.EN_INSTRUCTION,
    (Status.EN_INSTRUCTION, "request_document"): Status.PIECE_DEMANDEE,
    (Status.PIECE_DEMANDEE, "provide_document"): Status.EN_INSTRUCTION,
    (Status.EN_INSTRUCTION, "accept"): Status.ACCEPTEE,
    (Status.EN_INSTRUCTION, "refuse"): Status.REFUSEE,
    (Status.EN_INSTRUCTION, "classify"): Status.SANS_SUITE,
    (Status.PIECE_DEMANDEE, "classify"): Status.SANS_SUITE,
}
ALL_PAIRS = [(s, t) for s in Status for t in services.TRANSITIONS]


@pytest.fixture
def agent(family):
    return AgentFactory(caisse=family.person.caisse)


def submitted_address(client, family):
    client.force_login(family.user)
    demarche = start(client, "changement-adresse", family.person)
    post_step(client, demarche, "adresse", {**ADDRESS, "ayants_droit": []})
    assert client.post(summary_url(demarche)).status_code == 302
    return Demarche.objects.get(pk=demarche.pk)


def test_registry_holds_the_types_of_this_task():
    features = {t.feature for t in all_types()}
    assert {"E1", "E2", "E3", "E4", "E5", "E13"} <= features
    for kind in all_types():
        assert kind.slug and kind.label and kind.steps, kind
        assert len({s.slug for s in kind.steps}) == len(kind.steps)


@pytest.mark.parametrize("status, name", ALL_PAIRS, ids=[f"{s.value}-{t}" for s, t in ALL_PAIRS])
def test_every_transition_is_allowed_or_refused_with_a_clear_error(family, agent, status, name):
    demarche = DemarcheFactory(person=family.person, status=status)
    by = None if name == "submit" else agent
    if name in ("submit", "provide_document"):
        by = family.user
    reason = "Motif de test" if name in ("refuse", "classify", "request_document") else ""
    expected = ALLOWED.get((status, name))
    with transaction.atomic():
        if expected is None:
            with pytest.raises(services.TransitionNotAllowed, match="Impossible de passer"):
                services.transition(demarche, name, by=by, reason=reason)
            demarche.refresh_from_db()
            assert demarche.status == status
            assert not DemarcheTransition.objects.filter(demarche=demarche).exists()
            return
        if name == "submit":
            demarche.reference = "DEM-1999-999999"
        log = services.transition(demarche, name, by=by, reason=reason)
    demarche.refresh_from_db()
    assert demarche.status == expected
    assert (log.from_status, log.to_status, log.by) == (status, expected, by)
    assert log.actor == (Actor.INSURED if by == family.user else Actor.AGENT)
    assert (demarche.decided_at is not None) == (expected in FINAL_STATUSES)


@pytest.mark.parametrize("name", ["refuse", "classify", "request_document"])
def test_a_refusal_or_a_request_needs_a_reason(family, agent, name):
    demarche = DemarcheFactory(person=family.person, instructing=True)
    with pytest.raises(services.TransitionNotAllowed, match="obligatoire"):
        services.transition(demarche, name, by=agent, reason="   ")
    with pytest.raises(services.TransitionNotAllowed, match="obligatoire"):
        getattr(services, name)(demarche, agent, "")
    demarche.refresh_from_db()
    assert demarche.status == Status.EN_INSTRUCTION


def test_unknown_transition_name(family):
    with pytest.raises(services.TransitionNotAllowed, match="inconnue"):
        services.transition(DemarcheFactory(person=family.person), "teleport")


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Status.DEPOSEE, "submitted_at": None, "reference": "DEM-1999-000001"},
        {"status": Status.BROUILLON, "submitted_at": timezone.now()},
        {"status": Status.BROUILLON, "reference": "DEM-1999-000002"},
        {"status": Status.DEPOSEE, "submitted_at": timezone.now(), "reference": None},
        {
            "status": Status.ACCEPTEE,
            "submitted_at": timezone.now(),
            "reference": "DEM-1999-3",
            "decided_at": None,
        },
        {
            "status": Status.DEPOSEE,
            "submitted_at": timezone.now(),
            "reference": "DEM-1999-4",
            "decided_at": timezone.now(),
        },
        {
            "status": Status.ACCEPTEE,
            "submitted_at": timezone.now(),
            "reference": "DEM-1999-5",
            "decided_at": timezone.now(),
            "auto_accept_at": timezone.now(),
        },
        {"status": "n_importe_quoi", "submitted_at": timezone.now(), "reference": "DEM-1999-6"},
    ],
    ids=[
        "submitted-without-date",
        "draft-with-date",
        "draft-with-reference",
        "submitted-without-reference",
        "final-without-decision-date",
        "open-with-decision-date",
        "final-with-auto-accept",
        "unknown-status",
    ],
)
def test_database_refuses_incoherent_demarches(family, fields):
    demarche = DemarcheFactory(person=family.person)
    for name, value in fields.items():
        setattr(demarche, name, value)
    with pytest.raises(IntegrityError), transaction.atomic():
        demarche.save()


def test_database_refuses_incoherent_transitions(family, agent):
    demarche = DemarcheFactory(person=family.person, refused=True)
    cases = [
        {
            "from_status": Status.EN_INSTRUCTION,
            "to_status": Status.REFUSEE,
            "actor": Actor.AGENT,
            "by": agent,
            "reason": "",
        },
        {
            "from_status": Status.EN_INSTRUCTION,
            "to_status": Status.PIECE_DEMANDEE,
            "actor": Actor.AGENT,
            "by": agent,
            "reason": "",
        },
        {
            "from_status": Status.EN_INSTRUCTION,
            "to_status": Status.ACCEPTEE,
            "actor": Actor.SYSTEM,
            "by": agent,
        },
        {
            "from_status": Status.EN_INSTRUCTION,
            "to_status": Status.ACCEPTEE,
            "actor": Actor.AGENT,
            "by": None,
        },
        {
            "from_status": Status.DEPOSEE,
            "to_status": Status.DEPOSEE,
            "actor": Actor.SYSTEM,
            "by": None,
        },
    ]
    for case in cases:
        with pytest.raises(IntegrityError), transaction.atomic():
            DemarcheTransitionFactory(demarche=demarche, **case)


def test_one_draft_per_type_and_beneficiary_in_the_database(family):
    DemarcheFactory(person=family.person, type="ceam")
    with pytest.raises(IntegrityError), transaction.atomic():
        DemarcheFactory(person=family.person, type="ceam")
    DemarcheFactory(person=family.person, beneficiary=family.teen, type="ceam")  # other person: ok


def test_references_follow_a_yearly_sequence(db):
    with transaction.atomic():
        first = services.next_reference(2031)
        second = services.next_reference(2031)
        other_year = services.next_reference(2032)
    assert (first, second, other_year) == ("DEM-2031-000001", "DEM-2031-000002", "DEM-2032-000001")
    assert ReferenceSequence.objects.get(year=2031).last_value == 2


def test_submit_writes_reference_log_and_accuse(client, family):
    demarche = submitted_address(client, family)
    assert demarche.status == Status.DEPOSEE
    assert demarche.reference.startswith(f"DEM-{timezone.localdate().year}-")
    log = demarche.transitions.get()
    assert (log.from_status, log.to_status, log.actor, log.by) == (
        Status.BROUILLON,
        Status.DEPOSEE,
        Actor.INSURED,
        family.user,
    )
    accuse = Message.objects.get(thread__related_reference=demarche.reference)
    assert accuse.thread.person == family.person
    assert demarche.reference in accuse.body and "Accusé de réception" in accuse.thread.subject


def test_double_submission_creates_one_demarche_and_one_accuse(client, family):
    demarche = submitted_address(client, family)
    reference = demarche.reference
    replay = client.post(summary_url(demarche))  # replayed POST / double click
    assert replay.status_code == 302
    assert replay.url == reverse("demarches:confirmation", args=[demarche.type, demarche.public_id])
    services.submit(demarche, family.user)  # called again directly: a no-op
    demarche.refresh_from_db()
    assert demarche.reference == reference
    assert demarche.transitions.count() == 1
    assert Message.objects.filter(thread__related_reference=reference).count() == 1
    assert Demarche.objects.filter(person=family.person).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_concurrent_submissions_submit_once(family):
    from demarches.engine import Family

    demarche = DemarcheFactory(
        person=family.person,
        payload={
            "adresse": {
                **ADDRESS,
                "city": "TOULOUSE",
                "country": "France",
                "address_line2": "",
                "ayants_droit": [],
            }
        },
    )
    Family.load(family.person)
    errors = []

    def go():
        try:
            services.submit(Demarche.objects.get(pk=demarche.pk), family.user)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=go) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    demarche.refresh_from_db()
    assert demarche.status == Status.DEPOSEE
    assert demarche.transitions.count() == 1
    assert Message.objects.filter(thread__related_reference=demarche.reference).count() == 1


def test_submit_revalidates_every_step(client, family):
    client.force_login(family.user)
    demarche = start(client, "changement-adresse", family.person)
    post_step(client, demarche, "adresse", {**ADDRESS, "ayants_droit": []})
    # The stored answers become invalid (e.g. tampered with): the submission goes back to the step.
    Demarche.objects.filter(pk=demarche.pk).update(
        payload={"adresse": {**ADDRESS, "postal_code": "00999", "ayants_droit": []}}
    )
    response = client.post(summary_url(demarche))
    assert response.status_code == 302 and response.url.endswith("/etape/adresse/")
    demarche.refresh_from_db()
    assert demarche.status == Status.BROUILLON and demarche.reference is None


def test_draft_survives_logout_and_is_resumed(client, family):
    log_in_confirmed(client, family.user)
    demarche = start(client, "coordonnees-bancaires", family.person)
    post_step(
        client,
        demarche,
        "compte",
        {
            "type_compte": "individuel",
            "civilite_1": "M",
            "titulaire_1": "DUPONT JEAN",
            "iban": "FR7630004008230001234567814",
        },
        expect_ok=False,
    )
    client.post(reverse("account_logout"))
    assert client.get(reverse("demarches:suivi")).status_code == 302  # logged out
    log_in_confirmed(client, family.user)  # a new session confirms its identity again (E5)
    page = client.get(reverse("demarches:suivi"))
    drafts = page.context["drafts"]
    assert [d.pk for d in drafts] == [demarche.pk]
    assert "Reprendre" in page.content.decode()
    # Starting again resumes the same draft instead of creating a second one.
    again = start(client, "coordonnees-bancaires", family.person)
    assert again.pk == demarche.pk
    assert Demarche.objects.filter(person=family.person).count() == 1


def test_drafts_are_not_editable_once_submitted(client, family):
    demarche = submitted_address(client, family)
    response = client.post(
        reverse("demarches:step", args=[demarche.type, demarche.public_id, "adresse"]),
        {**ADDRESS, "city": "Albi", "postal_code": "81000"},
    )
    assert response.status_code == 302
    assert response.url == reverse("demarches:detail", args=[demarche.public_id])
    demarche.refresh_from_db()
    assert demarche.payload["adresse"]["city"] == "TOULOUSE"


def test_an_agent_decision_on_a_submitted_demarche_passes_through_instruction(
    client, family, agent
):
    demarche = submitted_address(client, family)
    services.accept(demarche, agent)
    demarche.refresh_from_db()
    assert [(t.to_status, t.by) for t in demarche.transitions.all()] == [
        (Status.DEPOSEE, family.user),
        (Status.EN_INSTRUCTION, agent),
        (Status.ACCEPTEE, agent),
    ]
    with pytest.raises(services.TransitionNotAllowed):
        services.refuse(demarche, agent, "Trop tard")


def test_document_request_and_answer(client, family, agent):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .conftest import PDF_BYTES

    demarche = submitted_address(client, family)
    demarche.auto_accept_at = timezone.now() + datetime.timedelta(days=1)
    demarche.save()
    services.request_document(demarche, agent, "Merci d'envoyer un justificatif de domicile.")
    demarche.refresh_from_db()
    assert demarche.status == Status.PIECE_DEMANDEE and demarche.auto_accept_at is None
    page = client.get(reverse("demarches:detail", args=[demarche.public_id]))
    assert "justificatif de domicile" in page.content.decode()
    response = client.post(
        reverse("demarches:detail", args=[demarche.public_id]),
        {"document": SimpleUploadedFile("facture.pdf", PDF_BYTES), "comment": "Voici ma facture."},
    )
    assert response.status_code == 302
    demarche.refresh_from_db()
    assert demarche.status == Status.EN_INSTRUCTION
    stored = demarche.files.get()
    assert stored.kind == "piece_complementaire" and stored.content_type == "application/pdf"
    last = demarche.transitions.last()
    assert (last.actor, last.reason) == (Actor.INSURED, "Voici ma facture.")
    # A second POST (replay) is refused by the state machine: nothing is added.
    client.post(
        reverse("demarches:detail", args=[demarche.public_id]),
        {"document": SimpleUploadedFile("facture.pdf", PDF_BYTES)},
    )
    assert demarche.files.count() == 1


def test_unknown_type_is_404(client, family):
    client.force_login(family.user)
    assert client.get("/demarches/n-existe-pas/").status_code == 404
    with pytest.raises(Exception):  # noqa: B017 - Http404
        get_type("n-existe-pas")
