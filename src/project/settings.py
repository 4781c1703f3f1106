"""Settings: every environment variable is read here, once (see docs/configuration.md)."""

import logging
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .database import DatabaseEnv, database_config
from .env import env_bool, env_datetime, env_float, env_int, env_list, env_seconds, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = BASE_DIR.parent

# --- environment ---------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", False)
# The better-auth app's secret(s), for `import_better_auth` only: they decrypt its twoFactor rows.
BETTER_AUTH_SECRET = env_str("BETTER_AUTH_SECRET") or ""
BETTER_AUTH_SECRETS = env_str("BETTER_AUTH_SECRETS") or ""
_DEV_SECRET = "dev-only-insecure-secret-key-do-not-use-in-production-0123456789"  # noqa: S105 - DEBUG only, refused otherwise
_DEV_JWT_KEY = "dev-only-insecure-jwt-signing-key-do-not-use-in-production-01234"
SECRET_KEY = env_str("SECRET_KEY") or (_DEV_SECRET if DEBUG else None)
# Earlier SECRET_KEY values, still accepted while they age out (sessions, TOTP secrets, recovery
# codes, trusted devices): rotate by moving the old key here.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
JWT_SIGNING_KEY = env_str("JWT_SIGNING_KEY") or (_DEV_JWT_KEY if DEBUG else None)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Where the web app is served: the one-click links in mail point there (/auth/link#token=...).
_WEB_ORIGIN_DEFAULT = (CSRF_TRUSTED_ORIGINS or ["http://localhost:8000"])[0]
WEB_ORIGIN = (env_str("WEB_ORIGIN") or _WEB_ORIGIN_DEFAULT).rstrip("/")
DATABASE_ENV = DatabaseEnv(
    url=env_str("DATABASE_URL"),
    legacy_name=env_str("DATABASE_NAME"),
    legacy_user=env_str("DB_USERNAME", "root") or "",
    legacy_password=env_str("DB_PASSWORD", "") or "",
    legacy_host=env_str("DB_HOST", "127.0.0.1") or "",
    legacy_port=env_str("DB_PORT", "3306") or "",
    tls=env_str("DB_TLS"),
    tls_ca=env_str("DB_TLS_CA"),
    conn_max_age=env_int("DB_CONN_MAX_AGE", 600),
    test_name=env_str("DB_TEST_NAME"),
)
BETTER_AUTH_DATABASE_URL = env_str("BETTER_AUTH_DATABASE_URL")  # legacy import source
ADMIN_ENABLED = env_bool("ADMIN_ENABLED", True)
ADMIN_URL = env_str("ADMIN_URL", "admin/") or "admin/"
REDIS_URL = env_str("REDIS_URL")
RATE_LIMITS_ENABLED = env_bool("RATE_LIMITS_ENABLED", True)
NUM_PROXIES = env_int("NUM_PROXIES", 0)
ACCESS_TOKEN_LIFETIME = env_seconds("ACCESS_TOKEN_LIFETIME_SECONDS", 600)
REFRESH_TOKEN_LIFETIME = env_seconds("REFRESH_TOKEN_LIFETIME_SECONDS", 7 * 24 * 3600)
REFRESH_TOKEN_SHORT_LIFETIME = env_seconds("REFRESH_TOKEN_SHORT_LIFETIME_SECONDS", 24 * 3600)
REFRESH_REUSE_GRACE = env_seconds("REFRESH_REUSE_GRACE_SECONDS", 10)
SIGN_IN_ABSOLUTE_LIFETIME = env_seconds("SIGN_IN_ABSOLUTE_LIFETIME_SECONDS", 30 * 24 * 3600)
# Access tokens are signed with a key pair (auth_api.sessions.keys); JWT_SIGNING_KEY (HS256) signs
# only what never leaves this service (refresh and purpose tokens).
JWT_ALGORITHM: str = env_str("JWT_ALGORITHM") or "EdDSA"
JWT_PRIVATE_KEY: str = env_str("JWT_PRIVATE_KEY") or ""
JWT_PRIVATE_KEY_FILE: str = env_str("JWT_PRIVATE_KEY_FILE") or ""
SIGNING_KEYS_SECRET: str = env_str("SIGNING_KEYS_SECRET") or ""
SIGNING_KEYS_RELOAD_SECONDS = env_int("SIGNING_KEYS_RELOAD_SECONDS", 5)
JWKS_MAX_AGE_SECONDS = env_int("JWKS_MAX_AGE_SECONDS", 300)
# A rotated-in key is published this long before it signs: a JWKS cached for its max-age, and
# every process's key-ring reload, have it by then.
SIGNING_KEY_ACTIVATION_SECONDS = env_int(
    "SIGNING_KEY_ACTIVATION_SECONDS", JWKS_MAX_AGE_SECONDS + SIGNING_KEYS_RELOAD_SECONDS
)
JWT_LEEWAY_SECONDS = 0
# With a PEM key, HS256 access tokens issued before this moment (ISO 8601) still verify.
JWT_HS256_ACCEPT_ISSUED_BEFORE = env_datetime("JWT_HS256_ACCEPT_ISSUED_BEFORE")
# Recently revoked sign-ins, re-read by each process at most this often (seconds).
REVOCATION_REFRESH_SECONDS = env_float("REVOCATION_REFRESH_SECONDS", 1.0)
# Services allowed to call introspect/: "name:secret,name2:secret2" (HTTP Basic), each secret at
# least 32 characters.
INTROSPECTION_CLIENTS: str = env_str("INTROSPECTION_CLIENTS") or ""
JWT_ISSUER = env_str("JWT_ISSUER", "authsvc")
JWT_AUDIENCE = env_str("JWT_AUDIENCE", "authsvc-api")
REFRESH_COOKIE_SAMESITE = env_str("REFRESH_COOKIE_SAMESITE", "Strict")
# Secure cookies are off only in DEBUG (plain-http development server).
SECURE_COOKIES = not DEBUG
ARGON2_TIME_COST = env_int("ARGON2_TIME_COST", 2)
ARGON2_MEMORY_COST_KIB = env_int("ARGON2_MEMORY_COST_KIB", 19456)
ARGON2_PARALLELISM = env_int("ARGON2_PARALLELISM", 1)
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
# "json": one JSON object per line (production); "plain": one readable line (DEBUG's default).
LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG else "json")
# /metrics needs "Authorization: Bearer <METRICS_TOKEN>"; without a token it is off (404) unless
# DEBUG. PROMETHEUS_MULTIPROC_DIR (read by prometheus_client too) adds up gunicorn's workers.
METRICS_TOKEN: str = env_str("METRICS_TOKEN") or ""
PROMETHEUS_MULTIPROC_DIR: str = env_str("PROMETHEUS_MULTIPROC_DIR") or ""
# /readyz: the deadline for all its checks, and the outbox it still calls ready.
READINESS_TIMEOUT_SECONDS = env_float("READINESS_TIMEOUT_SECONDS", 2.0)
READINESS_CACHE_SECONDS = env_float("READINESS_CACHE_SECONDS", 1.0)
READINESS_OUTBOX_MAX_PENDING = env_int("READINESS_OUTBOX_MAX_PENDING", 1000)
READINESS_OUTBOX_MAX_AGE_SECONDS = env_int("READINESS_OUTBOX_MAX_AGE_SECONDS", 1800)
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 587 if EMAIL_HOST else 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", bool(EMAIL_HOST))
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
# For EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend: the directory it writes to.
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", "") or None
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Auth <no-reply@localhost>")
# "thread": deliver right after commit in a background thread (works with runserver alone);
# "worker": leave delivery to `manage.py deliver_email --loop` only.
EMAIL_DELIVERY = env_str("EMAIL_DELIVERY", "thread")
# Background senders per process (EMAIL_DELIVERY=thread): more queue, never more threads.
EMAIL_SENDER_THREADS = env_int("EMAIL_SENDER_THREADS", 4)
OTP_LENGTH = 6
OTP_TTL_SECONDS = env_int("OTP_TTL_SECONDS", 300)
OTP_MAX_ATTEMPTS = env_int("OTP_MAX_ATTEMPTS", 3)
# better-auth's sendVerificationOnSignUp: a password sign-up mails an email-verification code.
SEND_VERIFICATION_ON_SIGN_UP = env_bool("SEND_VERIFICATION_ON_SIGN_UP", True)
PASSWORD_RESET_TOKEN_LIFETIME = env_seconds("PASSWORD_RESET_TOKEN_LIFETIME_SECONDS", 600)

