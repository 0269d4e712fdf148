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

ROLES = {
    "Accueil": {
        "assures": [f"view_{m}" for m in REGISTRY_MODELS] + ["change_person", "view_caisse"],
        "paiements": ["view_payment"],
    },
    "Instruction": {
        "assures": [f"view_{m}" for m in REGISTRY_MODELS]
        + [f"change_{m}" for m in REGISTRY_MODELS]
        + [f"add_{m}" for m in REGISTRY_MODELS if m != "person"]
        + ["view_caisse", "view_accesslog"],
        "paiements": ["view_payment", "add_payment", "change_payment"],
    },
    "Messagerie": {
        "assures": ["view_person", "view_caisse"],
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
