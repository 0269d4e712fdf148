from django.urls import path

from . import views

app_name = "security"

urlpatterns = [
    path("verification/", views.email_check_view, name="email_check"),
    path(
        "confirmer-avec-franceconnect/",
        views.reauthenticate_franceconnect,
        name="reauthenticate_franceconnect",
    ),
    path("telephones/", views.phones, name="phones"),
    path("autorisations-de-contact/", views.contact_preferences, name="contact"),
    path("historique-des-acces/", views.history, name="history"),
    path("appareils-et-sessions/", views.devices, name="devices"),
    path("appareils-et-sessions/<int:pk>/fermer/", views.end_session, name="end_session"),
    path(
        "appareils-et-sessions/fermer-les-autres/",
        views.end_other_sessions,
        name="end_other_sessions",
    ),
    path("cle-d-acces/ajouter/", views.passkey_add, name="passkey_add"),
]