# Fail fast: a production process never runs on a guessable key.
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
if not JWT_SIGNING_KEY:
    raise ImproperlyConfigured("JWT_SIGNING_KEY must be set when DEBUG is off.")
if len(JWT_SIGNING_KEY.encode()) < 32:
    raise ImproperlyConfigured("JWT_SIGNING_KEY must be at least 32 bytes (256 bits).")
if JWT_SIGNING_KEY == SECRET_KEY:
    raise ImproperlyConfigured("JWT_SIGNING_KEY must differ from SECRET_KEY.")
if not DEBUG and {SECRET_KEY, JWT_SIGNING_KEY} & {_DEV_SECRET, _DEV_JWT_KEY}:
    raise ImproperlyConfigured("The development keys cannot be used with DEBUG off.")
if EMAIL_DELIVERY not in ("thread", "worker"):
    raise ImproperlyConfigured("EMAIL_DELIVERY must be thread or worker.")
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL are mutually exclusive.")
if not ADMIN_URL.endswith("/") or ADMIN_URL.startswith(("/", "api/")):
    raise ImproperlyConfigured("ADMIN_URL must look like 'admin/' (no leading slash, not api/).")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or plain.")
if METRICS_TOKEN and len(METRICS_TOKEN) < 16:
    raise ImproperlyConfigured("METRICS_TOKEN must be at least 16 characters.")
