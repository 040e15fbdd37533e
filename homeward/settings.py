"""Django settings for Homeward. Every value that differs between deployments comes from
the environment through the strict helpers in ``homeward.core.env``; with nothing set,
the project runs locally on SQLite."""

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from homeward.core.env import env_bool, env_int, env_list, env_str, env_time_zone
from homeward.ledger.providers import NAMES as PAYMENT_PROVIDERS

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

# A real deployment says so: it then refuses to start without its secrets, never shows
# debug pages, and serves HTTPS only (``manage.py check --deploy`` finds nothing to say).
HOMEWARD_PRODUCTION = env_bool("HOMEWARD_PRODUCTION", False)
DEBUG = env_bool("DEBUG", False)
if DEBUG and HOMEWARD_PRODUCTION:
    raise ImproperlyConfigured("DEBUG must be off when HOMEWARD_PRODUCTION is on")
_DEV_SECRET = "homeward-local-development-only-not-a-secret"
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET)
if SECRET_KEY == _DEV_SECRET and HOMEWARD_PRODUCTION:
    raise ImproperlyConfigured("SECRET_KEY must be set when HOMEWARD_PRODUCTION is on")
# Earlier keys, still accepted for what they signed (sessions, device cookies, recovery
# codes) while a new SECRET_KEY is rolled out.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Behind a reverse proxy that terminates TLS: trust its X-Forwarded-Proto (is this request
# HTTPS?) and the address the proxies add to X-Forwarded-For (who is asking). PROXY_COUNT
# is how many proxies stand in front (a CDN and a load balancer are 2): the client is the
# address that many entries from the end. Only with proxies in front: otherwise any client
# could write those headers.
PROXY_HEADERS = env_bool("PROXY_HEADERS", False)
PROXY_COUNT = env_int("PROXY_COUNT", 1, minimum=1)
if PROXY_HEADERS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "homeward.core",
    "homeward.people",
    "homeward.facilities",
    "homeward.connections",
    "homeward.screening",
    "homeward.messaging",
    "homeward.photos",
    "homeward.review",
    "homeward.jobs",
    "homeward.ledger",
    "homeward.notifications",
    "homeward.enforcement",
    "homeward.monitoring",
    "homeward.web",
    "homeward.kiosk",
    "homeward.console",
    "homeward.api",
    "homeward.operations",
    "homeward.demo",
]

