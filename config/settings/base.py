"""What every environment shares; the only module that reads the environment.

Every integration has a safe local default so that `make run` works with nothing configured. Nothing here
depends on DEBUG, which config/settings/__init__.py (or test.py) picks after this module has run: a value whose
default differs between development and production is read here as it is (None when unset, the secret key empty)
and local.py or production.py settles it.
"""

from decimal import Decimal, InvalidOperation
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False)

# Local state of `make run` (SQLite database, Celery broker, cache, static files); DJANGO_VAR_DIR moves it, e.g. for
# a second stack beside a developer's (bench/soak.py).
VAR_DIR = Path(env.str("DJANGO_VAR_DIR", default=str(BASE_DIR / "var")))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_bool(name: str, default: bool | None) -> bool | None:
    """A boolean from the environment, parsed strictly: a typo is an error, not a silent `false`."""
    raw = env.str(name, default="").strip().lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use one of {sorted(_TRUE | _FALSE)}")


# --- Core -----------------------------------------------------------------------------------------

# DEBUG (DJANGO_DEBUG) is set by local.py or production.py. No default key here: local.py has a development
# one, production.py refuses to start without DJANGO_SECRET_KEY.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework.authtoken",
    # Sign-in rate limit: failed attempts are kept in its tables (AXES_* settings below).
    "axes",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drivers",
    "chargingpoints",
    "sessions_app",
    "notifications",
    "discovery",
    "central",
    "dashboard",
    "simulator",
    "events",
]

