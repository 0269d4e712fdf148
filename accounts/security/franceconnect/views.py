"""The OAuth2 adapter and the two views (login, callback) of FranceConnect.

allauth's generic OpenID Connect views hard-code their adapter class, so the provider's
package (`FranceConnectProvider.get_package()`) serves these instead, under the same URL names.
"""

from __future__ import annotations

import time

import jwt
from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.http import Http404
from django.utils.crypto import constant_time_compare

# In allauth's state of a re-authentication (FranceConnectProvider.redirect): who asked, when.
REAUTHENTICATION_STATE = "reauthenticate"
# Asymmetric algorithms only: a JWT whose header asks for « none » or an HMAC is refused.
SIGNING_ALGORITHMS = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"}
# Asking for eidas1 (FranceConnect's level), a stronger level is fine.
ACR_LEVELS = ["eidas1", "eidas2", "eidas3"]
CLOCK_SKEW = 60  # seconds


class FranceConnectOAuth2Adapter(OpenIDConnectOAuth2Adapter):
    state: dict | None = None  # allauth's state of this login (set by the callback view)

    def complete_login(self, request, app, token, **kwargs):
        id_token = kwargs["response"].get("id_token")
        if not id_token:
            raise OAuth2Error("FranceConnect: pas de jeton d'identité (id_token).")
        claims = self.decode_jwt(
            id_token,
            audience=app.client_id,
            algorithms=self.openid_config.get("id_token_signing_alg_values_supported"),
            required=["iss", "aud", "sub", "exp", "iat", "nonce"],
        )
        expected_nonce = (self.state or {}).get("nonce") or ""
        if not expected_nonce or not constant_time_compare(claims["nonce"], expected_nonce):
            raise OAuth2Error("FranceConnect: nonce invalide.")
        if not self._acr_is_enough(app, claims.get("acr")):
            raise OAuth2Error("FranceConnect: niveau d'authentification insuffisant.")
        reauthentication = (self.state or {}).get(REAUTHENTICATION_STATE)
        if reauthentication and not self._identified_since(
            claims.get("auth_time"), reauthentication["at"]
        ):
            # prompt=login is only a request: the ID token must prove the person identified
            # again after the portal asked (auth_time), or the re-authentication is refused.
            raise OAuth2Error("FranceConnect: l'identification n'a pas été renouvelée.")
        userinfo = self.fetch_userinfo(app, token.token)
        if str(userinfo.get("sub")) != str(claims["sub"]):
            raise OAuth2Error("FranceConnect: l'identité ne correspond pas au jeton.")
        return self.get_provider().sociallogin_from_response(
            request, {"userinfo": userinfo, "id_token": claims}
        )

    @staticmethod
    def _identified_since(auth_time, asked_at) -> bool:
        if isinstance(auth_time, bool) or not isinstance(auth_time, int | float):
            return False
        return asked_at - CLOCK_SKEW <= auth_time <= time.time() + CLOCK_SKEW

    @staticmethod
    def _acr_is_enough(app, acr) -> bool:
        wanted = app.settings.get("acr_values", "eidas1")
        if acr not in ACR_LEVELS or wanted not in ACR_LEVELS:
            return False
        return ACR_LEVELS.index(acr) >= ACR_LEVELS.index(wanted)

    def fetch_userinfo(self, app, access_token) -> dict:
        """FranceConnect answers a signed JWT (application/jwt); plain JSON is accepted only
        from a provider that does not sign its userinfo (a generic OpenID provider)."""
        with get_adapter().get_requests_session() as session:
            response = session.get(
                self.profile_url, headers={"Authorization": f"Bearer {access_token}"}
            )
            response.raise_for_status()
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
        if content_type == "application/jwt":
            return self.decode_jwt(
                response.text.strip(),
                audience=app.client_id,
                algorithms=self.openid_config.get("userinfo_signing_alg_values_supported"),
                required=["iss", "aud", "sub"],
            )
        if self.openid_config.get("userinfo_signing_alg_values_supported"):
            raise OAuth2Error("FranceConnect: les informations d'identité ne sont pas signées.")
        return response.json()

    def _jwks(self) -> dict:
        if not hasattr(self, "_jwks_data"):
            with get_adapter().get_requests_session() as session:
                response = session.get(self.openid_config["jwks_uri"])
                response.raise_for_status()
                self._jwks_data = response.json()
        return self._jwks_data

    def decode_jwt(self, token, *, audience, algorithms, required) -> dict:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise OAuth2Error("FranceConnect: jeton illisible.") from error
        allowed = set(algorithms or ["RS256"]) & SIGNING_ALGORITHMS
        alg = header.get("alg")
        if alg not in allowed:
            raise OAuth2Error(f"FranceConnect: algorithme de signature refusé ({alg}).")
        keys = [
            k
            for k in self._jwks().get("keys", [])
            if k.get("use", "sig") == "sig"
            and (not header.get("kid") or k.get("kid") == header["kid"])
        ]
        if len(keys) != 1:
            raise OAuth2Error("FranceConnect: clé de signature inconnue.")
        try:
            key = jwt.PyJWK(keys[0], algorithm=alg).key
            return jwt.decode(
                token,
                key=key,
                algorithms=[alg],
                audience=audience,
                issuer=self.openid_config["issuer"],
                leeway=CLOCK_SKEW,
                options={"require": required},
            )
        except jwt.PyJWTError as error:
            raise OAuth2Error(f"FranceConnect: jeton invalide ({error}).") from error


class FranceConnectCallbackView(OAuth2CallbackView):
    def _get_state(self, request, provider):
        state, response = super()._get_state(request, provider)
        self.adapter.state = state
        return state, response


@login_not_required
def login(request, provider_id):
    try:
        view = OAuth2LoginView.adapter_view(FranceConnectOAuth2Adapter(request, provider_id))
        return view(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None


@login_not_required
def callback(request, provider_id):
    try:
        view = FranceConnectCallbackView.adapter_view(
            FranceConnectOAuth2Adapter(request, provider_id)
        )
        return view(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None
