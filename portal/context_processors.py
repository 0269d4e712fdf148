from django.urls import reverse

# (label, url name) of the main navigation (FEATURES « Navigation »). Entries are added here as
# their pages are built: a link to a page that does not exist yet is absent, never dead.
MAIN_NAVIGATION = [
    ("Accueil", "portal:home"),
    ("Mes paiements", "paiements:list"),
    ("Mes démarches", "demarches:hub"),
    ("Mon espace prévention", "prevention:hub"),
    ("Mes informations", "portal:mes_informations"),
]


def _is_current(name, match):
    """The entry of the page, or of any page of the same app (« Mes démarches » stays lit on a
    démarche step); the portal's own pages share a namespace, so they match exactly."""
    if match is None:
        return False
    namespace = name.split(":", 1)[0]
    return name == match.view_name or (namespace != "portal" and namespace == match.namespace)


def navigation(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    match = request.resolver_match
    return {
        "main_navigation": [
            {"label": label, "url": reverse(name), "current": _is_current(name, match)}
            for label, name in MAIN_NAVIGATION
        ]
    }