MIDDLEWARE = [
    # First, before anything can answer: a driver is using the product, so the poll of central keeps its full pace
    # (config/activity.py; one cache write every few seconds per process at most).
    "config.activity.DriverActivityMiddleware",
    # First: a polled read whose data has not changed is answered from Redis with every header the stack below
    # added (config/response_cache.py); off with API_RESPONSE_CACHE_SECONDS=0.
    "config.response_cache.ApiResponseCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # gzip for JSON only, below WhiteNoise (it serves its own compressed files), above the ETag's middleware so
    # the tag is taken on the plain body; the ETag's below CORS so a 304 keeps the CORS headers (config/http_cache.py).
    "config.http_cache.ApiGZipMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "config.http_cache.ApiConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into its answer (config.error_views).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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

# --- Database -------------------------------------------------------------------------------------
# DATABASE_URL selects PostgreSQL (postgres://user@host:5432/name); with none set a local SQLite file
# is the embedded default for `make run`. The tests always run on PostgreSQL (config/settings/test.py).

DATABASE_URL = env.str("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, consumer, simulator) share the file: wait for locks instead of
    # failing, and use WAL so readers do not block the writer.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

TEST_DATABASE_URL = env.str("TEST_DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/postgres")
# Each concurrent test run needs its own database name.
TEST_DB_NAME = env.str("TEST_DB_NAME", default="test_driver_dashboard")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth, i18n, static ---------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"
# The lockout check (django-axes) comes first; ModelBackend checks the password.
AUTHENTICATION_BACKENDS = [
    "drivers.authentication.SignInLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Sign-in rate limit (the dashboard's /login/ and the admin's): SIGNIN_FAILURE_LIMIT wrong passwords for one
# username from one address lock that pair out for SIGNIN_LOCKOUT_MINUTES, the right password included. Counts
# live in the database (shared by every web process); a successful sign-in clears them; attempts during a lockout
# do not extend it. Token API calls never sign in and are not affected. The address is REMOTE_ADDR: proxy
# headers are not trusted.
AXES_FAILURE_LIMIT = env.int("SIGNIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("SIGNIN_LOCKOUT_MINUTES", default=15.0) / 60  # hours, as django-axes reads a float
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_DISABLE_ACCESS_LOG = True
AXES_LOCKOUT_CALLABLE = "config.error_views.signin_locked_out"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.str("STATIC_ROOT", default=str(VAR_DIR / "static"))
# Plain files here (development); production.py serves the compressed, hashed ones collectstatic writes.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# whitenoise serves static files from the apps directly when `collectstatic` has not been run; unset, that is
# development's default (local.py) and not production's.
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", default=None)

# --- REST framework, OpenAPI, CORS ----------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's TokenAuthentication, answered from the cache (AUTH_TOKEN_CACHE_SECONDS).
        "drivers.authentication.CachedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
        # Does nothing unless DRIVER_DRIVER_ID is set (the specification's one-dashboard-per-driver mode).
        "drivers.authentication.SingleDriverAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # DRF's defaults, with a JSON parser that refuses over-deep nesting (400, not a RecursionError 500).
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "driver_writes": env.str("THROTTLE_DRIVER_WRITES", default="120/min"),
    },
    "DATETIME_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "EV Driver Dashboard API",
    "DESCRIPTION": "Charging-point discovery, charging sessions, favorites, notifications and alerts for EV drivers.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The opt-in single-driver mode (DRIVER_DRIVER_ID) is no security scheme a client can choose: leave it out.
    "AUTHENTICATION_WHITELIST": [
        "drivers.authentication.CachedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI's files come from the drf-spectacular-sidecar package, not a CDN (no internet needed).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The live event stream is a plain async view: this hook documents it (dashboard/stream_schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "dashboard.stream_schema.add_event_stream",
    ],
    "ENUM_NAME_OVERRIDES": {
        "PointStatusEnum": "chargingpoints.models.PointStatus",
        "SessionStatusEnum": "sessions_app.status.SessionStatus",
    },
}

# Reads that cost little (config/http_cache.py, drivers/authentication.py): per-user ETags with 304 answers and
# gzip on the API's JSON, and API tokens resolved from the cache (with their user and driver) for this many
# seconds; deleting a token or saving its user or driver drops the entry at once, the time bounds only changes
# made without signals (QuerySet.update). Each can be turned off (0 / false), e.g. for bench/polled_reads.py.
API_CONDITIONAL_GET = env_bool("API_CONDITIONAL_GET", default=True)
API_GZIP = env_bool("API_GZIP", default=True)
AUTH_TOKEN_CACHE_SECONDS = env.float("AUTH_TOKEN_CACHE_SECONDS", default=30.0)

# The specification's single-driver mode: with DRIVER_DRIVER_ID=driver-alice, API requests from this machine
# that carry no token or login act as that driver (see drivers/authentication.py). Off by default.
DRIVER_DRIVER_ID = env.str("DRIVER_DRIVER_ID", default="")
# The mode trusts loopback clients; on a production host a reverse proxy, tunnel or sidecar makes every client
# loopback. production.py refuses it unless the operator says it is meant.
DRIVER_SINGLE_MODE_IN_PRODUCTION = env_bool("DRIVER_SINGLE_MODE_IN_PRODUCTION", default=False)

# The web process's port (the Procfile's gunicorn binds DRIVER_DASHBOARD_BIND:DRIVER_DASHBOARD_PORT, by default
# 127.0.0.1:8100; docker-compose binds 0.0.0.0 inside the container).
DRIVER_DASHBOARD_PORT = env.int("DRIVER_DASHBOARD_PORT", default=8100)
# Set (even empty), CORS_ALLOWED_ORIGINS is the list; unset (None here), local.py allows the dashboard's own
# origins on DRIVER_DASHBOARD_PORT and production.py none.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS") if "CORS_ALLOWED_ORIGINS" in env.ENVIRON else None
CORS_ALLOW_CREDENTIALS = True

# --- Redis and Celery -----------------------------------------------------------------------------
# With REDIS_URL unset, Celery's broker is a SQLite file under var/celery (kombu's SQLAlchemy transport, see
# config/celery_broker.py) so `make run` needs no server.

REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_SQLITE_FILE = VAR_DIR / "celery" / "broker.sqlite3"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT = None
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
else:
    CELERY_BROKER_URL = f"sqlite:///{CELERY_BROKER_SQLITE_FILE}"
    CELERY_BROKER_TRANSPORT = "config.celery_broker:Transport"
    # The worker asks for a task every 0.1 s, and every 0.5 s once none has come for 2.5 s (config/celery_broker.py):
    # the poll at full pace keeps it at 0.1 s; after a quiet spell a task waits at most 0.5 s.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"polling_interval": 0.1, "quiet_polling_interval": 0.5, "quiet_after": 2.5}
# The cache holds the API's throttle counters: shared by every process (Redis when configured,
# else files under var/ on this one machine), never per process.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
# Push updates (events/, README "Push updates"): what the page shows is published after commit into one capped
# Redis Stream, read by the events process (uvicorn, config/asgi.py) and sent to each driver's page as server-sent
# events. With REDIS_URL unset (`make run`'s embedded defaults) the local Redis on its default port is tried: when
# none runs, publishing logs one warning and the events process answers 503, so the page keeps polling as before.
EVENTS_REDIS_URL = env.str("EVENTS_REDIS_URL", default=REDIS_URL or "redis://127.0.0.1:6379/0")
EVENTS_STREAM = env.str("EVENTS_STREAM", default="driver-dashboard:events")
# About this many events are kept for replay after a reconnect (XADD MAXLEN ~); an older Last-Event-ID gets `resync`.
EVENTS_STREAM_MAXLEN = env.int("EVENTS_STREAM_MAXLEN", default=10000)
EVENTS_KEEPALIVE_SECONDS = env.float("EVENTS_KEEPALIVE_SECONDS", default=15.0)
# The API's response cache (config/response_cache.py, README "Read performance"): a token-authenticated GET of a
# polled endpoint is answered from Redis while the data versions of every table it read still hold (any write, in
# any process, moves them: events/versions.py) and until the clock alone changes it (a wait estimate's next minute,
# an alert's start or end, a watch's expiry), at most API_RESPONSE_CACHE_SECONDS (0 = no cache). Redis must not
# evict the versions hash (`noeviction` or a `volatile-*` policy: the answers have a TTL, the hash has none).
API_RESPONSE_CACHE_SECONDS = env.int("API_RESPONSE_CACHE_SECONDS", default=300)
# Larger answers are not kept (a whole 10,000-point list is 3 MB, per driver): Redis holds the polled pages, not dumps.
API_RESPONSE_CACHE_MAX_BYTES = env.int("API_RESPONSE_CACHE_MAX_BYTES", default=256 * 1024)
API_RESPONSE_CACHE_REDIS_URL = env.str("API_RESPONSE_CACHE_REDIS_URL", default=EVENTS_REDIS_URL)
API_RESPONSE_CACHE_PREFIX = env.str("API_RESPONSE_CACHE_PREFIX", default="driver-dashboard:api:")
# The events process's port (the Procfile's uvicorn binds DRIVER_DASHBOARD_BIND:DRIVER_DASHBOARD_EVENTS_PORT), and
# where the page finds it: "//{host}:<port>" (the page's host name, that port), or EVENTS_URL when set ("" for
# the same origin behind a proxy that routes /drivers/*/events to the events process, or a full URL).
DRIVER_DASHBOARD_EVENTS_PORT = env.int("DRIVER_DASHBOARD_EVENTS_PORT", default=8101)
EVENTS_URL = env.str("EVENTS_URL", default=f"//{{host}}:{DRIVER_DASHBOARD_EVENTS_PORT}")
# Off, the page only polls (as before the stream existed).
DASHBOARD_PUSH = env_bool("DASHBOARD_PUSH", default=True)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=30)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=60)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Central controller (see shared/docs/central-protocol.md) -------------------------------------

