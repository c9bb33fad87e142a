"""Shared settings. Read from the environment (django-environ); see README "Configuration"."""

from pathlib import Path

import environ
from django.conf.locale import LANG_INFO

from betterwork.common.static import static_headers

env = environ.Env()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env.str("BETTERWORK_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # the SQLite file, the embedded broker's folders, beat's schedule

DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "betterwork.accounts",
    "betterwork.common",
    "betterwork.demo",
    "factories",
    "assessments",
    "advisory",
    "training",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "betterwork.accounts.middleware.UserLanguageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "betterwork.accounts.middleware.StaffTwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "betterwork.common.middleware.NoStoreForAuthenticatedMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "betterwork.urls"
WSGI_APPLICATION = "betterwork.wsgi.application"

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
                "csp.context_processors.nonce",
                "betterwork.accounts.context_processors.navigation",
                "betterwork.common.context_processors.unread_notifications",
            ],
        },
    },
]

# Database: DATABASE_URL, or an SQLite file under var/ (the embedded default).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'betterwork.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one file: WAL lets readers go on while one process writes, and
    # IMMEDIATE transactions take the write lock up front instead of failing half-way.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis (REDIS_URL) is the Celery broker and the cache; without it: kombu's filesystem transport and
# a per-process memory cache.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "betterwork",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # must come first: refuses locked-out logins
    "rules.permissions.ObjectPermissionBackend",  # object predicates (betterwork.accounts.policy)
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# allauth: username login, no self sign-up (the programme creates accounts), TOTP for staff.
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_ADAPTER = "betterwork.accounts.adapter.AccountAdapter"
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_SESSION_REMEMBER = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "BetterWork"

# django-axes: lock a username from an address after repeated failures; stored in the database so
# it holds across processes and when Redis is down.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "betterwork.accounts.adapter.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "account/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
# Behind reverse proxies (NUM_PROXIES), sign-in limits count the client's address, not the proxy's.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("NUM_PROXIES", default=0)
AXES_IPWARE_PROXY_COUNT = ALLAUTH_TRUSTED_PROXY_COUNT or None

# Internationalisation: English is the programme's common language; one language per country programme.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("am", "አማርኛ"),
    ("ar", "العربية"),
    ("bn", "বাংলা"),
    ("es", "Español"),
    ("fr", "Français"),
    ("ht", "Kreyòl ayisyen"),
    ("id", "Bahasa Indonesia"),
    ("km", "ខ្មែរ"),
    ("st", "Sesotho"),
    ("ur", "اردو"),
    ("vi", "Tiếng Việt"),
]
# Django ships no locale entries for Amharic, Haitian Creole and Sesotho: without these, language
# look-ups (get_language_info, the switcher) fail.
LANG_INFO.update(
    {
        "am": {"bidi": False, "code": "am", "name": "Amharic", "name_local": "አማርኛ"},
        "ht": {"bidi": False, "code": "ht", "name": "Haitian Creole", "name_local": "Kreyòl ayisyen"},
        "st": {"bidi": False, "code": "st", "name": "Sesotho", "name_local": "Sesotho"},
    }
)
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Email: console by default (password-reset links appear in the terminal).
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="BetterWork <no-reply@betterwork.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

SESSION_ENGINE = "betterwork.common.sessions"  # database sessions: logins keep working when Redis is down
SESSION_COOKIE_AGE = 10 * 3600
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Static files are answered by WhiteNoise before any middleware: they carry their own strict headers.
WHITENOISE_ADD_HEADERS_FUNCTION = static_headers

