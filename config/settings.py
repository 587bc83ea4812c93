"""Settings for the Summit Outcome Tracker, read from the environment.

With nothing set it runs locally on an SQLite file with DEBUG on; DEMO=1 (`make run`) is the
same file served as a visitor sees the site, DEBUG off. In production set
DEBUG=0, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL (PostgreSQL); the README's "Running in
production" lists the rest (HTTPS behind a proxy, trusted proxies, sign-in lockout).
"""

import datetime
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import env, env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent

# The demo (`make run`): the site as a visitor sees it, with DEBUG off (the site's own 404 and
# 500 pages, static files served as in production), over plain HTTP on loopback, on the
# embedded SQLite file only, with the demo data and accounts. DEBUG is for developers
# (`make dev`); DEMO is separate so that neither implies the other.
DEMO = env_bool("DEMO", False)
DEBUG = env_bool("DEBUG", not DEMO)
if DEMO and env("DATABASE_URL"):
    raise ImproperlyConfigured(
        "DEMO=1 runs the demo on the embedded SQLite file, with accounts whose passwords are "
        "published: unset DATABASE_URL (or DEMO)."
    )

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not (DEBUG or DEMO):
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-key-only-for-debug-and-the-local-demo"

LOOPBACK = ["localhost", "127.0.0.1", "[::1]"]
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", LOOPBACK if DEBUG or DEMO else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.humanize",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "simple_history",
    "axes",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # The layers, each importing only those listed before it (tests/setup/test_layers.py).
    "core",
    "actors",
    "summits",
    "outcomes",
    "tracker",
]

MIDDLEWARE = [
    # A load balancer's /healthz is answered first: before the host check and the redirect
    # to HTTPS, which its probes (by address, over plain HTTP) would fail.
    "core.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The audit trail records the signed-in user as the author of every change.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: answers a locked-out sign-in with the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

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
                "tracker.context_processors.vocabulary",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# The embedded default is an SQLite file, beside manage.py unless SQLITE_PATH says where;
# DATABASE_URL selects PostgreSQL.
DEFAULT_DATABASE_URL = f"sqlite:///{Path(env('SQLITE_PATH') or BASE_DIR / 'db.sqlite3')}"
DATABASES = {"default": dj_database_url.parse(env("DATABASE_URL") or DEFAULT_DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = 60
# core.prepared prepares its queries on PostgreSQL once per connection; 0 behind a pooler
# that shares server sessions between clients (PgBouncer in transaction mode).
PREPARED_STATEMENTS = env_bool("PREPARED_STATEMENTS", True)
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME") or None}
USING_DEFAULT_DATABASE = not env("DATABASE_URL")
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # PostgreSQL's JIT compiler spends ~40 ms compiling any query it guesses is expensive,
    # which our indexed page queries never repay (measured: actor page 344 -> 81 ms).
    # random_page_cost 1.1 rather than 4: the data sits on SSD or in memory, where a random
    # read costs about what a sequential one does, so the planner should prefer the index
    # lookups the pages are built on (an actor's commitments at 100,000 outcomes: 54 -> 15 ms).
    # plan_cache_mode: the statements core.prepared prepares (the only ones: psycopg2 sends
    # every other query unprepared) keep one generic plan; PostgreSQL's default re-planned
    # some with each run's values, which cost more than running them (API outcome 64 -> 51 ms).
    options = "-c jit=off -c random_page_cost=1.1 -c plan_cache_mode=force_generic_plan"
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = options

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Whole-dataset figures (facet and status counts) are cached under the data version
# (core/cache.py), so a cache per worker process is correct and needs no server. Each
# entry is a few KB; 500 of them bound a worker's cache to a few MB.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 500},
    },
    # Whole public pages as anonymous visitors get them (core.cache.public_page), up to
    # ~160 KB each: 200 of them bound a worker's share to ~30 MB.
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "OPTIONS": {"MAX_ENTRIES": 200},
    },
}
# Several app servers share one Redis (CACHE_URL, e.g. redis://127.0.0.1:6379/1): a page or
# figure computed by one is served by all. Losing Redis slows pages, never breaks them
# (core.redis_cache). Sessions are in the database, so every server knows every session.
CACHE_URL = env("CACHE_URL")
if CACHE_URL:
    CACHES = {
        alias: {
            "BACKEND": "core.redis_cache.ResilientRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": f"tracker-{alias}",
        }
        for alias in CACHES
    }
