from django.urls import path

from . import views

app_name = "rendezvous"

urlpatterns = [
    path("", views.appointment_list, name="list"),
    path("prendre/", views.choose, name="choose"),
    path("prendre/creneaux/", views.slots, name="slots"),
    path("abonnement/", views.subscription, name="subscription"),
    path("agenda/<str:token>.ics", views.feed, name="feed"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/annuler/", views.cancel, name="cancel"),
    path("<uuid:public_id>/rendez-vous.ics", views.appointment_ics, name="ics"),
]
