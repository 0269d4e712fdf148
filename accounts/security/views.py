"""Views of the account security pages. Thin: parse, authorise, call allauth or a service,
render (ARCHITECTURE « Layout »)."""

from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from allauth.account.internal.stagekit import clear_login, stash_login
from allauth.account.stages import LoginStageController
from allauth.account.views import BaseReauthenticateView
from allauth.core import ratelimit
from allauth.mfa.webauthn.internal import auth as webauthn_auth
from allauth.mfa.webauthn.views import AddWebAuthnView
from allauth.socialaccount.adapter import get_adapter as get_socialaccount_adapter
from allauth.socialaccount.providers.base import AuthProcess
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.generic.edit import FormView

from accounts.decorators import insured_required

from . import email_check, services
from .email_check import Outcome
from .forms import ContactPreferencesForm, EmailCheckForm, PhonesForm
from .notices import send_email_check_code
from .reauthentication import DEFAULT_NEXT
from .stages import EmailCheckStage
from .templatetags.security import FRANCECONNECT

HISTORY_PAGE_SIZE = 10
EMAIL_CHECK_FAILED_ACTION = "email_check_failed"

EXPIRED_LOGIN_MESSAGE = "Votre demande de connexion a expiré. Merci de vous identifier à nouveau."
OUTCOME_MESSAGES = {
    Outcome.EXPIRED: "Ce code a expiré. Demandez un nouveau code.",
    Outcome.EXHAUSTED: "Vous avez saisi trop de codes erronés. Demandez un nouveau code.",
    Outcome.NO_CODE: "Demandez un nouveau code.",
}


def _wrong_code_message(attempts_left):
    tries = "essai" if attempts_left == 1 else "essais"
    return f"Le code saisi est incorrect. Il vous reste {attempts_left} {tries}."


# --- A6 ---------------------------------------------------------------------------------------
@never_cache
def email_check_view(request):
    """FEATURES A6: the login is completed only once the 6-digit code sent by e-mail is typed.

    The pending login lives in allauth's login stage (session); the person is not logged in
    before the right code. A code serves once, for `EMAIL_CHECK_CODE_VALIDITY` seconds and
    `EMAIL_CHECK_MAX_ATTEMPTS` tries; « Recevoir un nouveau code » sends another one, at most
    `EMAIL_CHECK_MAX_CODES` per login.
    """
    stage = LoginStageController.enter(request, EmailCheckStage.key)
    if stage is None:
        if request.user.is_authenticated:
            return redirect(settings.LOGIN_REDIRECT_URL)
        messages.info(request, EXPIRED_LOGIN_MESSAGE)
        return redirect("account_login")
    user = stage.login.user
    check = email_check.CodeCheck(stage.state)
    form = EmailCheckForm()
    if request.method == "POST":
        if "resend" in request.POST:
            return _resend_code(request, stage, check)
        if "cancel" in request.POST:
            clear_login(request)
            return redirect("account_login")
        form = EmailCheckForm(request.POST)
        if form.is_valid():
            if not ratelimit.consume(
                request, action=EMAIL_CHECK_FAILED_ACTION, key=str(user.pk), dry_run=True
            ):
                clear_login(request)
                messages.error(
                    request,
                    "Trop de codes erronés pour ce compte. Pour votre sécurité, réessayez plus "
                    "tard.",
                )
                return redirect("account_login")
            could_try = check.status() is None
            outcome = check.verify(form.cleaned_data["code"])
            if outcome is Outcome.OK:
                response = stage.exit()
                email_check.trust_browser(request, response, user)
                return response
            stash_login(request, stage.login)
            if could_try:  # a real comparison failed (not a code already expired or used up)
                ratelimit.consume(request, action=EMAIL_CHECK_FAILED_ACTION, key=str(user.pk))
            if outcome is Outcome.WRONG:
                form.add_error("code", _wrong_code_message(check.attempts_left))
            else:
                form.add_error("code", OUTCOME_MESSAGES[outcome])
    blocked = check.status()
    return render(
        request,
        "account/security/email_check.html",
        {
            "form": form,
            "email": _masked_email(user.email),
            "blocked": blocked is not None,
            "blocked_message": OUTCOME_MESSAGES.get(blocked, "") if not form.errors else "",
            "can_request_new_code": check.can_request_new_code,
            "minutes": email_check.code_validity() // 60,
            "months": round(email_check.every_days() / 30.5),
        },
    )


def _resend_code(request, stage, check):
    if not check.can_request_new_code:
        clear_login(request)
        messages.error(
            request,
            "Vous avez demandé trop de codes. Pour votre sécurité, identifiez-vous à nouveau.",
        )
        return redirect("account_login")
    send_email_check_code(request, stage.login.user, check.issue())
    stash_login(request, stage.login)
    messages.success(request, "Un nouveau code vient de vous être envoyé par e-mail.")
    return redirect("security:email_check")


