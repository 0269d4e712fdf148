"""FEATURES A4 « S'identifier avec FranceConnect ».

FranceConnect is an OpenID Connect provider, so the portal uses allauth's generic
`openid_connect` provider, configured in settings (SOCIALACCOUNT_PROVIDERS, app
"franceconnect"), with the class swapped for `provider.FranceConnectProvider`
(`provider_class`) to handle what FranceConnect does differently:

* the authorization request carries a `nonce` (checked in the ID token) and
  `acr_values=eidas1` (the eIDAS level, checked in the ID token's `acr`);
* the ID token's signature is always verified against the provider's JWKS;
* the userinfo endpoint answers a signed JWT (`application/jwt`), verified and decoded.

Who the person is comes from the identity FranceConnect returns (given names, family name,
birth date, gender, birthplace): `identity.match_person()` finds the registry person, and
`adapter.FranceConnectAccountAdapter` logs into their account, creates it (A4 « création »,
recorded as `CreationRoute.FRANCECONNECT`) or refuses with a clear page when nobody matches.

FranceConnect is also how an account it created, which has no password, confirms its identity
before a sensitive change (e-mail, phones, passkey, first password): the provider asks for
`prompt=login` and `max_age=0`, the callback requires a fresh `auth_time`
(accounts/security/reauthentication.py).
"""