SIMULATOR_PORT = env.int("SIMULATOR_PORT", default=8000)
# Default: the local simulator (`make run`) on its port.
CENTRAL_HTTP_URL = env.str("CENTRAL_HTTP_URL", default=f"http://127.0.0.1:{SIMULATOR_PORT}")
CENTRAL_VERIFY_TLS = env_bool("CENTRAL_VERIFY_TLS", default=True)
CENTRAL_CONNECT_TIMEOUT = env.float("CENTRAL_CONNECT_TIMEOUT", default=2.0)
CENTRAL_READ_TIMEOUT = env.float("CENTRAL_READ_TIMEOUT", default=5.0)
CENTRAL_POLL_INTERVAL = env.float("CENTRAL_POLL_INTERVAL", default=1.5)
# The poll runs every CENTRAL_POLL_INTERVAL only while somebody needs it (central/sync/demand.py): a driver used the
# product within CENTRAL_POLL_ACTIVE_SECONDS (an API request, an open event stream), an open session or request,
# a stop owed to central, an active watch, or central unreachable. Otherwise every CENTRAL_POLL_IDLE_INTERVAL:
# 8 s keeps the last successful poll younger than the 10 s after which /sync-status says "stale" (a page opened
# then shows no false alarm; central/selectors.py) and every point's last_updated under 2 x 10 s old, well inside
# CP_STALE_AFTER (30 s); the first request after a quiet spell fetches a fresh picture at once (config/activity.py).
# CENTRAL_POLL_ACTIVE_SECONDS = 0 turns the activity marking off (the test suite).
CENTRAL_POLL_IDLE_INTERVAL = env.float("CENTRAL_POLL_IDLE_INTERVAL", default=8.0)
CENTRAL_POLL_ACTIVE_SECONDS = env.float("CENTRAL_POLL_ACTIVE_SECONDS", default=60.0)
# One poll runs at a time (all workers and hosts): it holds a lease this long, so a poller that crashed
# blocks the next ones no longer than this. A poll outliving it is harmless (an older picture is never applied).
CENTRAL_POLL_LEASE_SECONDS = env.float(
    "CENTRAL_POLL_LEASE_SECONDS", default=CENTRAL_CONNECT_TIMEOUT + CENTRAL_READ_TIMEOUT + 5.0
)
# Drivers are told central is unreachable once it has failed every poll for this long (then once it is back).
CENTRAL_OUTAGE_ALERT_AFTER_SECONDS = env.float("CENTRAL_OUTAGE_ALERT_AFTER_SECONDS", default=10.0)
CP_STALE_AFTER = env.float("CP_STALE_AFTER", default=30.0)
REQUEST_TIMEOUT_SECONDS = env.float("REQUEST_TIMEOUT_SECONDS", default=30.0)
# How long an APPROVED/CHARGING session may be missing from its point in the poll before it fails.
SESSION_LOST_GRACE_SECONDS = env.float("SESSION_LOST_GRACE_SECONDS", default=10.0)
# A consumer of central's events counts as running while it has reported within this time. The silence rule
# fails a session only once every running consumer has caught up past the grace period (its `completed` may
# be waiting in Kafka); with none running, only SESSION_MAX_SILENCE_SECONDS ends a silent session.
# Keep it above the Kafka session timeout so a dead member's partitions have moved before it is forgotten.
KAFKA_CONSUMER_LIVE_SECONDS = env.float("KAFKA_CONSUMER_LIVE_SECONDS", default=60.0)
# Last resort while central is unreachable: an APPROVED/CHARGING session with no sign of life at its point
# for this long fails, so no session stays open forever.
SESSION_MAX_SILENCE_SECONDS = env.float("SESSION_MAX_SILENCE_SECONDS", default=3600.0)
# Default length of a charge, used for wait estimates until history gives a better figure.
DEFAULT_SESSION_MINUTES = env.int("DEFAULT_SESSION_MINUTES", default=30)
# Wait estimates (discovery/waits.py): the median of a point's last WAIT_HISTORY_SESSIONS finished sessions, when
# it has at least WAIT_MIN_HISTORY of them (else its power class's, else DEFAULT_SESSION_MINUTES).
WAIT_HISTORY_SESSIONS = env.int("WAIT_HISTORY_SESSIONS", default=20)
WAIT_MIN_HISTORY = env.int("WAIT_MIN_HISTORY", default=3)
# Seconds the typical session length of each point (the history part of a wait estimate, ~40 % of a
# `/charging-points` read) is kept in the cache; any write that changes the history voids it at once
# (discovery/waits.py), so this only bounds what a missed write could leave. 0: computed on every read.
WAIT_CACHE_SECONDS = env.int("WAIT_CACHE_SECONDS", default=600)
# The waiting list in front of busy points (sessions_app/services/queue.py): whether a request for an OFFLINE
# point waits too (else central is asked and denies it), how long a queued request survives its point being
# OFFLINE, and the longest a request may wait.
QUEUE_WHEN_OFFLINE = env_bool("QUEUE_WHEN_OFFLINE", default=False)
QUEUE_OFFLINE_DROP_SECONDS = env.float("QUEUE_OFFLINE_DROP_SECONDS", default=1800.0)
QUEUE_MAX_WAIT_SECONDS = env.float("QUEUE_MAX_WAIT_SECONDS", default=4 * 3600.0)
# "Tell me when it's free": a watch on a busy point ends by itself after this long (then it is not listed
# and never notifies).
WATCH_EXPIRY_SECONDS = env.float("WATCH_EXPIRY_SECONDS", default=7200.0)

