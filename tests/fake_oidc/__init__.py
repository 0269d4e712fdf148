"""A local OpenID Connect provider that behaves like FranceConnect, for the A4 tests and demos.

It speaks the real protocol over real HTTP (a `ThreadingHTTPServer` on 127.0.0.1):

* `/.well-known/openid-configuration` — the discovery document;
* `/authorize` — checks client_id and redirect_uri, records the request (nonce, acr_values,
  scope, state, prompt, max_age), and answers at once with a redirect carrying `code` and
  `state`, or, when `interactive` is set, shows a small page with a « Continuer » button (like
  FranceConnect's identity provider chooser). Like a real provider it keeps the person's
  session (`login_at`, single sign-on): the person identifies again only for the first
  request, for `prompt=login`, or when the session is older than `max_age` seconds;
* `/token` — client_secret_post or client_secret_basic, single-use codes bound to their
  redirect_uri; returns an RS256 ID token with the nonce, `acr=eidas1`, `auth_time` (when the
  person last identified), `exp`, `iat`…;
* `/userinfo` — a Bearer access token; returns the identity as a signed JWT
  (`application/jwt`), as FranceConnect v2 does;
* `/jwks` — the public key.

`FakeOIDCProvider.misbehave` makes it answer wrongly on purpose ("nonce", "signature",
"acr", "unsigned_userinfo", "sub", "deny"; "ignore_prompt": the single sign-on session is
reused despite `prompt=login`/`max_age`; "no_auth_time": the ID token has no `auth_time`) so
that the tests can check the portal refuses.

Standalone, for a demo of « S'identifier avec FranceConnect »:
`python -m tests.fake_oidc --port 8016 --redirect-uri http://127.0.0.1:8000/compte/oidc/franceconnect/login/callback/`
then run the portal with FRANCECONNECT_CLIENT_ID=portail-demo FRANCECONNECT_SECRET=secret-demo
FRANCECONNECT_SERVER_URL=http://127.0.0.1:8016.
"""

from __future__ import annotations

import base64
import html
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

# The demo identity of FEATURES.md: Camille MARTIN, born 14 March 1990 in Paris 6e (INSEE
# 75106, as in her NIR 2 90 03 75 106 123).
CAMILLE = {
    "sub": "fc-sub-camille-martin",
    "given_name": "Camille Marie",
    "family_name": "MARTIN",
    "birthdate": "1990-03-14",
    "gender": "female",
    "birthplace": "75106",
    "birthcountry": "99100",
    "email": "camille.martin@example.org",
    "preferred_username": "MARTIN",
}