# A service secret is a password no one types: long enough that no rate of guessing matters.
for _client in (item for item in INTROSPECTION_CLIENTS.split(",") if item.strip()):
    _name, _, _secret = _client.partition(":")
    if not _name.strip() or len(_secret.strip()) < 32:
        raise ImproperlyConfigured(
            f"INTROSPECTION_CLIENTS: the secret of {_name.strip()!r} must be at least 32 "
            "characters (name:secret,...)."
        )
if REFRESH_COOKIE_SAMESITE not in ("Strict", "Lax", "None"):
    raise ImproperlyConfigured("REFRESH_COOKIE_SAMESITE must be Strict, Lax or None.")
if JWT_ALGORITHM not in ("EdDSA", "RS256", "ES256"):
    raise ImproperlyConfigured("JWT_ALGORITHM must be EdDSA, RS256 or ES256.")
if ACCESS_TOKEN_LIFETIME.total_seconds() <= JWKS_MAX_AGE_SECONDS:
    raise ImproperlyConfigured(
        "JWKS_MAX_AGE_SECONDS must be shorter than the access-token lifetime (a rotated key "
        "stays published only that long)."
    )
if ARGON2_MEMORY_COST_KIB < 19456 or ARGON2_TIME_COST < 2:
    # OWASP's Argon2id floor: m=19 MiB, t=2, p=1.
    raise ImproperlyConfigured("Argon2 parameters below OWASP's minimum (m=19456 KiB, t=2).")

# --- Django core ------------------------------------------------------------------------------
INSTALLED_APPS = [
    "project.admin_site.ServiceAdminConfig",  # django.contrib.admin with this service's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "users",
    "auth_api",
    "emailing",
    "legacy_import",
]

