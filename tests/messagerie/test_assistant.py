"""FEATURES F2 « assistant conversationnel »: answers from the portal's help content, links to
the right démarche, hand-over to « J'ai une question », the médiateur of the CPAM."""

from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from messagerie import assistant
from messagerie.enums import Theme
from messagerie.views import ASSISTANT_MAX_TURNS, ASSISTANT_SESSION_KEY

URL = reverse("messagerie:assistant")


# --- matching ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "key"),
    [
        ("J'ai perdu ma carte Vitale", "perte_vitale"),
        ("on m'a VOLÉ mon portefeuille avec ma carte vitale", "perte_vitale"),
        ("Comment commander une nouvelle carte Vitale avec photo ?", "commande_vitale"),
        ("Je déménage à Lyon le mois prochain", "adresse"),
        ("comment avoir mon attestation de droits ?", "attestation_droits"),
        ("Je veux changer mon RIB", "rib"),
        ("je pars en vacances en Espagne", "ceam"),
        ("mon remboursement n'est toujours pas arrivé", "delais"),
        ("je conteste une décision de la caisse", "mediateur"),
        ("attestation de paiement des indemnités journalières", "attestation_ij"),
        ("mot de passe oublié", "mot_de_passe"),
        ("Mon fils a besoin d'un dentiste", "mt_dents"),
        ("Comment payer ma dette ?", "creance"),
        ("combien de franchises médicales ai-je payées", "franchises"),
        ("qui est mon médecin traitant", "mes_informations"),
    ],
)
def test_common_questions_find_their_answer(question, key):
    answer = assistant.ask(question)
    assert answer.found
    assert answer.entry.key == key


@pytest.mark.parametrize("question", ["Quel temps fera-t-il demain ?", "bonjour", "ma", "???", ""])
def test_no_answer_below_the_threshold(question):
    answer = assistant.ask(question)
    assert not answer.found
    assert answer.related == []


def test_related_answers_are_offered_best_first():
    answer = assistant.ask("mon remboursement n'est toujours pas arrivé")
    assert answer.entry.key == "delais"
    assert [entry.key for entry in answer.related] == ["paiements"]


def test_normalisation_and_stemming():
    assert assistant.normalize("  Déménagé, à l'ÉTRANGER !") == "demenage a l etranger"
    assert assistant.words("les cartes Vitale des enfants") == {"carte", "vitale", "enfant"}
    assert assistant.stem("journaux") == "journal"


def test_every_entry_answers_its_own_question():
    """The knowledge base is consistent: each canonical question finds its own entry."""
    for entry in assistant.KNOWLEDGE:
        assert assistant.ask(entry.question).entry == entry, entry.key


def test_every_link_leads_to_a_page_of_the_portal(db):
    for entry in assistant.KNOWLEDGE:
        for link in entry.links:
            assert link.resolve() is not None, f"{entry.key}: {link.url_name} n'existe pas"


def test_missing_pages_are_left_out():
    entry = assistant.Entry(
        "test",
        "Question ?",
        ("Réponse.",),
        ("mot",),
        links=(
            assistant.Link("Page qui n'existe pas", "demarches:inexistante"),
            assistant.Link("Mes paiements", "paiements:list"),
        ),
    )
    assert entry.resolved_links() == [{"label": "Mes paiements", "url": reverse("paiements:list")}]


def test_handover_url_carries_theme_and_subject():
    entry = assistant.BY_KEY["perte_vitale"]
    url = urlparse(assistant.handover_url("J'ai perdu ma carte", entry))
    assert url.path == reverse("messagerie:question")
    assert parse_qs(url.query) == {"theme": ["carte_vitale"], "objet": ["J'ai perdu ma carte"]}
    fallback = parse_qs(urlparse(assistant.handover_url("x" * 200)).query)
    assert fallback["theme"] == [Theme.AUTRE.value]
    assert len(fallback["objet"][0]) == 120


# --- the page ------------------------------------------------------------------------------------
pytestmark_db = pytest.mark.django_db  # the page tests need the database


@pytestmark_db
def test_anonymous_goes_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytestmark_db
def test_answer_with_link_to_the_demarche(client, insured):
    client.force_login(insured)
    response = client.post(URL, {"question": "J'ai perdu ma carte Vitale"})
    assert response.status_code == 302
    assert response.url == f"{URL}#reponse-1"
    page = client.get(URL)
    html = page.content.decode()
    assert "J&#x27;ai perdu ma carte Vitale ou on me l&#x27;a volée : que faire ?" in html
    link = reverse("demarches:start", args=["perte-carte-vitale"])
    assert f'href="{link}"' in html
    assert "Comment commander une nouvelle carte Vitale ?" in html  # « Voir aussi »
    assert 'id="reponse-1"' in html


@pytestmark_db
def test_no_answer_hands_over_to_j_ai_une_question(client, insured):
    client.force_login(insured)
    client.post(URL, {"question": "Quel temps fera-t-il demain ?"})
    page = client.get(URL)
    html = page.content.decode()
    assert "Je n'ai pas trouvé de réponse à votre question." in html
    handover = page.context["turns"][0]["handover_url"]
    assert f'href="{handover.replace("&", "&amp;")}"' in html
    form = client.get(handover).context["form"]
    assert form.initial["theme"] == "autre"
    assert form.initial["subject"] == "Quel temps fera-t-il demain ?"


@pytestmark_db
def test_question_form_ignores_a_bad_theme(client, insured):
    client.force_login(insured)
    form = client.get(
        reverse("messagerie:question"), {"theme": "pirate", "objet": " a  b "}
    ).context["form"]
    assert "theme" not in form.initial
    assert form.initial["subject"] == "a b"


@pytestmark_db
def test_mediator_of_the_persons_caisse(client, insured):
    client.force_login(insured)
    html = client.get(URL).content.decode()
    caisse = insured.person.caisse
    assert "Contacter le médiateur de ma CPAM" in html
    assert f"Médiateur de la {caisse.name}" in html
    assert caisse.address in html
    assert "objet=Saisine+du+m%C3%A9diateur+de+ma+CPAM" in html


@pytestmark_db
def test_empty_question_is_refused_next_to_the_field(client, insured):
    client.force_login(insured)
    response = client.post(URL, {"question": "   "})
    assert response.status_code == 400
    assert 'id="id_question_error"><p>Écrivez votre question.</p>' in response.content.decode()
    assert ASSISTANT_SESSION_KEY not in client.session


@pytestmark_db
def test_conversation_is_kept_short_and_can_be_cleared(client, insured):
    client.force_login(insured)
    for i in range(ASSISTANT_MAX_TURNS + 3):
        client.post(URL, {"question": f"Question {i} sur ma carte Vitale perdue"})
    turns = client.get(URL).context["turns"]
    assert len(turns) == ASSISTANT_MAX_TURNS
    assert turns[-1]["question"] == f"Question {ASSISTANT_MAX_TURNS + 2} sur ma carte Vitale perdue"
    client.post(URL, {"recommencer": "1"})
    assert client.get(URL).context["turns"] == []


@pytestmark_db
def test_conversation_belongs_to_the_session(client, insured, neighbour):
    client.force_login(insured)
    client.post(URL, {"question": "Je déménage"})
    client.logout()
    client.force_login(neighbour)
    assert client.get(URL).context["turns"] == []
