"""The agents' login at /agents/ (H1): throttled password, then the authenticator app's code.

ARCHITECTURE decision 9 asks for rate limits on every login; Django's admin has none. The
password form reuses allauth's `login_failed` limits (per IP and per username,
ACCOUNT_RATE_LIMITS), counts only failures, and refuses further attempts with a French message
once the limit is reached.

Decision 1 wants MFA for agents: an agent who activated an authenticator app (TOTP,
`assures/agent_mfa.py`) is not logged in by the right password. The password step only leaves
a *pending* login in the session (server side: who, where to go next, when), and the second
step, « Code de l'application d'authentification », logs the agent in once the code is right.
The pending step expires after `PENDING_TIMEOUT`; wrong codes count against the same
`login_failed` limits as wrong passwords; a code is accepted once.

`AgentAdminSite` wires this into the admin (`assures/admin.py` turns `admin.site` into one, as
django-otp does for its OTPAdminSite) and applies `AGENTS_MFA_REQUIRED` to every admin page:
with the setting on, a session that has not passed a code only reaches the enrolment page
(`assures/agent_mfa_views.py`) and the logout.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

from allauth.core import ratelimit
from allauth.mfa.base.internal.flows import post_authentication
from allauth.mfa.models import Authenticator
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME, get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.views import LoginView, redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.crypto import constant_time_compare
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView

from . import agent_mfa

TOO_MANY_ATTEMPTS = (
    "Trop de tentatives de connexion. Pour votre sécurité, réessayez dans quelques minutes."
)
PENDING_SESSION_KEY = "agents_mfa_pending"
PENDING_TIMEOUT = 5 * 60  # seconds between the password and the code
PENDING_EXPIRED = (
    "Le délai pour saisir le code de l'application d'authentification est dépassé. "
    "Saisissez à nouveau votre identifiant et votre mot de passe."
)
RELOGIN_REQUIRED = (
    "Votre compte est protégé par une application d'authentification : reconnectez-vous avec "
    "votre mot de passe puis le code de l'application."
)
# Views the AGENTS_MFA_REQUIRED gate lets through (the enrolment pages, the logout).
MFA_EXEMPT = "agents_mfa_exempt"


# --- throttling (shared by the password and the code) ------------------------------------------
def throttle_key(username) -> str:
    return (username or "").strip().lower()


def is_throttled(request, key: str) -> bool:
    return not ratelimit.consume(request, action="login_failed", key=key, dry_run=True)


def count_failure(request, key: str) -> None:
    ratelimit.consume(request, action="login_failed", key=key)


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    def clean(self):
        key = throttle_key(self.cleaned_data.get("username"))
        if is_throttled(self.request, key):
            raise ValidationError(TOO_MANY_ATTEMPTS, code="too_many_attempts")
        try:
            return super().clean()
        except ValidationError:
            count_failure(self.request, key)
            raise


# --- the code field ------------------------------------------------------------------------------
class TOTPCodeForm(forms.Form):
    """« Code de l'application d'authentification »: 6 digits, spaces tolerated."""

    code = forms.CharField(
        label=agent_mfa.CODE_LABEL,
        help_text=agent_mfa.CODE_HELP,
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autocapitalize": "none",
                "spellcheck": "false",
                "size": 10,
            }
        ),
        error_messages={"required": "Saisissez le code à 6 chiffres de l'application."},
    )

    def clean_code(self):
        code = agent_mfa.normalize_code(self.cleaned_data["code"])
        if not re.fullmatch(r"\d{6}", code):
            raise ValidationError(agent_mfa.CODE_FORMAT_ERROR, code="format")
        return code


class ThrottledTOTPCodeForm(TOTPCodeForm):
    """A current code of `authenticator`; failures count like wrong passwords."""

    def __init__(self, *args, request, user, authenticator, autofocus=False, **kwargs):
        super().__init__(*args, **kwargs)
        if autofocus:  # the login step has nothing else to read or fill
            self.fields["code"].widget.attrs["autofocus"] = True
        self.request = request
        self.user = user
        self.authenticator = authenticator

    def clean_code(self):
        code = super().clean_code()
        key = throttle_key(self.user.get_username())
        if is_throttled(self.request, key):
            raise ValidationError(TOO_MANY_ATTEMPTS, code="too_many_attempts")
        result = agent_mfa.check_code(self.authenticator, code)
        if result is agent_mfa.CodeCheck.OK:
            return code
        count_failure(self.request, key)
        if result is agent_mfa.CodeCheck.REPLAYED:
            raise ValidationError(agent_mfa.REPLAYED_CODE, code="replayed")
        raise ValidationError(agent_mfa.WRONG_CODE, code="wrong")


# --- the pending login (between the password and the code) --------------------------------------
@dataclass
class PendingLogin:
    user: object
    backend: str
    next: str
    authenticator: Authenticator


def start_pending_login(request, user, redirect_to: str) -> None:
    request.session[PENDING_SESSION_KEY] = {
        "user": user.pk,
        "backend": user.backend,
        "hash": user.get_session_auth_hash(),  # a password changed meanwhile voids it
        "next": redirect_to,
        "at": time.time(),
    }


def clear_pending_login(request) -> None:
    request.session.pop(PENDING_SESSION_KEY, None)


def pending_login(request) -> tuple[PendingLogin | None, bool]:
    """(the pending login, None if there is none or it is void; whether it just expired)."""
    data = request.session.get(PENDING_SESSION_KEY)
    if not isinstance(data, dict):
        return None, False
    if time.time() - data.get("at", 0) > PENDING_TIMEOUT:
        clear_pending_login(request)
        return None, True
    user = (
        get_user_model().objects.filter(pk=data.get("user"), is_active=True, is_staff=True).first()
    )
    authenticator = agent_mfa.agent_totp(user)
    if (
        user is None
        or authenticator is None
        or data.get("backend") not in settings.AUTHENTICATION_BACKENDS
        or not constant_time_compare(data.get("hash", ""), user.get_session_auth_hash())
    ):
        clear_pending_login(request)
        return None, False
    next_url = data.get("next") or reverse("admin:index")
    return PendingLogin(user, data["backend"], next_url, authenticator), False


# --- views ----------------------------------------------------------------------------------------
def enrollment_url(site_name: str, next_url: str = "") -> str:
    url = reverse("admin:agent_totp", current_app=site_name)
    return f"{url}?{urlencode({REDIRECT_FIELD_NAME: next_url})}" if next_url else url


class AgentLoginView(LoginView):
    """Django's admin login; with an authenticator app, the password only opens step two."""

    def form_valid(self, form):
        user = form.get_user()
        site_name = self.request.current_app
        if agent_mfa.agent_totp(user) is not None:
            index = reverse("admin:index", current_app=site_name)
            start_pending_login(self.request, user, self.get_redirect_url() or index)
            return HttpResponseRedirect(reverse("admin:login_code", current_app=site_name))
        response = super().form_valid(form)  # logged in with the password alone, as before
        if agent_mfa.mfa_required():
            return HttpResponseRedirect(enrollment_url(site_name, response.url))
        return response


