from django.urls import path

from . import views

app_name = "prevention"

urlpatterns = [
    # « Mon espace prévention » (FEATURES G1–G4)
    path("", views.hub, name="hub"),
    path("maternite/", views.maternite, name="maternite"),
    path("enfants/<uuid:public_id>/", views.child, name="child"),
    path(
        "enfants/<uuid:public_id>/examens/<slug:code>/",
        views.exam_status,
        name="exam_status",
    ),
]
