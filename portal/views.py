from django.db import connection
from django.db.models import Prefetch
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.decorators import insured_required
from accounts.models import LoginEvent
from assures.models import (
    Ceam,
    ComplementaryContract,
    Person,
    Proxy,
    TreatingDoctor,
    VitaleCard,
)
from documents.home import quick_procedures
from messagerie.queries import home_blocks as messagerie_home_blocks
from paiements.models import Payment
from prevention.home import home_teaser as prevention_home_teaser
from rendezvous.queries import home_agenda

from .celery import app as celery_app

LATEST_PAYMENTS = 5


@insured_required
def home(request):
    """FEATURES B1 « Accueil »: latest payments, notifications, new message, name and last
    login, « Mon agenda » (F3) and the next steps of « Mon espace prévention » (G)."""
    person = request.user.person
    previous_login = (
        LoginEvent.objects.filter(user=request.user).order_by("-at").values_list("at", flat=True)
    )[1:2]
    return render(
        request,
        "portal/home.html",
        {
            "person": person,
            "latest_payments": Payment.objects.for_person(person).latest(LATEST_PAYMENTS),
            "previous_login": next(iter(previous_login), None),
            **messagerie_home_blocks(person),  # B1/B2: notifications, « Nouveau message »
            "quick_procedures": quick_procedures(),  # B1 « Mes démarches en 2 clics »
            **home_agenda(person),  # B1 « Mon agenda » (F3)
            **prevention_home_teaser(person),  # B1 « Mon espace prévention » (G)
        },
    )


@insured_required
def mes_informations(request):
    """FEATURES B3 « Mes informations » (read-only): rights, caisse, OC, doctors, CEAM, bank…"""
    today = timezone.localdate()
    me = request.user.person
    children_ids = list(Person.objects.ayants_droit_of(me).values_list("pk", flat=True))
    people = list(
        Person.objects.filter(pk__in=[me.pk, *children_ids])
        .select_related("caisse")
        .prefetch_related(
            Prefetch(
                "treating_doctors",
                queryset=TreatingDoctor.objects.filter(ended_on__isnull=True).select_related(
                    "doctor"
                ),
                to_attr="current_doctors",
            ),
            Prefetch(
                "oc_contracts",
                queryset=ComplementaryContract.objects.in_force(today).select_related(
                    "organisation"
                ),
                to_attr="current_contracts",
            ),
            Prefetch(
                "ceams",
                queryset=Ceam.objects.filter(issued_on__lte=today, expires_on__gte=today),
                to_attr="valid_ceams",
            ),
            Prefetch(
                "vitale_cards",
                queryset=VitaleCard.objects.order_by("-issued_on"),
                to_attr="cards",
            ),
            "alds",
        )
        .order_by("birth_date")
    )
    person = next(p for p in people if p.pk == me.pk)
    children = [p for p in people if p.pk != me.pk]
    return render(
        request,
        "portal/mes_informations.html",
        {
            "person": person,
            "people": [person, *children],
            "children": children,
            "rights_open": person.rights_open(today),
            "bank_account": person.bank_accounts.filter(is_current=True).first(),
            "proxies": Proxy.objects.filter(
                person=person, start__lte=today, end__gte=today, revoked_at__isnull=True
            ),
            "today": today,
        },
    )


@require_GET
@never_cache
def healthz(request):
    """Database and broker status as JSON: 200 when all is well, 503 otherwise."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as error:  # any failure is reported, not raised
        checks["database"] = f"erreur : {error.__class__.__name__}"
    if celery_app.conf.task_always_eager:
        checks["broker"] = "ok (tâches exécutées immédiatement, sans broker)"
    else:
        try:
            with celery_app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            checks["broker"] = "ok"
        except Exception as error:
            checks["broker"] = f"erreur : {error.__class__.__name__}"
    healthy = all(value.startswith("ok") for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "erreur", **checks}, status=200 if healthy else 503
    )
