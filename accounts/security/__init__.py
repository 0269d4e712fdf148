"""Account security (FEATURES A4, A5, A6, A7, A10, A11, A14, X2, X3).

Built on django-allauth's own flows, customised through settings, adapters, forms and
templates: login stages (A6 e-mail check), reauthentication, password and e-mail change,
passkeys (allauth.mfa WebAuthn), user sessions (allauth.usersessions) and FranceConnect
(allauth.socialaccount's generic OpenID Connect provider, with the FranceConnect specifics in
`franceconnect/`).
"""
