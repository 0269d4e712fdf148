"""Read-side helpers shared by the messagerie's pages and the home page (B1)."""

from django.db.models import Case, Value, When

from .models import Message, Notification

HOME_NOTIFICATIONS = 3


def unread_first():
    """Order expression: notifications not read yet before the others."""
    return Case(When(read_at__isnull=True, then=Value(0)), default=Value(1))


def notifications_for(person):
    return Notification.objects.for_person(person).order_by(unread_first(), "-created_at", "-pk")


def home_blocks(person):
    """B1's « Notification » and « Nouveau message » blocks (seed 004): the latest
    notifications (unread first) and the newest unread message from the caisse. Two queries."""
    return {
        "home_notifications": list(notifications_for(person)[:HOME_NOTIFICATIONS]),
        "home_new_message": Message.objects.for_person(person)
        .unread_by_insured()
        .select_related("thread")
        .order_by("-created_at", "-pk")
        .first(),
    }
