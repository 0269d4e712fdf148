"""Services of the messagerie app.

* The outbox (FEATURES F4, ARCHITECTURE decision 4): `queue_email`, `send_templated_email`,
  `queue_sms`. Call them inside the transaction that causes the message: the row is written
  with the change and the send task is queued only on commit. If the broker is down at that
  moment, the request still succeeds; the periodic `requeue_unsent` task picks the row up later.
* « Ma messagerie » (F1, H3): `post_to_insured` (the caisse writes to a person: accusés de
  réception of the démarches…), `ask_question` (« J'ai une question »), `reply_as_insured`,
  `reply_as_agent` (H3), `open_thread` (marks the caisse's messages read).
* The bell (B2): `notify`, `mark_notification_read`, `mark_all_notifications_read`.

Every state-changing function is one atomic block (a savepoint inside the caller's
transaction) that only writes rows and outbox rows; e-mails leave on commit.
"""

import contextlib
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .enums import Channel, Direction, NotificationKind, Theme, ThreadStatus
from .models import Attachment, Message, Notification, OutboundMessage, Thread

logger = logging.getLogger(__name__)


def _enqueue_on_commit(message_id):
    def enqueue():
        from .tasks import send_outbound_message

        try:
            send_outbound_message.delay(message_id)
        except Exception:  # broker down: the row stays pending and is re-queued later
            logger.warning("Broker indisponible : envoi %s différé", message_id, exc_info=True)

    transaction.on_commit(enqueue)


# What replaces a code or a personal link in the copy of a message that is kept.
MASK = "••••"


def queue_email(*, to, subject, body_text, body_html="", template, user=None, redacted=None):
    """Queue an e-mail. `redacted`: (text, html) of the same e-mail with its secrets (code,
    personal link) masked; then the clear bodies are kept only until it is sent or given up,
    and the subject must not hold the secret."""
    message = OutboundMessage.objects.create(
        channel=Channel.EMAIL,
        user=user,
        to=to,
        template=template,
        subject=" ".join(subject.splitlines()).strip(),
        body_text=body_text,
        body_html=body_html,
        **_redaction(redacted),
    )
    _enqueue_on_commit(message.pk)
    return message


def _redaction(redacted):
    if redacted is None:
        return {}
    text, html = redacted
    return {"has_secret": True, "redacted_text": text, "redacted_html": html}


