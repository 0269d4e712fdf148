"""« Ma messagerie » / « Espace d'échanges » (FEATURES F1) and « Mes notifications » (B2).

Every queryset starts from the logged-in person (ARCHITECTURE decision 2): another person's
thread, attachment or notification is a 404. Views stay thin: parse, authorise, call a service,
render.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import insured_required
from portal.uploads import file_response

from . import assistant, services
from .enums import Direction, Theme
from .forms import AssistantForm, QuestionForm, ReplyForm
from .models import Attachment, Message, Thread
from .queries import notifications_for

PAGE_SIZE = 20
FOLDERS = {
    "recus": ("Messages reçus", Direction.FROM_CAISSE),
    "envoyes": ("Messages envoyés", Direction.FROM_INSURED),
}


@insured_required
def inbox(request):
    """F1: the messages received from the caisse, or those sent to it, newest first."""
    person = request.user.person
    folder = request.GET.get("dossier", "recus")
    if folder not in FOLDERS:
        folder = "recus"
    title, direction = FOLDERS[folder]
    queryset = (
        Message.objects.for_person(person)
        .filter(direction=direction)
        .select_related("thread")
        .annotate(attachment_count=Count("attachments"))
        .order_by("-created_at", "-pk")
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "messagerie/inbox.html",
        {
            "folder": folder,
            "folder_title": title,
            "folders": [(key, label) for key, (label, _) in FOLDERS.items()],
            "page": page,
        },
    )


def _thread_for(request, public_id):
    return get_object_or_404(
        Thread.objects.filter(person_id=request.user.person_id).select_related("caisse"),
        public_id=public_id,
    )


@insured_required
@require_http_methods(["GET", "POST"])
def thread(request, public_id):
    """F1: one exchange, oldest message first; opening it marks the caisse's messages read.
    A POST is the insured's answer."""
    thread = _thread_for(request, public_id)
    form = ReplyForm()
    if request.method == "POST":
        form = ReplyForm(request.POST, request.FILES)
        if not thread.is_open:
            form.add_error(
                None,
                "Cet échange est clos : pour une nouvelle demande, utilisez « J'ai une question ».",
            )
        elif form.is_valid():
            try:
                services.reply_as_insured(
                    request.user,
                    thread,
                    body=form.cleaned_data["body"],
                    files=form.cleaned_data["attachments"],
                    client_token=form.cleaned_data["client_token"],
                )
            except services.ThreadClosed:
                form.add_error(None, "Cet échange vient d'être clos par votre caisse.")
            else:
                messages.success(request, "Votre message a bien été envoyé à votre caisse.")
                return redirect(services.thread_url(thread))
    else:
        services.open_thread(thread)
    thread_messages = list(thread.messages.select_related("author").prefetch_related("attachments"))
    return render(
        request,
        "messagerie/thread.html",
        {"thread": thread, "thread_messages": thread_messages, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@insured_required
@require_http_methods(["GET", "POST"])
def question(request):
    """F1 « J'ai une question »: theme, subject, message, optional attachments → a thread with
    the caisse's automatic accusé de réception."""
    form = QuestionForm(initial=_question_initial(request.GET))
    if request.method == "POST":
        form = QuestionForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            new_thread = services.ask_question(
                request.user,
                theme=data["theme"],
                subject=data["subject"],
                body=data["body"],
                files=data["attachments"],
                client_token=data["client_token"],
            )
            messages.success(
                request,
                "Votre message a bien été envoyé. Vous trouverez l'accusé de réception "
                "ci-dessous ; un conseiller vous répondra dans cet échange.",
            )
            return redirect(services.thread_url(new_thread))
    return render(
        request,
        "messagerie/question.html",
        {"form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


def _question_initial(params):
    """The theme and subject handed over by the assistant (F2), when they are valid."""
    initial = {}
    if params.get("theme") in Theme.values:
        initial["theme"] = params["theme"]
    subject = " ".join(params.get("objet", "").split())[
        : QuestionForm.base_fields["subject"].max_length
    ]
    if subject:
        initial["subject"] = subject
    return initial


ASSISTANT_SESSION_KEY = "messagerie_assistant"
ASSISTANT_MAX_TURNS = 10
ASSISTANT_SUGGESTIONS = ("perte_vitale", "attestation_droits", "adresse", "delais", "ceam", "rib")


@insured_required
@require_http_methods(["GET", "POST"])
def assistant_view(request):
    """F2 « assistant conversationnel »: answers from the portal's help, links to the right
    page or démarche, hand-over to « J'ai une question », the médiateur's contact. The
    conversation (questions and the keys of the answers) is kept in the session."""
    conversation = request.session.get(ASSISTANT_SESSION_KEY, [])
    form = AssistantForm()
    if request.method == "POST":
        if "recommencer" in request.POST:
            request.session.pop(ASSISTANT_SESSION_KEY, None)
            return redirect("messagerie:assistant")
        form = AssistantForm(request.POST)
        if form.is_valid():
            question_text = form.cleaned_data["question"]
            answer = assistant.ask(question_text)
            conversation = [
                *conversation,
                {
                    "q": question_text,
                    "key": answer.entry.key if answer.entry else None,
                    "related": [entry.key for entry in answer.related],
                },
            ][-ASSISTANT_MAX_TURNS:]
            request.session[ASSISTANT_SESSION_KEY] = conversation
            return redirect(f"{reverse('messagerie:assistant')}#reponse-{len(conversation)}")
    turns = []
    for turn in conversation:
        entry = assistant.BY_KEY.get(turn.get("key"))
        turns.append(
            {
                "question": turn["q"],
                "entry": entry,
                "links": entry.resolved_links() if entry else [],
                "related": [
                    assistant.BY_KEY[k] for k in turn.get("related", []) if k in assistant.BY_KEY
                ],
                "handover_url": assistant.handover_url(turn["q"], entry),
            }
        )
    return render(
        request,
        "messagerie/assistant.html",
        {
            "form": form,
            "turns": turns,
            "suggestions": [assistant.BY_KEY[key] for key in ASSISTANT_SUGGESTIONS],
            "mediation_url": assistant.mediation_url(),
            "caisse": request.user.person.caisse,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@insured_required
def attachment(request, public_id):
    """Download one attachment of the person's own threads (Content-Disposition)."""
    item = get_object_or_404(
        Attachment.objects.filter(message__thread__person=request.user.person),
        public_id=public_id,
    )
    try:
        return file_response(item.file, item.original_name, item.content_type)
    except FileNotFoundError as error:
        raise Http404("Fichier introuvable.") from error


@insured_required
def notifications(request):
    """B2 « Mes notifications »: unread first, then the newest."""
    page = Paginator(notifications_for(request.user.person), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "messagerie/notifications.html", {"page": page})


@insured_required
@require_POST
def notification_read(request, public_id):
    notification = services.mark_notification_read(request.user.person, public_id)
    if notification is None:
        raise Http404("Notification introuvable.")
    messages.success(request, "La notification est marquée comme lue.")
    return redirect(_back_to_notifications(request))


@insured_required
@require_POST
def notifications_read_all(request):
    count = services.mark_all_notifications_read(request.user.person)
    if count:
        messages.success(request, "Toutes vos notifications sont marquées comme lues.")
    return redirect(_back_to_notifications(request))


def _back_to_notifications(request):
    url = reverse("messagerie:notifications")
    page = request.POST.get("page", "")
    return f"{url}?page={page}" if page.isdigit() else url