@method_decorator([sensitive_post_parameters(), csrf_protect, never_cache], name="dispatch")
class AgentLoginCodeView(FormView):
    """Step two: « Code de l'application d'authentification »."""

    admin_site = None
    form_class = ThrottledTOTPCodeForm
    template_name = "admin/agent_login_code.html"

    def dispatch(self, request, *args, **kwargs):
        request.current_app = self.admin_site.name
        self.pending, expired = pending_login(request)
        if self.pending is None:
            if expired:
                messages.error(request, PENDING_EXPIRED)
            return HttpResponseRedirect(reverse("admin:login", current_app=self.admin_site.name))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "request": self.request,
            "user": self.pending.user,
            "authenticator": self.pending.authenticator,
            "autofocus": True,
        }

    def form_valid(self, form):
        request, pending = self.request, self.pending
        clear_pending_login(request)
        auth_login(request, pending.user, backend=pending.backend)  # new session key
        agent_mfa.mark_session_verified(request, pending.authenticator)
        post_authentication(request, pending.authenticator)  # last use, allauth's records
        return HttpResponseRedirect(pending.next)

    def get_context_data(self, **kwargs):
        return {
            **self.admin_site.each_context(self.request),
            "title": "Double authentification",
            "app_path": self.request.get_full_path(),
            "username": self.pending.user.get_username(),
            **super().get_context_data(**kwargs),
        }


