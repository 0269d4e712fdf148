"""Rendez-vous with the caisse (FEATURES F3) and their calendar export (X5).

* `Place`: an « accueil » of a caisse, with its address. Agents of that caisse manage it (H1).
* `Slot`: a time at a place, for one mode (physique or téléphonique), with a capacity (how many
  people the accueil can see at that time) and the number already booked. The database refuses
  a slot booked beyond its capacity (`slot_booked_within_capacity`); `services.book` raises the
  counter with a conditional UPDATE under a row lock, so two people racing for the last seat
  cannot both get it.
* `Appointment`: a person's booking of a slot, for a reason; booked or cancelled (never
  deleted: the history stays). The database refuses the same person twice on one slot and an
  incoherent cancellation; `client_token` (a UUID put in the form) makes a double submission
  book once.
* `CalendarFeed`: a personal subscription URL (X5) — only the SHA-256 of its token is stored;
  revoked feeds answer 404.
"""

import datetime
import hashlib
import secrets
import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from assures.models import Caisse, Person, postal_code_validator

from .enums import CancelledBy, Mode, Reason, Status

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone


def new_reference():
    """« RDV-7KQ2-M9XP »: random (not a counter: it says nothing about the caisse's volume)."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"RDV-{chars[:4]}-{chars[4:]}"


class PlaceQuerySet(models.QuerySet):
    def for_caisse(self, caisse_id):
        return self.filter(caisse_id=caisse_id)

    def active(self):
        return self.filter(is_active=True)


class Place(models.Model):
    """An « accueil » of a caisse where the insured are received (or called from)."""

    caisse = models.ForeignKey(Caisse, on_delete=models.PROTECT, related_name="places")
    name = models.CharField(
        "nom", max_length=120, help_text="Par exemple « Accueil de Paris 19e »."
    )
    address_line1 = models.CharField("adresse", max_length=200)
    address_line2 = models.CharField("complément d'adresse", max_length=200, blank=True)
    postal_code = models.CharField("code postal", max_length=5, validators=[postal_code_validator])
    city = models.CharField("commune", max_length=100)
    access_info = models.CharField(
        "accès",
        max_length=300,
        blank=True,
        help_text="Transports, accessibilité, horaires d'ouverture… (montré à l'assuré).",
    )
    is_active = models.BooleanField(
        "ouvert aux rendez-vous",
        default=True,
        help_text="Décochez pour ne plus proposer cet accueil (les rendez-vous pris restent).",
    )

    objects = PlaceQuerySet.as_manager()

    class Meta:
        verbose_name = "accueil"
        ordering = ["caisse__name", "name"]
        constraints = [models.UniqueConstraint(fields=["caisse", "name"], name="place_unique_name")]

    def __str__(self):
        return self.name

    @property
    def address_lines(self):
        return [
            line
            for line in (self.address_line1, self.address_line2, f"{self.postal_code} {self.city}")
            if line
        ]

    @property
    def one_line_address(self):
        return ", ".join(self.address_lines)


class SlotQuerySet(models.QuerySet):
    def for_caisse(self, caisse_id):
        return self.filter(place__caisse_id=caisse_id)

    def free(self):
        """Open slots of active places with at least one seat left."""
        return self.filter(
            is_open=True, place__is_active=True, booked_count__lt=models.F("capacity")
        )


class Slot(models.Model):
    place = models.ForeignKey(
        Place, on_delete=models.PROTECT, related_name="slots", verbose_name="accueil"
    )
    starts_at = models.DateTimeField("début")
    duration_minutes = models.PositiveSmallIntegerField(
        "durée (minutes)",
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
    )
    mode = models.CharField("type de rendez-vous", max_length=12, choices=Mode.choices)
    capacity = models.PositiveSmallIntegerField(
        "capacité",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text="Nombre de personnes reçues (ou appelées) en même temps : un par conseiller.",
    )
    booked_count = models.PositiveSmallIntegerField("places réservées", default=0, editable=False)
    is_open = models.BooleanField(
        "ouvert à la réservation",
        default=True,
        help_text="Un créneau fermé n'est plus proposé ; les rendez-vous déjà pris restent.",
    )

    objects = SlotQuerySet.as_manager()

    class Meta:
        verbose_name = "créneau"
        ordering = ["starts_at", "place__name"]
        indexes = [
            models.Index(fields=["place", "mode", "starts_at"], name="slot_place_mode_start"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["place", "starts_at", "mode"], name="slot_unique_place_start_mode"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="slot_capacity_positive"),
            models.CheckConstraint(
                condition=Q(booked_count__gte=0) & Q(booked_count__lte=models.F("capacity")),
                name="slot_booked_within_capacity",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5) & Q(duration_minutes__lte=240),
                name="slot_duration_range",
            ),
            models.CheckConstraint(condition=Q(mode__in=Mode.values), name="slot_mode_known"),
        ]

    def __str__(self):
        start = timezone.localtime(self.starts_at)
        return f"{start:%d/%m/%Y %H:%M} — {self.get_mode_display()} — {self.place}"

    @property
    def ends_at(self):
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)

    @property
    def remaining(self):
        return max(self.capacity - self.booked_count, 0)


class AppointmentQuerySet(models.QuerySet):
    def for_person(self, person):
        """ARCHITECTURE decision 2: the appointments a person may see (their own)."""
        return self.filter(person=person)

    def booked(self):
        return self.filter(status=Status.BOOKED)

    def upcoming(self, now=None):
        """Booked and not started yet (see rules.is_upcoming)."""
        return self.booked().filter(slot__starts_at__gt=now or timezone.now())

    def past_or_cancelled(self, now=None):
        return self.filter(
            Q(status=Status.CANCELLED) | Q(slot__starts_at__lte=now or timezone.now())
        )


class Appointment(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(
        "référence", max_length=20, unique=True, default=new_reference, editable=False
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="appointments", verbose_name="assuré"
    )
    slot = models.ForeignKey(
        Slot, on_delete=models.PROTECT, related_name="appointments", verbose_name="créneau"
    )
    reason = models.CharField("motif", max_length=20, choices=Reason.choices)
    mode = models.CharField("type de rendez-vous", max_length=12, choices=Mode.choices)
    phone = models.CharField(
        "téléphone à appeler",
        max_length=20,
        blank=True,
        help_text="Pour un rendez-vous téléphonique : le numéro que le conseiller appelle.",
    )
    details = models.TextField("précisions de l'assuré", max_length=500, blank=True)
    status = models.CharField(
        "statut", max_length=10, choices=Status.choices, default=Status.BOOKED
    )
    booked_at = models.DateTimeField("pris le", default=timezone.now)
    cancelled_at = models.DateTimeField("annulé le", null=True, blank=True)
    cancelled_by = models.CharField(
        "annulé par", max_length=10, choices=CancelledBy.choices, blank=True
    )
    cancellation_reason = models.CharField("motif de l'annulation", max_length=300, blank=True)
    client_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        verbose_name = "rendez-vous"
        verbose_name_plural = "rendez-vous"
        ordering = ["-booked_at"]
        permissions = [("cancel_appointment", "Peut annuler un rendez-vous (l'assuré est prévenu)")]
        indexes = [
            models.Index(fields=["person", "status"], name="appointment_person_status"),
            models.Index(fields=["slot", "status"], name="appointment_slot_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="appointment_status_known"
            ),
            # The same person on the same slot only once (two tabs, a replayed form).
            models.UniqueConstraint(
                fields=["person", "slot"],
                condition=Q(status=Status.BOOKED),
                name="appointment_once_per_slot",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status=Status.BOOKED) & Q(cancelled_at__isnull=True) & Q(cancelled_by="")
                )
                | (
                    Q(status=Status.CANCELLED)
                    & Q(cancelled_at__isnull=False)
                    & Q(cancelled_by__in=CancelledBy.values)
                ),
                name="appointment_cancellation_coherent",
            ),
            models.CheckConstraint(
                condition=~Q(mode=Mode.TELEPHONIQUE) | ~Q(phone=""),
                name="appointment_phone_when_telephonique",
            ),
        ]

    def __str__(self):
        return f"{self.reference} — {self.person}"

    @property
    def is_booked(self):
        return self.status == Status.BOOKED

    @property
    def is_cancelled(self):
        return self.status == Status.CANCELLED

    @property
    def starts_at(self):
        return self.slot.starts_at

    @property
    def ends_at(self):
        return self.slot.ends_at

    @property
    def place(self):
        return self.slot.place

    @property
    def is_telephonique(self):
        return self.mode == Mode.TELEPHONIQUE


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class CalendarFeedQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class CalendarFeed(models.Model):
    """X5: a personal calendar subscription URL. The token is shown once, stored hashed."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="calendar_feeds")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("créé le", default=timezone.now)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)
    last_used_at = models.DateTimeField("dernière lecture", null=True, blank=True)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        verbose_name = "abonnement d'agenda"
        verbose_name_plural = "abonnements d'agenda"
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(revoked_at__isnull=True),
                name="calendarfeed_one_active_per_person",
            )
        ]

    def __str__(self):
        return f"Abonnement d'agenda de {self.person} ({'révoqué' if self.revoked_at else 'actif'})"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)
