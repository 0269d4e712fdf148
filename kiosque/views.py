"""The simulator's two pages: the payment page (amount + « Payer » / « Refuser » / « Annuler »)
and the decision, which sends the browser back to the merchant with a signed result."""

import time
from urllib.parse import urlencode, urlsplit

from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from . import signing
from .models import Outcome, Transaction

ACTIONS = {"payer": Outcome.ACCEPTED, "refuser": Outcome.REFUSED, "annuler": Outcome.CANCELLED}


def _bad_request(request, reason):
    return render(request, "kiosque/erreur.html", {"reason": reason}, status=400)


def signed_return_url(tx):
    values = {
        "reference": tx.reference,
        "transaction": tx.transaction_id,
        "amount": str(tx.amount_cents),
        "status": tx.outcome,
        "timestamp": str(int(time.time())),
    }
    values["signature"] = signing.sign(signing.RETURN_FIELDS, values)
    separator = "&" if urlsplit(tx.return_url).query else "?"
    return f"{tx.return_url}{separator}{urlencode(values)}"


@require_GET
def payment_page(request):
    try:
        values = {name: request.GET[name] for name in signing.REQUEST_FIELDS}
        signature = request.GET["signature"]
        amount_cents = int(values["amount"])
        timestamp = int(values["timestamp"])
    except (KeyError, ValueError):
        return _bad_request(request, "La demande de paiement est incomplète.")
    if not signing.valid(signing.REQUEST_FIELDS, values, signature):
        return _bad_request(request, "La signature de la demande de paiement est invalide.")
    if abs(time.time() - timestamp) > signing.REQUEST_MAX_AGE:
        return _bad_request(request, "La demande de paiement a expiré.")
    if amount_cents <= 0 or values["currency"] != "EUR":
        return _bad_request(request, "Le montant de la demande de paiement est invalide.")
    if urlsplit(values["return_url"]).scheme not in ("http", "https"):
        return _bad_request(request, "L'adresse de retour est invalide.")
    lookup = {"merchant": values["merchant"], "reference": values["reference"]}
    try:
        with transaction.atomic():
            tx, _ = Transaction.objects.get_or_create(
                **lookup,
                defaults={
                    "amount_cents": amount_cents,
                    "currency": values["currency"],
                    "return_url": values["return_url"],
                },
            )
    except IntegrityError:  # the same request twice at once: one transaction
        tx = Transaction.objects.get(**lookup)
    if tx.amount_cents != amount_cents or tx.return_url != values["return_url"]:
        return _bad_request(request, "Cette référence a déjà été présentée avec un autre montant.")
    if tx.outcome != Outcome.PENDING:
        return redirect(signed_return_url(tx))  # already decided: same answer again
    return render(request, "kiosque/paiement.html", {"tx": tx})


@require_POST
def decide(request, transaction_id):
    outcome = ACTIONS.get(request.POST.get("action", ""))
    if outcome is None:
        return _bad_request(request, "Action inconnue.")
    with transaction.atomic():
        tx = get_object_or_404(
            Transaction.objects.select_for_update(), transaction_id=transaction_id
        )
        if tx.outcome == Outcome.PENDING:  # a second click keeps the first choice
            tx.outcome = outcome
            tx.decided_at = timezone.now()
            tx.save(update_fields=["outcome", "decided_at"])
    return redirect(signed_return_url(tx))