# CACHE_PAGES=0 renders every public page afresh (the benchmark measures both ways).
CACHE_PAGES = env_bool("CACHE_PAGES", True)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env("TIME_ZONE") or "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where collectstatic gathers them (`make serve` runs it): beside manage.py unless set.
STATIC_ROOT = Path(env("STATIC_ROOT") or BASE_DIR / "staticfiles")
if not DEBUG:
    # In production the app serves its own static files, compressed and cached forever by
    # their hashed names (built by collectstatic), without a separate web server.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")
    # Hashed names (so a new release never serves a stale stylesheet), built by collectstatic.
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "desk"
LOGOUT_REDIRECT_URL = "overview"

# --- Signing in: lockout after repeated failures (django-axes) ------------------------------
# An account is locked after LOGIN_FAILURE_LIMIT wrong passwords in a row *from one address*,
# for LOGIN_COOLOFF_MINUTES: an attacker can neither go on guessing nor lock an editor out
# from everywhere else. An administrator lifts a lock with `manage.py axes_reset_username
# <name>` (or by deleting the access attempt in the admin).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "tracker.views.accounts.locked_out"
AXES_VERBOSE = False
# The client's address (core.security.client_ip): REMOTE_ADDR, or behind TRUSTED_PROXIES
# proxies, the address the outermost of them saw, read from the header they set
# (CLIENT_IP_HEADER, X-Forwarded-For by default). Configured, never guessed from headers a
# client could send itself.
AXES_CLIENT_IP_CALLABLE = "core.security.client_ip"
AXES_USERNAME_CALLABLE = "core.security.attempted_username"
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)
CLIENT_IP_HEADER = "HTTP_" + (env("CLIENT_IP_HEADER") or "X-Forwarded-For").upper().replace(
    "-", "_"
)

# --- HTTPS and security headers ---------------------------------------------------------------
# HTTPS (on by default when DEBUG is off, but for the local demo): secure cookies, a redirect
# from plain HTTP, and HSTS. Locally, in tests and in the benchmark it is served over plain
# HTTP on loopback: HTTPS=0 there, or signing in would silently fail on cookies the browser
# never sends back.
HTTPS = env_bool("HTTPS", not (DEBUG or DEMO))
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)
# Behind a proxy that terminates TLS: the header by which it says the request came over
# HTTPS, as "Header-Name: value" (e.g. "X-Forwarded-Proto: https"). Set it only if the proxy
# always sets or overwrites that header: whoever can send it can claim HTTPS.
if env("SECURE_PROXY_SSL_HEADER"):
    _header, _, _value = env("SECURE_PROXY_SSL_HEADER").partition(":")
    if not _header.strip() or not _value.strip():
        raise ImproperlyConfigured(
            "SECURE_PROXY_SSL_HEADER must be “Header-Name: value”, e.g. “X-Forwarded-Proto: https”."
        )
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + _header.strip().upper().replace("-", "_"),
        _value.strip(),
    )
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Everything the pages and the admin load is our own: no inline script or style, no other
# origin. Charts are SVG, bars SVG rects (no style attributes).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- The read API (/api/v1/, tracker/api/) ---------------------------------------------------
# Read-only JSON. Anonymous clients see published records only and are throttled per address
# (API_ANON_RATE, e.g. "120/minute"); staff with a token (`manage.py drf_create_token <name>`,
# sent as "Authorization: Token <key>") or a session see drafts too, as on the pages.
API_ANON_RATE = env("API_ANON_RATE") or "120/minute"
# The site's public address (https://tracker.example/): dataset releases name it in their
# CITATION.cff (make_release --url says it otherwise).
SITE_URL = env("SITE_URL") or ""
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_THROTTLE_CLASSES": ["tracker.api.throttling.AnonymousThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "tracker.api.views.errors_as_json",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Summit Outcome Tracker API",
    "DESCRIPTION": (
        "Read-only access to the tracker's published records: summits, actors, sources, "
        "proposals, outcomes with their parties, per-party status, claims, conditions and "
        "links, status entries, follow-ups and processes. Every list takes `as_of` (statuses "
        "on that date) and `known_at` (the records as the tracker published them at the end "
        "of that day); the outcome and summit lists take the filters of their pages. Lists are "
        "paged by cursor: follow `next`. Responses carry an ETag and Last-Modified from the "
        "data version: send If-None-Match to poll cheaply."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Each vocabulary is one named enum in the schema, as it is one class in the code.
    "ENUM_NAME_OVERRIDES": {
        "DatePrecision": "core.dates.DatePrecision",
        "ActorKind": "actors.models.ActorKind",
        "SourceKind": "actors.models.SourceKind",
        "Language": "actors.models.Language",
        "SummitKind": "summits.models.SummitKind",
        "SummitStatus": "summits.models.SummitStatus",
        "ParticipantRole": "summits.models.ParticipantRole",
        "ProposalKind": "summits.models.ProposalKind",
        "Theme": "summits.models.Theme",
        "OutcomeStatus": "outcomes.models.choices.Status",
        "OutcomeType": "outcomes.models.choices.OutcomeType",
        "PartyRole": "outcomes.models.choices.PartyRole",
        "FollowUpKind": "outcomes.models.choices.FollowUpKind",
        "FollowUpStatus": "outcomes.models.choices.FollowUpStatus",
        "LinkKind": "outcomes.models.link.LinkKind",
    },
}


