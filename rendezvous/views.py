"""« Mes rendez-vous » and « Prendre un rendez-vous » (FEATURES F3), calendar export (X5).

    /rendez-vous/                           « Mes rendez-vous »: à venir, passés et annulés,
                                            the calendar subscription (X5)
    /rendez-vous/prendre/                   step 1: motif, type, accueil (GET form)
    /rendez-vous/prendre/creneaux/?…        step 2: a free slot (week by week), « Confirmer »
    /rendez-vous/<uuid>/                    one appointment (confirmation page after booking)
    /rendez-vous/<uuid>/annuler/            « Annuler ce rendez-vous » (confirm, then POST)
    /rendez-vous/<uuid>/rendez-vous.ics     the appointment as an .ics file (X5)
    /rendez-vous/abonnement/                POST: create / replace / delete the subscription
    /rendez-vous/agenda/<token>.ics         the subscription feed (no login: the token is the key)

Views parse, authorise, call a service, render. Every queryset starts from the logged-in
person (ARCHITECTURE decision 2): someone else's appointment is a 404.
"""

import datetime
import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import insured_required

from . import ics, rules, services
from .enums import Mode, Reason
from .forms import ChoiceForm, SlotForm
from .models import Appointment, CalendarFeed, Place, Slot

PAST_SHOWN = 20
FEED_SESSION_KEY = "rendezvous_feed_url"


def _places(person):
    return list(Place.objects.for_caisse(person.caisse_id).active().order_by("name"))


def _own(request, public_id):
    return get_object_or_404(
        Appointment.objects.select_related("slot__place__caisse"),
        public_id=public_id,
        person=request.user.person,
    )


# --- « Mes rendez-vous » -----------------------------------------------------------------------
@insured_required
def appointment_list(request):
    person = request.user.person
    now = timezone.now()
    rows = Appointment.objects.for_person(person).select_related("slot__place")
    upcoming = list(rows.upcoming(now).order_by("slot__starts_at"))
    past = list(rows.past_or_cancelled(now).order_by("-slot__starts_at")[:PAST_SHOWN])
    feed = CalendarFeed.objects.filter(person=person).active().first()
    return render(
        request,
        "rendezvous/list.html",
        {
            "upcoming": upcoming,
            "past": past,
            "past_limit": PAST_SHOWN,
            "feed": feed,
            "feed_url": request.session.pop(FEED_SESSION_KEY, None),
        },
    )


def confirmation_text(channels):
    """« Votre rendez-vous est confirmé. » and how the person is told (contact permissions)."""
    sent = {
        ("email",): " Une confirmation vous est envoyée par e-mail.",
        ("sms",): " Une confirmation vous est envoyée par SMS.",
        ("email", "sms"): " Une confirmation vous est envoyée par e-mail et par SMS.",
    }.get(tuple(channels), " Notez-le bien : vous n'avez accepté ni e-mail ni SMS de votre caisse.")
    return "Votre rendez-vous est confirmé." + sent


# --- « Prendre un rendez-vous » ------------------------------------------------------------------
@insured_required
def choose(request):
    """Step 1. Its form is sent by GET to step 2, which validates it again."""
    person = request.user.person
    places = _places(person)
    # « Modifier le motif, le type ou l'accueil » comes back with the earlier choices.
    initial = {
        name: request.GET[name] for name in ("motif", "mode", "lieu") if request.GET.get(name)
    }
    form = ChoiceForm(places=places, initial=initial)
    return render(request, "rendezvous/choose.html", {"form": form, "places": places})


def _booked_with_token(person, value):
    try:
        token = uuid.UUID(str(value))
    except ValueError:
        return None
    return Appointment.objects.for_person(person).filter(client_token=token).first()


def _monday(day):
    return day - datetime.timedelta(days=day.weekday())


def _week_from(request, first_free, window):
    first, last = window
    earliest, latest = _monday(first), _monday(last)
    try:
        week = _monday(datetime.date.fromisoformat(request.GET.get("semaine", "")))
    except ValueError:
        week = _monday(timezone.localtime(first_free).date()) if first_free else earliest
    return min(max(week, earliest), latest), earliest, latest


