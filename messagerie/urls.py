from django.urls import path

from . import views

app_name = "messagerie"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("question/", views.question, name="question"),
    path("assistant/", views.assistant_view, name="assistant"),
    path("echanges/<uuid:public_id>/", views.thread, name="thread"),
    path("pieces-jointes/<uuid:public_id>/", views.attachment, name="attachment"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/tout-lire/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<uuid:public_id>/lue/", views.notification_read, name="notification_read"),
]