# --- Receipts -------------------------------------------------------------------------------------


def env_rate(name: str, default: str) -> Decimal:
    """A rate from the environment as a decimal fraction (0.21 for 21 %), 0 ≤ rate < 1; anything else is an error."""
    raw = env.str(name, default=default).strip()
    try:
        rate = Decimal(raw)
    except InvalidOperation:
        rate = None
    if rate is None or not rate.is_finite() or not 0 <= rate < 1:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a rate between 0 and 1 (e.g. 0.21 for 21 %)")
    return rate


# The seller named on every receipt (/receipts/<session_id>.pdf and .json).
RECEIPT_OPERATOR_NAME = env.str("RECEIPT_OPERATOR_NAME", default="EV Charging Network")
# The VAT rate the points' prices include: a receipt's net amount is total / (1 + rate), its VAT the rest.
RECEIPT_VAT_RATE = env_rate("RECEIPT_VAT_RATE", default="0.21")

# --- Kafka ----------------------------------------------------------------------------------------
# With KAFKA_BOOTSTRAP_SERVERS unset, `make run` starts a local tansu broker on KAFKA_LOCAL_PORT.

KAFKA_LOCAL_PORT = env.int("KAFKA_LOCAL_PORT", default=19092)
KAFKA_BOOTSTRAP_SERVERS = env.str("KAFKA_BOOTSTRAP_SERVERS", default=f"127.0.0.1:{KAFKA_LOCAL_PORT}")
KAFKA_CONSUMER_GROUP = env.str("KAFKA_CONSUMER_GROUP", default="driver-dashboard")
KAFKA_TOPIC_PARTITIONS = env.int("KAFKA_TOPIC_PARTITIONS", default=1)
KAFKA_REPLICATION_FACTOR = env.int("KAFKA_REPLICATION_FACTOR", default=1)
KAFKA_TOPIC_REQUESTS = env.str("KAFKA_TOPIC_REQUESTS", default="driver.requests")
KAFKA_TOPIC_UPDATES = env.str("KAFKA_TOPIC_UPDATES", default="driver.updates")
KAFKA_TOPIC_TICKETS = env.str("KAFKA_TOPIC_TICKETS", default="driver.ticket")
# Client options that differ between the local tansu broker and a production Kafka. The defaults
# suit tansu (see shared/docs/environment.md); for a real Kafka raise the session timeout and the
# fetch wait, e.g. KAFKA_CONSUMER_OPTIONS="session.timeout.ms=45000,heartbeat.interval.ms=3000".
KAFKA_CONSUMER_OPTIONS = {
    "session.timeout.ms": "2000",
    "heartbeat.interval.ms": "500",
    # tansu answers an empty fetch only after this wait (it does not wake it when a message arrives): 100 ms adds
    # ~50 ms (p95 ~60 ms) to central -> dashboard and takes an idle broker from 6.7 % to 2.0 % of a core
    # (10 ms: p95 ~30 ms). A real Kafka wakes the fetch, so there a larger wait costs nothing.
    "fetch.wait.max.ms": "100",
    "topic.metadata.refresh.interval.ms": "3000",
    **env.dict("KAFKA_CONSUMER_OPTIONS", default={}),
}
KAFKA_PRODUCER_OPTIONS = {
    "linger.ms": "0",
    # A message the broker has not taken within this time is dropped by the producer and left to the
    # outbox resend (KAFKA_OUTBOX_RESEND_AFTER), so two copies of one request are never in flight.
    "message.timeout.ms": "10000",
    "topic.metadata.refresh.interval.ms": "3000",
    **env.dict("KAFKA_PRODUCER_OPTIONS", default={}),
}

