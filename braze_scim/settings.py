"""Settings for braze_scim, read from the environment (django-environ).

A `.env` file beside manage.py is read when present (values already in the
environment win), unless READ_DOT_ENV=false: the test suite sets that, so a
developer's `.env` never changes what the tests see. `.env.example` lists every
variable. Nothing else in the project reads the environment.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if env.bool("READ_DOT_ENV", default=True):
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)

# The secret key has no usable default outside debug: failing at start-up beats
# signing sessions with a key that is published in the repository.
if DEBUG:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="insecure-debug-only-key-do-not-deploy")
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "axes",
    "drf_spectacular",
    "settings_app",
    "scim_api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "braze_scim.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its 429 response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "braze_scim.urls"
WSGI_APPLICATION = "braze_scim.wsgi.application"

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
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
POSTGRESQL_BACKEND = "braze_scim.db_backends.postgresql"
# The embedded default is a SQLite file; PostgreSQL through DATABASE_URL=postgres://...
# An empty DATABASE_URL counts as unset, so `DATABASE_URL= make test` means SQLite.
DATABASES = {
    "default": env.db_url_config(env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction starts, so concurrent
    # writers queue on the busy timeout instead of failing with "database is
    # locked" on the read-to-write lock upgrade; WAL lets readers run meanwhile.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # The test database is a file rather than memory, so live-server threads (the
    # concurrency tests) get connections of their own; var/ is git-ignored.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test.sqlite3")}
else:
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # PostgreSQL runs on the project's backend: Django's own, whose per-request
        # connection health check polls the socket instead of running SELECT 1
        # (braze_scim/db_backends/postgresql; README, "Configuration").
        DATABASES["default"]["ENGINE"] = POSTGRESQL_BACKEND
        if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
            # Server-side parameters, and psycopg prepares a statement once a connection
            # has run it 5 times: PostgreSQL then skips parsing and planning, most of its
            # CPU per query (docs/performance.md#prepared-statements). Turn off
            # behind a pooler in transaction mode (PgBouncer), where a prepared
            # statement may not exist on the server connection the next query gets.
            DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=60))
    # A reused connection is checked before each request's first query, so a
    # database restart costs no failed request (see braze_scim.db_backends.postgresql).
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # The database the test run creates (Django's default: "test_" + NAME).
    if env.str("DATABASE_TEST_NAME", default=""):
        DATABASES["default"]["TEST"] = {"NAME": env.str("DATABASE_TEST_NAME")}
    # A database that does not answer fails the request (a SCIM 503) after this many
    # seconds instead of holding a worker until the operating system gives up.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "settings_app.DashboardUser"
# DashboardUser.email keeps the spelling it was sent with; uniqueness is
# enforced, case- and Unicode-insensitively, by the unique `email_key` column,
# and the manager's get_by_natural_key() looks users up through it.
# (auth.W004 is the same check's wording once AUTHENTICATION_BACKENDS is customised.)
SILENCED_SYSTEM_CHECKS = ["auth.E003", "auth.W004"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Login throttling (django-axes) -----------------------------------------
# Failed logins are counted per person *and* client address: after
# AXES_FAILURE_LIMIT failures that pair is refused (429) for AXES_COOLOFF_TIME,
# so guessing one admin's password is slow, while nobody can lock an admin out
# from another address. A successful login clears the count; an operator can
# clear it too (`manage.py axes_reset`). Counters live in the database.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("LOGIN_LOCKOUT_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The login form's field is "username" (it holds the email); axes would look for "email".
AXES_USERNAME_FORM_FIELD = "username"
# Counted per person, not per spelling: the typed email's name_key, the key login looks users up by.
AXES_USERNAME_CALLABLE = "settings_app.views.login_attempt_key"
# The same client address rule as the rest of the site: X-Forwarded-For only from TRUSTED_PROXIES.
AXES_CLIENT_IP_CALLABLE = "settings_app.views.client_ip"
AXES_VERBOSE = False

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "settings_app:scim_provisioning"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# WhiteNoise serves the app's few static files straight from the finders, so
# the app runs under gunicorn without a collectstatic step.
WHITENOISE_USE_FINDERS = True

# --- Security -------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
# No script reads the CSRF cookie (forms carry the token), so scripts cannot read it at all.
CSRF_COOKIE_HTTPONLY = True
# Admin sessions end after a working day rather than Django's two weeks.
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=8 * 60 * 60)

# DJANGO_HTTPS=true when the site is served over HTTPS (directly or behind a
# TLS-terminating proxy): pages redirect to HTTPS and send HSTS. The SCIM API
# and the health checks are exempt from the redirect: a SCIM request over plain
# HTTP gets a 403 "HTTPS is required" instead (scim_api.authentication), since
# its token is already exposed; the health checks answer over either.
SERVED_OVER_HTTPS = env.bool("DJANGO_HTTPS", default=False)
if SERVED_OVER_HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^scim/", r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=True)
# Only when a proxy in front always overwrites this header (e.g. "HTTP_X_FORWARDED_PROTO").
if env.str("DJANGO_SECURE_PROXY_SSL_HEADER", default=""):
    SECURE_PROXY_SSL_HEADER = (env.str("DJANGO_SECURE_PROXY_SSL_HEADER"), "https")

# --- Django REST Framework -------------------------------------------------
# Global defaults stay plain; the SCIM views set their own authentication,
# parsers, renderers and exception handler (scim_api.views.ScimApiView).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
}

# The OpenAPI description of the SCIM API (/scim/v2/openapi.json, scim_api.openapi).
SPECTACULAR_SETTINGS = {
    "TITLE": "braze_scim SCIM 2.0 API",
    "DESCRIPTION": "Braze-compatible SCIM 2.0 provisioning of dashboard users (Users) and roles (Groups).",
    "VERSION": "2.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

# --- SCIM -------------------------------------------------------------------
SCIM_RATE_LIMIT_PER_DAY = env.int("SCIM_RATE_LIMIT_PER_DAY", default=5000)
# REMOTE_ADDR values (addresses or CIDR blocks) whose X-Forwarded-For is believed.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
# The endpoint shown on the settings page; empty means "built from the request".
SCIM_BASE_URL = env.str("SCIM_BASE_URL", default="")
# Largest SCIM request body accepted; a larger one is refused with 413 before it is read.
SCIM_MAX_BODY_BYTES = env.int("SCIM_MAX_BODY_BYTES", default=1024 * 1024)
# Retry-After (seconds) on the 503 a SCIM request gets while the database is unavailable.
SCIM_DATABASE_RETRY_AFTER_SECONDS = env.int("SCIM_DATABASE_RETRY_AFTER_SECONDS", default=30)
# A PATCH may carry at most this many operations, and this many values across them (each item of a
# list counts); a larger one is refused with 400 before any of it is applied (scim_api.patch).
SCIM_PATCH_MAX_OPERATIONS = env.int("SCIM_PATCH_MAX_OPERATIONS", default=100)
SCIM_PATCH_MAX_VALUES = env.int("SCIM_PATCH_MAX_VALUES", default=1000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # A refused SCIM call is logged once by the SCIM code, not again by django.request (5xx still are).
    "filters": {"scim_client_errors": {"()": "scim_api.log_filters.ScimClientErrorFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"filters": ["scim_client_errors"]},
    },
}
