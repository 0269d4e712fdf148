"""« Mon espace prévention » (FEATURES G1–G4): parse, authorise, call, render.

Every page is for the logged-in insured (`insured_required`: anonymous → « Me connecter »,
agents → the admin) and shows only their family; a child of someone else is a 404.
"""

from django.contrib import messages
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import insured_required

from . import content, queries, rules, services
from .enums import ExamStatus, Timing

STATUS_FIELD = "statut"


@insured_required
@require_GET
def hub(request):
    """« Mon espace prévention »: maternité (G1), santé de l'enfant (G2), M'T Dents (G3), ALD
    (G4) — each part shown when it concerns the family."""
    today = timezone.localdate()
    context = queries.prevention_space(request.user.person, today)
    return render(request, "prevention/hub.html", {**context, "today": today, "content": content})


@insured_required
@require_GET
def maternite(request):
    """G1: the dated calendar of each current pregnancy of the family."""
    today = timezone.localdate()
    members = queries.family(request.user.person)
    return render(
        request,
        "prevention/maternite.html",
        {
            "me": request.user.person,
            "pregnancies": queries.current_pregnancies(members, today),
            "today": today,
            "content": content,
        },
    )


@insured_required
@require_GET
def child(request, public_id):
    """G2: the mandatory exams of one of my children, with the status I recorded."""
    today = timezone.localdate()
    person = queries.my_child(request.user.person, public_id)
    (health,) = queries.child_health([person], today)
    lines = health.lines
    return render(
        request,
        "prevention/enfant.html",
        {
            "child": person,
            "health": health,
            "current_lines": [line for line in lines if line.timing != Timing.PAST],
            "past_lines": [line for line in lines if line.timing == Timing.PAST],
            "content": content,
            "today": today,
        },
    )


@insured_required
@require_POST
def exam_status(request, public_id, code):
    """G2: set one exam of one of my children « Réalisé » or « À planifier » (idempotent)."""
    person = queries.my_child(request.user.person, public_id)
    exam = rules.child_exam(person.birth_date, code)
    if exam is None:
        raise Http404("Examen inconnu pour cet enfant.")
    try:
        status = ExamStatus(request.POST.get(STATUS_FIELD, ""))
    except ValueError:
        return HttpResponseBadRequest("Statut inconnu.")
    services.set_exam_status(person, exam.code, status, by=request.user)
    messages.success(
        request,
        f"Examen « {exam.label} » de {person.first_name} : {status.label}.",
    )
    url = reverse("prevention:child", args=[person.public_id])
    return redirect(f"{url}#examen-{exam.code}")
