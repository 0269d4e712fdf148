from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import views

portal_patterns = [
    path("", views.home, name="home"),
    path("mes-informations/", views.mes_informations, name="mes_informations"),
]

urlpatterns = [
    path("", include((portal_patterns, "portal"))),
    path("compte/", include("accounts.urls")),
    path("compte/securite/", include("accounts.security.urls")),  # A6 A7 A11 X2 X3
    path("compte/", include("allauth.urls")),
    path("agents/", admin.site.urls),
    path("captcha/", include("captcha.urls")),  # A8: captcha images (accounts/recovery)
    path("healthz", views.healthz, name="healthz"),
    path("", include("paiements.urls")),
    path("messagerie/", include("messagerie.urls")),
    path("", include("documents.urls")),
    path("demarches/", include("demarches.urls")),
    path("rendez-vous/", include("rendezvous.urls")),  # F3, X5
    path("prevention/", include("prevention.urls")),  # « Mon espace prévention » (G1–G4)
]

if settings.KIOSQUE_SIMULATOR:  # the local « kiosque bancaire » (FEATURES C6)
    urlpatterns.append(path("kiosque/", include("kiosque.urls")))