# --- the admin site -------------------------------------------------------------------------------
def mfa_exempt(view):
    setattr(view, MFA_EXEMPT, True)
    return view


class AgentAdminSite(admin.AdminSite):
    """The agents' admin: two-step login and the AGENTS_MFA_REQUIRED gate on every page.

    Only methods (no state): `assures/admin.py` switches the class of `admin.site`, so every
    ModelAdmin already registered on it keeps working.
    """

    login_form = ThrottledAdminAuthenticationForm

    def get_urls(self):
        from .agent_mfa_views import AgentTOTPDeactivateView, AgentTOTPView

        totp = mfa_exempt(AgentTOTPView.as_view(admin_site=self))
        deactivate = mfa_exempt(AgentTOTPDeactivateView.as_view(admin_site=self))
        return [
            path("login/code/", AgentLoginCodeView.as_view(admin_site=self), name="login_code"),
            path("application-authentification/", self.admin_view(totp), name="agent_totp"),
            path(
                "application-authentification/desactiver/",
                self.admin_view(deactivate),
                name="agent_totp_deactivate",
            ),
            *super().get_urls(),
        ]

    def login(self, request, extra_context=None):
        """Django's AdminSite.login with `AgentLoginView` (and a cancelled step two forgotten)."""
        if request.method == "GET":
            clear_pending_login(request)
            if self.has_permission(request):
                return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        context = {
            **self.each_context(request),
            "title": _("Log in"),
            "subtitle": None,
            "app_path": request.get_full_path(),
            "username": request.user.get_username(),
        }
        if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
            context[REDIRECT_FIELD_NAME] = reverse("admin:index", current_app=self.name)
        context.update(extra_context or {})
        request.current_app = self.name
        return AgentLoginView.as_view(
            extra_context=context,
            authentication_form=self.login_form or AdminAuthenticationForm,
            template_name=self.login_template or "admin/login.html",
        )(request)

    @mfa_exempt
    def logout(self, request, extra_context=None):
        return super().logout(request, extra_context)

    def admin_view(self, view, cacheable=False):
        if not getattr(view, MFA_EXEMPT, False):
            view = self._second_factor_gate(view)
        return super().admin_view(view, cacheable)

    def _second_factor_gate(self, view):
        @wraps(view)
        def gated(request, *args, **kwargs):
            return second_factor_redirect(request, self.name) or view(request, *args, **kwargs)

        return gated


def second_factor_redirect(request, site_name: str, *, enrolling: bool = False):
    """AGENTS_MFA_REQUIRED on an admin page: None to go on, or where to send the agent.

    A session that passed a code (or enrolled) goes on without a query. Otherwise an agent
    without an authenticator app is sent to the enrolment page (unless already there), and an
    agent who has one but whose session never passed its code (opened before the app was
    activated) is logged out and asked to log in again.
    """
    if not agent_mfa.mfa_required() or agent_mfa.session_verified(request):
        return None
    if agent_mfa.agent_totp(request.user) is not None:
        auth_logout(request)
        messages.info(request, RELOGIN_REQUIRED)
        return redirect_to_login(
            request.get_full_path(), reverse("admin:login", current_app=site_name)
        )
    if enrolling:
        return None
    return HttpResponseRedirect(enrollment_url(site_name, request.get_full_path()))
