"""One settings file, driven by environment variables (django-environ).

With no environment at all this is the *embedded default* (`make run`): SQLite under `var/`,
Celery tasks run eagerly, e-mails written as files under `var/mail/`. Setting `DATABASE_URL`,
`REDIS_URL` (or `CELERY_BROKER_URL`) and the `EMAIL_*` variables turns it into the full stack.
Every variable is documented in `.env.example`.
"""

import shutil
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=True)
if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
else:
    SECRET_KEY = env("SECRET_KEY")  # required outside development
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.usersessions",
    "phonenumber_field",
    "captcha",
    "csp",
    "portal",
    "accounts",
    "accounts.security",
    "assures",
    "paiements",
    "kiosque",
    "messagerie",
    "documents",
    "demarches",
    "rendezvous",
    "prevention",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.SessionRefreshMiddleware",  # idle timeout, saved at most once a minute
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.navigation",
                "messagerie.context_processors.unread",
            ],
            "builtins": ["portal.templatetags.portal"],
        },
    }
]

FORM_RENDERER = "portal.forms.PortalFormRenderer"

# --- Data -------------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The payments' covering index (INCLUDE, paiements.Payment) is PostgreSQL's; the embedded
    # SQLite default builds it on its key columns only, which is all it needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="portal"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery (ARCHITECTURE decision 8: eager only in the embedded default) ----------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_TASK_ALWAYS_EAGER = env.bool(
    "CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL.startswith("memory://")
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Europe/Paris"
# Fail fast when the broker is down (the outbox keeps the work; see ARCHITECTURE facts).
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    # ARCHITECTURE decision 4: rows left pending by a broker outage or a dead worker.
    "requeue-unsent-messages": {"task": "messagerie.tasks.requeue_unsent", "schedule": 60.0},
    # FEATURES C2: the relevé of the last complete month, for whoever lacks it (idempotent).
    "prepare-monthly-statements": {
        "task": "documents.tasks.prepare_monthly_statements",
        "schedule": 6 * 3600.0,
    },
    # FEATURES E5 (IBAN recorded after 48 h), E2 (Vitale orders advance): démarches due.
    "process-due-demarches": {"task": "demarches.tasks.process_due", "schedule": 600.0},
}

# --- Accounts ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Django's ModelBackend, whose get_user also loads person and caisse (one query, not three).
    "accounts.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "accounts.validators.CharacterClassesValidator"},
    {"NAME": "accounts.validators.PersonalDataValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "accounts:logged_out"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "accounts.forms.NirLoginForm",
    # A8: the page of the e-mailed link (French labels, notice e-mail after the change).
    "reset_password_from_key": "accounts.recovery.forms.NewPasswordFromKeyForm",
    # A10, A11 and re-authentication (accounts/security): French labels, 1 e-mail = 1 compte.
    "change_password": "accounts.security.forms.PortalChangePasswordForm",
    "set_password": "accounts.security.forms.PortalSetPasswordForm",
    "add_email": "accounts.security.forms.ChangeEmailForm",
    "reauthenticate": "accounts.security.forms.PortalReauthenticateForm",
}
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_RATE_LIMITS = {
    # A5: failed logins throttled per account and per IP (CNIL 2022-100).
    "login_failed": "10/m/ip,5/5m/key",
    "login": "30/m/ip",
    # A1/A2 identity checks and A3 codes: per IP and per NIR (the key), counted on each try.
    "account_creation": "30/h/ip,5/h/key",
    "account_creation_immediate": "30/h/ip,5/h/key",
    "temporary_code": "30/h/ip,5/h/key",
    # A8 « Recevoir le mail »: per IP and per NIR.
    "password_reset_request": "20/h/ip,3/h/key",
    # A12: the password confirming « Résilier mon compte ameli ».
    "account_closure": "5/5m/user",
    # A6: wrong e-mail check codes per account, over several logins (accounts/security).
    "email_check_failed": "10/h/key",
}
# A8: the « Mot de passe oublié ? » link is valid 30 minutes.
PASSWORD_RESET_TIMEOUT = 30 * 60
# A8 captcha (django-simple-captcha): image + French sound extract read by espeak-ng.
CAPTCHA_CHALLENGE_FUNCT = "accounts.recovery.captcha.challenge"
CAPTCHA_TIMEOUT = 15  # minutes
CAPTCHA_FONT_SIZE = 34
CAPTCHA_LETTER_ROTATION = (-20, 20)
CAPTCHA_FOREGROUND_COLOR = "#072a66"
CAPTCHA_ESPEAK_PATH = env("CAPTCHA_ESPEAK_PATH", default=shutil.which("espeak-ng") or "")
ACCOUNT_EMAIL_NOTIFICATIONS = False  # A14 notices are sent by accounts/security/signals.py