def send_templated_email(template, *, to, context, user=None, secret_keys=()):
    """Render templates/emails/<template>.{subject.txt,txt,html} and queue the e-mail.

    The HTML version extends `emails/base.html` (the portal's look); the text one is required.
    `secret_keys`: the context values that are secrets (a code, a personal link); the e-mail is
    also rendered with them masked, and only that copy is kept once it is sent (`queue_email`).
    """
    context = {"site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"emails/{template}.subject.txt", context)

    def bodies(values):
        return (
            render_to_string(f"emails/{template}.txt", values).strip(),
            render_to_string(f"emails/{template}.html", values),
        )

    body_text, body_html = bodies(context)
    redacted = bodies({**context, **dict.fromkeys(secret_keys, MASK)}) if secret_keys else None
    return queue_email(
        to=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        template=template,
        user=user,
        redacted=redacted,
    )


def queue_sms(*, to, text, template, user=None, redacted_text=None):
    """Queue an SMS. `redacted_text`: the same text with its secret masked (see `queue_email`)."""
    message = OutboundMessage.objects.create(
        channel=Channel.SMS,
        user=user,
        to=str(to),
        template=template,
        body_text=text,
        **_redaction(None if redacted_text is None else (redacted_text, "")),
    )
    _enqueue_on_commit(message.pk)
    return message


# --- « Ma messagerie » (F1, H3) ---------------------------------------------------------------
NEW_MESSAGE_EMAIL = "messagerie_nouveau_message"
ACKNOWLEDGEMENT_SUBJECT = "Accusé de réception de votre message"


class ThreadClosed(Exception):
    """A reply was posted to a closed thread."""


def thread_url(thread):
    return reverse("messagerie:thread", args=[thread.public_id])


def _account(person):
    """The online account of `person`, or None (a registry person may have none)."""
    from accounts.models import User

    return User.objects.filter(person=person, is_active=True).first()


def _email_new_message(person, account=None):
    """« Vous avez un nouveau message » through the outbox, if the account accepts e-mails.

    Never the message itself (nor its subject) in the e-mail: only a link to log in.
    """
    account = account or _account(person)
    if account is None or not account.contact_by_email or not account.email:
        return None
    return send_templated_email(
        NEW_MESSAGE_EMAIL,
        to=account.email,
        context={"first_name": person.first_name, "messagerie_path": reverse("messagerie:inbox")},
        user=account,
    )


def _store_attachments(message, files, stored):
    """`files`: UploadInfo objects checked by `portal.uploads.validate_upload`. The names
    written are appended to `stored`, so that `_files_removed_on_error` can delete them."""
    for info in files:
        attachment = Attachment(
            message=message,
            original_name=info.safe_name,
            content_type=info.content_type,
            size=info.size,
        )
        # Random name in private storage (RandomUploadTo), the checked bytes only.
        attachment.file.save(info.safe_name, ContentFile(info.data), save=False)
        stored.append(attachment.file.name)
        attachment.save()


@contextlib.contextmanager
def _files_removed_on_error():
    """Files are not in the database transaction: remove those written if it rolls back."""
    stored = []
    try:
        yield stored
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise


def _touch(thread, when, *, reopen=False):
    fields = {"last_message_at": when}
    if reopen:
        fields["status"] = ThreadStatus.OPEN
    Thread.objects.filter(pk=thread.pk).update(**fields)
    for name, value in fields.items():
        setattr(thread, name, value)


def post_to_insured(person, *, subject, body, theme=Theme.DEMARCHE, related_reference=None):
    """The caisse writes to `person` (accusé de réception, decision on a démarche…): F1.

    With a `related_reference`, the message joins the thread of that reference (created on
    the first call); otherwise a new thread is opened. The message is unread, and an e-mail
    notice « Vous avez un nouveau message » is queued when the account accepts e-mails.
    Call it inside the caller's transaction. Returns the Message.
    """
    subject = " ".join(str(subject).split())[:200]
    if not subject or not str(body).strip():
        raise ValueError("post_to_insured needs a subject and a body.")
    theme = Theme(theme)
    now = timezone.now()
    with transaction.atomic():
        defaults = {"caisse_id": person.caisse_id, "theme": theme, "subject": subject}
        if related_reference:
            thread, created = Thread.objects.get_or_create(
                person=person,
                related_reference=str(related_reference)[:64],
                defaults={**defaults, "created_at": now, "last_message_at": now},
            )
            if not created:
                _touch(thread, now, reopen=True)
        else:
            thread = Thread.objects.create(
                person=person, created_at=now, last_message_at=now, **defaults
            )
        message = Message.objects.create(
            thread=thread,
            direction=Direction.FROM_CAISSE,
            subject=subject if subject != thread.subject else "",
            body=body,
            created_at=now,
        )
        _email_new_message(person)
    return message


def _existing_for_token(person, client_token):
    if client_token is None:
        return None
    return (
        Message.objects.select_related("thread")
        .filter(client_token=client_token, thread__person=person)
        .first()
    )


def _acknowledgement_body(thread, message):
    sent = timezone.localtime(message.created_at)
    return (
        f"Bonjour,\n\nNous avons bien reçu votre message du {sent:%d/%m/%Y} à {sent:%H:%M} "
        f"sur le thème « {thread.get_theme_display()} » (référence {thread.reference}).\n"
        "Un conseiller de votre caisse vous répondra dans cet échange, en général sous "
        "48 heures ouvrées. Vous serez prévenu(e) par e-mail et dans votre compte dès que la "
        "réponse sera disponible.\n\nVotre caisse d'Assurance Maladie"
    )


def ask_question(user, *, theme, subject, body, files=(), client_token=None):
    """« J'ai une question » (F1): a new thread with the insured's message, its attachments
    and the caisse's automatic accusé de réception in the same thread.

    `client_token` (a UUID put in the form when it was shown) makes a double submission
    create one thread: the second call returns the thread of the first. Returns the Thread.
    """
    person = user.person
    existing = _existing_for_token(person, client_token)
    if existing is not None:
        return existing.thread
    try:
        with _files_removed_on_error() as stored, transaction.atomic():
            now = timezone.now()
            thread = Thread.objects.create(
                person=person,
                caisse_id=person.caisse_id,
                theme=Theme(theme),
                subject=" ".join(subject.split())[:200],
                created_at=now,
                last_message_at=now,
            )
            message = Message.objects.create(
                thread=thread,
                direction=Direction.FROM_INSURED,
                author=user,
                body=body,
                created_at=now,
                client_token=client_token,
            )
            _store_attachments(message, files, stored)
            Message.objects.create(
                thread=thread,
                direction=Direction.FROM_CAISSE,
                subject=ACKNOWLEDGEMENT_SUBJECT,
                body=_acknowledgement_body(thread, message),
                created_at=now,
            )
    except IntegrityError:
        # The same form posted twice at the same moment: the other request won.
        existing = _existing_for_token(person, client_token)
        if existing is None:
            raise
        return existing.thread
    return thread


def reply_as_insured(user, thread, *, body, files=(), client_token=None):
    """The insured answers in one of their open threads (F1). Returns the Message."""
    if thread.person_id != user.person_id:
        raise PermissionError("Cet échange n'est pas le vôtre.")
    existing = _existing_for_token(user.person, client_token)
    if existing is not None:
        return existing
    try:
        with _files_removed_on_error() as stored, transaction.atomic():
            locked = Thread.objects.select_for_update().get(pk=thread.pk)
            if not locked.is_open:
                raise ThreadClosed
            now = timezone.now()
            message = Message.objects.create(
                thread=locked,
                direction=Direction.FROM_INSURED,
                author=user,
                body=body,
                created_at=now,
                client_token=client_token,
            )
            _store_attachments(message, files, stored)
            _touch(locked, now)
    except IntegrityError:
        existing = _existing_for_token(user.person, client_token)
        if existing is None:
            raise
        return existing
    thread.last_message_at = locked.last_message_at
    return message


def reply_as_agent(agent, thread, *, body, files=(), close=False, client_token=None):
    """H3: an agent answers from the admin, in one transaction: the caisse's message (author
    = the agent), the insured's messages marked read by the caisse, the thread closed if asked,
    a bell notification and an e-mail notice for the insured, and an AccessLog row (H5).

    The caller checks that the agent may see the thread (caisse scoping). Returns the Message.
    """
    from assures.audit import log_access
    from assures.enums import AccessAction

    if client_token is not None:
        existing = Message.objects.filter(client_token=client_token, thread=thread).first()
        if existing is not None:
            return existing
    try:
        with _files_removed_on_error() as stored, transaction.atomic():
            locked = Thread.objects.select_for_update().select_related("person").get(pk=thread.pk)
            now = timezone.now()
            message = Message.objects.create(
                thread=locked,
                direction=Direction.FROM_CAISSE,
                author=agent,
                body=body,
                created_at=now,
                client_token=client_token,
            )
            _store_attachments(message, files, stored)
            Message.objects.filter(thread=locked).unread_by_caisse().update(read_at=now)
            Thread.objects.filter(pk=locked.pk).update(
                last_message_at=now,
                status=ThreadStatus.CLOSED if close else ThreadStatus.OPEN,
            )
            notify(
                locked.person,
                kind=NotificationKind.NOUVEAU_MESSAGE,
                text=f"Votre caisse a répondu à votre message « {locked.subject} ».",
                url=thread_url(locked),
            )
            _email_new_message(locked.person)
            log_access(
                agent,
                locked.person,
                AccessAction.ADD,
                message,
                f"Réponse dans l'échange {locked.reference}" + (" (échange clos)" if close else ""),
            )
    except IntegrityError:
        existing = Message.objects.filter(client_token=client_token, thread=thread).first()
        if client_token is None or existing is None:
            raise
        return existing
    return message


def set_thread_status(agent, threads, status):
    """Close or reopen threads from the admin (H3), each change logged (H5). Returns the
    number of threads changed."""
    from assures.audit import log_access
    from assures.enums import AccessAction

    status = ThreadStatus(status)
    changed = 0
    with transaction.atomic():
        for thread in threads.exclude(status=status).select_related("person"):
            Thread.objects.filter(pk=thread.pk).update(status=status)
            log_access(
                agent,
                thread.person,
                AccessAction.CHANGE,
                thread,
                f"Échange {thread.reference} : {status.label.lower()}",
            )
            changed += 1
    return changed


def open_thread(thread):
    """The insured opens a thread: the caisse's messages, and the bell notifications that
    point to this thread, are marked read. Returns the number of messages newly read."""
    now = timezone.now()
    # Two idempotent updates, no transaction needed: a notification left unread is harmless.
    newly_read = Message.objects.filter(thread=thread).unread_by_insured().update(read_at=now)
    if newly_read:
        Notification.objects.filter(person_id=thread.person_id, read_at__isnull=True).filter(
            url=thread_url(thread)
        ).update(read_at=now)
    return newly_read


def unread_counts(person):
    """(messages from the caisse not read yet, bell notifications not read yet)."""
    messages = Message.objects.for_person(person).unread_by_insured().count()
    notifications = Notification.objects.for_person(person).unread().count()
    return messages, notifications


# --- the bell (B2) ---------------------------------------------------------------------------
def notify(person, *, kind, text, url=""):
    """A short notification in the bell of `person`'s account (B2). Returns the Notification.

    `kind` is a NotificationKind (or its value); `url` is a path inside the portal (« /… »).
    Call it inside the caller's transaction: it only writes a row.
    """
    kind = NotificationKind(kind)
    text = " ".join(str(text).split())
    if not text:
        raise ValueError("notify needs a text.")
    if len(text) > Notification._meta.get_field("text").max_length:
        raise ValueError("A notification is short: 300 characters at most.")
    url = str(url or "")
    if url and (not url.startswith("/") or url.startswith("//")):
        raise ValueError("A notification links to a page of the portal (a path « /… »).")
    return Notification.objects.create(person=person, kind=kind, text=text, url=url)


def mark_notification_read(person, public_id):
    """Mark one of `person`'s notifications read; returns it, or None if it is not theirs."""
    notification = Notification.objects.for_person(person).filter(public_id=public_id).first()
    if notification is not None and notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def mark_all_notifications_read(person):
    return Notification.objects.for_person(person).unread().update(read_at=timezone.now())
