"""Re-authentication before a sensitive change, for every account (FEATURES A4, A10, A11;
ARCHITECTURE « Password and session rules »).

allauth asks a logged-in person to confirm their identity before a sensitive change
(`@reauthentication_required` on our views, and its own e-mail, passkey and FranceConnect
connection flows), with the methods its account adapter lists: the password, or a passkey.
An account created with FranceConnect (A4) has neither, and allauth 65.x then lets the change
through without asking: `did_recently_reauthenticate()` answers True for a user without a
re-authentication flow (an open item of allauth.account.internal.flows.reauthentication, allauth
issue #3030: re-authenticating at the social provider is not implemented).

This module closes the gap with allauth's own pieces, and FranceConnect as the method:

* the policy, `did_recently_reauthenticate()`, takes the place of allauth's check
  (`install()`, from SecurityConfig.ready()): for an account allauth can re-authenticate, it
  is allauth's answer; for the others, a re-authentication recorded less than
  ACCOUNT_REAUTHENTICATION_TIMEOUT ago is needed, as for a password;
* the method: `franceconnect_method()` is added to the adapter's re-authentication methods
  (accounts/adapter.py), so allauth's middleware sends a passwordless person to
  « Confirmer mon identité » with FranceConnect (views.FranceConnectReauthenticateView),
  which goes to FranceConnect with `prompt=login` and `max_age=0`;
* the callback (FranceConnectOAuth2Adapter checks `auth_time`, then
  FranceConnectAccountAdapter.pre_social_login calls `complete()`) records the
  re-authentication as allauth does for a password (`reauthenticated=True`) and resumes the
  suspended request (allauth's `resume_request`, which replays a suspended form post).

An account with a password keeps allauth's behaviour: the password first; FranceConnect is
offered too when the account is connected to it.
"""

from __future__ import annotations

import copy
import time

from allauth.account import app_settings as account_settings
from allauth.account.internal.flows import reauthentication as allauth_reauthentication
from allauth.account.internal.flows.login import (
    get_authentication_records,
    record_authentication,
)
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import ImproperlyConfigured
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse

from .templatetags.security import FRANCECONNECT, franceconnect_enabled

METHOD_ID = "franceconnect"
DEFAULT_NEXT = "portal:mes_informations"

_allauth_did_recently_reauthenticate = None


# --- the policy -------------------------------------------------------------------------------
def did_recently_reauthenticate(request) -> bool:
    user = request.user
    if user.is_anonymous:
        return False
    if allauth_reauthentication.get_reauthentication_flows(user):
        return _allauth_did_recently_reauthenticate(request)
    # No password, no passkey: allauth would answer True here (see the module docstring).
    return reauthenticated_within_timeout(request)


def reauthenticated_within_timeout(request) -> bool:
    records = [
        r for r in get_authentication_records(request, request.user) if r.get("reauthenticated")
    ]
    if not records:
        return False
    return time.time() - records[-1]["at"] < account_settings.REAUTHENTICATION_TIMEOUT


def install():
    """Make allauth's re-authentication check ours (idempotent). Fails at start-up, rather
    than silently letting passwordless accounts through, if allauth's internals moved."""
    global _allauth_did_recently_reauthenticate
    current = getattr(allauth_reauthentication, "did_recently_reauthenticate", None)
    if current is did_recently_reauthenticate:
        return
    if not callable(current) or not callable(
        getattr(allauth_reauthentication, "get_reauthentication_flows", None)
    ):
        raise ImproperlyConfigured(
            "allauth.account.internal.flows.reauthentication has changed: check "
            "accounts/security/reauthentication.py before upgrading django-allauth."
        )
    _allauth_did_recently_reauthenticate = current
    allauth_reauthentication.did_recently_reauthenticate = did_recently_reauthenticate


# --- the FranceConnect method -----------------------------------------------------------------
def franceconnect_method(user) -> dict | None:
    """The entry of AccountAdapter.get_reauthentication_methods() for FranceConnect, when it
    is configured and the account is connected to it."""
    if not (user.is_authenticated and franceconnect_enabled()):
        return None
    if not SocialAccount.objects.filter(user=user, provider=FRANCECONNECT).exists():
        return None
    return {
        "id": METHOD_ID,
        "description": "Confirmer avec FranceConnect",
        "url": reverse("security:reauthenticate_franceconnect"),
    }


def complete(request, sociallogin, asked):
    """The FranceConnect callback of a re-authentication, once its ID token checked out
    (signature, nonce, acr, and `auth_time` after `asked["at"]`). Returns the response."""
    user = request.user
    if not user.is_authenticated or user.pk != asked.get("user"):
        return _refused(request, "session", status=403)
    if not sociallogin.is_existing or sociallogin.user.pk != user.pk:
        return _refused(request, "other_person", status=403)
    record_authentication(
        request,
        user,
        "socialaccount",
        provider=sociallogin.account.provider,
        uid=sociallogin.account.uid,
        reauthenticated=True,
    )
    return resume(request, sociallogin.state.get("next") or reverse(DEFAULT_NEXT))


def resume(request, next_url):
    """allauth's `resume_request()` (the suspended view, a suspended form post replayed, or a
    redirect to `next_url`) on a copy of the callback request that carries `next`, as
    allauth's own re-authentication forms do."""
    resumed = copy.copy(request)
    resumed.GET = QueryDict(mutable=True)
    resumed.GET[REDIRECT_FIELD_NAME] = next_url
    resumed.POST = QueryDict()
    response = allauth_reauthentication.resume_request(resumed)
    return response or redirect(DEFAULT_NEXT)


def _refused(request, reason, status):
    return render(
        request, "socialaccount/franceconnect_refused.html", {"reason": reason}, status=status
    )
