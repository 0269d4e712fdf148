"""Permissions and pages of « Mes démarches » (FEATURES E20, ARCHITECTURE decision 2): someone
else's démarche or file is a 404 at every URL, anonymous visitors go to « Me connecter »,
agents go to their workspace; « Mes démarches » lists the types open to the person; « Suivre
mes démarches » shows every request; bounded SQL queries."""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.factories import AgentFactory
from demarches.enums import Status
from demarches.factories import DemarcheFactory
from demarches.models import Demarche
from demarches.registry import all_types

from .conftest import PDF_BYTES, png_bytes, post_step, start


@pytest.fixture
def owned(client, family):
    """A draft with a file and a submitted démarche of `family`."""
    family.teen_card.delete()
    client.force_login(family.user)
    draft = start(client, "commande-carte-vitale", family.teen)
    post_step(client, draft, "coordonnees", {"coordonnees_exactes": "on"})
    post_step(
        client,
        draft,
        "photo",
        {"regles_comprises": "on", "photo": SimpleUploadedFile("p.png", png_bytes())},
    )
    submitted = DemarcheFactory(
        person=family.person, type="changement-adresse", document_requested=True
    )
    client.logout()
    return {"draft": draft, "submitted": submitted, "file": draft.files.get()}


def object_urls(owned):
    draft, submitted = owned["draft"], owned["submitted"]
    return [
        ("get", reverse("demarches:step", args=[draft.type, draft.public_id, "coordonnees"])),
        ("post", reverse("demarches:step", args=[draft.type, draft.public_id, "photo"])),
        ("get", reverse("demarches:summary", args=[draft.type, draft.public_id])),
        ("post", reverse("demarches:summary", args=[draft.type, draft.public_id])),
        ("get", reverse("demarches:confirmation", args=[submitted.type, submitted.public_id])),
        ("get", reverse("demarches:detail", args=[submitted.public_id])),
        ("post", reverse("demarches:detail", args=[submitted.public_id])),
        ("get", reverse("demarches:detail", args=[draft.public_id])),
        ("get", reverse("demarches:download", args=[owned["file"].public_id])),
    ]


def test_someone_elses_demarches_and_files_are_404_everywhere(client, owned, other):
    client.force_login(other)
    for method, url in object_urls(owned):
        response = getattr(client, method)(url, {"attestation": "on"} if method == "post" else None)
        assert response.status_code == 404, (method, url)
    owned["draft"].refresh_from_db()
    assert owned["draft"].status == Status.BROUILLON
    assert owned["submitted"].status == Status.PIECE_DEMANDEE


def test_a_demarche_url_with_another_type_is_404(client, owned, family):
    client.force_login(family.user)
    draft = owned["draft"]
    assert (
        client.get(reverse("demarches:summary", args=["ceam", draft.public_id])).status_code == 404
    )


def test_anonymous_goes_to_login_and_agents_to_their_workspace(client, owned, family):
    urls = [u for _, u in object_urls(owned)] + [
        reverse("demarches:hub"),
        reverse("demarches:suivi"),
        reverse("demarches:start", args=["ceam"]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("account_login")), (
            url
        )
    client.force_login(AgentFactory(caisse=family.person.caisse))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.url == reverse("admin:index"), url


def test_hub_lists_the_types_by_section_with_reasons(client, family):
    client.force_login(family.user)
    response = client.get(reverse("demarches:hub"))
    text = html.unescape(response.content.decode())
    for label in (
        "Effectuer une démarche",
        "Déclarer un changement de situation",
        "Suivre mes démarches",
    ):
        assert label in text
    available = {e["kind"].slug for s in response.context["sections"] for e in s["available"]}
    unavailable = {e["kind"].slug for s in response.context["sections"] for e in s["unavailable"]}
    assert available | unavailable == {t.slug for t in all_types()}
    assert "perte-carte-vitale" in available and "coordonnees-bancaires" in available
    assert "commande-carte-vitale" in unavailable  # the card is in force
    assert "déclarez d'abord sa perte" in text
    nav = [item["label"] for item in response.context["main_navigation"]]
    assert "Mes démarches" in nav


def test_suivi_lists_requests_with_status_and_history(client, family):
    client.force_login(family.user)
    demarche = start(client, "ceam", family.child)
    post_step(client, demarche, "demande", {"motif": "commander", "depart_15_jours": "non"})
    client.post(reverse("demarches:summary", args=["ceam", demarche.public_id]))
    demarche = Demarche.objects.get(pk=demarche.pk)
    page = client.get(reverse("demarches:suivi"))
    text = page.content.decode()
    assert demarche.reference in text and "Acceptée" in text
    detail = html.unescape(
        client.get(reverse("demarches:detail", args=[demarche.public_id])).content.decode()
    )
    for label in (
        "Déposée",
        "En cours d'instruction",
        "Acceptée",
        "traitement automatique",
        "par vous",
    ):
        assert label in detail


def test_query_counts_are_bounded(client, family, django_assert_max_num_queries):
    client.force_login(family.user)
    for _ in range(3):
        DemarcheFactory(person=family.person, type="changement-adresse", accepted=True)
        DemarcheFactory(person=family.person, beneficiary=family.teen, type="ceam", submitted=True)
    client.get(reverse("demarches:hub"))  # warm the session
    with django_assert_max_num_queries(20):
        assert client.get(reverse("demarches:hub")).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("demarches:suivi")).status_code == 200
    one = Demarche.objects.filter(person=family.person).first()
    with django_assert_max_num_queries(12):
        assert client.get(reverse("demarches:detail", args=[one.public_id])).status_code == 200


def test_piece_demandee_upload_refuses_a_hostile_file(client, family):
    demarche = DemarcheFactory(person=family.person, document_requested=True)
    client.force_login(family.user)
    response = client.post(
        reverse("demarches:detail", args=[demarche.public_id]),
        {"document": SimpleUploadedFile("justificatif.pdf", b"<html><script>x</script></html>")},
    )
    assert response.status_code == 200
    assert "PDF" in response.context["document_form"].errors["document"][0]
    demarche.refresh_from_db()
    assert demarche.status == Status.PIECE_DEMANDEE and not demarche.files.exists()
    assert SimpleUploadedFile("ok.pdf", PDF_BYTES)  # the fixture itself is a valid PDF