# --- Account security (accounts/security: FEATURES A4, A6, A7, A10, A11, A14, X3) ------------
# A11: the e-mail address is replaced once the new one is confirmed by the link sent to it.
ACCOUNT_CHANGE_EMAIL = True
# Password, passkey or e-mail confirmed again before a sensitive change, valid 5 minutes.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 5 * 60
# A6: a browser passes the e-mail code check again after this many days (seed 004: 6 months).
EMAIL_CHECK_EVERY_DAYS = env.int("EMAIL_CHECK_EVERY_DAYS", default=183)
EMAIL_CHECK_CODE_VALIDITY = 10 * 60  # seconds
EMAIL_CHECK_MAX_ATTEMPTS = 3  # wrong tries per code, then a new code is needed
EMAIL_CHECK_MAX_CODES = 3  # codes per login
# A7: passkeys (WebAuthn) to log in without the password; not a second factor.
MFA_SUPPORTED_TYPES = ["webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_ALLOW_UNVERIFIED_EMAIL = True  # accounts come from the registry, not from open signups
MFA_FORMS = {"add_webauthn": "accounts.security.forms.AddPasskeyForm"}
# CPAM agents (/agents/): an authenticator app (TOTP) as second factor, with allauth.mfa's TOTP
# helpers but not its pages, so "totp" stays out of MFA_SUPPORTED_TYPES (assures/agent_mfa.py).
# True: an agent without one must activate it before any other admin page (True in production).
AGENTS_MFA_REQUIRED = env.bool("AGENTS_MFA_REQUIRED", default=False)
# X3: sessions listed by allauth.usersessions; the last visit is read from the session's
# expiry date (re-saved at least once a minute by portal.middleware), so no query is added.
USERSESSIONS_TRACK_ACTIVITY = False
# A4 « S'identifier avec FranceConnect »: allauth's generic OpenID Connect provider with the
# FranceConnect specifics (nonce, acr_values, signed userinfo) in accounts/security/franceconnect.
SOCIALACCOUNT_ADAPTER = "accounts.security.franceconnect.adapter.FranceConnectAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # never find an account by its e-mail
SOCIALACCOUNT_STORE_TOKENS = False
FRANCECONNECT_CLIENT_ID = env("FRANCECONNECT_CLIENT_ID", default="")
FRANCECONNECT_SERVER_URL = env("FRANCECONNECT_SERVER_URL", default="")
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "provider_class": "accounts.security.franceconnect.provider.FranceConnectProvider",
        "APPS": [
            {
                "provider_id": "franceconnect",
                "name": "FranceConnect",
                "client_id": FRANCECONNECT_CLIENT_ID,
                "secret": env("FRANCECONNECT_SECRET", default=""),
                "settings": {
                    "server_url": FRANCECONNECT_SERVER_URL,
                    "acr_values": env("FRANCECONNECT_ACR_VALUES", default="eidas1"),
                    "token_auth_method": "client_secret_post",
                },
            }
        ]
        if FRANCECONNECT_CLIENT_ID
        else [],
    }
}

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 60)  # idle timeout
# Not SESSION_SAVE_EVERY_REQUEST (a DB write per request): portal.middleware re-saves the
# session when its last save is older than this, so the idle timeout has a 60 s granularity.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_INTERVAL = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Security (ARCHITECTURE decision 9) -------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if FRANCECONNECT_CLIENT_ID and FRANCECONNECT_SERVER_URL:
    # A4: the « S'identifier avec FranceConnect » form posts to the portal, which redirects it
    # to FranceConnect; browsers check that redirect against form-action.
    _fc = urlsplit(FRANCECONNECT_SERVER_URL)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(f"{_fc.scheme}://{_fc.netloc}")

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
PHONENUMBER_DEFAULT_REGION = "FR"

# --- Static and files -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private"))},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# ARCHITECTURE decision 6: uploads (PDF, JPEG, PNG) are refused above this size (portal/uploads.py).
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=5 * 1024 * 1024)

# --- E-mail -----------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="Mon compte assuré <ne-pas-repondre@example.org>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Absolute base URL used in e-mails and SMS (links must work outside a request).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# --- SMS (FEATURES A9, F4): file in development, HTTP gateway in production -------------------
SMS_BACKEND = env("SMS_BACKEND", default="messagerie.sms.FileSmsBackend")
SMS_FILE_PATH = env("SMS_FILE_PATH", default=str(VAR_DIR / "sms"))
SMS_GATEWAY_URL = env("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env("SMS_GATEWAY_TOKEN", default="")
SMS_SENDER = env("SMS_SENDER", default="AMELI")

# --- « Kiosque bancaire » (FEATURES C6): the payment provider of « Payer une créance » ---------
# Where the browser is sent to pay; the local simulator (app `kiosque`) by default.
KIOSQUE_URL = env("KIOSQUE_URL", default="/kiosque/paiement/")
# Secret shared with the provider: requests and returns are signed with HMAC-SHA256.
KIOSQUE_SECRET = env(
    "KIOSQUE_SECRET", default="dev-only-kiosque-secret-do-not-use" if DEBUG else ""
)
# Mount the local simulator under /kiosque/ (development, demo, tests).
KIOSQUE_SIMULATOR = env.bool("KIOSQUE_SIMULATOR", default=DEBUG)
# A signed return older than this (seconds) is refused as a replay.
KIOSQUE_RETURN_MAX_AGE = 600

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
