"""« Créer mon compte »: the choice of route, A1 (4 steps + e-mail link) and A2 (immediate).

Views stay thin (ARCHITECTURE): parse the form, throttle, ask `services`, move to the next
step. One URL per step; each step re-checks the run (person still without an active account,
run younger than 30 minutes, earlier steps done) before showing anything.
"""

from allauth.account.utils import perform_login
from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView

from ..enums import CreationRoute
from ..models import User
from . import services
from .fields import mask_email
from .forms import (
    ContactForm,
    IdentityForm,
    ImmediateIdentityForm,
    NewPasswordForm,
    OpenAccountForm,
    TermsForm,
)
from .session import Run

A1_RUN = "account_creation"
A1_SENT = "account_creation_sent"
OPENING_RUN = "account_opening"  # A2 and A3: the account opens at the end of the run
RATE_A1 = "account_creation"
RATE_A2 = "account_creation_immediate"

RUN_EXPIRED = (
    "Votre demande a expiré ou a déjà été traitée : pour votre sécurité, recommencez depuis "
    "le début."
)
NOT_SAVED = "Votre demande n'a pas pu être enregistrée. Réessayez dans quelques instants."

A1_STEPS = [
    ("accounts:create_identity", "Je m'identifie"),
    ("accounts:create_terms", "J'accepte les conditions d'utilisation"),
    ("accounts:create_password", "Je crée mon mot de passe"),
    ("accounts:create_contact", "Mes informations de contact"),
]


def transient_user(person):
    """An unsaved account for `person`, for password rules that need the NIR and birth date."""
    return User(person=person, username=person.nir)


def match_registry(view, form, rate_action, find_person):
    """A1/A2: the rate-limited registry match shared by both creation routes.

    Returns (person, None), or (None, response) with one generic French error that never says
    which part of the identity was wrong, or the 429 page once the attempts are used up.
    """
    if not ratelimit.consume(view.request, action=rate_action, key=form.cleaned_data["nir"]):
        form.add_error(None, services.TOO_MANY_ATTEMPTS)
        return None, view.render_to_response(view.get_context_data(form=form), status=429)
    person = find_person()
    if person is None:
        form.add_error(None, services.IDENTITY_MISMATCH)
        return None, view.form_invalid(form)
    try:
        services.check_can_create(services.account_of(person))
    except services.CreationError as error:
        form.add_error(None, error.message)
        return None, view.form_invalid(form)
    return person, None