# How long the web request waits for the broker to acknowledge a request after commit (the periodic
# resend takes over after that), and how old an unacknowledged outbox row must be before it is re-sent.
KAFKA_PRODUCE_FLUSH_SECONDS = env.float("KAFKA_PRODUCE_FLUSH_SECONDS", default=0.25)
KAFKA_OUTBOX_RESEND_AFTER = env.float("KAFKA_OUTBOX_RESEND_AFTER", default=12.0)
# The consumer of driver.updates / driver.ticket: messages per database transaction, and how long one
# run of the Celery drain task may take.
# The Celery beat task that drains central's events. Keep it on where no dedicated consumer
# (`manage.py consume_central_events`) runs; turn it off where one does (make run, docker-compose): members of
# one group that only poll once a second would otherwise hold partitions and delay updates by up to a second.
CENTRAL_EVENTS_DRAIN_TASK = env_bool("CENTRAL_EVENTS_DRAIN_TASK", default=True)
KAFKA_CONSUMER_BATCH_SIZE = env.int("KAFKA_CONSUMER_BATCH_SIZE", default=500)
# How long the consumer trusts what it knows of a CHARGING session (central.sync.updates.KnownCharging) before
# it re-reads the status: `in_progress` ticks for it cost no query meanwhile; a session ended by another
# process (the driver's stop, the poll) is seen by the consumer's tick handling within this time.
KAFKA_CONSUMER_TRUST_CHARGING_SECONDS = env.float("KAFKA_CONSUMER_TRUST_CHARGING_SECONDS", default=1.0)
KAFKA_DRAIN_MAX_SECONDS = env.float("KAFKA_DRAIN_MAX_SECONDS", default=5.0)
# Retry interval of the stop call for sessions cancelled or timed out after central accepted them.
CENTRAL_STOP_RETRY_SECONDS = env.float("CENTRAL_STOP_RETRY_SECONDS", default=5.0)
# A session to stop at central whose id central never gave (its `accepted` lost, the poll never showing it)
# is given up after this long: nothing of it is held at central.
CENTRAL_STOP_UNNAMED_GIVE_UP_SECONDS = env.float("CENTRAL_STOP_UNNAMED_GIVE_UP_SECONDS", default=600.0)

