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
    path("compte/", include("allauth.urls")),
    path("agents/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
]