# --- E-mail: alerts and digests (tracker/alerts/, `manage.py send_alerts`) --------------------
# EMAIL_URL says where mail goes: smtp://user:password@host:587 (STARTTLS, add ?ssl=1 for
# implicit TLS on 465), smtp://127.0.0.1:25 with no TLS when ?tls=0, or console:// to print
# it. Without it, the usual EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD and
# EMAIL_USE_TLS are read; with neither, mail is printed to the console (development).
def _email_settings(url: str) -> dict:
    from urllib.parse import parse_qs, unquote, urlsplit

    parts = urlsplit(url)
    if parts.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError(f"EMAIL_URL: use smtp://, smtps:// or console://, not {parts.scheme}://")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    ssl = parts.scheme == "smtps" or query.get("ssl") == "1"
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "127.0.0.1",
        "EMAIL_PORT": parts.port or (465 if ssl else 587),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": ssl,
        "EMAIL_USE_TLS": not ssl and query.get("tls", "1") != "0",
    }


if env("EMAIL_URL"):
    globals().update(_email_settings(env("EMAIL_URL")))
elif env("EMAIL_HOST"):
    EMAIL_HOST = env("EMAIL_HOST")
    EMAIL_PORT = int(env("EMAIL_PORT") or 587)
    EMAIL_HOST_USER = env("EMAIL_HOST_USER") or ""
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD") or ""
    EMAIL_USE_TLS = (env("EMAIL_USE_TLS") or "1") != "0"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL") or "Summit Outcome Tracker <alerts@localhost>"
ALERT_MAIL_DOMAIN = env("ALERT_MAIL_DOMAIN") or "summit-outcome-tracker.invalid"
ALERT_SUBJECT_PREFIX = "[Summit Outcome Tracker] "
ALERT_CONFIRM_DAYS = int(env("ALERT_CONFIRM_DAYS") or 3)  # a confirmation link lasts this long
ALERT_REQUESTS_PER_DAY = 3  # confirmation requests an address is sent per day, at most
ALERT_FOLLOWS_PER_HOUR = int(env("ALERT_FOLLOWS_PER_HOUR") or 10)  # follow requests per client
ALERT_RETRY_SECONDS = 60  # the first retry after a failure; each later one waits twice as long

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL") or "WARNING"},
}
