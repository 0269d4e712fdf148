import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from portal.uploads import LABELS, human_size, upload_to

from .enums import Channel, DeliveryStatus, Direction, NotificationKind, Theme, ThreadStatus


class OutboundMessage(models.Model):
    """One e-mail or SMS to send (the outbox, FEATURES F4, ARCHITECTURE decision 4).

    Rendered when it is created (in the request, with its templates), so sending needs nothing
    but this row. The status moves pending → sending → sent (or failed after the last retry);
    the claim from pending to sending is one conditional UPDATE, so a message is sent once even
    if its task is queued twice.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField("canal", max_length=5, choices=Channel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbound_messages",
    )
    to = models.CharField("destinataire", max_length=254)
    template = models.CharField("modèle", max_length=100)
    subject = models.CharField("objet", max_length=250, blank=True)
    body_text = models.TextField("texte")
    body_html = models.TextField("HTML", blank=True)
    # A message carrying a secret (a code, a personal link) keeps its clear text only until it
    # is sent or given up: then the masked copy, rendered with it, replaces it (`redact`).
    has_secret = models.BooleanField("contient un code ou un lien personnel", default=False)
    redacted_text = models.TextField("texte masqué", blank=True)
    redacted_html = models.TextField("HTML masqué", blank=True)
    status = models.CharField(
        "statut", max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    last_error = models.CharField("dernière erreur", max_length=500, blank=True)
    created_at = models.DateTimeField("créé le", default=timezone.now)
    claimed_at = models.DateTimeField("pris en charge le", null=True, blank=True)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)

    class Meta:
        verbose_name = "envoi (e-mail ou SMS)"
        verbose_name_plural = "envois (e-mails et SMS)"
        ordering = ["-created_at"]
        indexes = [
            # The periodic re-queue scans only unfinished rows.
            models.Index(
                fields=["status", "created_at"],
                condition=Q(status__in=["pending", "sending"]),
                name="outbound_unfinished",
            ),
            models.Index(fields=["user", "-created_at"], name="outbound_user_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="outbound_sent_has_date",
            )
        ]

    def __str__(self):
        return f"{self.get_channel_display()} « {self.subject or self.template} » à {self.to}"

    @property
    def shown_text(self):
        """The text anyone but the recipient may read: masked while a secret is in clear."""
        return self.redacted_text if self.has_secret and self.redacted_text else self.body_text


# --- « Ma messagerie » / « Espace d'échanges » (FEATURES F1, H3) -----------------------------
class ThreadQuerySet(models.QuerySet):
    def for_person(self, person):
        return self.filter(person=person)


class Thread(models.Model):
    """An exchange between an insured person and their caisse (FEATURES F1).

    Started by the insured (« J'ai une question ») or by the caisse (accusés de réception of the
    démarches, `services.post_to_insured`); agents answer from the admin (H3). A thread started
    for a démarche carries its `related_reference`, so every later message about it lands in
    the same thread.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        "assures.Person", on_delete=models.PROTECT, related_name="threads", verbose_name="assuré"
    )
    caisse = models.ForeignKey(
        "assures.Caisse",
        on_delete=models.PROTECT,
        related_name="threads",
        help_text="Caisse de l'assuré quand l'échange a commencé.",
    )
    theme = models.CharField("thème", max_length=20, choices=Theme.choices)
    subject = models.CharField("objet", max_length=200)
    related_reference = models.CharField(
        "référence liée",
        max_length=64,
        blank=True,
        help_text="Référence de la démarche (ou du paiement) dont parle l'échange.",
    )
    status = models.CharField(
        "statut", max_length=10, choices=ThreadStatus.choices, default=ThreadStatus.OPEN
    )
    created_at = models.DateTimeField("commencé le", default=timezone.now)
    last_message_at = models.DateTimeField("dernier message le", default=timezone.now)

    objects = ThreadQuerySet.as_manager()

    class Meta:
        verbose_name = "échange"
        verbose_name_plural = "échanges"
        ordering = ["-last_message_at", "-pk"]
        permissions = [("reply_thread", "Peut répondre aux messages des assurés")]
        indexes = [
            models.Index(fields=["person", "-last_message_at"], name="thread_person_last"),
            models.Index(fields=["caisse", "-last_message_at"], name="thread_caisse_last"),
        ]
        constraints = [
            # One thread per démarche (or other reference) and person.
            models.UniqueConstraint(
                fields=["person", "related_reference"],
                condition=~Q(related_reference=""),
                name="thread_one_per_reference",
            )
        ]

    def __str__(self):
        return self.subject

    @property
    def is_open(self):
        return self.status == ThreadStatus.OPEN

    @property
    def reference(self):
        """Short reference shown to the insured and the agents (« Référence : 1A2B3C4D »)."""
        return self.public_id.hex[:8].upper()


