"""« Mot de passe oublié ? » (FEATURES A8) and « J'ai un code provisoire » (A3, A9).

A8: NIR + date de naissance + captcha → « Recevoir le mail » → the same answer for every NIR
→ the e-mailed link (allauth's reset view, templates account/password_reset_from_key*.html,
form `NewPasswordFromKeyForm`) → « Valider le nouveau mot de passe » → confirmation screen.

A3: NIR + date de naissance + code provisoire. With an active account the code resets the
password (recovery); without one (or a closed or never-confirmed one) it creates the account,
unless it came from a « borne multiservices » (seed 001). The code is used up as soon as it
is accepted; the next step must follow within 30 minutes.
"""

from allauth.core import ratelimit
from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView

from assures.models import Person

from ..creation import services as creation
from ..creation.forms import NewPasswordForm
from ..creation.session import Run
from ..creation.views import OPENING_RUN, RUN_EXPIRED, AnonymousOnlyMixin
from ..enums import AccountState, CodeChannel, CodePurpose, CreationRoute
from ..models import User
from . import codes, services
from .forms import PasswordResetRequestForm, TemporaryCodeForm

RATE_RESET = "password_reset_request"
RATE_CODE = "temporary_code"
CODE_RECOVERY_RUN = "code_recovery"
RESET_SENT = "password_reset_sent"
PASSWORD_CHANGED = "password_changed"  # noqa: S105 - a session key

CODE_REFUSED = (
    "Les informations saisies ne permettent pas d'utiliser ce code provisoire. Vérifiez votre "
    "numéro de sécurité sociale, votre date de naissance et le code : il est valable 48 heures, "
    "ne sert qu'une fois et est bloqué après 5 essais erronés."
)
KIOSK_CODE_CANNOT_CREATE = (
    "Le code délivré par une borne multiservices ne permet pas de créer un compte. Demandez un "
    "code provisoire à l'accueil de votre caisse ou au 36 46, ou créez votre compte avec votre "
    "carte Vitale et votre IBAN."
)
TOO_MANY_REQUESTS = (
    "Trop de demandes. Pour votre sécurité, réessayez dans une heure ou contactez votre caisse "
    "au 36 46."
)


@method_decorator(never_cache, name="dispatch")
class PasswordResetRequestView(AnonymousOnlyMixin, FormView):
    """A8 « Mot de passe oublié ? »: the same answer whether or not the NIR has an account."""

    form_class = PasswordResetRequestForm
    template_name = "account/recovery/password_reset.html"

    def form_valid(self, form):
        nir = form.cleaned_data["nir"]
        if not ratelimit.consume(self.request, action=RATE_RESET, key=nir):
            form.add_error(None, TOO_MANY_REQUESTS)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        services.request_password_reset(
            self.request, nir=nir, birth_date=form.cleaned_data["birth_date"]
        )
        self.request.session[RESET_SENT] = True
        return redirect("accounts:password_reset_sent")


@method_decorator(never_cache, name="dispatch")
class PasswordResetSentView(TemplateView):
    template_name = "account/recovery/password_reset_sent.html"

    def get(self, request, *args, **kwargs):
        if not request.session.get(RESET_SENT):
            return redirect("accounts:password_reset")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "minutes": services.reset_link_minutes()}


@method_decorator(never_cache, name="dispatch")
class TemporaryCodeView(AnonymousOnlyMixin, FormView):
    """A3 « J'ai un code provisoire »: NIR + date de naissance + the 4 digits."""

    form_class = TemporaryCodeForm
    template_name = "account/recovery/code.html"

    def refuse(self, form, message):
        form.add_error(None, message)
        return self.form_invalid(form)

    def form_valid(self, form):
        data = form.cleaned_data
        if not ratelimit.consume(self.request, action=RATE_CODE, key=data["nir"]):
            form.add_error(None, TOO_MANY_REQUESTS)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        person = Person.objects.filter(nir=data["nir"], birth_date=data["birth_date"]).first()
        row = codes.check_code(person, data["code"]) if person else None
        if row is None:
            return self.refuse(form, CODE_REFUSED)
        user = creation.account_of(person)
        state = AccountState.NONE if user is None else user.state
        if state == AccountState.DISABLED:
            return self.refuse(form, creation.DISABLED)
        purpose = CodePurpose.RECOVERY if state == AccountState.ACTIVE else CodePurpose.CREATION
        if purpose == CodePurpose.CREATION and row.channel == CodeChannel.KIOSK:
            return self.refuse(form, KIOSK_CODE_CANNOT_CREATE)
        if not codes.consume_code(row, purpose):  # used by a concurrent request
            return self.refuse(form, CODE_REFUSED)
        if purpose == CodePurpose.RECOVERY:
            Run(self.request, CODE_RECOVERY_RUN).start(person, user=user.pk)
            return redirect("accounts:code_provisoire_password")
        Run(self.request, OPENING_RUN).start(person, route=CreationRoute.TEMPORARY_CODE)
        return redirect("accounts:create_credentials")


@method_decorator(never_cache, name="dispatch")
class TemporaryCodePasswordView(AnonymousOnlyMixin, FormView):
    """A3 recovery: « Valider le nouveau mot de passe » after an accepted code provisoire."""

    form_class = NewPasswordForm
    template_name = "account/recovery/code_password.html"

    def dispatch(self, request, *args, **kwargs):
        self.run = Run(request, CODE_RECOVERY_RUN)
        person = self.run.person()
        self.user = (
            User.objects.filter(pk=self.run.get("user"), person=person, is_active=True)
            .select_related("person")
            .first()
            if person
            else None
        )
        if self.user is None:
            self.run.clear()
            if request.session.get(PASSWORD_CHANGED):
                return redirect("accounts:password_changed")
            messages.warning(request, RUN_EXPIRED)
            return redirect("accounts:code_provisoire")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.user}

    def form_valid(self, form):
        services.set_new_password(self.user, form.cleaned_data["password1"])
        self.run.clear()
        self.request.session[PASSWORD_CHANGED] = timezone.now().isoformat()
        return redirect("accounts:password_changed")


@method_decorator(never_cache, name="dispatch")
class PasswordChangedView(TemplateView):
    """The confirmation screen after a new password (A3 recovery; A8 has allauth's)."""

    template_name = "account/password_reset_from_key_done.html"
