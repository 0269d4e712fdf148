"""Unread counts of the header's envelope (« Ma messagerie », F1) and bell (B2).

Computed lazily — only when a template reads them — in one query, once per request.
"""

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.functional import SimpleLazyObject

from assures.models import Person

from .models import Message, Notification

REQUEST_ATTRIBUTE = "_messagerie_unread"


class UnreadCounts:
    def __init__(self, messages=0, notifications=0):
        self.messages = messages
        self.notifications = notifications

    def __repr__(self):
        return f"UnreadCounts(messages={self.messages}, notifications={self.notifications})"


def _count(queryset, person_field):
    return Coalesce(
        Subquery(
            queryset.filter(**{person_field: OuterRef("pk")})
            .order_by()
            .values(person_field)
            .annotate(n=Count("pk"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def unread_counts_for(request):
    """The person's unread messages and notifications, cached on the request."""
    cached = getattr(request, REQUEST_ATTRIBUTE, None)
    if cached is not None:
        return cached
    user = getattr(request, "user", None)
    counts = UnreadCounts()
    if user is not None and user.is_authenticated and user.person_id:
        row = (
            Person.objects.filter(pk=user.person_id)
            .annotate(
                unread_messages=_count(Message.objects.unread_by_insured(), "thread__person"),
                unread_notifications=_count(Notification.objects.unread(), "person"),
            )
            .values("unread_messages", "unread_notifications")
            .first()
        )
        if row:
            counts = UnreadCounts(row["unread_messages"], row["unread_notifications"])
    setattr(request, REQUEST_ATTRIBUTE, counts)
    return counts


def unread(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "person_id", None):
        return {}
    return {"messagerie_unread": SimpleLazyObject(lambda: unread_counts_for(request))}
