"""« Mes démarches en 2 clics » on « Accueil » (FEATURES B1; seeds 001 and 004).

Four shortcuts: three pages of this app and « Consulter les délais de traitement » (C7, app
`paiements`), listed only when its page exists — a link is absent, never dead.
"""

from django.urls import NoReverseMatch, reverse

QUICK_PROCEDURES = [
    ("Attestation de droits", "documents:rights"),
    ("Attestation de paiement d'indemnités journalières", "documents:daily_allowances"),
    ("Carte européenne d'assurance maladie (CEAM)", "documents:ceam"),
    ("Consulter les délais de traitement", "paiements:delais"),
]


def quick_procedures():
    links = []
    for label, name in QUICK_PROCEDURES:
        try:
            links.append({"label": label, "url": reverse(name)})
        except NoReverseMatch:
            continue
    return links