# Every request, the API's and the pages' (project.stack).
MIDDLEWARE = [
    # The request id and access line; a NUL or non-UTF-8 path (404, never a 500) and a body over
    # the limit (413) refused before any view, WhiteNoise or file lookup.
    "project.middleware.request_context",
    "django.middleware.security.SecurityMiddleware",
    "project.middleware.CorsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # PAGE_MIDDLEWARE for pages; the API's JSON routes go past it (and get API_HEADERS: no-store,
    # a policy that loads nothing).
    "project.stack.PagesOnly",
]
# Pages only (the web app, Swagger UI, the admin), run by project.stack.PagesOnly in this order.
PAGE_MIDDLEWARE = [
    # Before WhiteNoise, so the web app's index.html and assets get the policy too.
    "project.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
# The admin's checks look for sessions, auth and messages in MIDDLEWARE only; PagesOnly refuses
# to start without them in PAGE_MIDDLEWARE.
SILENCED_SYSTEM_CHECKS = ["admin.E408", "admin.E409", "admin.E410"]

# One Content-Security-Policy for every page (the web app, Swagger UI, the admin): scripts and
# styles only from this origin, no inline script anywhere, no framing, no plugins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Profile pictures are https:// URLs anywhere (PATCH user/ allows only https).
        "img-src": ["'self'", "data:", "https:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# No body of this API comes near it; larger ones answer 413 before anything reads them.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

ROOT_URLCONF = "project.urls"
WSGI_APPLICATION = "project.wsgi.application"
AUTH_USER_MODEL = "users.User"
# The admin's password check is the API's (rate limits, constant time, verified staff).
AUTHENTICATION_BACKENDS = ["auth_api.admin.backend.SignInCheckBackend"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Where the SQLite default lives (the image sets /data, the one path its user can write).
DATA_DIR = Path(env_str("DATA_DIR") or PROJECT_DIR)
DATABASES = {"default": database_config(DATA_DIR, DATABASE_ENV)}

if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_cache",
        }
    }

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = PROJECT_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- passwords -------------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "users.hashers.Argon2idHasher",
    "users.hashers.BetterAuthScryptHasher",  # imported better-auth users; upgraded on sign-in
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {
        "NAME": "users.passwords.MaximumLengthValidator",
        "OPTIONS": {"max_length": PASSWORD_MAX_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "name")},
    },
]

# --- security headers and cookies ------------------------------------------------------------
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SAMESITE = "Strict"
CSRF_FAILURE_VIEW = "project.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
CORS_ALLOW_CREDENTIALS = True
CORS_ALLOW_HEADERS = (
    "accept",
    "authorization",
    "content-type",
    "x-csrftoken",
    "x-refresh-token-transport",
)
CORS_URLS_REGEX = r"^/api/.*$"

# --- REST framework, tokens, OpenAPI ---------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["auth_api.authentication.AccessTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PARSER_CLASSES": ["auth_api.http.parsers.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["auth_api.http.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "auth_api.http.negotiation.ContentNegotiation",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "auth_api.http.exception_handler.handle_exception",
    "UNAUTHENTICATED_USER": None,
    "NUM_PROXIES": NUM_PROXIES or None,
}

SIMPLE_JWT = {
    "ALGORITHM": "HS256",
    "SIGNING_KEY": JWT_SIGNING_KEY,
    "VERIFYING_KEY": "",
    "AUDIENCE": JWT_AUDIENCE,
    "ISSUER": JWT_ISSUER,
    "LEEWAY": JWT_LEEWAY_SECONDS,
    "ACCESS_TOKEN_LIFETIME": ACCESS_TOKEN_LIFETIME,
    "REFRESH_TOKEN_LIFETIME": REFRESH_TOKEN_LIFETIME,
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "sub",
    "TOKEN_TYPE_CLAIM": "token_type",
    "JTI_CLAIM": "jti",
    "UPDATE_LAST_LOGIN": False,
    "AUTH_HEADER_TYPES": ("Bearer",),
}

