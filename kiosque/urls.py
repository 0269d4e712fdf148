from django.urls import path

from . import views

app_name = "kiosque"

urlpatterns = [
    path("paiement/", views.payment_page, name="payment"),
    path("paiement/<str:transaction_id>/", views.decide, name="decide"),
]
