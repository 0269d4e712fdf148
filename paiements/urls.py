from django.urls import path

from . import views

app_name = "paiements"

urlpatterns = [
    path("mes-paiements/", views.payment_list, name="list"),
    path(
        "mes-paiements/historique/",
        views.payment_list,
        {"history": True},
        name="history",
    ),
    path("mes-paiements/<uuid:public_id>/", views.payment_detail, name="detail"),
    path("mes-paiements/arrets-de-travail/", views.sick_leaves, name="sick_leaves"),
    path("mes-paiements/franchises/", views.franchises_counter, name="franchises"),
    path("mes-paiements/payer-une-creance/", views.creance_search, name="creance_search"),
    path(
        "mes-paiements/payer-une-creance/retour-kiosque/",
        views.kiosque_return,
        name="kiosque_return",
    ),
    path(
        "mes-paiements/payer-une-creance/paiement/<uuid:public_id>/",
        views.creance_attempt,
        name="creance_attempt",
    ),
    path(
        "mes-paiements/payer-une-creance/<str:reference>/",
        views.creance_pay,
        name="creance",
    ),
    path("mes-delais/", views.delays, name="delais"),
]
