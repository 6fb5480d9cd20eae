"""Settings for Power Express, driven by environment variables.

Every variable is documented in ``.env.example``. With no variables at all the
project runs on an embedded SQLite database with eager (in-process) Celery tasks.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from powerexpress.env import env_bool, env_int, env_list, env_optional_pair, env_str

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
DATA_DIR = Path(env_str("POWEREXPRESS_DATA_DIR", str(PROJECT_DIR / "var")))

# --- Production profile: security (docs/deploy.md). Off-by-default switches are for HTTPS behind a proxy.
# DEBUG is off unless asked for; without DEBUG a SECRET_KEY must be given: it signs sessions, CSRF
# tokens, public bill links and application withdrawals, so a built-in key would let anyone forge them.
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off Power Express refuses to start without it. Set "
            "SECRET_KEY to a long random string (for example the output of: python3 -c "
            "'import secrets; print(secrets.token_urlsafe(50))'), or DEBUG=1 on a development machine."
        )
    SECRET_KEY = "dev-only-insecure-key-used-with-DEBUG-on-never-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# The header a trusted reverse proxy sets to say the client used HTTPS, e.g. "X-Forwarded-Proto,https".
SECURE_PROXY_SSL_HEADER = env_optional_pair("SECURE_PROXY_SSL_HEADER")
USE_X_FORWARDED_HOST = env_bool("USE_X_FORWARDED_HOST", False)
# Staff sessions end after a working day (8 h) unless configured otherwise.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", False)
# Request bodies: form/JSON data held in memory (files excluded) and the size above which an upload
# goes to a temporary file instead of memory. The proxy's own limit is in docs/deploy.md.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 2000)
# Media (photos) are served by a view that checks the user's scope; in production the view hands the
# file to the proxy: "" (the view sends it), "x-accel-redirect" (nginx) or "x-sendfile" (Apache, lighttpd).
MEDIA_SENDFILE = env_str("MEDIA_SENDFILE", "")
# The proxy's health check may use plain HTTP on the local network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
MEDIA_ACCEL_PREFIX = env_str("MEDIA_ACCEL_PREFIX", "/protected-media/")

INSTALLED_APPS = [
    # Project apps first: their templates and translations take precedence over Django's.
    "powerexpress.core",
    "powerexpress.accounts",
    "powerexpress.registry",
    "powerexpress.workorders",
    "powerexpress.billing",
    "powerexpress.repair",
    "powerexpress.grid",
    "powerexpress.lineloss",
    "powerexpress.applications",
    "powerexpress.outreach",
    "powerexpress.portal",
    "powerexpress.command",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_filters",
    "ninja",  # serves the API docs page (Swagger UI) from its own static files, not a CDN
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "powerexpress.urls"
WSGI_APPLICATION = "powerexpress.wsgi.application"

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
                "django.template.context_processors.i18n",
                "powerexpress.core.context_processors.navigation",
                "powerexpress.command.landing.bottom_bar",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'powerexpress.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DB_NAME", "") or None}
elif env_str("TEST_DB_NAME", ""):
    DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DB_NAME", "")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["powerexpress.accounts.backends.RoleBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "powerexpress.core.finders.PackageFilesFinder",  # plotly's bundle from its Python package
]
# Hashed names and gzip + Brotli copies once collectstatic has run (powerexpress/core/storage.py).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "powerexpress.core.storage.StaticStorage"},
}
WHITENOISE_AUTOREFRESH = DEBUG

# --- Background work (docs/deploy.md, ARCHITECTURE.md "Background work").
# Without CELERY_BROKER_URL the broker is embedded: kombu's filesystem transport in DATA_DIR/celery,
# no server needed; `powerexpress serve-demo` runs the worker and beat next to the web server.
# CELERY_TASK_ALWAYS_EAGER=1 runs tasks inside the caller instead (the test suite does).
CELERY_DIR = DATA_DIR / "celery"  # embedded broker and results; beat's schedule file in every profile
CELERY_DIR.mkdir(parents=True, exist_ok=True)
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "") or "filesystem://"
if CELERY_BROKER_URL == "filesystem://":
    for _folder in ("queue", "processed", "control", "results"):
        (CELERY_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DIR / "queue"),
        "data_folder_out": str(CELERY_DIR / "queue"),
        "processed_folder": str(CELERY_DIR / "processed"),
        "control_folder": str(CELERY_DIR / "control"),  # else kombu writes ./control in the working dir
        "store_processed": False,
    }
    _default_results = f"file://{CELERY_DIR / 'results'}"
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 5, "socket_timeout": 10}
    _default_results = CELERY_BROKER_URL
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", "") or _default_results
CELERY_RESULT_EXPIRES = env_int("CELERY_RESULT_EXPIRES_SECONDS", 86400)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# `powerexpress serve`'s defaults (the Procfile's variables): gunicorn's address and workers, and
# the Celery worker's concurrency; the command's options override them.
SERVE_BIND = env_str("BIND", "127.0.0.1:8000")
WEB_CONCURRENCY = env_int("WEB_CONCURRENCY", 3)
WORKER_CONCURRENCY = env_int("WORKER_CONCURRENCY", 2)
CELERY_TASK_EAGER_PROPAGATES = True
# A dispatch to a broker that is down fails within seconds (the job is then marked failed).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(CELERY_DIR / "beat-schedule")
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {}
# A running or waiting job (import, export, billing run) with no progress for this long has lost its
# worker: the reaper (every minute) marks it failed with the reason.
JOB_STALE_SECONDS = env_int("JOB_STALE_SECONDS", 900)
# Personal data does not linger on disk: an export's file is deleted this many hours after it was
# ready, an uploaded import file's content this many hours after the import finished (hourly job).
EXPORT_RETENTION_HOURS = env_int("EXPORT_RETENTION_HOURS", 24)
IMPORT_RETENTION_HOURS = env_int("IMPORT_RETENTION_HOURS", 168)

# Billing: a meter's register size when no meter change recorded one (digits), consumption above
# which a reading is held, households per billing task, and whether annual tier bounds are
# prorated by months of supply for households connected or closed mid-cycle (to verify; off).
BILLING_REGISTER_DIGITS = env_int("BILLING_REGISTER_DIGITS", 5)
BILLING_IMPLAUSIBLE_KWH = env_int("BILLING_IMPLAUSIBLE_KWH", 3000)
BILLING_CHUNK_SIZE = env_int("BILLING_CHUNK_SIZE", 10_000)
BILLING_PRORATE_PARTIAL_CYCLE = env_bool("BILLING_PRORATE_PARTIAL_CYCLE", False)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@powerexpress.local")

# Public endpoints (fault reports, applications) are rate limited per client.
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
PUBLIC_RATE_LIMIT = env_str("PUBLIC_RATE_LIMIT", "30/m")

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Notifications (see docs/notifications.md): log (default), email, or an HTTP SMS gateway.
NOTIFICATION_BACKEND = env_str("NOTIFICATION_BACKEND", "powerexpress.core.notifications.LogBackend")
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = env_str("SMS_GATEWAY_TOKEN", "")
SMS_SIGN_NAME = env_str("SMS_SIGN_NAME", "")

# Absolute address of the site as villagers reach it (links in SMS, QR codes made offline).
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "")
# The power map draws on a plain background from the WGS-84 coordinates; a bureau that runs its own
# tile server may give its URL template (e.g. https://tiles.example.cn/{z}/{x}/{y}.png).
MAP_TILE_URL = env_str("MAP_TILE_URL", "")

# Villager portal sign-in with one-time codes.
PORTAL_CODE_TTL_SECONDS = env_int("PORTAL_CODE_TTL_SECONDS", 600)
PORTAL_CODE_MAX_TRIES = env_int("PORTAL_CODE_MAX_TRIES", 5)
PORTAL_CODES_PER_30_MIN = env_int("PORTAL_CODES_PER_30_MIN", 3)

# --- Abuse resistance and input limits (issue 11, parts 5–7) ---------------------------------
# One cache shared by every web process (rate limits, sign-in lockout): Redis when CACHE_URL is
# set, else a table in the database (created by `migrate`). When the cache is down, limits
# degrade open with a log line, never a 500.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "powerexpress_cache",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
}
if env_str("CACHE_URL", ""):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("CACHE_URL", ""),
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
# The client's address: REMOTE_ADDR, or behind a reverse proxy the header it sets (e.g.
# HTTP_X_FORWARDED_FOR) read TRUSTED_PROXY_COUNT entries from the right.
TRUSTED_PROXY_HEADER = env_str("TRUSTED_PROXY_HEADER", "")
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1)
RATELIMIT_IP_META_KEY = "powerexpress.core.clients.client_ip"
# Staff sign-in: after LOGIN_LOCKOUT_FAILURES wrong passwords within LOGIN_LOCKOUT_WINDOW_SECONDS
# (per account, and per client address), refuse every sign-in for LOGIN_LOCKOUT_SECONDS.
LOGIN_LOCKOUT_FAILURES = env_int("LOGIN_LOCKOUT_FAILURES", 5)
LOGIN_LOCKOUT_CLIENT_FAILURES = env_int("LOGIN_LOCKOUT_CLIENT_FAILURES", 20)
LOGIN_LOCKOUT_WINDOW_SECONDS = env_int("LOGIN_LOCKOUT_WINDOW_SECONDS", 900)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 900)
# Uploads: photos and data files (imports, interval data, return files), checked by content;
# a request body above MAX_REQUEST_BODY_BYTES is refused before it is read.
MAX_PHOTO_UPLOAD_BYTES = env_int("MAX_PHOTO_UPLOAD_BYTES", 10 * 1024 * 1024)
MAX_DATA_UPLOAD_BYTES = env_int("MAX_DATA_UPLOAD_BYTES", 32 * 1024 * 1024)
MAX_REQUEST_BODY_BYTES = env_int("MAX_REQUEST_BODY_BYTES", 40 * 1024 * 1024)
# API lists: at most this many rows per page (`limit`).
API_MAX_LIMIT = env_int("API_MAX_LIMIT", 500)
MIDDLEWARE.append("powerexpress.core.inputs.InputGuardMiddleware")

# Phase balancing (docs/grid.md): the engine is bounded by work, so the same request gives the
# same plan on any machine; the safety time limit only stops a runaway solve (and says so).
GRID_BALANCE_SEARCH_ROUNDS = env_int("GRID_BALANCE_SEARCH_ROUNDS", 60)
GRID_BALANCE_MILP_NODES = env_int("GRID_BALANCE_MILP_NODES", 4000)
GRID_BALANCE_SAFETY_SECONDS = env_int("GRID_BALANCE_SAFETY_SECONDS", 60)
GRID_BALANCE_MAX_HOUSEHOLDS = env_int("GRID_BALANCE_MAX_HOUSEHOLDS", 1000)
GRID_BALANCE_MAX_VALUES = env_int("GRID_BALANCE_MAX_VALUES", 500_000)
GRID_BALANCE_RATE_LIMIT = env_str("GRID_BALANCE_RATE_LIMIT", "6/m")
