"""A software WebAuthn authenticator (a passkey in memory) for view tests of FEATURES A7.

It answers the options the portal sends (allauth.mfa + python-fido2) the way a browser's
`navigator.credentials.create()/get()` would, in the JSON form of github's webauthn-json that
allauth's JavaScript posts: a "none" attestation with an ES256 key, and signed assertions with
the user handle (resident key). The browser journey uses Chromium's own virtual authenticator.
"""

from __future__ import annotations

import hashlib
import json
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2.cose import ES256
from fido2.utils import websafe_decode, websafe_encode
from fido2.webauthn import (
    AttestationObject,
    AttestedCredentialData,
    AuthenticatorData,
    CollectedClientData,
)

FLAGS_UP_UV = AuthenticatorData.FLAG.UP | AuthenticatorData.FLAG.UV


class SoftPasskey:
    def __init__(self, origin="http://localhost", rp_id="localhost", user_verified=True):
        self.origin = origin
        self.rp_id = rp_id
        self.user_verified = user_verified
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.user_handle = None
        self.counter = 0

    def _flags(self):
        return FLAGS_UP_UV if self.user_verified else AuthenticatorData.FLAG.UP

    def create(self, creation_options: dict) -> str:
        """The credential JSON posted by allauth's addForm/signupForm."""
        options = creation_options["publicKey"]
        self.user_handle = options["user"]["id"]
        client_data = CollectedClientData.create(
            type="webauthn.create", challenge=options["challenge"], origin=self.origin
        )
        credential_data = AttestedCredentialData.create(
            b"\0" * 16,
            self.credential_id,
            ES256.from_cryptography_key(self.private_key.public_key()),
        )
        auth_data = AuthenticatorData.create(
            hashlib.sha256(self.rp_id.encode()).digest(),
            self._flags() | AuthenticatorData.FLAG.AT,
            self.counter,
            credential_data,
        )
        attestation = AttestationObject.create("none", auth_data, {})
        return json.dumps(
            {
                "type": "public-key",
                "id": websafe_encode(self.credential_id),
                "rawId": websafe_encode(self.credential_id),
                "authenticatorAttachment": "platform",
                "response": {
                    "clientDataJSON": websafe_encode(client_data),
                    "attestationObject": websafe_encode(attestation),
                    "transports": ["internal"],
                },
                "clientExtensionResults": {"credProps": {"rk": True}},
            }
        )

    def get(self, request_options: dict) -> str:
        """The assertion JSON posted by allauth's loginForm/authenticateForm."""
        options = request_options["publicKey"]
        self.counter += 1
        client_data = CollectedClientData.create(
            type="webauthn.get", challenge=options["challenge"], origin=self.origin
        )
        auth_data = AuthenticatorData.create(
            hashlib.sha256(self.rp_id.encode()).digest(), self._flags(), self.counter
        )
        signature = self.private_key.sign(
            bytes(auth_data) + hashlib.sha256(bytes(client_data)).digest(),
            ec.ECDSA(hashes.SHA256()),
        )
        return json.dumps(
            {
                "type": "public-key",
                "id": websafe_encode(self.credential_id),
                "rawId": websafe_encode(self.credential_id),
                "authenticatorAttachment": "platform",
                "response": {
                    "clientDataJSON": websafe_encode(client_data),
                    "authenticatorData": websafe_encode(auth_data),
                    "signature": websafe_encode(signature),
                    "userHandle": self.user_handle,
                },
                "clientExtensionResults": {},
            }
        )


def user_handle_of(passkey: SoftPasskey) -> bytes:
    return websafe_decode(passkey.user_handle)