REFRESH_COOKIE_NAME = "refresh_token" if not SECURE_COOKIES else "__Secure-refresh_token"
REFRESH_COOKIE_PATH = "/api/auth/"
# The device cookie marks a browser that signed in before (trusted for that account); the flow
# cookie binds an emailed code to the browser that asked for it. Both httpOnly, on the API path.
DEVICE_COOKIE_NAME = "device" if not SECURE_COOKIES else "__Secure-device"
OTP_FLOW_COOKIE_NAME = "otp_flow" if not SECURE_COOKIES else "__Secure-otp_flow"
TWO_FACTOR_COOKIE_NAME = "two_factor" if not SECURE_COOKIES else "__Secure-two_factor"
PASSKEY_COOKIE_NAME = "passkey_challenge" if not SECURE_COOKIES else "__Secure-passkey_challenge"

# Wrong passwords or codes in a row at step-up and password change that end the sign-in (and
# wrong current passwords at the admin's own password change that end the admin session).
STEP_UP_MAX_FAILURES = env_int("STEP_UP_MAX_FAILURES", 10)

# (limit, window seconds) per scope; see auth_api/limits/rates.py.
RATE_LIMITS = {
    # Password sign-in. A trusted device (one that signed in to the account before) is counted
    # on its own; untrusted clients per address, per (account, address) and in one shared budget
    # per account. Guessable secrets' limits count failures: a success gives its count back.
    # See docs/security-model.md for the arithmetic.
    "sign_in_ip": (env_int("RATE_LIMIT_SIGN_IN_IP", 30), 60),
    "sign_in_account_ip": (env_int("RATE_LIMIT_SIGN_IN_ACCOUNT_IP", 5), 900),
    # 20 an hour, in windows of 15 minutes: strangers who spend it at once keep a new browser's
    # right password waiting 15 minutes at most.
    "sign_in_untrusted": (env_int("RATE_LIMIT_SIGN_IN_UNTRUSTED", 5), 900),
    "sign_in_device": (env_int("RATE_LIMIT_SIGN_IN_DEVICE", 10), 900),
    # Every trusted device of one account together: a pile of devices is no larger budget.
    "trusted_account": (env_int("RATE_LIMIT_TRUSTED_ACCOUNT", 20), 3600),
    "sign_up_ip": (env_int("RATE_LIMIT_SIGN_UP_IP", 50), 3600),  # a class of 40 in one lesson
    "sign_up_email": (env_int("RATE_LIMIT_SIGN_UP_EMAIL", 5), 3600),
    "password_change_user": (env_int("RATE_LIMIT_PASSWORD_CHANGE", 10), 300),
    # Email codes: sends per (address, client) under a per-address ceiling that bounds mailbox
    # flooding (a trusted device is under its own cap only); at least as strict as better-auth's
    # 3 sends per 60 s. Guesses: 3 per code, bound to the client that asked for it, plus the
    # per-address allowance of untrusted wrong guesses (CODE_GUESS_*): re-sending never buys a
    # guesser fresh attempts (better-auth #11162).
    "otp_send_ip": (env_int("RATE_LIMIT_OTP_SEND_IP", 50), 60),  # a class of 40 in one minute
    "otp_send_address_client": (env_int("RATE_LIMIT_OTP_SEND_ADDRESS_CLIENT", 3), 600),
    # The mail ceilings of one address: bounded (no mailbox flooding), yet in windows of 15
    # minutes. Sign-in mail has a ceiling of its own, so strangers who fill it keep the owner from
    # a usable mail 15 minutes at most, and every mail they trigger carries a link that signs the
    # owner in; mail whose link signs no one in (a reset, a verification) cannot crowd it out.
    "otp_send_address": (env_int("RATE_LIMIT_OTP_SEND_ADDRESS", 5), 900),
    "otp_send_address_no_sign_in": (env_int("RATE_LIMIT_OTP_SEND_ADDRESS_NO_SIGN_IN", 5), 900),
    # Mail another account asks for (an email change's code, or the "someone tried to move an
    # account here" notice when the address is taken): one cap for both, so that neither the
    # ceilings above nor an answer of this cap says whether the address has an account.
    "notice_send_address": (env_int("RATE_LIMIT_NOTICE_SEND_ADDRESS", 5), 3600),
    # The notices an account that has not proven its address sends to it (a password changed,
    # an email change asked for): spent by that account alone; over it none is sent.
    "account_notice_address": (env_int("RATE_LIMIT_ACCOUNT_NOTICE_ADDRESS", 5), 3600),
    "otp_verify_ip": (env_int("RATE_LIMIT_OTP_VERIFY_IP", 30), 60),
    # Failed service credentials at introspect/, per client address (a right one spends nothing).
    "introspect_ip": (env_int("RATE_LIMIT_INTROSPECT_IP", 10), 60),
    # Second-step answers (TOTP, recovery codes, passkeys) per client address; failures only.
    "second_factor_ip": (env_int("RATE_LIMIT_SECOND_FACTOR_IP", 30), 60),
    # Passkey challenges handed out per client address (each one is a row until it expires).
    "passkey_options_ip": (env_int("RATE_LIMIT_PASSKEY_OPTIONS_IP", 60), 60),
    # Untrusted wrong recovery codes per (account, client address): a window, never a closure,
    # and never spent by strangers' addresses for the owner's (a recovery code is what the owner
    # holds when strangers closed TOTP): 28,800 guesses per address in 30 days at 10 / 2^60 each.
    "recovery_account_ip": (env_int("RATE_LIMIT_RECOVERY_ACCOUNT_IP", 10), 900),
    # Wrong current passwords at the admin's own password change, per admin session: counted
    # before they are judged, so parallel ones cannot slip past the count that ends the session.
    # A window of a year, so that a session kept alive meets its count again once a year at most.
    "staff_step_up_session": (STEP_UP_MAX_FAILURES, 366 * 24 * 3600),
}
# Development (DEBUG) multiplies every limit, so a person clicking around is not stopped; the
# limits stay on. Tests and production use them as written.
RATE_LIMIT_SCALE = env_float("RATE_LIMIT_SCALE", 10.0 if DEBUG else 1.0)
RATE_LIMITS = {
    scope: (max(1, round(limit * RATE_LIMIT_SCALE)), window)
    for scope, (limit, window) in RATE_LIMITS.items()
}
SIGN_IN_CLOSE_AFTER_FAILURES = env_int("SIGN_IN_CLOSE_AFTER_FAILURES", 100)
# How long the old address's link to undo an email change works.
EMAIL_CHANGE_UNDO_DAYS = env_int("EMAIL_CHANGE_UNDO_DAYS", 7)
# How long a device stays trusted after its last complete sign-in (better-auth's trustDevice).
TRUSTED_DEVICE_DAYS = env_int("TRUSTED_DEVICE_DAYS", 30)
# Step-up: change email, delete account and a password change without the current password need
# a proof of the owner (password or code) in this sign-in within this many seconds.
REAUTH_WINDOW_SECONDS = env_int("REAUTH_WINDOW_SECONDS", 300)
# Second factors. A pending sign-in (first proof passed, second step awaited) lives this long and
# admits this many answers; untrusted clients' consecutive wrong TOTP codes per account close TOTP
# to them until the owner proves it is them otherwise (a recovery code or a passkey).
TWO_FACTOR_PENDING_SECONDS = env_int("TWO_FACTOR_PENDING_SECONDS", 300)
TWO_FACTOR_MAX_ATTEMPTS = env_int("TWO_FACTOR_MAX_ATTEMPTS", 5)
TOTP_CLOSE_AFTER_FAILURES = env_int("TOTP_CLOSE_AFTER_FAILURES", 30)
# The name authenticator apps show beside the account.
TOTP_ISSUER = env_str("TOTP_ISSUER") or "Auth"
# Passkeys (WebAuthn): the relying party's id (a registrable domain of the web app's origin) and
# every origin the browser may report. Default: the web app's origin.
WEBAUTHN_ORIGINS = env_list("WEBAUTHN_ORIGINS") or [WEB_ORIGIN]
WEBAUTHN_RP_ID = env_str("WEBAUTHN_RP_ID") or urlsplit(WEBAUTHN_ORIGINS[0]).hostname or "localhost"
WEBAUTHN_RP_NAME = env_str("WEBAUTHN_RP_NAME") or TOTP_ISSUER
WEBAUTHN_CHALLENGE_SECONDS = env_int("WEBAUTHN_CHALLENGE_SECONDS", 300)
SECURITY_EVENT_RETENTION_DAYS = env_int("SECURITY_EVENT_RETENTION_DAYS", 90)
CODE_GUESS_BURST = env_int("CODE_GUESS_BURST", 60)
CODE_GUESS_REFILL_SECONDS = env_int("CODE_GUESS_REFILL_SECONDS", 30 * 24 * 3600 // 40)

SPECTACULAR_SETTINGS = {
    "TITLE": "Auth API",
    # The API's routes are path() routes; a `str` segment is one without a slash.
    "PATH_CONVERTER_OVERRIDES": {"str": {"type": "string", "pattern": "^[^/]+$"}},
    "DESCRIPTION": (
        "Email + password and email-code authentication. Access tokens are short-lived JWTs sent "
        "as `Authorization: Bearer`; the refresh token lives in an httpOnly cookie (or, for "
        "non-browser clients that send `X-Refresh-Token-Transport: body`, in the JSON body). "
        "Every error body is `{code, message}` plus `fields` for validation errors."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/auth/",
    "APPEND_COMPONENTS": {
        "securitySchemes": {
            "serviceCredential": {
                "type": "http",
                "scheme": "basic",
                "description": "A service's name and secret from INTROSPECTION_CLIENTS.",
            }
        }
    },
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "users.models.Role",
        "OtpType": "auth_api.http.serializers.OTP_TYPES",  # the contract keeps the API's name
        "ErrorCode": "auth_api.http.serializers.error_code_choices",  # every registered code
    },
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums"],
    # Swagger UI's options, a JavaScript object: its file is served from this origin (the split
    # view), so the page's CSP allows it. "Try it out" sends cookie-borne calls (refresh/,
    # sign-out/) with the csrftoken cookie's value as it is at that moment (a value read when the
    # page loaded may be stale), getting the cookie first when the browser has none.
    "SWAGGER_UI_SETTINGS": """{
  deepLinking: true,
  requestInterceptor: async (request) => {
    const method = (request.method || "GET").toUpperCase();
    const url = new URL(request.url, document.baseURI);
    if (["GET", "HEAD", "OPTIONS"].includes(method) || url.origin !== location.origin) {
      return request;
    }
    const cookie = () => (document.cookie.match(/(?:^|;\\s*)csrftoken=([^;]+)/) || [])[1];
    if (!cookie()) await fetch("/api/auth/csrf/", { credentials: "same-origin" });
    request.headers["X-CSRFToken"] = cookie() || "";
    return request;
  },
}""",
}

# Python warnings become log records too (py.warnings): every line the process writes is JSON.
logging.captureWarnings(True)
# A record skips what no line of this service prints: the caller's file and line (a stack walk
# per record), thread and process names (the logging docs' "Optimization" settings). Every
# request writes one access line, so this is a per-request cost.
logging._srcfile = None
logging.logThreads = False
logging.logProcesses = False
logging.logMultiprocessing = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "observability.logs.RequestIdFilter"},
        "client_error": {"()": "observability.logs.ClientErrorFilter"},
        "dev_server_requests": {"()": "observability.logs.DevServerRequestFilter"},
    },
    "formatters": {
        "json": {"()": "observability.logs.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {"level": "ERROR"},
        # project.middleware.request_context writes the one access line per request; Django's
        # development server would add a second one (a WARNING for each 4xx). Its other lines go
        # to the root handler like any (Django's default config gives it none of its own).
        "django.server": {
            "level": "WARNING",
            "filters": ["dev_server_requests"],
            "propagate": True,
        },
        # A request with a Host not in ALLOWED_HOSTS is the client's mistake (or a scan): one
        # WARNING line, not an ERROR with a traceback per request.
        "django.security.DisallowedHost": {"filters": ["client_error"]},
    },
}
