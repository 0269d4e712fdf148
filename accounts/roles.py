"""Agent groups per role (FEATURES H1): accueil, instruction, messagerie.

Permissions are codenames on registry models; later features add theirs here so that one
command (`seed_demo`, or `ensure_agent_groups()` in a migration) keeps the groups complete.
"""

from django.contrib.auth.models import Group, Permission

REGISTRY_MODELS = [
    "person",
    "beneficiary",
    "vitalecard",
    "ceam",
    "bankaccount",
    "complementarycontract",
    "treatingdoctor",
    "longtermcondition",
    "pregnancy",
    "proxy",
]

# Parts of a payment file (FEATURES C1, C4, C5, C6): décompte lines, arrêts, C2S, créances.
PAYMENT_FILE_MODELS = ["paymentline", "sickleave", "c2scoverage", "creance", "creanceline"]

ROLES = {
    "Accueil": {
        "assures": [f"view_{m}" for m in REGISTRY_MODELS] + ["change_person", "view_caisse"],
        "paiements": ["view_payment"]
        + [f"view_{m}" for m in PAYMENT_FILE_MODELS]
        + ["view_creancepayment", "view_processingtheme", "view_processingdelay"],
        # H2: the accueil sees where a person's démarches stand.
        "demarches": ["view_demarche", "view_demarchefile", "view_demarchetransition"],
        # H4: the desk and the 36 46 issue codes provisoires (A3, A9).
        "accounts": ["add_temporarycode", "view_temporarycode"],
        # D8/H5: which documents were issued (read-only; downloads are audited).
        "documents": ["view_generateddocument"],
        # F3: the accueil manages its places and slots, sees and may cancel the bookings.
        "rendezvous": [
            "view_place",
            "add_place",
            "change_place",
            "view_slot",
            "add_slot",
            "change_slot",
            "delete_slot",
            "view_appointment",
            "cancel_appointment",
        ],
    },
    "Instruction": {
        "assures": [f"view_{m}" for m in REGISTRY_MODELS]
        + [f"change_{m}" for m in REGISTRY_MODELS]
        + [f"add_{m}" for m in REGISTRY_MODELS if m != "person"]
        + ["view_caisse", "view_accesslog"],
        "paiements": ["view_payment", "add_payment", "change_payment"]
        + [f"{action}_{m}" for m in PAYMENT_FILE_MODELS for action in ("view", "add", "change")]
        + ["view_creancepayment", "view_processingtheme"]
        + ["view_processingdelay", "add_processingdelay", "change_processingdelay"],
        # H2: instruct the démarches (decisions go through the engine's transitions).
        "demarches": [
            "view_demarche",
            "instruct_demarche",
            "view_demarchefile",
            "view_demarchetransition",
        ],
        "documents": ["view_generateddocument"],
        # F3: see the bookings (an insured's question may be about one).
        "rendezvous": ["view_place", "view_slot", "view_appointment"],
    },
    "Messagerie": {
        "assures": ["view_person", "view_caisse"],
        # H3: read the exchanges, answer them (and close / reopen them).
        "messagerie": ["view_thread", "reply_thread", "view_message"],
        "rendezvous": ["view_appointment"],
    },
}


def ensure_agent_groups():
    """Create or complete the role groups; returns {name: Group}."""
    groups = {}
    for name, apps in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        codenames = [(app, code) for app, codes in apps.items() for code in codes]
        perms = [
            Permission.objects.get(content_type__app_label=app, codename=code)
            for app, code in codenames
        ]
        group.permissions.set(perms)
        groups[name] = group
    return groups
