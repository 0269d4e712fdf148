from allauth.account import views as allauth_views
from allauth.account.decorators import reauthentication_required
from django.urls import path
from django.views.generic import RedirectView

from .closure import views as closure
from .creation import views as creation
from .recovery import captcha
from .recovery import views as recovery
from .views import logged_out

app_name = "accounts"


def _without_password(request):
    return request.user.is_authenticated and not request.user.has_usable_password()


urlpatterns = [
    path("deconnexion/au-revoir/", logged_out, name="logged_out"),
    # A1, A2 « Créer mon compte »
    path("creer/", creation.CreationStartView.as_view(), name="create"),
    path("creer/identite/", creation.IdentityView.as_view(), name="create_identity"),
    path("creer/conditions/", creation.TermsView.as_view(), name="create_terms"),
    path("creer/mot-de-passe/", creation.PasswordView.as_view(), name="create_password"),
    path("creer/coordonnees/", creation.ContactView.as_view(), name="create_contact"),
    path("creer/email-envoye/", creation.EmailSentView.as_view(), name="create_email_sent"),
    path(
        "creer/activation/<str:token>/",
        creation.ActivationView.as_view(),
        name="create_activate",
    ),
    path("creer/immediat/", creation.ImmediateIdentityView.as_view(), name="create_immediate"),
    path("creer/mes-identifiants/", creation.CredentialsView.as_view(), name="create_credentials"),
    path("compte-inactif/", creation.account_inactive, name="account_inactive"),
    # A3, A9 « code provisoire »
    path("code-provisoire/", recovery.TemporaryCodeView.as_view(), name="code_provisoire"),
    path(
        "code-provisoire/mot-de-passe/",
        recovery.TemporaryCodePasswordView.as_view(),
        name="code_provisoire_password",
    ),
    # A8 « Mot de passe oublié ? » (the e-mailed link is allauth's password/reset/key/…)
    path(
        "mot-de-passe-oublie/", recovery.PasswordResetRequestView.as_view(), name="password_reset"
    ),
    path(
        "mot-de-passe-oublie/envoye/",
        recovery.PasswordResetSentView.as_view(),
        name="password_reset_sent",
    ),
    path("mot-de-passe-modifie/", recovery.PasswordChangedView.as_view(), name="password_changed"),
    path("captcha/audio/<str:key>.wav", captcha.captcha_audio, name="captcha_audio"),
    # allauth's e-mail-based request form is replaced by A8's (NIR + date de naissance).
    path(
        "password/reset/",
        RedirectView.as_view(pattern_name="accounts:password_reset"),
        name="allauth_password_reset",
    ),
    # A4/A10: a first password for an account created with FranceConnect gives a new way in,
    # so it waits for a re-authentication (with FranceConnect) like any sensitive change.
    # Same path as allauth's account_set_password, matched first; an account that has a
    # password is sent by allauth's view to « Modifier mon mot de passe » as before.
    path(
        "password/set/",
        reauthentication_required(allauth_views.password_set, enabled=_without_password),
        name="password_set",
    ),
    # A12 « Résilier mon compte ameli »
    path("resilier/", closure.CloseAccountView.as_view(), name="close"),
    path("resilie/", closure.closed, name="closed"),
]
