"""The assistant conversationnel (FEATURES F2): instant answers from the portal's own help.

A small knowledge base (`KNOWLEDGE`): each entry is a common question with its answer — the
rules the portal applies, in the words of its help pages and of the printed tutorials (seeds) —
and links to the page or démarche that does it. A question is matched by the words it shares
with an entry's keywords (accents, case, plurals and small words ignored; a keyword phrase
found whole counts more). Nothing matches well enough: the assistant says so and hands over to
« J'ai une question » (an advisor), with the theme and subject filled in. It always gives the
way to contact « le médiateur de ma CPAM ».

Links are resolved when shown: a page that does not exist (yet) is left out, never dead.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

from .enums import Theme

MIN_SCORE = 2
PHRASE_WEIGHT = 3
UNIQUE_WEIGHT = 2
MAX_RELATED = 2

# Small words that say nothing about the subject of a question (compared once normalised).
STOPWORDS_TEXT = """
a au aux avec c ce ces combien comment d de des du elle en est et faire faut il j je l la le
les leur ma mais me merci mes moi mon n ne nous on ou par pas peut peux plait pour pourquoi
puis qu que quel quelle quels qui quoi s sa se ses son sur svp ta te tes toi ton tu un une vos
votre vous y bonjour
"""
STOPWORDS = frozenset(STOPWORDS_TEXT.split())


def normalize(text: str) -> str:
    """Lower case, no accents, words separated by single spaces."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.findall(r"[a-z0-9]+", text))


def stem(word: str) -> str:
    """A very small French stemmer: plurals (« cartes », « journaliers », « travaux »)."""
    if len(word) > 4 and word.endswith("aux"):
        return word[:-3] + "al"
    if len(word) > 3 and word[-1] in "sx":
        return word[:-1]
    return word


def words(text: str) -> set[str]:
    return {stem(w) for w in normalize(text).split() if w not in STOPWORDS}


@dataclass(frozen=True)
class Link:
    label: str
    url_name: str
    args: tuple = ()

    def resolve(self):
        try:
            return {"label": self.label, "url": reverse(self.url_name, args=self.args)}
        except NoReverseMatch:
            return None


@dataclass(frozen=True)
class Entry:
    key: str
    question: str
    answer: tuple[str, ...]
    keywords: tuple[str, ...]
    theme: Theme = Theme.AUTRE
    links: tuple[Link, ...] = ()
    _words: frozenset = field(init=False, repr=False, compare=False)
    _phrases: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        single = {stem(k) for k in (normalize(k) for k in self.keywords) if " " not in k}
        phrases = tuple(normalize(k) for k in self.keywords if " " in normalize(k))
        object.__setattr__(self, "_words", frozenset(single))
        object.__setattr__(self, "_phrases", phrases)

    def score(self, asked_words: set[str], asked_text: str) -> int:
        """A keyword phrase found whole counts 3, a keyword of this entry only 2, a keyword
        several entries share 1."""
        padded = f" {asked_text} "
        phrases = sum(PHRASE_WEIGHT for p in self._phrases if f" {p} " in padded)
        return phrases + sum(
            UNIQUE_WEIGHT if SHARED.get(word, 0) <= 1 else 1 for word in asked_words & self._words
        )

    def resolved_links(self):
        return [link for link in (item.resolve() for item in self.links) if link]