class AnonymousOnlyMixin:
    """A person already logged in has an account: creating one makes no sense."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("portal:home")
        return super().dispatch(request, *args, **kwargs)


@method_decorator(never_cache, name="dispatch")
class CreationStartView(AnonymousOnlyMixin, TemplateView):
    """« Créer mon compte »: the ways to create it (A2 immediate, A1 by e-mail, A3 code)."""

    template_name = "account/creation/start.html"


# --- A1 ---------------------------------------------------------------------------------------
@method_decorator(never_cache, name="dispatch")
class A1StepView(AnonymousOnlyMixin, FormView):
    """One step of A1 (FEATURES A1, seed 002). `requires`: session values of earlier steps."""

    step = 1
    requires: tuple[str, ...] = ()
    form_class = None

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("portal:home")
        self.run = Run(request, A1_RUN)
        self.person = None
        if self.step > 1:
            self.person = self.run.person()
            if self.person is None:
                if request.session.get(A1_SENT):  # the last step was already submitted
                    return redirect("accounts:create_email_sent")
                messages.warning(request, RUN_EXPIRED)
                return redirect("accounts:create_identity")
            try:
                services.check_can_create(services.account_of(self.person))
            except services.CreationError as error:
                self.run.clear()
                messages.error(request, error.message)
                return redirect("accounts:create_identity")
            for index, name in enumerate(self.requires, start=2):
                if name not in self.run.data:
                    return redirect(A1_STEPS[index - 1][0])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            {
                "steps": [label for _, label in A1_STEPS],
                "step": self.step,
                "step_label": A1_STEPS[self.step - 1][1],
                "total_steps": len(A1_STEPS),
                "back_url": reverse(A1_STEPS[self.step - 2][0]) if self.step > 1 else None,
                "person": self.person,
            }
        )
        return ctx

    def next_step(self):
        return redirect(A1_STEPS[self.step][0])


class IdentityView(A1StepView):
    """A1 step 1: nom, NIR, date de naissance, code postal must match the registry."""

    step = 1
    form_class = IdentityForm
    template_name = "account/creation/identity.html"

    def form_valid(self, form):
        data = form.cleaned_data
        person, refusal = match_registry(
            self,
            form,
            RATE_A1,
            lambda: services.match_identity(
                last_name=data["last_name"],
                nir=data["nir"],
                birth_date=data["birth_date"],
                postal_code=data["postal_code"],
            ),
        )
        if refusal:
            return refusal
        self.request.session.pop(A1_SENT, None)
        self.run.start(person)
        return self.next_step()


class TermsView(A1StepView):
    """A1 step 2: accepting the conditions (no more paper mail: paperless_since)."""

    step = 2
    form_class = TermsForm
    template_name = "account/creation/terms.html"

    def form_valid(self, form):
        self.run.update(terms_at=timezone.now().isoformat())
        return self.next_step()


class PasswordView(A1StepView):
    """A1 step 3: the password, twice; only its hash is kept in the session."""

    step = 3
    requires = ("terms_at",)
    form_class = NewPasswordForm
    template_name = "account/creation/password.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": transient_user(self.person)}

    def form_valid(self, form):
        self.run.update(password_hash=make_password(form.cleaned_data["password1"]))
        return self.next_step()


class ContactView(A1StepView):
    """A1 step 4: e-mail (1 e-mail = 1 compte), phones, contact preferences; then the
    inactive account is created and the confirmation e-mail (link valid 7 days) sent."""

    step = 4
    requires = ("terms_at", "password_hash")
    form_class = ContactForm
    template_name = "account/creation/contact.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "person": self.person}

    def form_valid(self, form):
        data = form.cleaned_data
        contact = services.ContactData(
            email=data["email"],
            mobile_phone=data["mobile_phone"] or "",
            landline_phone=data["landline_phone"] or "",
            contact_by_email=data["contact_by_email"],
            contact_by_sms=data["contact_by_sms"],
            contact_by_phone=data["contact_by_phone"],
        )
        try:
            user, _sent = services.create_pending_account(
                self.person,
                password_hash=self.run.get("password_hash"),
                contact=contact,
                terms_accepted_at=self.run.get_datetime("terms_at"),
                run_started_at=self.run.started,
            )
        except services.CreationError as error:
            form.add_error(error.field, error.message)
            return self.form_invalid(form)
        except IntegrityError:  # a concurrent request took the e-mail or the person
            form.add_error(None, NOT_SAVED)
            return self.form_invalid(form)
        self.run.clear()
        self.request.session[A1_SENT] = mask_email(user.email)
        return redirect("accounts:create_email_sent")


@method_decorator(never_cache, name="dispatch")
class EmailSentView(TemplateView):
    """A1 step 5 « Je valide mon compte »: the e-mail is on its way (link valid 7 days)."""

    template_name = "account/creation/email_sent.html"

    def get(self, request, *args, **kwargs):
        if not request.session.get(A1_SENT):
            return redirect("accounts:create")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "masked_email": self.request.session.get(A1_SENT),
            "validity_days": services.ACTIVATION_LINK_VALIDITY.days,
        }


@method_decorator(never_cache, name="dispatch")
class ActivationView(View):
    """The link of the confirmation e-mail: a page with one button (GET changes nothing, so
    that mail scanners following links do not open accounts), the POST opens the account."""

    template_name = "account/creation/activate.html"
    error_template_name = "account/creation/activation_error.html"

    def get(self, request, token):
        try:
            user = services.read_activation_token(token)
        except services.ActivationLinkError as error:
            return self.error(request, error)
        return render(request, self.template_name, {"first_name": user.first_name})

    def post(self, request, token):
        try:
            services.activate_account(token)
        except services.ActivationLinkError as error:
            return self.error(request, error)
        messages.success(
            request,
            "Votre compte est activé. Connectez-vous avec votre numéro de sécurité sociale et "
            "le mot de passe que vous avez choisi.",
        )
        return redirect("account_login")

    def error(self, request, error):
        status = 200 if error.kind == "used" else 410 if error.kind == "expired" else 404
        return render(
            request,
            self.error_template_name,
            {"kind": error.kind, "validity_days": services.ACTIVATION_LINK_VALIDITY.days},
            status=status,
        )


# --- A2 (and A3's creation, which ends like it) ------------------------------------------------
@method_decorator(never_cache, name="dispatch")
class ImmediateIdentityView(AnonymousOnlyMixin, FormView):
    """A2 « Créer immédiatement mon compte »: NIR, date de naissance, numéro de série de la
    carte Vitale and the last 4 characters of the IBAN must all match."""

    form_class = ImmediateIdentityForm
    template_name = "account/creation/immediate.html"

    def form_valid(self, form):
        data = form.cleaned_data
        person, refusal = match_registry(
            self,
            form,
            RATE_A2,
            lambda: services.match_vitale_and_iban(
                nir=data["nir"],
                birth_date=data["birth_date"],
                vitale_serial=data["vitale_serial"],
                iban_end=data["iban_end"],
            ),
        )
        if refusal:
            return refusal
        Run(self.request, OPENING_RUN).start(person, route=CreationRoute.IMMEDIATE)
        return redirect("accounts:create_credentials")


@method_decorator(never_cache, name="dispatch")
class CredentialsView(FormView):
    """A2/A3 « Mes identifiants »: conditions, e-mail, password → the account is created
    and the person is logged in at once (« Accueil »)."""

    form_class = OpenAccountForm
    template_name = "account/creation/credentials.html"
    restart_urls = {
        CreationRoute.IMMEDIATE: "accounts:create_immediate",
        CreationRoute.TEMPORARY_CODE: "accounts:code_provisoire",
    }

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:  # e.g. the same form submitted twice
            return redirect("portal:home")
        self.run = Run(request, OPENING_RUN)
        self.route = self.run.get("route", CreationRoute.IMMEDIATE)
        self.person = self.run.person()
        restart = self.restart_urls.get(self.route, "accounts:create")
        if self.person is None:
            messages.warning(request, RUN_EXPIRED)
            return redirect(restart)
        try:
            services.check_can_create(services.account_of(self.person))
        except services.CreationError as error:
            self.run.clear()
            messages.error(request, error.message)
            return redirect(restart)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "person": self.person,
            "user": transient_user(self.person),
        }

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "person": self.person, "route": self.route}

    def form_valid(self, form):
        try:
            user, _created = services.open_account_now(
                self.person,
                password=form.cleaned_data["password1"],
                email=form.cleaned_data["email"],
                terms_accepted_at=timezone.now(),
                route=self.route,
                run_started_at=self.run.started,
            )
        except services.CreationError as error:
            form.add_error(error.field, error.message)
            return self.form_invalid(form)
        except IntegrityError:
            form.add_error(None, NOT_SAVED)
            return self.form_invalid(form)
        self.run.clear()
        messages.success(self.request, "Votre compte est créé. Bienvenue dans votre espace !")
        return perform_login(
            self.request, user, email_verification="none", redirect_url=reverse("portal:home")
        )


INACTIVE_STATE = "inactive_account_state"


@never_cache
def account_inactive(request):
    """Right password, but the account cannot be used (allauth's « account inactive » step,
    accounts/adapter.py): waiting for the A1 e-mail link, closed (A12), or disabled."""
    state = request.session.pop(INACTIVE_STATE, None)
    if state is None:  # only right after a login with the right password
        return redirect("account_login")
    return render(
        request,
        "account/account_inactive.html",
        {"state": state, "validity_days": services.ACTIVATION_LINK_VALIDITY.days},
    )