@insured_required
def slots(request):
    """Step 2: the free slots of the chosen accueil and type, one week at a time; POST books."""
    user, person = request.user, request.user.person
    now = timezone.now()
    today = timezone.localdate()
    if request.method == "POST":
        # The same form sent again (double click, back and resend): the first booking stands.
        already = _booked_with_token(person, request.POST.get("jeton"))
        if already is not None:
            return redirect("rendezvous:detail", already.public_id)
    places = _places(person)
    upcoming = services.upcoming_for(person, now)
    choice = ChoiceForm(request.GET, places=places, upcoming=upcoming)
    if not choice.is_valid():
        return render(request, "rendezvous/choose.html", {"form": choice, "places": places})
    place, mode = choice.place, Mode(choice.cleaned_data["mode"])
    reason = Reason(choice.cleaned_data["motif"])

    if request.method == "POST":
        form = SlotForm(request.POST, mode=mode)
        if form.is_valid():
            try:
                appointment, _created = services.book(
                    user,
                    slot_id=form.cleaned_data["creneau"],
                    reason=reason,
                    phone=form.cleaned_phone(),
                    details=form.cleaned_data["precisions"],
                    client_token=form.cleaned_data["jeton"],
                    now=now,
                )
            except services.BookingRefused as refusal:
                field = refusal.field if refusal.field in form.fields else None
                form.add_error(field, refusal.message)
            else:
                messages.success(request, confirmation_text(services.channels_for(user)))
                return redirect("rendezvous:detail", appointment.public_id)
    else:
        number = user.mobile_phone or user.landline_phone
        default_phone = services.phone_display(number) if number else None
        form = SlotForm(mode=mode, initial={"jeton": uuid.uuid4(), "telephone": default_phone})

    window = rules.booking_window(today)
    start, end = rules.window_bounds(today)
    free = Slot.objects.free().filter(
        place=place, mode=mode, starts_at__gte=start, starts_at__lt=end
    )
    first_free = free.order_by("starts_at").values_list("starts_at", flat=True).first()
    week, earliest, latest = _week_from(request, first_free, window)
    week_slots = list(
        free.filter(
            starts_at__gte=rules.start_of_day(week),
            starts_at__lt=rules.start_of_day(week + datetime.timedelta(days=7)),
        ).order_by("starts_at")
    )
    days = {}
    for slot in week_slots:
        slot.local_start = timezone.localtime(slot.starts_at)
        days.setdefault(slot.local_start.date(), []).append(slot)
    query = {"motif": reason.value, "mode": mode.value, "lieu": place.pk}

    def week_url(monday):
        return f"{reverse('rendezvous:slots')}?{urlencode({**query, 'semaine': monday})}"

    previous_week = week - datetime.timedelta(days=7)
    next_week = week + datetime.timedelta(days=7)
    return render(
        request,
        "rendezvous/slots.html",
        {
            "form": form,
            "place": place,
            "mode": mode,
            "mode_label": mode.label,
            "reason": reason,
            "days": [{"date": day, "slots": day_slots} for day, day_slots in days.items()],
            "week": week,
            "week_end": week + datetime.timedelta(days=6),
            "window": window,
            "any_free": first_free is not None,
            "previous_url": week_url(previous_week) if previous_week >= earliest else None,
            "next_url": week_url(next_week) if next_week <= latest else None,
            "change_url": f"{reverse('rendezvous:choose')}?{urlencode(query)}",
            "action_url": week_url(week),
            "selected": str(form["creneau"].value() or ""),
        },
    )


# --- one appointment ---------------------------------------------------------------------------
@insured_required
def detail(request, public_id):
    appointment = _own(request, public_id)
    now = timezone.now()
    return render(
        request,
        "rendezvous/detail.html",
        {
            "appointment": appointment,
            "upcoming": rules.is_upcoming(appointment, now),
            "can_cancel": rules.can_cancel(appointment, now),
            "channels": services.channels_for(request.user),
            "phone": services.phone_display(appointment.phone),
        },
    )


@insured_required
def cancel(request, public_id):
    appointment = _own(request, public_id)
    now = timezone.now()
    if request.method == "POST":
        try:
            cancelled, changed = services.cancel(appointment, by=request.user, now=now)
        except services.CancellationRefused as refusal:
            messages.error(request, str(refusal))
            return redirect("rendezvous:detail", appointment.public_id)
        when = rules.describe_when(cancelled.slot.starts_at)
        if changed:
            messages.success(request, f"Votre rendez-vous {when} est annulé.")
        else:
            messages.info(request, f"Votre rendez-vous {when} était déjà annulé.")
        return redirect("rendezvous:list")
    refusal = rules.cancel_refusal(appointment, now)
    if refusal:
        messages.error(request, refusal)
        return redirect("rendezvous:detail", appointment.public_id)
    return render(
        request,
        "rendezvous/cancel.html",
        {"appointment": appointment, "phone": services.phone_display(appointment.phone)},
    )


def _calendar_response(text, filename):
    response = HttpResponse(text.encode(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@insured_required
@require_GET
def appointment_ics(request, public_id):
    """X5: one appointment as an .ics file (a cancelled one updates the calendar's copy)."""
    appointment = _own(request, public_id)
    text = ics.appointment_calendar(appointment, stamp=timezone.now())
    return _calendar_response(text, f"rendez-vous-{appointment.reference}.ics")


# --- calendar subscription (X5) ------------------------------------------------------------------
@insured_required
@require_POST
def subscription(request):
    person = request.user.person
    action = request.POST.get("action")
    if action == "creer":
        token = services.create_feed(person)
        url = request.build_absolute_uri(reverse("rendezvous:feed", args=[token]))
        request.session[FEED_SESSION_KEY] = url
        messages.success(
            request,
            "Votre lien d'abonnement est prêt : copiez-le maintenant dans votre application "
            "d'agenda, il ne sera plus affiché.",
        )
    elif action == "supprimer":
        if services.revoke_feed(person):
            messages.success(
                request, "Votre lien d'abonnement est supprimé : il ne fonctionne plus."
            )
    else:
        raise Http404("Action inconnue.")
    return redirect(reverse("rendezvous:list") + "#abonnement")


@require_GET
def feed(request, token):
    """X5: the upcoming appointments of the token's owner. No login (calendar applications
    cannot log in): the unguessable token is the key; unknown or revoked → 404."""
    found = services.feed_for_token(token)
    if found is None:
        raise Http404("Lien d'abonnement inconnu ou supprimé.")
    now = timezone.now()
    appointments = (
        Appointment.objects.for_person(found.person)
        .upcoming(now)
        .select_related("slot__place__caisse")
        .order_by("slot__starts_at")
    )
    services.touch_feed(found, now)
    response = HttpResponse(
        ics.feed_calendar(appointments, stamp=now).encode(),
        content_type="text/calendar; charset=utf-8",
    )
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response
