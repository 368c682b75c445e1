"""Settings shared by every environment. Environment-specific modules import from here."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "insecure-dev-key-do-not-use-in-production")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
# The TLS proxy's address (docker-compose.yml): the only client whose X-Real-IP header is believed.
TRUSTED_PROXY_IPS = env_list("TRUSTED_PROXY_IPS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "jingshi_jiafang.core",
    "visits",
    "feedback",
    "ledger",
    "evaluation",
    # The top layer: composes the apps (home, menu, household pages) and owns the demo loader's command.
    "jingshi_jiafang",
]

MIDDLEWARE = [
    "jingshi_jiafang.core.middleware.TrustedProxyMiddleware",
    "jingshi_jiafang.health.HealthCheckMiddleware",
    # Before every middleware that reads or writes the body, so that it compresses what they made.
    "jingshi_jiafang.core.middleware.CompressedTextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "jingshi_jiafang.core.middleware.IdleSessionMiddleware",
    "jingshi_jiafang.core.middleware.PrivateResponseMiddleware",
    "jingshi_jiafang.offline.OfflineUserMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "jingshi_jiafang.core.middleware.AccountPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "jingshi_jiafang.core.middleware.SignedOutNoticeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout raised by the backend into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jingshi_jiafang.urls"
WSGI_APPLICATION = "jingshi_jiafang.wsgi.application"

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
                "jingshi_jiafang.context_processors.navigation",
                "jingshi_jiafang.context_processors.bureau",
                "jingshi_jiafang.context_processors.capabilities",
                "jingshi_jiafang.offline.context",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        # A connection kept across requests is tested before reuse: after a database restart the first request
        # of each worker gets a new connection instead of an error.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A page's queries are short: on a 2-core server the extra processes of a parallel plan take the cores that
    # other requests are waiting for, and start up slower than the query they split. A machine with cores to
    # spare (or a Celery worker of long reports) may allow some.
    # JIT compiling likewise: a station head's home spent 0.9 s compiling one query that ran in less.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c max_parallel_workers_per_gather={env_int('DATABASE_PARALLEL_WORKERS', 0)} -c jit=off"
    )
# SQLite cannot create the directory of its file: a fresh clone has no var/ yet.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and DATABASES["default"]["NAME"] != ":memory:":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out user or address before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ["username", "name", "email", "phone"]},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "jingshi_jiafang.core.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]

# Lock out after 5 failures for 15 minutes, by username and, separately, by address (等保 2.0: 登录失败处理).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# django-axes would reset on success by every lockout parameter, the address included: one good login from a
# shared address would wipe everyone's failures there. core/auth_events.py clears only the user's own instead.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Sessions end after 30 minutes idle and when the browser closes.
SESSION_COOKIE_AGE = 30 * 60
# The idle deadline moves with use, at most once a minute (core.middleware.IdleSessionMiddleware).
SESSION_TOUCH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Second factor (TOTP): any user may enrol; these roles must.
OTP_REQUIRED_ROLES = env_list("OTP_REQUIRED_ROLES", "admin,security_admin,auditor,leader")
OTP_TOTP_ISSUER = "警事家访"

X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No inline script anywhere: every script is a static file.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads live outside the web root and have no URL of their own: core/uploads.py serves them after a scope check.
PRIVATE_STORAGE_ROOT = Path(env_str("PRIVATE_STORAGE_ROOT", str(VAR_DIR / "private")))
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
# A county's household-registration export (600,000 rows is some 40 MB as .xlsx) is imported in one file.
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 100 * 1024 * 1024)
# An imported workbook holds ID numbers in the clear: it is deleted this many days after its import ended (the
# run, its hash, report and history stay).
IMPORT_RETENTION_DAYS = env_int("IMPORT_RETENTION_DAYS", 7)
# An Excel export of more rows than this is written by a Celery job into private storage, not in the request.
EXPORT_SYNC_MAX_ROWS = env_int("EXPORT_SYNC_MAX_ROWS", 5000)
# Written exports hold residents' data outside the database: their files are deleted this many days after they
# were written (the job's row stays, saying who exported what and when).
EXPORT_RETENTION_DAYS = env_int("EXPORT_RETENTION_DAYS", 7)
# An export job still pending this long after it was asked for has lost its queued task: the reconciler
# (evaluation/services/reconcile.py) queues it again.
RECONCILE_GRACE_SECONDS = env_int("RECONCILE_GRACE_SECONDS", 600)
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_STORAGE_ROOT},
    },
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_STORAGE_ROOT},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}

# Celery: Redis when REDIS_URL is set; otherwise kombu's filesystem transport under var/ so that a
# worker and beat really run on a machine with no broker server.
REDIS_URL = env_str("REDIS_URL", "")
CELERY_QUEUE_DIR = VAR_DIR / "celery"
# The longest a task may run (a hard limit kills it), and how long Redis keeps a delivered but unacknowledged
# task before handing it to another worker. The second must be above the first, or a long job still running is
# delivered again; a worker killed mid-job (kill -9, out of memory) has its task delivered again after it.
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 3600)
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 2 * CELERY_TASK_TIME_LIMIT)
if CELERY_VISIBILITY_TIMEOUT <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_VISIBILITY_TIMEOUT must be above CELERY_TASK_TIME_LIMIT.")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "queue"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "queue"),
        "processed_folder": str(CELERY_QUEUE_DIR / "processed"),
        # Without it kombu keeps its exchange tables in ./control, a stray folder in the working copy.
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
        "store_processed": False,
    }
CELERY_TIMEZONE = TIME_ZONE
# The cache holds rate-limit counters: shared through Redis when there is one.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# An officer's own household list is kept this long at most (core/household_list_cache.py), only in a cache all
# processes share: a change made by a Celery job has to reach the web's copy.
HOUSEHOLD_LIST_CACHE_SECONDS = env_int("HOUSEHOLD_LIST_CACHE_SECONDS", 300 if REDIS_URL else 0)
CELERY_TASK_IGNORE_RESULT = True
# Reliability (README "Reliability"): a task is acknowledged after it ran, so a worker that dies mid-job leaves
# it queued; a pool process killed under a running task puts the task back at once; a worker holds one task at
# a time, so a long job does not keep others waiting behind it on a busy worker. Every job is idempotent by
# database constraints, so a task delivered twice takes effect once.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker started while Redis is still coming up waits for it rather than exiting.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Every periodic job of the project is listed here and nowhere else. Each has a management command taking --date.
CELERY_BEAT_SCHEDULE = {
    "escalate-overdue-matters": {
        "task": "feedback.tasks.escalate_overdue_matters_task",
        "schedule": 3600.0,
    },
    # The legal department's monthly classification: last month's matters not yet confirmed get a suggestion.
    "classify-month-topics": {
        "task": "feedback.tasks.classify_month_task",
        "schedule": crontab(day_of_month=1, hour=1, minute=0),
    },
    # Anchors the audit chain outside the database (core/audit.py); entries newer than the last checkpoint
    # are what a deletion could still remove unnoticed, so keep the period short.
    "audit-checkpoint": {
        "task": "jingshi_jiafang.core.tasks.audit_checkpoint_task",
        "schedule": float(env_int("AUDIT_CHECKPOINT_SECONDS", 300)),
    },
    # The whole audit chain, walked at night; the auditor's page verifies only from the latest checkpoint and
    # turns red when this result failed or is more than two days old.
    "audit-verify-nightly": {
        "task": "jingshi_jiafang.core.tasks.audit_verify_task",
        "schedule": crontab(hour=2, minute=30),
    },
    "expire-export-files": {
        "task": "jingshi_jiafang.core.tasks.expire_export_files_task",
        "schedule": crontab(hour=3, minute=0),
    },
    "expire-import-files": {
        "task": "jingshi_jiafang.core.tasks.expire_import_files_task",
        "schedule": crontab(hour=3, minute=10),
    },
    # A hand-over planned ahead takes its household's open ledger items on its first day (ledger/tasks.py; by
    # hand: manage.py follow_hand_overs --date).
    "follow-hand-overs": {
        "task": "ledger.tasks.follow_hand_overs_task",
        "schedule": crontab(hour=0, minute=5),
    },
    # 次日回访: the callbacks for yesterday's visits and closings, ready before the evaluation centre starts.
    "create-callbacks": {
        "task": "evaluation.tasks.create_callbacks_task",
        "schedule": crontab(hour=5, minute=30),
    },
    # 每日研判: yesterday's review and notice, once the morning's callbacks of the day before are in
    # (evaluation/tasks.py; by hand: manage.py run_daily_review --date).
    "daily-review": {
        "task": "evaluation.tasks.daily_review_task",
        "schedule": crontab(hour=7, minute=30),
    },
    # The dashboard's summary rows of yesterday, final once the day is over (its calls made, its night plans
    # kept or missed), after the morning's callbacks job; today's rows every hour, so that "this month" is at
    # most an hour behind.
    "refresh-summaries-yesterday": {
        "task": "evaluation.tasks.refresh_summaries_task",
        "schedule": crontab(hour=6, minute=30),
    },
    "refresh-summaries-today": {
        "task": "evaluation.tasks.refresh_today_summaries_task",
        "schedule": crontab(minute=15),
    },
    # The coverage page's counts (visits/coverage.py); the page says when they were kept.
    "keep-coverage-counts": {
        "task": "visits.tasks.keep_coverage_counts_task",
        "schedule": crontab(minute=20),
    },
    # 考核: the current month and, until the evaluation centre closes it, the previous one; after the night's
    # callbacks and corrections are in. `manage.py compute_scores --month YYYY-MM` by hand.
    # Queues again what PostgreSQL says is still pending (a queueing lost in a crash or a Redis restart, a worker
    # lost mid-job): evaluation/services/reconcile.py; by hand: manage.py reconcile_jobs --date.
    "reconcile-jobs": {
        "task": "evaluation.tasks.reconcile_task",
        "schedule": crontab(minute="*/15"),
    },
    "compute-scores": {
        "task": "evaluation.tasks.compute_scores_task",
        "schedule": crontab(hour=4, minute=30),
    },
}

# Encryption at rest of residents' ID numbers (jingshi_jiafang/core/crypto.py). These development keys are public;
# production.py requires real ones. Generate a key with:
#   python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
DEVELOPMENT_KEYS = {
    "FIELD_ENCRYPTION_KEYS": "amluZ3NoaS1qaWFmYW5nLWRldi1vbmx5LWtleS0zMmI=",
    "ID_HASH_KEY": "jingshi-jiafang-development-id-hash-key",
    "AUDIT_CHECKPOINT_KEY": "jingshi-jiafang-development-audit-checkpoint-key",
}
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", DEVELOPMENT_KEYS["FIELD_ENCRYPTION_KEYS"])
ID_HASH_KEY = env_str("ID_HASH_KEY", DEVELOPMENT_KEYS["ID_HASH_KEY"])

# The audit chain's checkpoints: an append-only file on a volume the database server never sees, each line
# signed with a key the database never holds. production.py requires a real key.
AUDIT_CHECKPOINT_FILE = Path(env_str("AUDIT_CHECKPOINT_FILE", str(VAR_DIR / "audit" / "checkpoints.jsonl")))
AUDIT_CHECKPOINT_KEY = env_str("AUDIT_CHECKPOINT_KEY", DEVELOPMENT_KEYS["AUDIT_CHECKPOINT_KEY"])

# Night visits (警民夜谈): Monday, Wednesday and Friday, 20:00–21:00 in the source county; other counties differ.
NIGHT_VISIT_WEEKDAYS = [int(day) for day in env_list("NIGHT_VISIT_WEEKDAYS", "0,2,4")]
NIGHT_VISIT_START = env_str("NIGHT_VISIT_START", "20:00")
NIGHT_VISIT_END = env_str("NIGHT_VISIT_END", "21:00")
# A household with no visit for this many days is overdue on the coverage page.
VISIT_OVERDUE_DAYS = env_int("VISIT_OVERDUE_DAYS", 90)
# A visit may be entered at most this many hours after it took place (补录); a night plan counts as kept only by
# a visit entered within it, so an evening cannot be made "kept" days later.
VISIT_LATE_ENTRY_HOURS = env_int("VISIT_LATE_ENTRY_HOURS", 48)
# The window around today that any date typed into a page may fall in (core/dates.py): queries, plans, links.
DATE_WINDOW_PAST_DAYS = env_int("DATE_WINDOW_PAST_DAYS", 3660)
DATE_WINDOW_FUTURE_DAYS = env_int("DATE_WINDOW_FUTURE_DAYS", 366)
# A responsible officer's link may start this many days back (recording a hand-over late) or ahead (planning one).
LINK_START_PAST_DAYS = env_int("LINK_START_PAST_DAYS", 30)
LINK_START_FUTURE_DAYS = env_int("LINK_START_FUTURE_DAYS", 90)

# 结对联建: what each leader and cadre owes the household they are paired with (the source county's rule: a contact
# every week, a visit every month, at least two practical deeds a year).
PAIRING_CONTACTS_PER_WEEK = env_int("PAIRING_CONTACTS_PER_WEEK", 1)
PAIRING_VISITS_PER_MONTH = env_int("PAIRING_VISITS_PER_MONTH", 1)
PAIRING_DEEDS_PER_YEAR = env_int("PAIRING_DEEDS_PER_YEAR", 2)

# Days to handle a dispatched matter, by category; an urgent matter gets a day whatever its category.
MATTER_DEADLINE_DAYS = {
    "urgent": 1,
    "public_security": 3,
    "law_enforcement": 5,
    "force_conduct": 7,
    "litigation": 15,
    "other": 7,
}
# A walk-in resident of a talk room is called back this many days after the matter is closed.
TALK_ROOM_CALLBACK_DAYS = env_int("TALK_ROOM_CALLBACK_DAYS", 7)
# The bureau that runs this deployment, as residents and staff read it on the pages.
BUREAU_NAME = env_str("BUREAU_NAME", "沭阳县公安局")
# Echo-back and status pages: failed attempts (wrong card code, wrong query password) an address may make in
# ECHO_RATE_WINDOW seconds.
ECHO_RATE_LIMIT = env_int("ECHO_RATE_LIMIT", 10)
ECHO_RATE_WINDOW = env_int("ECHO_RATE_WINDOW", 600)
# Where the QR code on a printed echo card points: the public echo-back page as residents reach it.
# Where printed echo cards and slips send residents. Unset: the address the page was printed from.
PUBLIC_ECHO_URL = env_str("PUBLIC_ECHO_URL", "")

# Demo data.
DEMO_PASSWORD = env_str("DEMO_PASSWORD", "jiafang-demo-2026")

# Page sizes of list pages.
PAGE_SIZE = env_int("PAGE_SIZE", 25)
# How many pages a list offers (core/pagination.py): the database reads every row before a page to reach it.
MAX_PAGES = env_int("MAX_PAGES", 100)
