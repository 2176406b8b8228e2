"""Settings, read from the environment (django-environ).

With nothing set this is the embedded default: SQLite, Celery tasks run in-process, files on the
local disk in a private data folder, e-mail to the console. ``DATABASE_URL``, ``REDIS_URL`` and the
``AWS_*`` variables switch to PostgreSQL, Redis and S3-compatible storage. ``DJANGO_ENV=production``
turns on the deployment hardening and refuses to start on development secrets.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'")
PRODUCTION = DJANGO_ENV == "production"

# Where the embedded default keeps its database, uploads and generated documents.
DATA_DIR = Path(env.str("WECAN_DATA_DIR", default=str(BASE_DIR / "var")))
if not PRODUCTION:
    DATA_DIR.mkdir(parents=True, exist_ok=True)

# Development-only secrets: production refuses every one of them.
_DEVELOPMENT_SECRET_KEY = "wecan-development-secret-key-not-for-production-use-0123456789"
_DEVELOPMENT_PII_ENCRYPTION_KEY = "ZGV2ZWxvcG1lbnQta2V5LW5vdC1mb3ItcHJvZHVjdGk="
_DEVELOPMENT_PII_HASH_KEY = "wecan-development-pii-hash-key"

SECRET_KEY = env.str("SECRET_KEY", default=_DEVELOPMENT_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["*"])
# The portal's public address, for links that leave it (QR codes on certificates, e-mails).
WECAN_PUBLIC_URL = env.str("WECAN_PUBLIC_URL", default="http://127.0.0.1:8000").rstrip("/")

# ID numbers (PIPL): encrypted with the first of these Fernet keys (the rest still decrypt, for
# rotation) and looked up through a keyed hash.
PII_ENCRYPTION_KEYS = env.list("PII_ENCRYPTION_KEYS", default=[_DEVELOPMENT_PII_ENCRYPTION_KEY])
PII_HASH_KEY = env.str("PII_HASH_KEY", default=_DEVELOPMENT_PII_HASH_KEY)

if PRODUCTION:
    if SECRET_KEY == _DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("Production needs a real SECRET_KEY (50 characters or more).")
    if _DEVELOPMENT_PII_ENCRYPTION_KEY in PII_ENCRYPTION_KEYS or PII_HASH_KEY == _DEVELOPMENT_PII_HASH_KEY:
        raise ImproperlyConfigured("Production needs its own PII_ENCRYPTION_KEYS and PII_HASH_KEY.")
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production.")

INSTALLED_APPS = [
    "wecan.apps.WecanAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "django_filters",
    "axes",
    "captcha",
    "registration",
    "review",
    "payments",
    "certificates",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Early, so that a flood from an address already refused costs little (registration/throttling.py).
    "registration.throttling.AbuseGateMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wecan.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it turns a lockout into its own response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "wecan.urls"
WSGI_APPLICATION = "wecan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'wecan.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60 if PRODUCTION else 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Behind PgBouncer in transaction pooling a cursor cannot outlive its transaction's server connection.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool("PGBOUNCER_TRANSACTION_POOLING", default=False)
# A read replica for staff lists and exports, off unless set (wecan/db_routers.py).
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **env.db_url_config(DATABASE_REPLICA_URL),
        "ATOMIC_REQUESTS": False,
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        "DISABLE_SERVER_SIDE_CURSORS": DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"],
        # Tests run against the one test database, read through the replica's alias.
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["wecan.db_routers.ReplicaRouter"]
    MIDDLEWARE.append("wecan.middleware.StaffReadsFromReplicaMiddleware")
# Django's PostgreSQL backend, with a health check of a kept connection that sends no SELECT 1.
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        _database["ENGINE"] = "wecan.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "registration.User"
AUTHENTICATION_BACKENDS = [
    # First, as django-axes asks: it refuses a locked-out login before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "registration.auth.UsernameOrIdNumberBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "registration.identity.CandidatePasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Argon2id first (memory-hard, and a tenth of PBKDF2's CPU per login); the others only read older
# hashes, which are rehashed with the first at their owner's next login.
PASSWORD_HASHERS = [
    "registration.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Password checks one web process runs at once (registration/auth.py); each takes ~30 ms of a core.
# All its threads but one (WEB_THREADS, gunicorn.conf.py), which stays for the other requests.
PASSWORD_CHECKS_PER_PROCESS = env.int(
    "PASSWORD_CHECKS_PER_PROCESS", default=max(1, env.int("WEB_THREADS", default=4) - 1)
)
# Their threads' niceness (0 to 19): the higher, the more the other requests go first while they hash.
PASSWORD_CHECK_NICENESS = env.int("PASSWORD_CHECK_NICENESS", default=10)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Repeated failed logins lock the account for the address they came from, and only there: the
# owner signing in from elsewhere (home, a phone's network) still gets in, and one mistyped password
# in a hospital that shares an address locks nobody else. Attempts made while locked do not extend
# the lock, so nobody can keep an account locked for ever by trying it.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "registration.throttling.client_address"
# The login page asks for the captcha once an address has this many failures within the cool-off.
LOGIN_CAPTCHA_AFTER_FAILURES = env.int("LOGIN_CAPTCHA_AFTER_FAILURES", default=3)
AXES_USERNAME_CALLABLE = "registration.auth.lockout_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Masked in what django-axes records of a failed login's form: a login may be an ID number.
AXES_SENSITIVE_PARAMETERS = ["username", "login", "id_number", "id_number_confirm", "ip_address"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
# Dates are typed as 2026-11-29 in Chinese too (wecan/formats).
FORMAT_MODULE_PATH = ["wecan.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(DATA_DIR / "static")))
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Uploads and generated documents are private: there is no MEDIA_URL, and the files are served
# only through views that check the owner or the staff member's scope.
PRIVATE_FILES_ROOT = Path(env.str("PRIVATE_FILES_ROOT", default=str(DATA_DIR / "private")))
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=300),
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_FILES_ROOT, "base_url": None},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        ),
    },
}

# A request body larger than this is refused before it is read whole.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=64 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=512 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "wecan.redis_cache.SharedClientRedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Web and workers share what they mark in the cache (a form's preparation queued): the same prefix.
CACHES["default"]["KEY_PREFIX"] = env.str("CACHE_KEY_PREFIX", default="")

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="wecan <noreply@wecan.invalid>")

# Celery. Without REDIS_URL tasks run eagerly in-process (the embedded default).
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Tasks are idempotent, so a task whose worker died is delivered again rather than lost.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
# Longer than any task's hard limit, so Redis never re-delivers a task that is still running.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=500)
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "registration.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=30),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Knox: only a digest of each token is stored, and tokens expire; the header stays
        # ``Authorization: Token <key>``. One query a request (registration/token_auth.py).
        "registration.token_auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "wecan.errors.api_exception_handler",
    # No OPTIONS metadata: the schema at /api/schema/ describes the API, and DRF's metadata breaks
    # on views that validate with more than one serializer.
    "DEFAULT_METADATA_CLASS": None,
    # Proxies in front of the portal, so that throttling counts the client's address, not theirs.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "wecan.negotiation.OnlyRendererNegotiation",
    "DEFAULT_PARSER_CLASSES": [
        "wecan.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
# Public endpoints that hash a password or create something, limited per client address (sized for
# a hospital whose staff and candidates all come from one address: hundreds a day) and per account.
# DRF's notation: "N/second", "N/minute", "N/hour" or "N/day".
ABUSE_THROTTLE_RATES = {
    "register_address": env.str("THROTTLE_REGISTER_PER_ADDRESS", default="200/hour"),
    "register_account": env.str("THROTTLE_REGISTER_PER_ACCOUNT", default="10/hour"),
    "login_address": env.str("THROTTLE_LOGIN_PER_ADDRESS", default="600/hour"),
    "login_account": env.str("THROTTLE_LOGIN_PER_ACCOUNT", default="60/hour"),
    "login_failures_address": env.str("THROTTLE_LOGIN_FAILURES_PER_ADDRESS", default="30/minute"),
    "password_reset_address": env.str("THROTTLE_PASSWORD_RESET_PER_ADDRESS", default="100/hour"),
    "password_reset_account": env.str("THROTTLE_PASSWORD_RESET_PER_ACCOUNT", default="5/hour"),
    "appeal_address": env.str("THROTTLE_APPEAL_PER_ADDRESS", default="20/hour"),
    "captcha_address": env.str("THROTTLE_CAPTCHA_PER_ADDRESS", default="1000/hour"),
}
# Shared by every web process (Redis in production), or the limits would be per process.
ABUSE_THROTTLE_CACHE = "default"
# How long an API token works after it is issued (the mini-program signs in again after it).
API_TOKEN_TTL = timedelta(hours=env.int("API_TOKEN_TTL_HOURS", default=24))
REST_KNOX = {"TOKEN_TTL": API_TOKEN_TTL, "AUTH_HEADER_PREFIX": "Token", "AUTO_REFRESH": False}
SPECTACULAR_SETTINGS = {
    "TITLE": "wecan API",
    "DESCRIPTION": "卫生专业技术资格考试网上报名 — public REST API v1",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the pinned drf-spectacular-sidecar package, served as our own static files.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "GenderEnum": "registration.choices.Gender",
        "CertificateStatusEnum": ["valid", "revoked"],
        # Staff jobs and allocation jobs share their states.
        "JobStatusEnum": "review.models.JobStatus",
    },
}

# Content-Security-Policy (django-csp): scripts, styles, fonts and connections from the portal's own
# origin only, no inline script or style (pages keep theirs in static files), images also as data:
# URLs (captcha, QR codes, Swagger UI's icons), no plugins, no framing, forms post only here.
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
    },
}

CAPTCHA_IMAGE_SIZE = (120, 40)
CAPTCHA_LENGTH = 4
CAPTCHA_TEST_MODE = env.bool("CAPTCHA_TEST_MODE", default=False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # No log line carries a full ID number (search terms, exception messages, request lines).
    "filters": {
        "mask_id_numbers": {"()": "wecan.log_filters.MaskIdNumbers"},
        "refusals_unlogged": {"()": "wecan.log_filters.RefusalsUnlogged"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_id_numbers"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own handlers (runserver's request lines, mail to ADMINS with the request) give way
        # to the masked console.
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": [], "propagate": True},
        "django.request": {"filters": ["refusals_unlogged"]},
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint and fontTools narrate every render at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
    X_FRAME_OPTIONS = "DENY"

# ---------------------------------------------------------------------------------------------
# Payments (payments/): orders, providers, notifications, reconciliation.
# ---------------------------------------------------------------------------------------------
# An unpaid order may be paid for this long; after it a new one can be made.
PAYMENTS_ORDER_TTL_MINUTES = env.int("PAYMENTS_ORDER_TTL_MINUTES", default=30)
# Pending orders older than this are asked about at the gateway (a lost notification must not
# leave a candidate unpaid).
PAYMENTS_QUERY_AFTER_MINUTES = env.int("PAYMENTS_QUERY_AFTER_MINUTES", default=3)
# The portal's address as the gateways and the candidates' browsers reach it: notify and return URLs.
PAYMENTS_PUBLIC_URL = env.str("PAYMENTS_PUBLIC_URL", default=WECAN_PUBLIC_URL).rstrip("/")
# The in-project sandbox gateway (/sandbox-gateway/, the payments_sandbox app) and its provider: on in
# development and tests; production refuses it, as it refuses DEBUG (a gateway that says "paid" on a
# click would let anyone register without paying).
PAYMENTS_SANDBOX_ENABLED = env.bool("PAYMENTS_SANDBOX_ENABLED", default=not PRODUCTION)
if PRODUCTION and PAYMENTS_SANDBOX_ENABLED:
    raise ImproperlyConfigured(
        "PAYMENTS_SANDBOX_ENABLED must be off in production: the sandbox gateway credits payments nobody made."
    )
PAYMENTS_SANDBOX_APP_ID = env.str("PAYMENTS_SANDBOX_APP_ID", default="2021000000000001")
if PAYMENTS_SANDBOX_ENABLED:
    # Its own app, tables and migrations: not installed (nor routed, wecan/urls.py) where it is off.
    INSTALLED_APPS.append("payments_sandbox")
# Alipay (python-alipay-sdk): enabled when an app id is set. Keys are PEM text; "\n" may be escaped.
ALIPAY_APP_ID = env.str("ALIPAY_APP_ID", default="")
ALIPAY_APP_PRIVATE_KEY = env.str("ALIPAY_APP_PRIVATE_KEY", default="").replace("\\n", "\n")
ALIPAY_PUBLIC_KEY = env.str("ALIPAY_PUBLIC_KEY", default="").replace("\\n", "\n")
ALIPAY_GATEWAY_URL = env.str("ALIPAY_GATEWAY_URL", default="https://openapi.alipay.com/gateway.do")
ALIPAY_TIMEOUT_SECONDS = env.int("ALIPAY_TIMEOUT_SECONDS", default=15)
# A refund still waiting for the gateway's answer this long had its worker or request die: the sweep
# asks the gateway whether it refunded (longer than ALIPAY_TIMEOUT_SECONDS by far).
PAYMENTS_REFUND_SETTLE_AFTER_MINUTES = env.int("PAYMENTS_REFUND_SETTLE_AFTER_MINUTES", default=5)
# A statement import with no progress for this long was cut short (worker killed): the sweep resumes it.
PAYMENTS_STATEMENT_STALL_MINUTES = env.int("PAYMENTS_STATEMENT_STALL_MINUTES", default=3)
# Largest settlement statement a finance user may upload (a million lines is about 100 MB).
PAYMENTS_STATEMENT_MAX_BYTES = env.int("PAYMENTS_STATEMENT_MAX_BYTES", default=300 * 1024 * 1024)
CELERY_BEAT_SCHEDULE.update(
    {
        "payments-query-pending-orders": {
            "task": "payments.tasks.orders_sync_pending",
            "schedule": timedelta(minutes=1),
        },
        # Abandons what the payment window's close leaves unpaid (review's sweep does the other deadlines).
        "payments-sweep-unpaid": {
            "task": "payments.tasks.sweep_unpaid",
            "schedule": timedelta(minutes=10),
        },
        # Alipay publishes the previous day's bill in the morning (Beijing time).
        "payments-fetch-daily-statements": {
            "task": "payments.tasks.statements_fetch_daily",
            "schedule": crontab(hour=9, minute=30),
        },
        "payments-resume-stalled-statements": {
            "task": "payments.tasks.statements_resume",
            "schedule": timedelta(minutes=2),
        },
        "payments-settle-stale-refunds": {
            "task": "payments.tasks.refunds_settle_stale",
            "schedule": timedelta(minutes=5),
        },
    }
)
if PAYMENTS_SANDBOX_ENABLED:
    CELERY_BEAT_SCHEDULE["payments-sandbox-deliver-due-notifications"] = {
        "task": "payments_sandbox.tasks.sandbox_deliver_due",
        "schedule": timedelta(minutes=1),
    }

# ---------------------------------------------------------------------------------------------
# Photo and proof materials (registration/: files): upload caps, validation sweep.
# ---------------------------------------------------------------------------------------------
# A photo or material upload larger than this is refused (413) while it arrives, before it is read
# whole; the exam's own byte bounds (photo 20–200 KB, materials 10–150 KB) are checked by the worker.
UPLOAD_MAX_FILE_BYTES = env.int("UPLOAD_MAX_FILE_BYTES", default=1024 * 1024)
# What multipart framing and the other form fields may add to the file in one request body.
UPLOAD_FORM_OVERHEAD_BYTES = 16 * 1024
# Images with more pixels are refused from their header, before any pixel is decoded.
UPLOAD_MAX_PIXELS = env.int("UPLOAD_MAX_PIXELS", default=25_000_000)
# An upload still pending this long had its task lost: the sweep queues it again, a few times at most.
UPLOAD_REQUEUE_AFTER_MINUTES = env.int("UPLOAD_REQUEUE_AFTER_MINUTES", default=5)
UPLOAD_MAX_ATTEMPTS = env.int("UPLOAD_MAX_ATTEMPTS", default=5)
CELERY_BEAT_SCHEDULE.update(
    {
        "registration-requeue-stale-uploads": {
            "task": "registration.tasks.requeue_stale_uploads",
            "schedule": timedelta(minutes=2),
        },
    }
)

# ---------------------------------------------------------------------------------------------
# Staff work (review/): deadlines and to-do reminders.
# ---------------------------------------------------------------------------------------------
CELERY_BEAT_SCHEDULE.update(
    {
        # Abandons what a passed deadline leaves behind (idempotent: each run finds only what is due).
        "review-sweep-deadlines": {
            "task": "review.tasks.sweep_deadlines",
            "schedule": timedelta(minutes=10),
        },
        # To-dos 48 hours before a deadline (one per application and deadline, however often it runs).
        "review-remind-deadlines-soon": {
            "task": "review.tasks.remind_deadlines_soon",
            "schedule": timedelta(hours=1),
        },
    }
)

# ---------------------------------------------------------------------------------------------
# Staff work (review/): reminders and the signed application form.
# ---------------------------------------------------------------------------------------------
# How reminders (待办事项提醒) reach candidates besides the to-do list: dotted paths of channel classes.
REMINDER_CHANNELS = env.list("REMINDER_CHANNELS", default=["review.channels.EmailChannel"])
# The material slot where candidates upload the signed application form, whose barcode is read.
REVIEW_SIGNED_FORM_SLOT = env.str("REVIEW_SIGNED_FORM_SLOT", default="0")
