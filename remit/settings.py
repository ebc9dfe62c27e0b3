"""remit's settings: everything a deployment may change comes from ``REMIT_*`` environment
variables, and the defaults give a working embedded install with nothing to configure.

Embedded default: a SQLite file and a generated secret key under ``REMIT_DATA_DIR`` (``./var``).
Production (``REMIT_ENV=production``): ``REMIT_SECRET_KEY`` and ``REMIT_DATABASE_URL`` are
required and DEBUG is off; remit refuses to start without them rather than guess.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import environ
from csp import constants as csp
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()

BASE_DIR = Path(__file__).resolve().parent
REMIT_ENV = env.str("REMIT_ENV", default="development")
if REMIT_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("REMIT_ENV must be 'development' or 'production'")
PRODUCTION = REMIT_ENV == "production"

DATA_DIR = Path(env.str("REMIT_DATA_DIR", default=str(Path.cwd() / "var"))).resolve()


def _secret_key() -> str:
    key = env.str("REMIT_SECRET_KEY", default="")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("REMIT_SECRET_KEY is required when REMIT_ENV=production")
    # Embedded default: generate once and keep it beside the database, so sessions survive
    # restarts and no two installs share a key.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env.bool("REMIT_DEBUG", default=False)
ALLOWED_HOSTS = env.list("REMIT_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("REMIT_CSRF_TRUSTED_ORIGINS", default=[])

if PRODUCTION and "REMIT_DATABASE_URL" not in os.environ:
    raise ImproperlyConfigured("REMIT_DATABASE_URL is required when REMIT_ENV=production")
DATABASE_URL = env.str(
    "REMIT_DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'remit.sqlite3'}"
)
_db = environ.Env.db_url_config(DATABASE_URL)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    if _db["NAME"] != ":memory:":
        Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    _db["OPTIONS"] = {
        # A write transaction takes SQLite's lock at BEGIN, so check-then-act services are
        # serialised (select_for_update is a no-op on SQLite).
        "transaction_mode": "IMMEDIATE",
        "timeout": env.int("REMIT_SQLITE_BUSY_SECONDS", default=30),  # wait for a writer
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif _db["ENGINE"] in {"django.db.backends.postgresql", "django.db.backends.postgresql_psycopg2"}:
    _db["ENGINE"] = "django.db.backends.postgresql"
    _db.setdefault("CONN_MAX_AGE", env.int("REMIT_DB_CONN_MAX_AGE", default=60))
    _db["CONN_HEALTH_CHECKS"] = True
else:
    raise ImproperlyConfigured("REMIT_DATABASE_URL must be a sqlite:// or postgres:// URL")
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    # remit's apps first: their management commands (flush, serve) take precedence.
    "remit.core",
    "remit.ledger",
    "remit.receivables",
    "remit.collections",
    "remit.sales",
    "remit.credit",
    "remit.insights",
    "remit.crm",
    "remit.jobs",
    "remit.imports",
    "remit.demo",
    "remit.web",
    "django.contrib.admin",
    "django.contrib.auth",
    "axes",  # login throttling (remit.core.lockout)
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves the API docs' Swagger UI from its own static files, not a CDN
    "django_htmx",
    "django_typer",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "remit.core.limits.BodySizeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "remit.core.middleware.LegalEntityMiddleware",
    "csp.middleware.CSPMiddleware",
    "remit.core.middleware.PermissionsPolicyMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into remit.core.lockout's page
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked account or address first
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("REMIT_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("REMIT_LOGIN_LOCK_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # per account, and per address
# A correct password does not wipe the count: axes would delete every failure from that
# address, other accounts' too, and an insider could guess forever between own logins.
# Failures age out after the cool-off instead.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "remit.core.lockout.locked_out"
AXES_VERBOSE = False

ROOT_URLCONF = "remit.urls"
WSGI_APPLICATION = "remit.wsgi.application"

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
                "remit.web.context.workspace",
            ],
        },
    }
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = env.str("REMIT_LANGUAGE", default="en")
TIME_ZONE = env.str("REMIT_TIME_ZONE", default="Europe/Oslo")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("REMIT_STATIC_ROOT", default=str(DATA_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it to exist
# Serve assets straight from the apps (no collectstatic step for the embedded install);
# every asset ships inside remit, none comes from a CDN.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Headers (docs/design/security.md). Every script and style comes from remit's own static
# files: no inline script, handler or style attribute, nothing from another origin, and
# tests/test_security_headers.py keeps the templates that way.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF],
        "img-src": [csp.SELF, "data:"],  # the API docs' icons are data: URLs
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
        "base-uri": [csp.SELF],
        "object-src": [csp.NONE],
    },
}
# Powerful browser features remit never uses are switched off for its pages.
PERMISSIONS_POLICY = ("accelerometer=(), camera=(), geolocation=(), gyroscope=(), "
                      "magnetometer=(), microphone=(), payment=(), usb=(), "
                      "interest-cohort=(), browsing-topics=()")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Behind TLS (REMIT_ENV=production; README › Running behind TLS): redirect plain HTTP, tell
# browsers to keep to HTTPS, and trust the proxy's X-Forwarded-Proto only when told to.
SECURE_SSL_REDIRECT = env.bool("REMIT_SSL_REDIRECT", default=PRODUCTION)
SECURE_HSTS_SECONDS = env.int("REMIT_HSTS_SECONDS", default=31_536_000 if PRODUCTION else 0)
# Subdomains and preloading are the owner's choice: remit is often one host of a company's
# domain and cannot vouch for the others. Until chosen, Django's reminders stay quiet.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("REMIT_HSTS_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("REMIT_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [check for check, chosen in (
    ("security.W005", "REMIT_HSTS_SUBDOMAINS"), ("security.W021", "REMIT_HSTS_PRELOAD"))
    if chosen not in os.environ]
if env.bool("REMIT_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    AXES_IPWARE_PROXY_COUNT = 1  # lock the client's address, not the proxy's
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("REMIT_SECURE_COOKIES", default=PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Amount columns: enough digits for any company, four decimals for every ISO 4217 currency.
# Request sizes (remit.core.limits): a JSON body or form up to 10 MB; an uploaded file (an
# import) up to REMIT_MAX_UPLOAD_MB. Larger ones answer 413 naming the limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
REMIT_MAX_UPLOAD_BYTES = env.int("REMIT_MAX_UPLOAD_MB", default=200) * 1024 * 1024

AMOUNT_MAX_DIGITS = 20
AMOUNT_DECIMAL_PLACES = 4
# The largest amount one line may carry. SQLite keeps decimals as binary floats, exact to 15
# significant digits, and remit's exact sums there count in 64-bit integers of 0.0001: below
# 10^11 per amount both hold. PostgreSQL's numeric(20, 4) holds up to 10^16.
AMOUNT_LIMIT = 10**11 if _db["ENGINE"].endswith("sqlite3") else 10**15

NINJA_PAGINATION_MAX_LIMIT = 500

REMIT = {
    # serve runs the background worker itself on the embedded default (one process to start)
    "SERVE_RUNS_WORKER": env.bool(
        "REMIT_SERVE_RUNS_WORKER", default=_db["ENGINE"].endswith("sqlite3")
    ),
    "JOB_MAX_ATTEMPTS": env.int("REMIT_JOB_MAX_ATTEMPTS", default=3),
    "JOB_RETRY_BACKOFF_SECONDS": env.int("REMIT_JOB_RETRY_BACKOFF_SECONDS", default=30),
    # a job RUNNING longer than this lost its worker; it is failed and retried by its policy
    "JOB_TIMEOUT_SECONDS": env.int("REMIT_JOB_TIMEOUT_SECONDS", default=3600),
    # Run, in this order and in the same transaction, when a legal entity is created.
    "ENTITY_INITIALIZERS": [
        "remit.ledger.services.chart_create_default",
        "remit.ledger.services.journals_create_default",
        "remit.receivables.services.receivables_setup_default",
        "remit.collections.services.collections_setup_default",
        "remit.collections.activities.cases_setup_default",
        "remit.collections.interest.interest_setup_default",
        "remit.collections.email.email_templates_setup_default",
        "remit.collections.letters.letters_setup_default",
        "remit.credit.services.credit_setup_default",
        "remit.crm.setup.crm_setup_default",
    ],
    # What ``remit import`` (and the Import page and API) can read; each kind lives in its
    # own domain (see remit/imports/kinds.py).
    "IMPORT_KINDS": {
        "customers": "remit.receivables.import_customers.Customers",
        "invoices": "remit.receivables.import_invoices.InvoiceHistory",
        "leads": "remit.crm.imports.Leads",
        "rates": "remit.core.import_rates.ExchangeRates",
    },
    # Rows an import posts per transaction: bigger is faster, smaller holds the embedded
    # database's write lock for less time.
    "IMPORT_CHUNK_ROWS": env.int("REMIT_IMPORT_CHUNK_ROWS", default=1000),
    # Largest file the Import page and API accept (bytes); the command line has no limit.
    "IMPORT_MAX_UPLOAD": env.int("REMIT_IMPORT_MAX_UPLOAD", default=200 * 1024 * 1024),
}

# Email (Collections page): SMTP when REMIT_SMTP_HOST is set; without it messages are written
# to the outbox folder under the data directory, so a demo never sends mail by accident
SMTP_HOST = env.str("REMIT_SMTP_HOST", default="")
if SMTP_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = SMTP_HOST
    EMAIL_PORT = env.int("REMIT_SMTP_PORT", default=587)
    EMAIL_HOST_USER = env.str("REMIT_SMTP_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("REMIT_SMTP_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("REMIT_SMTP_TLS", default=True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "outbox"
DEFAULT_FROM_EMAIL = env.str("REMIT_MAIL_FROM", default="remit@localhost")
EMAIL_TIMEOUT = 20

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("REMIT_LOG_LEVEL", default="WARNING")},
}
