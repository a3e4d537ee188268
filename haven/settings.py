"""Haven's settings. Everything an operator may change comes from a HAVEN_* environment variable.

See docs/OPERATIONS.md for the full list. A malformed value raises ImproperlyConfigured naming the variable.
"""

from __future__ import annotations

import base64
import secrets
from datetime import timedelta
from pathlib import Path

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from haven.conf import env_bool, env_database, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("HAVEN_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("HAVEN_DEBUG", default=False)

# The demo bypass for two-factor authentication exists so that `make demo` works without an authenticator
# app. It is refused outside DEBUG, so a production deployment cannot switch it on by accident.
DEMO_SKIP_2FA = env_bool("HAVEN_DEMO_SKIP_2FA", default=False)
if DEMO_SKIP_2FA and not DEBUG:
    raise ImproperlyConfigured("HAVEN_DEMO_SKIP_2FA: allowed only together with HAVEN_DEBUG=1 (the demo)")


def _development_key(name: str, make: str) -> str:
    """Demo and development only: a random key kept in var/ (owner-only), so it survives a restart."""
    key_file = VAR_DIR / name
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(make, encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


def _secret_key() -> str:
    configured = env_secret("HAVEN_SECRET_KEY")
    if configured is not None:
        if len(configured) < 32:
            raise ImproperlyConfigured("HAVEN_SECRET_KEY: must be at least 32 characters long")
        return configured
    if not DEBUG:
        raise ImproperlyConfigured(
            "HAVEN_SECRET_KEY: not set (or set HAVEN_SECRET_KEY_FILE); required unless HAVEN_DEBUG=1"
        )
    return _development_key("secret_key", secrets.token_urlsafe(50))


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("HAVEN_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("HAVEN_CSRF_TRUSTED_ORIGINS", [])

DATABASES = {"default": env_database("HAVEN_DATABASE_URL", VAR_DIR / "haven.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "haven.core",
    "haven.audit",
    "haven.accounts",
    "haven.evidence",
    "haven.hashbank",
    "haven.advice",
    "haven.intake",
    "haven.chats",
    "haven.intel",
    "haven.triage",
    "haven.grading",
    "haven.referrals",
    "haven.insights",
    "haven.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "haven.core.headers.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "haven.core.csrf.NoReferrerCsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "haven.accounts.middleware.AccessMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "haven.urls"
WSGI_APPLICATION = "haven.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "haven" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "haven.core.context.site",
                "haven.accounts.context.navigation",
            ],
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "haven.accounts.backends.ModelBackendWithOrganisation",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"

# Sessions end after 30 minutes without a request: the timer restarts on every request.
SESSION_COOKIE_AGE = env_int("HAVEN_SESSION_IDLE_SECONDS", 30 * 60, minimum=60, maximum=24 * 3600)
SESSION_SAVE_EVERY_REQUEST = True
# However busy, a session ends this long after its sign-in (the idle limit above ends a quiet one sooner).
SESSION_ABSOLUTE_SECONDS = env_int(
    "HAVEN_SESSION_ABSOLUTE_SECONDS", 12 * 3600, minimum=300, maximum=7 * 86400
)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_HTTPONLY = True
# The CSRF token lives in the session, not in a cookie of its own that would outlast the browser session
# on what may be a child's or a family's device: no cookie of Haven's outlives the browser.
CSRF_USE_SESSIONS = True
# A form sent after its session ended gets a page that says so, with Exit this page on the public side.
CSRF_FAILURE_VIEW = "haven.views.csrf_failure"
CSRF_COOKIE_SAMESITE = "Strict"
# Cookies are Secure unless the demo runs on plain http://127.0.0.1.
SESSION_COOKIE_SECURE = env_bool("HAVEN_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Haven listens on 127.0.0.1 behind a TLS-terminating proxy; HSTS is sent on every HTTPS response.
SECURE_HSTS_SECONDS = env_int("HAVEN_HSTS_SECONDS", 63072000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "no-referrer"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("HAVEN_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}

# django-axes: five failures for one username from one address lock that pair out for 15 minutes.
AXES_FAILURE_LIMIT = env_int("HAVEN_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("HAVEN_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The client's address as Haven derives it (behind HAVEN_BEHIND_TLS_PROXY, the address the proxy saw), not
# the proxy's own, which every request shares: otherwise anyone could lock any member of staff out.
AXES_CLIENT_IP_CALLABLE = "haven.core.requests.client_ip"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True

OTP_TOTP_ISSUER = env_str("HAVEN_OTP_ISSUER", "Haven")

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
FRONTEND_DIST = BASE_DIR / "frontend" / "dist"
STATICFILES_DIRS = [FRONTEND_DIST / "static"] if (FRONTEND_DIST / "static").is_dir() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# GOV.UK Frontend's compiled CSS refers to its fonts and images at /assets/; WhiteNoise serves them there.
WHITENOISE_ROOT = FRONTEND_DIST / "root" if (FRONTEND_DIST / "root").is_dir() else None
WHITENOISE_USE_FINDERS = DEBUG

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    },
}
# A job still running after this long lost its worker; a report still waiting this long after its job was
# made gets a new job. The workers' chores check both every minute.
JOB_TIMEOUT_SECONDS = env_int("HAVEN_JOB_TIMEOUT_SECONDS", 1800, minimum=1)
REQUEUE_AFTER_SECONDS = env_int("HAVEN_REQUEUE_AFTER_SECONDS", 600, minimum=1)
# Insights: how soon after receipt a report should have its band, for the "triage target met" share.
INSIGHTS_TRIAGE_MINUTES = env_int("HAVEN_INSIGHTS_TRIAGE_MINUTES", 15, minimum=1)

# The evidence store: encrypted blobs under EVIDENCE_DIR, each data key wrapped by HAVEN_EVIDENCE_KEY (32
# bytes, base64). Retired keys stay in HAVEN_EVIDENCE_OLD_KEYS until `haven evidence rotate-key` has run.
EVIDENCE_DIR = Path(env_str("HAVEN_EVIDENCE_DIR") or VAR_DIR / "evidence")
EVIDENCE_KEY = env_secret("HAVEN_EVIDENCE_KEY")
EVIDENCE_OLD_KEYS = env_list("HAVEN_EVIDENCE_OLD_KEYS", [])
EVIDENCE_MAX_BYTES = env_int("HAVEN_EVIDENCE_MAX_BYTES", 200 * 1024 * 1024, minimum=1)
if EVIDENCE_KEY is None and DEBUG:
    EVIDENCE_KEY = _development_key("evidence_key", base64.b64encode(secrets.token_bytes(32)).decode())

# Uploads stay in memory: no request ever writes a plaintext temporary file. The API's two file endpoints
# swap in their own handlers (haven/core/uploads.py): /match/file keeps its file in memory up to
# MATCH_MAX_UPLOAD_BYTES, and the evidence upload encrypts as it streams.
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]

# The public reporting form: reports (and self-referrals) one IP address may send in an hour; and the
# self-referral status checks it may make in an hour.
PUBLIC_REPORTS_PER_HOUR = env_int("HAVEN_PUBLIC_REPORTS_PER_HOUR", 10, minimum=1)
PUBLIC_STATUS_CHECKS_PER_HOUR = env_int("HAVEN_PUBLIC_STATUS_CHECKS_PER_HOUR", 30, minimum=1)

# Viral bundling: this many reports carrying one file (by sha256) within this many days become one bundle.
VIRAL_MIN_REPORTS = env_int("HAVEN_VIRAL_MIN_REPORTS", 5, minimum=2)
VIRAL_WINDOW_DAYS = env_int("HAVEN_VIRAL_WINDOW_DAYS", 7, minimum=1)

# Linking: a value held by more than this many distinct subjects is noisy and stops linking (MISP's
# correlation_limit, whose default is also 20).
INTEL_CORRELATION_CAP = env_int("HAVEN_INTEL_CORRELATION_CAP", 20, minimum=1)

# The largest file a partner may send to POST /api/v1/match/file; it is hashed in memory.
MATCH_MAX_UPLOAD_BYTES = env_int("HAVEN_MATCH_MAX_UPLOAD_BYTES", 50 * 1024 * 1024, minimum=1)
# The welfare viewer: a grader's reveal of one file ends by itself after this many seconds.
GRADING_REVEAL_SECONDS = env_int("HAVEN_GRADING_REVEAL_SECONDS", 120, minimum=5, maximum=600)

# The largest request body outside file uploads: a batch of 1,000 reports of a few kilobytes each fits; a
# larger body gets 413 before it is parsed.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("HAVEN_MAX_BODY_BYTES", 32 * 1024 * 1024, minimum=1024)

# Where the public "Exit this page" button sends a person in a hurry.
EXIT_PAGE_URL = env_str("HAVEN_EXIT_PAGE_URL", "https://www.bbc.co.uk/weather")

# The public pages' words go through Django's translation: English is complete, and a language joins by
# adding its catalogue under haven/locale/ (`make messages LANGUAGE=cy`, then translate and compile) and a
# line here. The browser's Accept-Language chooses among these; nothing is stored (LocaleMiddleware sets
# no cookie). Staff pages are in English. The advice itself is Markdown, in English only for now.
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English")]
LOCALE_PATHS = [BASE_DIR / "haven" / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

NINJA_PAGINATION_PER_PAGE = 100

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("HAVEN_LOG_LEVEL", "INFO").upper()},
    "loggers": {name: {"level": "WARNING"} for name in ("axes", "weasyprint", "fontTools", "faiss.loader")},
}

# Mail to forces' liaison officers (new referrals, reminders). The console backend writes the message to
# the log, which is what the demo wants; set HAVEN_EMAIL_HOST to send through an SMTP server.
EMAIL_HOST = env_str("HAVEN_EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("HAVEN_EMAIL_PORT", 587, minimum=1, maximum=65535)
EMAIL_USE_TLS = env_bool("HAVEN_EMAIL_TLS", default=True)
EMAIL_HOST_USER = env_str("HAVEN_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_secret("HAVEN_EMAIL_PASSWORD") or ""
DEFAULT_FROM_EMAIL = env_str("HAVEN_EMAIL_FROM", "haven@example.org")
