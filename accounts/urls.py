from django.urls import path

from .views import logged_out

app_name = "accounts"

urlpatterns = [
    path("deconnexion/au-revoir/", logged_out, name="logged_out"),
]
