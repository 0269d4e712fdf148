from django.urls import path

from . import views

app_name = "demarches"

urlpatterns = [
    path("", views.hub, name="hub"),
    path("suivi/", views.suivi, name="suivi"),
    path("suivi/<uuid:public_id>/", views.detail, name="detail"),
    path("fichiers/<uuid:public_id>/", views.download, name="download"),
    path("procuration/revoquer/", views.revoke_proxy, name="revoke_proxy"),
    path("<slug:type_slug>/", views.start, name="start"),
    path("<slug:type_slug>/<uuid:public_id>/etape/<slug:step_slug>/", views.step, name="step"),
    path("<slug:type_slug>/<uuid:public_id>/recapitulatif/", views.summary, name="summary"),
    path(
        "<slug:type_slug>/<uuid:public_id>/confirmation/",
        views.confirmation,
        name="confirmation",
    ),
]