KNOWLEDGE = (
    Entry(
        "attestation_droits",
        "Comment obtenir mon attestation de droits ?",
        (
            "Votre attestation de droits se télécharge à tout moment, en PDF, pour vous et "
            "chacun de vos bénéficiaires : « Mes démarches en 2 clics » sur l'accueil, ou la "
            "rubrique des documents, puis « Attestation de droits ».",
            "Elle indique votre caisse, la période de vos droits, votre médecin traitant "
            "déclaré et vos bénéficiaires. Vous pouvez la télécharger autant de fois que "
            "nécessaire.",
        ),
        ("attestation de droits", "attestation", "droits", "justificatif", "assure", "ouverts"),
        Theme.AUTRE,
        (Link("Demander mon attestation de droits", "documents:rights"),),
    ),
    Entry(
        "attestation_ij",
        "Comment obtenir une attestation de paiement d'indemnités journalières ?",
        (
            "Choisissez une année ou une période puis, si besoin, les mentions utiles (ALD, "
            "temps partiel thérapeutique…) : l'attestation de paiement d'indemnités "
            "journalières est produite aussitôt en PDF.",
            "Elle est proposée si des indemnités journalières vous ont été versées au cours "
            "des 8 dernières années.",
        ),
        (
            "indemnites journalieres",
            "attestation de paiement",
            "indemnite",
            "journaliere",
            "ij",
            "attestation",
        ),
        Theme.INDEMNITES,
        (Link("Attestation de paiement d'indemnités journalières", "documents:daily_allowances"),),
    ),
    Entry(
        "arret_travail",
        "Où en est le paiement de mon arrêt de travail ?",
        (
            "Vos arrêts de travail reçus par votre caisse et les indemnités journalières "
            "versées pour chacun sont dans « Mes paiements », rubrique des arrêts de travail.",
            "Les indemnités sont versées environ tous les 14 jours, une fois l'attestation de "
            "salaire de votre employeur reçue. Une notification vous prévient à la réception "
            "de l'arrêt, de l'attestation de salaire et à chaque règlement.",
        ),
        ("arret de travail", "arret maladie", "arret", "travail", "maladie", "employeur"),
        Theme.INDEMNITES,
        (Link("Mes arrêts de travail", "paiements:sick_leaves"),),
    ),
    Entry(
        "perte_vitale",
        "J'ai perdu ma carte Vitale ou on me l'a volée : que faire ?",
        (
            "Déclarez la perte, le vol ou le dysfonctionnement de la carte dans « Mes "
            "démarches » : la carte est invalidée immédiatement, personne ne pourra "
            "l'utiliser.",
            "Commandez ensuite votre nouvelle carte (dans les 4 jours) : il vous faudra une "
            "photo d'identité et la photo d'une pièce d'identité.",
        ),
        (
            "carte vitale",
            "vitale",
            "perdu",
            "perdue",
            "perte",
            "vol",
            "volee",
            "vole",
            "cassee",
            "abimee",
            "dysfonctionnement",
            "marche plus",
        ),
        Theme.CARTE_VITALE,
        (
            Link(
                "Déclarer la perte ou le vol de ma carte Vitale",
                "demarches:start",
                ("perte-carte-vitale",),
            ),
        ),
    ),
    Entry(
        "commande_vitale",
        "Comment commander une nouvelle carte Vitale ?",
        (
            "Dans « Mes démarches », « Commander une carte Vitale » : vérifiez vos "
            "coordonnées, ajoutez une photo d'identité conforme et la photo de votre pièce "
            "d'identité. Vous pouvez commander pour vous et pour vos enfants de 12 ans et plus.",
            "Le suivi de la commande est disponible 1 à 2 jours après ; comptez environ "
            "2 semaines pour recevoir la carte.",
        ),
        ("carte vitale", "vitale", "commander", "commande", "nouvelle", "photo", "recevoir"),
        Theme.CARTE_VITALE,
        (Link("Commander une carte Vitale", "demarches:start", ("commande-carte-vitale",)),),
    ),
    Entry(
        "ceam",
        "Je pars à l'étranger en Europe : comment avoir ma carte européenne (CEAM) ?",
        (
            "Commandez votre carte européenne d'assurance maladie (CEAM) dans « Mes "
            "démarches », pour vous et chacun de vos enfants. Elle est valable 2 ans et se "
            "renouvelle à partir de 2 mois avant son expiration.",
            "Vous partez dans moins de 15 jours ? Un certificat provisoire de remplacement, "
            "valable 3 mois, est disponible tout de suite en PDF.",
        ),
        (
            "carte europeenne",
            "ceam",
            "europe",
            "europeenne",
            "etranger",
            "vacance",
            "voyage",
            "partir",
            "pars",
        ),
        Theme.AUTRE,
        (
            Link("Commander ma carte européenne", "demarches:start", ("ceam",)),
            Link("Ma CEAM et le certificat provisoire", "documents:ceam"),
        ),
    ),
    Entry(
        "adresse",
        "Comment déclarer mon changement d'adresse ?",
        (
            "Dans « Mes démarches », « Changement d'adresse » : indiquez votre nouvelle "
            "adresse (en France ou à l'étranger), pour vous et vos ayants droit, puis "
            "confirmez.",
            "Elle est prise en compte en 2 à 3 jours ouvrés (5 à 7 jours si vous changez de "
            "caisse). Un accusé de réception arrive dans votre messagerie.",
        ),
        (
            "changement d adresse",
            "adresse",
            "demenagement",
            "demenage",
            "demenager",
            "domicile",
            "habite",
        ),
        Theme.COORDONNEES,
        (Link("Déclarer mon changement d'adresse", "demarches:start", ("changement-adresse",)),),
    ),
    Entry(
        "rib",
        "Comment modifier mes coordonnées bancaires (RIB, IBAN) ?",
        (
            "Dans « Mes démarches », « Modifier mes coordonnées bancaires » : saisissez le "
            "titulaire et l'IBAN, puis le code de sécurité à 4 chiffres reçu par e-mail et le "
            "numéro de série de votre carte Vitale.",
            "Le changement est traité en 48 heures ; un message dans votre messagerie vous "
            "confirme l'enregistrement.",
        ),
        (
            "coordonnees bancaires",
            "compte bancaire",
            "rib",
            "iban",
            "bancaire",
            "banque",
            "virement",
        ),
        Theme.COORDONNEES,
        (
            Link(
                "Modifier mes coordonnées bancaires",
                "demarches:start",
                ("coordonnees-bancaires",),
            ),
        ),
    ),
    Entry(
        "paiements",
        "Où voir mes remboursements ?",
        (
            "« Mes paiements » montre les paiements des 6 derniers mois, mois par mois ; "
            "ouvrez une ligne pour le détail (date des soins, montant remboursé, participation "
            "forfaitaire ou franchise déduite) et téléchargez le décompte en PDF.",
            "Vos relevés mensuels des 27 derniers mois sont aussi disponibles.",
        ),
        (
            "remboursement",
            "rembourse",
            "remboursee",
            "paiement",
            "decompte",
            "soin",
            "consultation",
            "pharmacie",
        ),
        Theme.REMBOURSEMENTS,
        (
            Link("Mes paiements", "paiements:list"),
            Link("Mes relevés mensuels", "documents:monthly_statements"),
        ),
    ),
    Entry(
        "delais",
        "J'attends un paiement : quel est le délai de traitement ?",
        (
            "« Consulter les délais de traitement de ma caisse » : choisissez la thématique "
            "et la date d'envoi de votre demande, le portail calcule la date de traitement "
            "estimée d'après les délais publiés par votre caisse.",
            "Si ce délai est dépassé, vérifiez « Mes informations » et « Mes paiements », "
            "puis écrivez à votre caisse avec « J'ai une question ».",
        ),
        (
            "delai de traitement",
            "delai",
            "attente",
            "attend",
            "attends",
            "quand",
            "retard",
            "toujours pas",
            "pas encore",
        ),
        Theme.REMBOURSEMENTS,
        (Link("Consulter les délais de traitement de ma caisse", "paiements:delais"),),
    ),
    Entry(
        "franchises",
        "Combien m'ont coûté les franchises et participations forfaitaires ?",
        (
            "La participation forfaitaire est de 2 € par consultation ou acte, la franchise de "
            "1 € par boîte de médicaments ou acte paramédical et de 4 € par transport ; chacune "
            "est plafonnée à 50 € par an.",
            "Le compteur de l'année, ce qui a été déduit et ce qui reste à récupérer sont "
            "dans « Mes paiements ».",
        ),
        ("participation forfaitaire", "franchise", "participation", "forfaitaire", "deduit"),
        Theme.REMBOURSEMENTS,
        (Link("Mes franchises et participations forfaitaires", "paiements:franchises"),),
    ),
    Entry(
        "creance",
        "Comment payer une créance (avis de sommes à payer) ?",
        (
            "« Mes paiements », « Payer une créance » : saisissez la référence de l'avis de "
            "sommes à payer (16 chiffres et une lettre), cochez la ou les lignes et payez "
            "par carte bancaire.",
            "Le paiement apparaît sur votre compte sous 24 heures et un accusé de réception "
            "arrive dans votre messagerie.",
        ),
        ("avis de sommes", "creance", "payer", "dette", "somme", "impaye"),
        Theme.REMBOURSEMENTS,
        (Link("Payer une créance", "paiements:creance_search"),),
    ),
    Entry(
        "suivi",
        "Où en est ma demande ?",
        (
            "« Suivre mes démarches » liste toutes vos demandes avec leur statut et leur "
            "historique ; chaque étape vous est aussi signalée par une notification et un "
            "message.",
        ),
        ("suivre mes demarches", "suivre", "suivi", "demande", "dossier", "statut", "ou en est"),
        Theme.DEMARCHE,
        (Link("Suivre mes démarches", "demarches:suivi"),),
    ),
    Entry(
        "procuration",
        "Comment donner procuration à un proche ?",
        (
            "Dans « Mes démarches », « Faire une procuration » : votre mandataire doit être "
            "majeur ; la procuration vaut 1 mois et peut être révoquée à tout moment.",
        ),
        ("procuration", "mandataire", "representer", "proche", "aidant"),
        Theme.DEMARCHE,
        (Link("Faire une procuration", "demarches:start", ("procuration",)),),
    ),
    Entry(
        "mt_dents",
        "Mon enfant a droit à l'examen M'T dents : comment faire ?",
        (
            "De 3 à 24 ans, un examen bucco-dentaire gratuit est proposé chaque année. "
            "Téléchargez la prise en charge M'T dents et présentez-la au dentiste ; les soins "
            "nécessaires dans les 6 mois sont pris en charge sans avance de frais.",
        ),
        ("m t dents", "mt dents", "dent", "dentaire", "dentiste", "bucco"),
        Theme.AUTRE,
        (Link("Télécharger ma prise en charge M'T dents", "documents:mt_dents"),),
    ),
    Entry(
        "mes_informations",
        "Où voir mon médecin traitant, ma complémentaire santé et mes coordonnées ?",
        (
            "« Mes informations » rassemble votre caisse, vos droits, votre médecin traitant "
            "et celui de vos enfants, votre organisme complémentaire (et la transmission "
            "automatique des paiements), votre CEAM, vos coordonnées et vos procurations.",
        ),
        (
            "medecin traitant",
            "complementaire sante",
            "medecin",
            "traitant",
            "mutuelle",
            "complementaire",
            "information",
            "coordonnee",
            "telephone",
        ),
        Theme.COMPLEMENTAIRE,
        (Link("Mes informations", "portal:mes_informations"),),
    ),
    Entry(
        "mot_de_passe",
        "Comment changer mon mot de passe ?",
        (
            "Dans « Mes informations », « Modifier mon mot de passe personnel ». Il doit "
            "compter au moins 8 caractères avec une majuscule, une minuscule et un chiffre ou "
            "un caractère spécial. Un e-mail de sécurité vous confirme chaque changement.",
            "Mot de passe oublié ? Utilisez « Mot de passe oublié ? » sur la page de "
            "connexion : le lien reçu par e-mail est valable 30 minutes.",
        ),
        ("mot de passe", "password", "identifiant", "connexion", "connecter"),
        Theme.AUTRE,
        (Link("Modifier mon mot de passe", "account_change_password"),),
    ),
    Entry(
        "mediateur",
        "Je ne suis pas d'accord avec une décision : comment saisir le médiateur ?",
        (
            "Commencez par une réclamation à votre caisse avec « J'ai une question ». Si le "
            "désaccord persiste, vous pouvez saisir le médiateur de votre CPAM : ses "
            "coordonnées sont indiquées ci-dessous.",
        ),
        (
            "mediateur",
            "mediation",
            "reclamation",
            "litige",
            "contester",
            "conteste",
            "contestation",
            "decision",
            "desaccord",
            "pas d accord",
            "plainte",
        ),
        Theme.AUTRE,
    ),
)
BY_KEY = {entry.key: entry for entry in KNOWLEDGE}
# How many entries each keyword belongs to: a word of one entry only says more.
SHARED = Counter(word for entry in KNOWLEDGE for word in entry._words)


@dataclass
class Answer:
    entry: Entry | None
    related: list[Entry]

    @property
    def found(self):
        return self.entry is not None


def ask(question: str) -> Answer:
    """The best entry for `question` (None below MIN_SCORE) and up to two related ones."""
    asked_text = normalize(question)
    asked_words = words(question)
    scored = sorted(
        (
            (entry.score(asked_words, asked_text), index, entry)
            for index, entry in enumerate(KNOWLEDGE)
        ),
        key=lambda item: (-item[0], item[1]),
    )
    good = [entry for score, _, entry in scored if score >= MIN_SCORE]
    if not good:
        return Answer(None, [])
    return Answer(good[0], good[1 : 1 + MAX_RELATED])


def handover_url(question: str, entry: Entry | None = None) -> str:
    """« J'ai une question » with the theme and the subject filled in."""
    params = {"theme": (entry.theme if entry else Theme.AUTRE).value, "objet": question[:120]}
    return f"{reverse('messagerie:question')}?{urlencode(params)}"


def mediation_url() -> str:
    params = {"theme": Theme.AUTRE.value, "objet": "Saisine du médiateur de ma CPAM"}
    return f"{reverse('messagerie:question')}?{urlencode(params)}"