@dataclass
class FakeOIDCProvider:
    client_id: str = "portail-test"
    client_secret: str = "secret-test"
    redirect_uris: list[str] = field(default_factory=list)  # empty: any redirect_uri
    identity: dict = field(default_factory=lambda: dict(CAMILLE))
    host: str = "127.0.0.1"
    port: int = 0
    interactive: bool = False
    misbehave: set[str] = field(default_factory=set)

    def __post_init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "fake-fc-" + secrets.token_hex(4)
        self.other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, dict] = {}
        self.authorize_requests: list[dict] = []
        self.token_requests: list[dict] = []
        self.login_at: int | None = None  # the person's session at the provider (SSO)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((self.host, self.port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = None

    # --- lifecycle --------------------------------------------------------------------------
    @property
    def issuer(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def app_settings(self) -> dict:
        """SOCIALACCOUNT_PROVIDERS of the portal pointing at this provider."""
        return {
            "openid_connect": {
                "provider_class": (
                    "accounts.security.franceconnect.provider.FranceConnectProvider"
                ),
                "APPS": [
                    {
                        "provider_id": "franceconnect",
                        "name": "FranceConnect",
                        "client_id": self.client_id,
                        "secret": self.client_secret,
                        "settings": {
                            "server_url": self.issuer,
                            "acr_values": "eidas1",
                            "token_auth_method": "client_secret_post",
                        },
                    }
                ],
            }
        }

    # --- protocol ---------------------------------------------------------------------------
    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/session/end",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "scopes_supported": [
                "openid",
                "given_name",
                "family_name",
                "birthdate",
                "gender",
                "birthplace",
                "birthcountry",
                "email",
                "preferred_username",
            ],
            "acr_values_supported": ["eidas1", "eidas2", "eidas3"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "userinfo_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        }

    def jwks(self) -> dict:
        public = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def sign(self, claims: dict) -> str:
        key = self.other_key if "signature" in self.misbehave else self.key
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": self.kid})

    def authorize(self, params: dict) -> tuple[str, dict]:
        """Validate an authorization request; returns (redirect URL, recorded request)."""
        with self._lock:
            self.authorize_requests.append(params)
        if params.get("client_id") != self.client_id:
            raise ValueError("client_id inconnu")
        redirect_uri = params.get("redirect_uri", "")
        if self.redirect_uris and redirect_uri not in self.redirect_uris:
            raise ValueError("redirect_uri non enregistrée")
        if params.get("response_type") != "code" or "openid" not in params.get("scope", ""):
            raise ValueError("requête d'autorisation invalide")
        state = params.get("state", "")
        if "deny" in self.misbehave:
            return f"{redirect_uri}?{urlencode({'error': 'access_denied', 'state': state})}", params
        code = secrets.token_urlsafe(24)
        with self._lock:
            self.codes[code] = {
                "redirect_uri": redirect_uri,
                "nonce": params.get("nonce", ""),
                "acr": "eidas1",
                "auth_time": self._identify(params),
                "identity": dict(self.identity),
            }
        return f"{redirect_uri}?{urlencode({'code': code, 'state': state})}", params

    def _identify(self, params: dict) -> int:
        """When the person identified: now, unless their session at the provider is reused
        (single sign-on), which `prompt=login` and `max_age` forbid. Called under the lock."""
        now = int(time.time())
        max_age = params.get("max_age")
        must_identify = (
            self.login_at is None
            or "login" in params.get("prompt", "").split()
            or (max_age is not None and now - self.login_at >= int(max_age))
        )
        if must_identify and not (self.login_at is not None and "ignore_prompt" in self.misbehave):
            self.login_at = now
        return self.login_at

    def token(self, form: dict, authorization: str | None) -> tuple[int, dict]:
        with self._lock:
            self.token_requests.append(form)
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        if authorization and authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization[6:]).decode()
            client_id, _, client_secret = decoded.partition(":")
        if client_id != self.client_id or client_secret != self.client_secret:
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        with self._lock:
            grant = self.codes.pop(form.get("code", ""), None)  # single use
        if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
            return 400, {"error": "invalid_grant"}
        now = int(time.time())
        identity = grant["identity"]
        claims = {
            "iss": self.issuer,
            "sub": identity["sub"],
            "aud": self.client_id,
            "exp": now + 60,
            "iat": now,
            "auth_time": grant["auth_time"],
            "nonce": "autre-nonce" if "nonce" in self.misbehave else grant["nonce"],
            "acr": "low" if "acr" in self.misbehave else grant["acr"],
            "amr": ["pwd"],
        }
        if "no_auth_time" in self.misbehave:
            del claims["auth_time"]
        access_token = secrets.token_urlsafe(24)
        with self._lock:
            self.tokens[access_token] = identity
        return 200, {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 60,
            "id_token": self.sign(claims),
            "scope": "openid",
        }

    def userinfo(self, authorization: str | None) -> tuple[int, str, str]:
        token = (authorization or "").removeprefix("Bearer ").strip()
        with self._lock:
            identity = self.tokens.get(token)
        if identity is None:
            return 401, "application/json", json.dumps({"error": "invalid_token"})
        claims = dict(identity)
        if "sub" in self.misbehave:
            claims["sub"] = "quelqu-un-d-autre"
        if "unsigned_userinfo" in self.misbehave:
            return 200, "application/json", json.dumps(claims)
        now = int(time.time())
        claims.update(iss=self.issuer, aud=self.client_id, iat=now, exp=now + 60)
        return 200, "application/jwt", self.sign(claims)


def _approval_page(redirect: str) -> bytes:
    link = html.escape(redirect, quote=True)
    return f"""<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>FranceConnect (simulateur)</title></head>
<body><main><h1>FranceConnect — fournisseur d'identité de test</h1>
<p>Vous êtes identifié(e) auprès du fournisseur d'identité de démonstration.</p>
<p><a href="{link}">Continuer sur le service</a></p></main></body></html>""".encode()


def _handler_for(provider: FakeOIDCProvider):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):
            """Silence http.server's request log: keep the test output clean."""

        def _send(self, status, body, content_type="application/json", headers=None):
            data = body if isinstance(body, bytes) else body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _json(self, status, payload):
            self._send(status, json.dumps(payload))

        def do_GET(self):
            url = urlsplit(self.path)
            params = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                return self._json(200, provider.discovery())
            if url.path == "/jwks":
                return self._json(200, provider.jwks())
            if url.path == "/authorize":
                try:
                    redirect, _ = provider.authorize(params)
                except ValueError as error:
                    return self._send(400, str(error), "text/plain; charset=utf-8")
                if provider.interactive:
                    return self._send(200, _approval_page(redirect), "text/html; charset=utf-8")
                return self._send(302, b"", "text/plain", {"Location": redirect})
            if url.path == "/userinfo":
                status, content_type, body = provider.userinfo(self.headers.get("Authorization"))
                return self._send(status, body, content_type)
            return self._send(404, "introuvable", "text/plain; charset=utf-8")

        def do_POST(self):
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if url.path == "/token":
                status, payload = provider.token(form, self.headers.get("Authorization"))
                return self._json(status, payload)
            return self._send(404, "introuvable", "text/plain; charset=utf-8")

    return Handler