MIDDLEWARE = [
    *(["homeward.core.middleware.ProxyAddressMiddleware"] if PROXY_HEADERS else []),
    "homeward.operations.metrics.RequestMetricsMiddleware",
    # Before the host check and the HTTPS redirect: load balancers probe by address.
    "homeward.operations.health.HealthMiddleware",
    # Early, so it compresses the finished answer: the API's JSON reads only (its module
    # says why not the rest: BREACH).
    "homeward.api.middleware.ApiGZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files straight from the WSGI app, before sessions or the database are touched.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "homeward.core.middleware.ContentSecurityPolicyMiddleware",
    # Before anything reads the request: NUL and lone surrogates are a 400, never a 500.
    "homeward.core.input_guard.InputGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # After sign-in is known: a person's saved language comes before their browser's.
    "homeward.core.language.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "homeward.urls"
WSGI_APPLICATION = "homeward.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "homeward" / "templates"],
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

_DEFAULT_DB = f"sqlite:///{VAR_DIR / 'homeward.sqlite3'}"
try:
    _db = dj_database_url.parse(env_str("DATABASE_URL", _DEFAULT_DB))
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
if _db["ENGINE"] == "django.db.backends.sqlite3":
    if _db["NAME"] != ":memory:":
        Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the web server and the worker read while the other writes; IMMEDIATE makes a
    # write transaction take the write lock at BEGIN, so two writers queue instead of
    # failing half-way through.
    _db["CONN_MAX_AGE"] = 0
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif _db["ENGINE"] == "django.db.backends.postgresql":
    # Every server thread holds its own connection. Kept open between requests
    # (DB_CONN_MAX_AGE > 0), they pile up with the threads until PostgreSQL refuses everyone;
    # with 0 each request closes its connection, so open connections never outnumber the
    # requests in flight. Raise it only with a fixed pool of threads (or PgBouncer) sized
    # below PostgreSQL's max_connections.
    _db["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 0, minimum=0)
    _db["CONN_HEALTH_CHECKS"] = env_bool("DB_CONN_HEALTH_CHECKS", True)
    # A server that has vanished (a failover) answers nothing; give up on connecting after
    # 10 seconds so the worker backs off and retries instead of hanging for minutes.
    # (?connect_timeout=N in DATABASE_URL overrides it.)
    _db.setdefault("OPTIONS", {}).setdefault("connect_timeout", 10)
    # DB_POOL=1: each process keeps a pool of open connections (psycopg's pool) instead of
    # opening one per request; at most DB_POOL_MAX_SIZE per process, so size it to the
    # server's threads (WEB_THREADS) and keep processes × size below max_connections. A
    # request that finds every connection busy waits up to DB_POOL_TIMEOUT seconds.
    # Behind PgBouncer in transaction pooling, a server-side cursor (QuerySet.iterator())
    # could outlive the server connection it was opened on: DB_SERVER_SIDE_CURSORS=0.
    _db["DISABLE_SERVER_SIDE_CURSORS"] = not env_bool("DB_SERVER_SIDE_CURSORS", True)
    if env_bool("DB_POOL", False):
        if _db["CONN_MAX_AGE"]:
            raise ImproperlyConfigured("DB_POOL and DB_CONN_MAX_AGE cannot be used together")
        _pool_max = env_int("DB_POOL_MAX_SIZE", 4, minimum=1)
        _db["OPTIONS"]["pool"] = {
            "min_size": env_int("DB_POOL_MIN_SIZE", 1, minimum=0, maximum=_pool_max),
            "max_size": _pool_max,
            "timeout": env_int("DB_POOL_TIMEOUT", 10, minimum=1),
        }
else:
    raise ImproperlyConfigured("DATABASE_URL must be sqlite:// or postgres://")
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "people.User"
LOGIN_URL = "web:signin"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The languages of the contact site, the kiosk, the API's messages and the emails (the staff
# console stays English). Each app keeps its Spanish in its own ``locale/``; the project's
# templates keep theirs in ``homeward/locale``. ``make`` compiles them (README: adding a
# language).
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "homeward" / "locale"]
# Dates written one way per language; amounts keep "." for cents in both (homeward/formats).
FORMAT_MODULE_PATH = ["homeward.formats"]
LANGUAGE_COOKIE_NAME = "homeward_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Photos (homeward/photos/storage.py) are kept privately: on the local disk under var/photos
# with no URL by default, or in S3-compatible object storage with
# PHOTO_STORAGE_BACKEND=storages.backends.s3.S3Storage (install django-storages) and its
# options as a JSON object in PHOTO_STORAGE_OPTIONS (a private bucket, signed URLs).
_PHOTO_DISK = "homeward.photos.storage.PrivateFileSystemStorage"
PHOTO_STORAGE_BACKEND = env_str("PHOTO_STORAGE_BACKEND", _PHOTO_DISK)
try:
    PHOTO_STORAGE_OPTIONS = json.loads(env_str("PHOTO_STORAGE_OPTIONS", "{}"))
except ValueError as exc:
    raise ImproperlyConfigured(f"PHOTO_STORAGE_OPTIONS is not JSON: {exc}") from None
if not isinstance(PHOTO_STORAGE_OPTIONS, dict):
    raise ImproperlyConfigured("PHOTO_STORAGE_OPTIONS must be a JSON object")
if PHOTO_STORAGE_BACKEND == _PHOTO_DISK:
    PHOTO_STORAGE_OPTIONS = {"location": str(VAR_DIR / "photos"), **PHOTO_STORAGE_OPTIONS}
# WhiteNoise serves static files with DEBUG off: what `collectstatic` gathered in STATIC_ROOT
# (compressed; `make run` collects), or, when nothing was collected (a fresh clone, the
# tests) and while developing, the apps' own files through the finders.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    "photos": {"BACKEND": PHOTO_STORAGE_BACKEND, "OPTIONS": PHOTO_STORAGE_OPTIONS},
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing root
WHITENOISE_USE_FINDERS = DEBUG or not any(STATIC_ROOT.iterdir())
WHITENOISE_AUTOREFRESH = DEBUG

# What a photo may be when it arrives: its bytes, and its pixels as its header declares them
# (read before anything is decoded, so a small file that would unpack into gigabytes is
# refused unopened). The longest side of a photo's thumbnail, in pixels.
PHOTO_MAX_BYTES = env_int("PHOTO_MAX_BYTES", 15 * 1024 * 1024, minimum=1024)
PHOTO_MAX_PIXELS = env_int("PHOTO_MAX_PIXELS", 40_000_000, minimum=10_000)
PHOTO_THUMBNAIL = env_int("PHOTO_THUMBNAIL", 320, minimum=32, maximum=2048)
# How many photos one contact may upload in an hour (counted before anything is kept, so
# parallel uploads cannot pass it), and how long a photo may wait for its check before the
# sweep queues the check again (its job died, or was lost).
PHOTO_UPLOADS_PER_HOUR = env_int("PHOTO_UPLOADS_PER_HOUR", 60, minimum=1)
PHOTO_CHECK_STALE_MINUTES = env_int("PHOTO_CHECK_STALE_MINUTES", 15, minimum=1)
# The photo check's signals for reviewers (homeward/photos/signals.py): text read in the
# picture by OCR (then screened with the text rules) and a nudity score. Each costs CPU
# time per photo (bench/photos.py); a deployment may turn either off.
# onnxruntime (which runs both models) reports usage to its makers at start-up unless this is
# set before it is first imported: a system that screens prisoners' mail never phones home.
os.environ["ORT_DISABLE_TELEMETRY"] = "1"
PHOTO_READ_TEXT = env_bool("PHOTO_READ_TEXT", True)
PHOTO_NUDITY_SCORE = env_bool("PHOTO_NUDITY_SCORE", True)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", HOMEWARD_PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
# A password reset link works once, for two hours.
PASSWORD_RESET_TIMEOUT = 2 * 3600
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Served over HTTPS (SECURE_COOKIES=1): browsers are told to use HTTPS only, for a year.
# Django sends the header on secure requests only.
SECURE_HSTS_SECONDS = 31_536_000 if SESSION_COOKIE_SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", SESSION_COOKIE_SECURE)
# Asking browsers to build HTTPS-only into their releases is the domain owner's decision
# (it is hard to undo), so it is off unless HSTS_PRELOAD=1, and the deploy check's reminder
# about it is silenced.
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# Plain HTTP is answered with a redirect to HTTPS in production (behind a proxy that
# terminates TLS, PROXY_HEADERS=1 tells which requests came over HTTPS). The scraper of
# /metrics may stay on the private network; /healthz is answered before any redirect.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HOMEWARD_PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^metrics$"]

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Homeward <no-reply@localhost>")
# The daily digest of notifications goes out at this hour, in this time zone.
NOTIFICATION_DIGEST_HOUR = env_int("NOTIFICATION_DIGEST_HOUR", 18, minimum=0, maximum=23)
NOTIFICATION_DIGEST_TIME_ZONE = env_time_zone("NOTIFICATION_DIGEST_TIME_ZONE", "America/New_York")

# Where people reach this deployment, for links in emails.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# The version of the monitoring notice a contact accepts at sign-up. Raise it whenever the
# notice text in templates/web/monitoring_notice.html changes.
MONITORING_NOTICE_VERSION = "2026-12-1"
# The version of the monitoring notice staff accept after their second factor. Raise it
# whenever the text in console/templates/console/notice.html changes: everyone accepts again.
STAFF_MONITORING_NOTICE_VERSION = "2026-12-2"

# Staff second factor (django-otp). Each wrong code doubles the wait before the next try
# on that device (1, 2, 4, 8 ... seconds); a factor of 0 would turn throttling off.
OTP_TOTP_ISSUER = "Homeward"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# How long a claimed review item or job stays with its holder before others may take it.
REVIEW_LEASE_SECONDS = env_int("REVIEW_LEASE_SECONDS", 900, minimum=30)
# How long a reviewer may undo a decision on the console before it takes effect.
REVIEW_UNDO_SECONDS = env_int("REVIEW_UNDO_SECONDS", 5, minimum=0)
JOB_LEASE_SECONDS = env_int("JOB_LEASE_SECONDS", 120, minimum=5)
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 5, minimum=1)
# Finished jobs are deleted this many days after they finished (dead ones are kept).
JOB_RETENTION_DAYS = env_int("JOB_RETENTION_DAYS", 7, minimum=1)
# How long a released resident's archive code works (messaging.archive_codes).
ARCHIVE_CODE_DAYS = env_int("ARCHIVE_CODE_DAYS", 90, minimum=1)
# How long an API token works from when it was made (fixed; an app refreshes it before then).
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 30, minimum=1)

