"""« Application d'authentification »: an agent activates or deactivates their TOTP (/agents/).

Activation shows a QR code (inline SVG) and the secret in text, both for a secret kept in the
session until a first code from the app confirms it. Deactivation asks for a current code,
counted like a login attempt (`login_failed` limits). Both are audited (`assures/agent_mfa.py`).
These pages stay reachable when `AGENTS_MFA_REQUIRED` holds the agent back from the others.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views import View

from . import agent_mfa
from .admin_login import ThrottledTOTPCodeForm, TOTPCodeForm, second_factor_redirect

TITLE = "Application d'authentification"
ENROLL_MISMATCH = (
    "Ce code ne correspond pas. Vérifiez que l'application a bien enregistré le code QR (ou la "
    "clé) de cette page et que l'heure de votre téléphone est juste, puis saisissez le code "
    "qu'elle affiche en ce moment."
)
ACTIVATED = (
    "L'application d'authentification est activée : son code vous sera demandé à chaque "
    "connexion, après votre mot de passe."
)
ALREADY_ACTIVE = "L'application d'authentification est déjà activée."
DEACTIVATED = "L'application d'authentification est désactivée."
DEACTIVATED_REQUIRED = (
    "L'application d'authentification est désactivée. La double authentification est "
    "obligatoire : activez-en une pour continuer."
)


class ActivateTOTPForm(TOTPCodeForm):
    """The first code of the app, proving it holds the secret shown on the page."""

    def __init__(self, *args, secret="", **kwargs):
        super().__init__(*args, **kwargs)
        self.secret = secret

    def clean_code(self):
        code = super().clean_code()
        if not agent_mfa.code_fits_secret(self.secret, code):
            raise ValidationError(ENROLL_MISMATCH, code="wrong")
        return code


class AgentTOTPView(View):
    """The page: status and deactivation when active, enrolment otherwise (POST activates)."""

    admin_site = None
    template_name = "admin/agent_totp.html"

    def dispatch(self, request, *args, **kwargs):
        request.current_app = self.admin_site.name
        redirect = second_factor_redirect(request, self.admin_site.name, enrolling=True)
        if redirect is not None:
            return redirect
        self.authenticator = agent_mfa.agent_totp(request.user)
        return super().dispatch(request, *args, **kwargs)

    # --- helpers -------------------------------------------------------------------------------
    def page_url(self):
        return reverse("admin:agent_totp", current_app=self.admin_site.name)

    def next_url(self) -> str:
        url = self.request.POST.get(REDIRECT_FIELD_NAME, self.request.GET.get(REDIRECT_FIELD_NAME))
        if url and url_has_allowed_host_and_scheme(
            url, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return url
        return ""

    def deactivate_form(self, data=None):
        return ThrottledTOTPCodeForm(
            data,
            request=self.request,
            user=self.request.user,
            authenticator=self.authenticator,
        )

    def render(self, **context):
        request = self.request
        required = agent_mfa.mfa_required()
        context = {
            **self.admin_site.each_context(request),
            "title": TITLE,
            "authenticator": self.authenticator,
            "required": required,
            "enrollment_pending": required and not agent_mfa.session_verified(request),
            "next": self.next_url(),
            **context,
        }
        if self.authenticator is None:
            secret = agent_mfa.enrollment_secret(request)
            url = agent_mfa.otpauth_url(request.user, secret)
            context.update(
                secret=agent_mfa.grouped_secret(secret),
                qr_svg=mark_safe(agent_mfa.qr_code_svg(url)),  # noqa: S308 (segno's own SVG)
                account_label=agent_mfa.account_label(request.user),
            )
        return TemplateResponse(request, self.template_name, context)

    # --- verbs ---------------------------------------------------------------------------------
    def get(self, request, *args, **kwargs):
        if self.authenticator is not None:
            return self.render(deactivate_form=self.deactivate_form())
        return self.render(activate_form=ActivateTOTPForm())

    def post(self, request, *args, **kwargs):
        if self.authenticator is not None:
            messages.info(request, ALREADY_ACTIVE)
            return HttpResponseRedirect(self.page_url())
        secret = agent_mfa.enrollment_secret(request)
        form = ActivateTOTPForm(request.POST, secret=secret)
        if not form.is_valid():
            return self.render(activate_form=form)
        if agent_mfa.activate(request, secret, form.cleaned_data["code"]) is None:
            messages.info(request, ALREADY_ACTIVE)
            return HttpResponseRedirect(self.page_url())
        messages.success(request, ACTIVATED)
        return HttpResponseRedirect(self.next_url() or self.page_url())


class AgentTOTPDeactivateView(AgentTOTPView):
    """POST a current code to deactivate (the form is on the page above)."""

    def get(self, request, *args, **kwargs):
        return HttpResponseRedirect(self.page_url())

    def post(self, request, *args, **kwargs):
        if self.authenticator is None:
            return HttpResponseRedirect(self.page_url())
        form = self.deactivate_form(request.POST)
        if not form.is_valid():
            return self.render(deactivate_form=form)
        agent_mfa.deactivate(request, self.authenticator)
        messages.success(request, DEACTIVATED_REQUIRED if agent_mfa.mfa_required() else DEACTIVATED)
        return HttpResponseRedirect(self.page_url())
