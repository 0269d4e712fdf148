from __future__ import annotations

import secrets
import time

from allauth.socialaccount.providers.openid_connect.provider import (
    OpenIDConnectProvider,
    _pick_data,
)

from .views import REAUTHENTICATION_STATE, FranceConnectOAuth2Adapter

# https://docs.partenaires.franceconnect.gouv.fr/fs/fs-technique/fs-technique-scope-fc/
SCOPE = [
    "openid",
    "given_name",
    "family_name",
    "birthdate",
    "gender",
    "birthplace",
    "birthcountry",
    "email",
    "preferred_username",
]
DEFAULT_ACR_VALUES = "eidas1"
# Re-authentication (accounts/security/reauthentication.py): FranceConnect must have the person
# identify again at their identity provider, whatever session they still have there
# (`prompt=login`); `max_age=0` says the same and obliges the provider to put `auth_time` in
# the ID token (OpenID Connect Core 3.1.2.1), which the callback checks.
REAUTHENTICATION_PARAMS = {"prompt": "login", "max_age": "0"}


class FranceConnectProvider(OpenIDConnectProvider):
    """allauth's generic OpenID Connect provider with FranceConnect's requirements."""

    oauth2_adapter_class = FranceConnectOAuth2Adapter

    def get_default_scope(self):
        return list(SCOPE)

    @property
    def acr_values(self) -> str:
        return self.app.settings.get("acr_values", DEFAULT_ACR_VALUES)

    def redirect(
        self, request, process, next_url=None, data=None, *, reauthenticate=False, **kwargs
    ):
        """To FranceConnect. With `reauthenticate` (a logged-in person confirming their
        identity before a sensitive change), FranceConnect is asked for a new identification,
        and the state remembers who asked and when, for the callback to check `auth_time`."""
        nonce = secrets.token_urlsafe(32)
        auth_params = dict(kwargs.pop("auth_params", None) or self.get_auth_params())
        # Never taken from the request: FranceConnect's own values, and a fresh nonce that
        # the callback compares with the ID token's (kept in allauth's state, server side).
        auth_params.update(nonce=nonce, acr_values=self.acr_values)
        if reauthenticate:
            auth_params.update(REAUTHENTICATION_PARAMS)
            kwargs[REAUTHENTICATION_STATE] = {"user": request.user.pk, "at": int(time.time())}
        return super().redirect(
            request, process, next_url, data, auth_params=auth_params, nonce=nonce, **kwargs
        )

    def extract_uid(self, data):
        return str(_pick_data(data)["sub"])

    def extract_common_fields(self, data):
        info = _pick_data(data)
        return {
            "email": info.get("email"),
            "first_name": (info.get("given_name") or "").split(" ")[0],
            "last_name": info.get("family_name") or "",
        }
