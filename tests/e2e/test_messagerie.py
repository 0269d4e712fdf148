"""FEATURES F1, H3, B2 in a real browser: Camille asks « J'ai une question » with a PDF,
agent.paris answers from the admin, Camille sees the unread badges, opens the exchange and
reads the answer. axe-core runs on every page the insured sees (and on the agent's pages)."""

import re

from django.urls import reverse
from playwright.sync_api import Page, expect

from messagerie.models import Thread
from tests.e2e.sessions import open_session

PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)
SUBJECT = "Indemnités journalières de congé maternité"
QUESTION = "Bonjour, à partir de quand serai-je indemnisée pendant mon congé maternité ?"
ANSWER = "Bonjour Madame MARTIN, vos indemnités seront versées dès le début du congé prénatal."


def log_in(page: Page, site, user):
    """Open a session for `user` (tests/e2e/sessions.py) on its home page."""
    open_session(page, site, user)
    page.goto(site.url(reverse("portal:home") if user.is_insured else reverse("admin:index")))


def header_link(page: Page, name):
    return page.get_by_role("navigation", name="Messagerie et notifications").get_by_role(
        "link", name=name
    )


def test_question_answered_by_an_agent(page: Page, browser, site, axe):
    # --- Camille writes to her caisse -------------------------------------------------------
    log_in(page, site, site.users["camille"])
    expect(page).to_have_url(site.url(reverse("portal:home")))
    # seed_demo: an unread accusé de réception and an unread notification.
    expect(header_link(page, "Ma messagerie, 1 message non lu")).to_be_visible()
    expect(header_link(page, "Notifications, 1 non lue")).to_be_visible()
    new_message = page.get_by_role("region", name="Nouveau message")
    expect(new_message).to_contain_text(
        "Accusé de réception de votre déclaration de changement d'adresse postale"
    )
    axe(page, "« Accueil » avec notifications")

    header_link(page, "Ma messagerie, 1 message non lu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ma messagerie")
    expect(page.get_by_role("link", name="Messages reçus")).to_have_attribute(
        "aria-current", "page"
    )
    axe(page, "« Ma messagerie »")

    page.get_by_role("link", name="J'ai une question").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("J'ai une question")
    axe(page, "« J'ai une question »")

    # Sent empty: French messages next to the fields, nothing created.
    page.get_by_role("button", name="Envoyer ma question").click()
    expect(page.locator("#id_theme_error")).to_have_text("Choisissez le thème de votre question.")
    expect(page.locator("#id_subject_error")).to_have_text("Indiquez l'objet de votre message.")
    expect(page.locator("#id_body_error")).to_have_text("Écrivez votre message.")
    expect(page.get_by_label("Thème de ma question")).to_have_attribute("aria-invalid", "true")
    axe(page, "« J'ai une question » avec erreurs")
    assert not Thread.objects.filter(subject=SUBJECT).exists()

    page.get_by_label("Thème de ma question").select_option(label="Mes indemnités journalières")
    page.get_by_role("textbox", name="Objet").fill(SUBJECT)
    page.get_by_role("textbox", name="Mon message").fill(QUESTION)
    page.get_by_label("Pièces jointes").set_input_files(
        [{"name": "declaration-grossesse.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="Envoyer ma question").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(SUBJECT)
    expect(page.get_by_role("status").first).to_contain_text("Votre message a bien été envoyé")
    conversation = page.get_by_role("list", name="Messages de l'échange")
    expect(conversation.locator(":scope > li")).to_have_count(2)
    expect(conversation).to_contain_text(QUESTION)
    expect(conversation).to_contain_text("Accusé de réception de votre message")
    expect(conversation.get_by_role("link", name="declaration-grossesse.pdf")).to_be_visible()
    axe(page, "échange après « J'ai une question »")
    thread = Thread.objects.get(subject=SUBJECT)
    assert thread.person == site.users["camille"].person
    assert thread.messages.get(author=site.users["camille"]).attachments.count() == 1

    # --- agent.paris answers from the admin (H3), in another browser session ---------------------
    agent_context = browser.new_context(locale="fr-FR", bypass_csp=True)
    agent = agent_context.new_page()
    log_in(agent, site, site.users["agent_paris"])
    agent.get_by_role("link", name="Échanges").first.click()
    agent.locator("#changelist-filter").get_by_role("link", name="En attente de réponse").click()
    expect(agent).to_have_url(re.compile(r"reponse=attendue"))
    expect(agent.get_by_role("link", name=SUBJECT)).to_be_visible()
    axe(agent, "admin : échanges en attente de réponse")
    agent.get_by_role("link", name=SUBJECT).click()
    expect(agent.locator("body")).to_contain_text(QUESTION)
    axe(agent, "admin : échange à traiter")
    agent.get_by_label("Réponse à l'assuré").fill(ANSWER)
    agent.get_by_role("button", name="Envoyer la réponse").click()
    expect(agent.locator(".messagelist")).to_contain_text("a été envoyée")
    expect(agent.locator("body")).to_contain_text(ANSWER)
    agent_context.close()

    # --- Camille sees the badges, opens the exchange and reads the answer ------------------------
    page.goto(site.url(reverse("portal:home")))
    expect(header_link(page, "Ma messagerie, 2 messages non lus")).to_be_visible()
    expect(header_link(page, "Notifications, 2 non lues")).to_be_visible()
    expect(page.get_by_role("region", name="Notifications")).to_contain_text(
        f"Votre caisse a répondu à votre message « {SUBJECT} »."
    )
    axe(page, "« Accueil » après la réponse")

    page.get_by_role("region", name="Notifications").get_by_role(
        "link", name=re.compile("Votre caisse a répondu")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SUBJECT)
    answer = page.get_by_role("listitem").filter(has_text=ANSWER)
    expect(answer.get_by_role("heading")).to_have_text("Votre conseiller, CPAM de Paris")
    # Opened: the answer and the notification that pointed to it are read.
    expect(header_link(page, "Ma messagerie, 1 message non lu")).to_be_visible()
    expect(header_link(page, "Notifications, 1 non lue")).to_be_visible()
    axe(page, "échange avec la réponse")

    header_link(page, "Notifications, 1 non lue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes notifications")
    axe(page, "« Mes notifications »")
    page.get_by_role("button", name="Tout marquer comme lu").click()
    expect(page.get_by_text("Toutes vos notifications sont marquées comme lues.")).to_be_visible()
    expect(header_link(page, "Notifications")).to_be_visible()
    axe(page, "« Mes notifications » toutes lues")


def test_no_horizontal_scroll_at_320px(page: Page, site):
    """WCAG 1.4.10: the header's envelope and bell fit a 320 px screen."""
    page.set_viewport_size({"width": 320, "height": 640})
    log_in(page, site, site.users["camille"])
    thread = Thread.objects.filter(person=site.users["camille"].person).first()
    for path in (
        reverse("portal:home"),
        reverse("messagerie:inbox"),
        reverse("messagerie:question"),
        reverse("messagerie:notifications"),
        reverse("messagerie:thread", args=[thread.public_id]),
    ):
        page.goto(site.url(path))
        scroll, client = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert scroll <= client, f"{path}: {scroll}px of content in {client}px"
        expect(header_link(page, re.compile("^Ma messagerie"))).to_be_visible()


def test_assistant_answers_then_hands_over(page: Page, site, axe):
    """F2: the assistant answers with a link to the démarche; a question it cannot answer is
    handed over to « J'ai une question », theme and subject filled in."""
    log_in(page, site, site.users["camille"])
    page.goto(site.url(reverse("messagerie:inbox")))
    page.get_by_role("link", name="Poser ma question à l'assistant").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Poser ma question à l'assistant")
    expect(page.get_by_role("region", name="Contacter le médiateur de ma CPAM")).to_contain_text(
        "Médiateur de la CPAM de Paris"
    )
    axe(page, "assistant")

    page.get_by_role("textbox", name="Votre question").fill("Je déménage le mois prochain")
    page.get_by_role("button", name="Demander à l'assistant").click()
    conversation = page.get_by_role("list", name="Conversation avec l'assistant")
    expect(conversation).to_contain_text("Comment déclarer mon changement d'adresse ?")
    expect(
        conversation.get_by_role("link", name="Déclarer mon changement d'adresse")
    ).to_have_attribute("href", reverse("demarches:start", args=["changement-adresse"]))
    axe(page, "assistant avec une réponse")

    question = "Puis-je venir à l'accueil avec mon chien ?"
    page.get_by_role("textbox", name="Votre question").fill(question)
    page.get_by_role("button", name="Demander à l'assistant").click()
    expect(conversation).to_contain_text("Je n'ai pas trouvé de réponse à votre question.")
    axe(page, "assistant sans réponse")
    conversation.get_by_role("link", name="J'ai une question").last.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("J'ai une question")
    expect(page.get_by_label("Thème de ma question")).to_have_value("autre")
    expect(page.get_by_role("textbox", name="Objet")).to_have_value(question)
