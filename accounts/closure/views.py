"""« Résilier mon compte ameli » (FEATURES A12), from « Mes informations » → « Paramètres de
compte »."""

from allauth.account.decorators import reauthentication_required
from allauth.core import ratelimit
from django.contrib.auth import logout
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import FormView

from ..decorators import insured_required
from .forms import CloseAccountForm
from .services import close_account

RATE_CLOSE = "account_closure"
CLOSED_SESSION_KEY = "account_closed"
TOO_MANY = "Trop de tentatives. Pour votre sécurité, réessayez dans quelques minutes."


def _without_password(request):
    return request.user.is_authenticated and not request.user.has_usable_password()


# Without a password (FranceConnect, A4), the identity is confirmed through FranceConnect first
# (accounts/security/reauthentication.py); with one, the form asks for it.
@method_decorator(
    [
        never_cache,
        insured_required,
        reauthentication_required(enabled=_without_password),
    ],
    name="dispatch",
)
class CloseAccountView(FormView):
    form_class = CloseAccountForm
    template_name = "account/closure/close.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def post(self, request, *args, **kwargs):
        if not ratelimit.consume(request, action=RATE_CLOSE, user=request.user):
            form = self.get_form()
            form.add_error(None, TOO_MANY)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        close_account(self.request.user)
        logout(self.request)
        self.request.session[CLOSED_SESSION_KEY] = True
        return redirect("accounts:closed")


@never_cache
def closed(request):
    """The page after A12: what changes now, and how to come back."""
    if not request.session.get(CLOSED_SESSION_KEY):
        return redirect("account_login")
    return render(request, "account/closure/closed.html")