# Content-Security-Policy (django-csp): nothing from outside, no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["betterwork.common.api.permissions.PolicyPermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "betterwork.common.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "betterwork.common.api.exception_handler.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "user": "1200/min", "token": "10/min"},
    "DATETIME_FORMAT": "iso-8601",
    "DATE_FORMAT": "iso-8601",  # YYYY-MM-DD, zero-padded for any year
    # How many trusted proxies set X-Forwarded-For (throttles use the client's address): none by default.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=None),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "BetterWork API",
    "DESCRIPTION": "The REST API of the BetterWork platform. Contract: docs in the repository (API.md).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["betterwork.common.api.schema.postprocess"],
    # Several models have a `kind` or a `status`: name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "FactoryStatusEnum": "factories.models.Factory.Status",
        "CycleStatusEnum": "factories.models.ServiceCycle.Status",
        "RegistrationStatusEnum": "factories.models.Registration.Status",
        "FollowUpActionStatusEnum": "factories.models.FollowUpAction.Status",
        "MilestoneKindEnum": "factories.models.Milestone.Kind",
        "MilestoneStateEnum": "factories.models.Milestone.State",
        "CommitteeKindEnum": "factories.models.Committee.Kind",
        "VisitKindEnum": "advisory.models.AdvisoryVisit.Kind",
        "BuyerReadKindEnum": "factories.models.BuyerRead.Kind",
        "SourcingLinkSourceEnum": "factories.models.SourcingLink.Source",
        "RoleEnum": "betterwork.accounts.models.Role",
        "AssessmentStatusEnum": "assessments.models.Assessment.Status",
        "PriorityNoteKindEnum": "assessments.models.PriorityNote.Kind",
        "PlanItemStatusEnum": "advisory.models.ImprovementPlanItem.Status",
    },
}

# Celery: JSON only, late acks (every task is idempotent), results ignored (state lives in the DB).
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # Short timeouts: a request that publishes a task must not hang when Redis is down (the outbox and
    # the sweeps catch up), and a lost task comes back after the visibility timeout.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 2, "socket_timeout": 5}
else:
    _queue_dir = VAR_DIR / "celery" / "queue"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT, CELERY_TASK_SOFT_TIME_LIMIT = 300, 240
CELERY_TASK_SERIALIZER = CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
# PDFs render on a queue of their own (docker-compose's pdf-worker; `make run`'s worker takes both queues).
CELERY_TASK_ROUTES = {"reporting.tasks.render_document": {"queue": "pdf"}}
CELERY_BEAT_SCHEDULE = {
    # The platform's pulse: proves a worker consumes what beat sends (shown by /healthz).
    "heartbeat": {"task": "betterwork.common.tasks.heartbeat", "schedule": env.float("HEARTBEAT_SECONDS", default=60)},
    # R-CYC-8: the milestone sweep (the database is the source of truth; the broker carries only due work).
    "milestones-sweep": {
        "task": "factories.tasks.run_milestones",
        "schedule": env.float("MILESTONE_SWEEP_SECONDS", default=60),
    },
    # Emails whose own task never ran (broker down, worker died) are sent from the outbox.
    "outbox-flush": {"task": "betterwork.common.email.outbox_flush", "schedule": 60.0},
    # R-REG-3: an unpaid renewal past its due date suspends services (idempotent; hourly is plenty).
    "renewals-suspend-overdue": {"task": "factories.tasks.renewals_suspend_overdue", "schedule": 3600.0},
    # R-ASM-6: a feedback period that ended (deadline passed or findings accepted) is ready to finalise.
    "assessments-feedback-ended": {"task": "assessments.tasks.feedback_periods_ended", "schedule": 900.0},
}

# Structured logs: one JSON object per line on stderr.
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

BETTERWORK = {
    # Where links in emails point (no trailing slash).
    "SITE_URL": env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/"),
    # Days before a milestone's due date when its owner is reminded (R-CYC-8).
    "REMINDER_LEAD_DAYS": {"default": [14, 3], "progress_report_1": [30, 14, 3], "progress_report_2": [30, 14, 3]},
    # How long /healthz accepts since the last heartbeat before it reports the worker as late.
    "HEARTBEAT_STALE_SECONDS": env.int("HEARTBEAT_STALE_SECONDS", default=300),
    # Milestones per batch in the sweep (each batch is one transaction).
    "SWEEP_BATCH": env.int("MILESTONE_SWEEP_BATCH", default=500),
    # The largest photo or PDF an assessor may attach to a finding.
    "EVIDENCE_MAX_BYTES": env.int("EVIDENCE_MAX_BYTES", default=10 * 1_048_576),
}
# Evidence uploads stream to disk beyond this size instead of filling the worker's memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
