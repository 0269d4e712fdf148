"""SOCIALACCOUNT_ADAPTER: what a FranceConnect identity gives access to (FEATURES A4)."""

from __future__ import annotations

import logging

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base import AuthProcess
from allauth.socialaccount.providers.openid_connect.provider import _pick_data
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.shortcuts import render

from accounts.enums import CreationRoute
from assures.models import Person

from .. import reauthentication
from .identity import match_person
from .views import REAUTHENTICATION_STATE

logger = logging.getLogger(__name__)
User = get_user_model()

PERSON_STATE_KEY = "registry_person"


def refuse(request, reason, status=403):
    """The clear French page shown instead of logging in; nothing has been created."""
    return ImmediateHttpResponse(
        render(
            request,
            "socialaccount/franceconnect_refused.html",
            {"reason": reason},
            status=status,
        )
    )


def _inactive_reason(user):
    if getattr(user, "activation_pending_since", None):
        return "pending"
    return "inactive"


class FranceConnectAccountAdapter(DefaultSocialAccountAdapter):
    """A4: the identity FranceConnect returns is matched against the registry.

    * already linked to an account → allauth logs into it;
    * the matched person has an account → FranceConnect is connected to it, and logs in;
    * the matched person has no account → the account is created for that person (A4
      « création »), with the e-mail FranceConnect gives when no other account uses it;
    * nobody matches (or an inactive account) → a clear page, no account created.
    Accounts are never found by e-mail (SOCIALACCOUNT_EMAIL_AUTHENTICATION is off).

    A re-authentication (« Confirmer mon identité » before a sensitive change) logs nobody in
    and creates nothing: it is recorded for the logged-in person if FranceConnect identified
    that same person, then the suspended change resumes (security/reauthentication.py).
    """

    def pre_social_login(self, request, sociallogin):
        asked = sociallogin.state.get(REAUTHENTICATION_STATE)
        if asked:
            raise ImmediateHttpResponse(reauthentication.complete(request, sociallogin, asked))
        if sociallogin.is_existing:
            user = sociallogin.user
            if not user.is_active or not user.is_insured:
                raise refuse(request, _inactive_reason(user))
            return
        identity = _pick_data(sociallogin.account.extra_data)
        person = match_person(identity)
        if sociallogin.state.get("process") == AuthProcess.CONNECT:
            # « Connecter FranceConnect » from the account: only to one's own registry person.
            if person is None or person.pk != getattr(request.user, "person_id", None):
                raise refuse(request, "other_person")
            return
        if person is None:
            logger.info("A4: identité FranceConnect sans correspondance dans le registre")
            raise refuse(request, "no_match")
        user = User.objects.filter(person=person).first()
        if user is not None:
            if not user.is_active:
                raise refuse(request, _inactive_reason(user))
            sociallogin.connect(request, user)
            return
        sociallogin.state[PERSON_STATE_KEY] = person.pk
        email = (sociallogin.user.email or "").lower()
        if email and User.objects.filter(email__iexact=email).exists():
            # 1 e-mail = 1 compte (A1): the account is created without it.
            sociallogin.user.email = ""
            sociallogin.email_addresses = []

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ):
        logger.warning("A4: échec de la connexion FranceConnect (%s) : %s", error, exception)

    def is_open_for_signup(self, request, sociallogin):
        return bool(sociallogin.state.get(PERSON_STATE_KEY))

    def is_auto_signup_allowed(self, request, sociallogin):
        return True

    def populate_user(self, request, sociallogin, data):
        user = sociallogin.user
        user.email = (data.get("email") or "").lower()
        return user

    def save_user(self, request, sociallogin, form=None):
        """A4 « création »: the account of the matched registry person, username = NIR."""
        user = sociallogin.user
        try:
            with transaction.atomic():
                person = Person.objects.select_for_update().get(
                    pk=sociallogin.state[PERSON_STATE_KEY]
                )
                if User.objects.filter(person=person).exists():
                    raise refuse(request, "exists")
                user.username = person.nir
                user.person = person
                user.first_name = person.first_name
                user.last_name = person.last_name
                user.created_via = CreationRoute.FRANCECONNECT
                user.set_unusable_password()
                sociallogin.save(request)
        except IntegrityError:
            # Two simultaneous callbacks for the same person: the first one won.
            logger.warning("A4: création concurrente du compte de la personne %s", person.pk)
            raise refuse(request, "exists") from None
        return user
