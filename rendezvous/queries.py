"""Read helpers for other pages (B1 « Accueil » — « Mon agenda »)."""

from django.urls import reverse
from django.utils import timezone

from .models import Appointment


def home_agenda(person, now=None):
    """B1 « Mon agenda »: the next appointments (up to 3, with their slot and place), in one
    query. Context for templates/rendezvous/_home_agenda.html."""
    upcoming = list(
        Appointment.objects.for_person(person)
        .upcoming(now or timezone.now())
        .select_related("slot__place")
        .order_by("slot__starts_at")[:3]
    )
    return {
        "agenda_next": upcoming[0] if upcoming else None,
        "agenda_upcoming": upcoming,
        "agenda_list_url": reverse("rendezvous:list"),
        "agenda_book_url": reverse("rendezvous:choose"),
    }