def _masked_email(email):
    """« c•••••@example.org »: enough to recognise one's address on a shared screen."""
    local, _, domain = (email or "").partition("@")
    if not domain:
        return ""
    return f"{local[:1]}{'•' * max(3, len(local) - 1)}@{domain}"


# --- Re-authentication with FranceConnect (A4) -----------------------------------------------
@method_decorator([never_cache, insured_required], name="dispatch")
class FranceConnectReauthenticateView(BaseReauthenticateView):
    """« Confirmer mon identité » with FranceConnect before a sensitive change: where allauth
    sends an account without a password (reauthentication.py). The button goes to
    FranceConnect, which asks the person to identify again (prompt=login, max_age=0); the
    callback checks it did and resumes the change. allauth's base view checks that the method
    is one of the account's, rate-limits, and lists the other methods."""

    form_class = forms.Form  # nothing to type: the button
    template_name = "socialaccount/reauthenticate.html"

    def form_valid(self, form):
        provider = get_socialaccount_adapter(self.request).get_provider(self.request, FRANCECONNECT)
        return provider.redirect(
            self.request,
            AuthProcess.LOGIN,
            next_url=self.get_next_url() or reverse(DEFAULT_NEXT),
            reauthenticate=True,
        )


reauthenticate_franceconnect = FranceConnectReauthenticateView.as_view()


# --- A11 --------------------------------------------------------------------------------------
@insured_required
@reauthentication_required
def phones(request):
    """FEATURES A11: « Téléphone portable » and « Téléphone fixe » (re-authentication first)."""
    form = PhonesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
        messages.success(request, "Vos numéros de téléphone ont été enregistrés.")
        return redirect("portal:mes_informations")
    return render(request, "account/security/phones.html", {"form": form})


@insured_required
@reauthentication_required
def contact_preferences(request):
    """FEATURES A11: « Autorisations de contact » by e-mail, SMS and phone."""
    form = ContactPreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
        messages.success(request, "Vos autorisations de contact ont été enregistrées.")
        return redirect("portal:mes_informations")
    return render(request, "account/security/contact.html", {"form": form})


# --- X2 ---------------------------------------------------------------------------------------
@insured_required
def history(request):
    """FEATURES X2 « Historique des accès à mon dossier »: my logins and agents' accesses."""
    logins = Paginator(services.login_history(request.user), HISTORY_PAGE_SIZE).get_page(
        request.GET.get("connexions")
    )
    accesses = Paginator(services.file_accesses(request.user.person), HISTORY_PAGE_SIZE).get_page(
        request.GET.get("consultations")
    )
    return render(
        request,
        "account/security/history.html",
        {"logins": logins, "accesses": accesses},
    )


# --- X3 ---------------------------------------------------------------------------------------
@insured_required
def devices(request):
    """FEATURES X3 « Mes appareils et sessions »: open sessions and passkeys."""
    return render(
        request,
        "account/security/devices.html",
        {
            "sessions": services.active_sessions(request),
            "passkeys": list(services.passkeys(request.user)),
        },
    )


@require_POST
@insured_required
def end_session(request, pk):
    """X3: end one of my other sessions. Someone else's session (or an unknown one) is a 404;
    the current session ends with « Déconnexion »."""
    row = services.own_session(request.user, pk)
    if row is None:
        raise Http404("Session inconnue.")
    if row.session_key == request.session.session_key:
        messages.info(request, "Pour fermer cette session, utilisez « Déconnexion ».")
        return redirect("security:devices")
    row.end()
    messages.success(request, "La session a été fermée : l'appareil est déconnecté.")
    return redirect("security:devices")


@require_POST
@insured_required
def end_other_sessions(request):
    """X3: end all my sessions but this one."""
    ended = 0
    for session in services.active_sessions(request):
        if not session.is_current:
            session.row.end()
            ended += 1
    if ended:
        messages.success(request, "Vos autres sessions ont été fermées.")
    else:
        messages.info(request, "Aucune autre session n'était ouverte.")
    return redirect("security:devices")


# --- A7 ---------------------------------------------------------------------------------------
@method_decorator(insured_required, name="dispatch")
class PasskeyAddView(AddWebAuthnView):
    """FEATURES A7 « Utiliser l'authentification biométrique pour me connecter »: register a
    passkey (allauth.mfa WebAuthn; re-authentication first), then back to X3."""

    def get_success_url(self):
        return reverse("security:devices")

    def get_context_data(self, **kwargs):
        # FormView's context, and the options of a resident key with user verification
        # (allauth's own add view asks for a non-resident key unless told « passwordless »).
        context = FormView.get_context_data(self, **kwargs)
        options = webauthn_auth.begin_registration(self.request.user, True)
        context["js_data"] = {"creation_options": options}
        return context


passkey_add = PasskeyAddView.as_view()