# Web Push (notifications.push): the push services a device may register an endpoint at
# (origins; "*." matches any subdomain). Homeward posts only to these, so a registration
# cannot make the server call an address of someone's choosing.
WEB_PUSH_SERVICES = env_list(
    "WEB_PUSH_SERVICES",
    [
        "https://fcm.googleapis.com",
        "https://updates.push.services.mozilla.com",
        "https://web.push.apple.com",
        "https://*.notify.windows.com",
    ],
)
# Who the push services may write to about this deployment's pushes (VAPID "sub").
WEB_PUSH_SUBJECT = env_str("WEB_PUSH_SUBJECT", "mailto:no-reply@localhost")
# The VAPID private key (base64url of the 32-byte P-256 key); empty: one is made on first
# use and kept in the database, the same for every server of the deployment.
WEB_PUSH_PRIVATE_KEY = env_str("WEB_PUSH_PRIVATE_KEY", "")

# Compiled screening databases, shared by every worker on this machine (one file per
# rule-set version); empty turns the disk cache off.
SCREENING_CACHE_DIR = env_str("SCREENING_CACHE_DIR", str(VAR_DIR / "screening-cache"))

# The Ed25519 key that signs exported bundles (core/bundles.py): a PEM private key, or a
# path to one. Unset, a development deployment makes one in var/ on first use; production
# refuses to start without it.
EXPORT_SIGNING_KEY = env_str("EXPORT_SIGNING_KEY", "")
if HOMEWARD_PRODUCTION and not EXPORT_SIGNING_KEY:
    raise ImproperlyConfigured("EXPORT_SIGNING_KEY must be set when HOMEWARD_PRODUCTION is on")