# --- Simulator and web dashboard ------------------------------------------------------------------

SIMULATOR_HOST = env.str("SIMULATOR_HOST", default="127.0.0.1")
# `make run` (manage.py run_stack) starts a local tansu broker when KAFKA_BOOTSTRAP_SERVERS is not set, and
# the central simulator unless a real central is configured (CENTRAL_HTTP_URL or KAFKA_BOOTSTRAP_SERVERS set);
# SIMULATE_CENTRAL=1 / 0 forces it on or off.
KAFKA_EMBEDDED = not env.str("KAFKA_BOOTSTRAP_SERVERS", default="")
SIMULATE_CENTRAL = env_bool(
    "SIMULATE_CENTRAL",
    default=KAFKA_EMBEDDED and not env.str("CENTRAL_HTTP_URL", default=""),
)
TANSU_LOG = env.str("TANSU_LOG", default="warn")
DASHBOARD_REFRESH_SECONDS = env.float("DASHBOARD_REFRESH_SECONDS", default=2.0)
NOTIFICATION_TOAST_SECONDS = env.float("NOTIFICATION_TOAST_SECONDS", default=5.0)
# The driver's map: the tile server the browser loads its background from ({z}/{x}/{y} as Leaflet's tileLayer
# takes it) and the attribution its licence requires (HTML). An empty URL draws the markers on a blank map
# (the tests, a site that may not reach OpenStreetMap); the list works either way.
DASHBOARD_MAP_TILE_URL = env.str("DASHBOARD_MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
DASHBOARD_MAP_ATTRIBUTION = env.str(
    "DASHBOARD_MAP_ATTRIBUTION",
    default='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)

# --- Logging: one readable line per event ---------------------------------------------------------

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
CELERY_TASK_LOG_LEVEL = env.str("CELERY_TASK_LOG_LEVEL", default="WARNING").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)-7s %(name)s: %(message)s", "datefmt": "%H:%M:%S"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "kafka": {"level": "WARNING"},
        # One line per task run and per beat tick (several a second) drowns the events; CELERY_TASK_LOG_LEVEL=INFO
        # brings them back.
        "celery.app.trace": {"level": CELERY_TASK_LOG_LEVEL},
        "celery.worker.strategy": {"level": CELERY_TASK_LOG_LEVEL},
        "celery.beat": {"level": CELERY_TASK_LOG_LEVEL},
    },
}

# Session and CSRF cookies are HTTPS-only (local.py turns that off: development serves plain http://localhost).
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
