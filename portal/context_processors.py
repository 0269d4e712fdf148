from django.urls import reverse

# (label, url name) of the main navigation (FEATURES « Navigation »). Entries are added here as
# their pages are built: a link to a page that does not exist yet is absent, never dead.
MAIN_NAVIGATION = [
    ("Accueil", "portal:home"),
    ("Mes informations", "portal:mes_informations"),
]


def navigation(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    current = request.resolver_match.view_name if request.resolver_match else None
    return {
        "main_navigation": [
            {"label": label, "url": reverse(name), "current": name == current}
            for label, name in MAIN_NAVIGATION
        ]
    }