# A new database gets the whole baseline rule library when it is migrated.
SCREENING_LIBRARY_ON_MIGRATE = env_bool("SCREENING_LIBRARY_ON_MIGRATE", True)

# Card payments. "sandbox" (the default) takes the documented test cards and moves no real
# money; "stripe" uses Stripe Checkout and needs both Stripe keys.
PAYMENT_PROVIDER = env_str("PAYMENT_PROVIDER", "sandbox")
if PAYMENT_PROVIDER not in PAYMENT_PROVIDERS:
    raise ImproperlyConfigured(
        f"PAYMENT_PROVIDER must be one of {', '.join(PAYMENT_PROVIDERS)}; got {PAYMENT_PROVIDER!r}"
    )
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = env_str("STRIPE_API_BASE", "https://api.stripe.com").rstrip("/")
if PAYMENT_PROVIDER == "stripe" and not (STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET):
    raise ImproperlyConfigured(
        "PAYMENT_PROVIDER=stripe needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET"
    )
# The sandbox signs its own webhooks with this; the late test card's webhook arrives after
# SANDBOX_LATE_SECONDS.
SANDBOX_WEBHOOK_SECRET = env_str("SANDBOX_WEBHOOK_SECRET", "sandbox-" + SECRET_KEY)
SANDBOX_LATE_SECONDS = env_int("SANDBOX_LATE_SECONDS", 5, minimum=0)

# Logs go to standard error: plain lines, or one JSON object per line with LOG_FORMAT=json
# (core/logs.py), for a log collector. Every request is logged on ``homeward.request``.
LOG_FORMAT = env_str("LOG_FORMAT", "text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json; got {LOG_FORMAT!r}")
# The least severe records logged (in either case: "info" is INFO).
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
    raise ImproperlyConfigured(
        f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL; got {LOG_LEVEL.lower()!r}"
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "homeward.core.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}

# /metrics (Prometheus) answers only a scraper sending "Authorization: Bearer <token>";
# unset, there is no such page.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
# /healthz says the queue is "lagging" once the oldest due job has waited longer than this.
HEALTH_MAX_QUEUE_LAG_SECONDS = env_int("HEALTH_MAX_QUEUE_LAG_SECONDS", 300, minimum=1)