class MessageQuerySet(models.QuerySet):
    def for_person(self, person):
        return self.filter(thread__person=person)

    def unread_by_insured(self):
        return self.filter(direction=Direction.FROM_CAISSE, read_at__isnull=True)

    def unread_by_caisse(self):
        return self.filter(direction=Direction.FROM_INSURED, read_at__isnull=True)


class Message(models.Model):
    """One message of a thread. `read_at` is when the *recipient* read it: the insured for a
    message from the caisse, an agent (by answering) for a message from the insured. A message
    from the caisse without author is an automatic one (accusé de réception)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, related_name="messages", verbose_name="échange"
    )
    direction = models.CharField("sens", max_length=10, choices=Direction.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messagerie_messages",
        verbose_name="auteur",
    )
    subject = models.CharField(
        "objet", max_length=200, blank=True, help_text="Vide : l'objet de l'échange."
    )
    body = models.TextField("message")
    created_at = models.DateTimeField("envoyé le", default=timezone.now)
    read_at = models.DateTimeField("lu le", null=True, blank=True)
    # Generated when the form is shown: the same form posted twice creates one message.
    client_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = "message"
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["thread", "created_at"], name="message_thread_created"),
            models.Index(
                fields=["thread", "direction"],
                condition=Q(read_at__isnull=True),
                name="message_unread",
            ),
        ]

    def __str__(self):
        return self.display_subject

    @property
    def display_subject(self):
        return self.subject or self.thread.subject

    @property
    def from_caisse(self):
        return self.direction == Direction.FROM_CAISSE

    @property
    def is_new(self):
        """A message from the caisse the insured has not opened yet."""
        return self.from_caisse and self.read_at is None

    @property
    def is_automatic(self):
        return self.from_caisse and self.author_id is None


class Attachment(models.Model):
    """A file joined to a message, in private storage (ARCHITECTURE decision 6)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("fichier", upload_to=upload_to("messagerie"), max_length=200)
    original_name = models.CharField("nom du fichier", max_length=200)
    content_type = models.CharField("type", max_length=100)
    size = models.PositiveIntegerField("taille (octets)")

    class Meta:
        verbose_name = "pièce jointe"
        verbose_name_plural = "pièces jointes"
        ordering = ["pk"]

    def __str__(self):
        return self.original_name

    @property
    def type_label(self):
        return LABELS.get(self.content_type, self.content_type)

    @property
    def size_display(self):
        return human_size(self.size)


class NotificationQuerySet(models.QuerySet):
    def for_person(self, person):
        return self.filter(person=person)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A short notification of the bell (FEATURES B2), for one person's account."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        "assures.Person",
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name="assuré",
    )
    kind = models.CharField("type", max_length=30, choices=NotificationKind.choices)
    text = models.CharField("texte", max_length=300)
    url = models.CharField("lien", max_length=300, blank=True)
    created_at = models.DateTimeField("le", default=timezone.now)
    read_at = models.DateTimeField("lue le", null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = "notification"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["person", "-created_at"], name="notification_person_created"),
            models.Index(
                fields=["person"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
        ]
        constraints = [
            # Links stay inside the portal (no open redirect through a notification).
            models.CheckConstraint(
                condition=Q(url="") | (Q(url__startswith="/") & ~Q(url__startswith="//")),
                name="notification_url_internal",
            )
        ]

    def __str__(self):
        return self.text

    @property
    def is_unread(self):
        return self.read_at is None
