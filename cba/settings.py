"""CBA Monitor settings, read from the environment (see docs/operations.md, "Configuration")."""

import datetime
import hashlib
from pathlib import Path

from csp.constants import NONE, SELF

from cba.env import (
    database_from_url,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_redis_url,
    env_str,
    env_time_zone,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key" if DEBUG else None)
# Keyed hash for eCPR worker SSNs: a separate secret so rotating SECRET_KEY keeps worker identity.
WORKER_ID_KEY = env_str("WORKER_ID_KEY", SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "ninja",
    "projects",
    # Before django_q: its `qcluster` command is compliance's, which stops within seconds.
    "compliance",
    "demo",
    "django_q",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # English or Spanish from the language cookie or the browser's Accept-Language;
    # projects.language.UserLanguage below puts a signed-in person's own choice first.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "cba.middleware.ApiNotFound",
    "cba.middleware.DropNulCharacters",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "projects.language.UserLanguage",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so it turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cba.urls"
WSGI_APPLICATION = "cba.wsgi.application"

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
                "projects.context_processors.role",
                "compliance.context_processors.unread_notifications",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(
        "DATABASE_URL", env_str("DATABASE_URL", ""), str(BASE_DIR / "db.sqlite3")
    )
}
# Several checkouts on one machine may test against one PostgreSQL server at once:
# give each its own test database.
_checkout = hashlib.sha1(str(BASE_DIR).encode()).hexdigest()[:6]
DATABASES["default"]["TEST"] = {
    "NAME": env_str("TEST_DATABASE_NAME", f"test_cba_{_checkout}")
    if DATABASES["default"]["ENGINE"].endswith("postgresql")
    else None
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "projects.abuse.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Figures read the same in both languages ("1,234.50", as Spanish is written in the US):
# cba/formats/es keeps Spanish dates and the US separators.
FORMAT_MODULE_PATH = ["cba.formats"]
TIME_ZONE = env_time_zone("TIME_ZONE", "America/Los_Angeles")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"

# Uploads (SPEC §8).
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024, minimum=1)
UPLOAD_MAX_ROWS = env_int("UPLOAD_MAX_ROWS", 200_000, minimum=1)
UPLOAD_MAX_UNZIPPED_BYTES = env_int("UPLOAD_MAX_UNZIPPED_BYTES", 400 * 1024 * 1024, minimum=1)
# Public pages (SPEC §7.4, §8): a published figure resting on fewer distinct workers is
# suppressed.
PUBLIC_MIN_WORKERS = env_int("PUBLIC_MIN_WORKERS", 5, minimum=1)
# Evidence attached to flag notes and progress entries (compliance/storage.check_attachment).
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1)
# Limits of the child process that reads each uploaded file (compliance/intake/sandbox.py).
UPLOAD_PARSE_MEMORY_MB = env_int("UPLOAD_PARSE_MEMORY_MB", 1536, minimum=256)
UPLOAD_PARSE_SECONDS = env_int("UPLOAD_PARSE_SECONDS", 60, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Abuse limits (SPEC §8, projects/abuse.py). Counters live in the cache: set REDIS_URL
# when running several web processes, so they share one count.
# 1 when a proxy in front appends the visitor's address to X-Forwarded-For.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
PASSWORD_RESET_LIMIT = env_int("PASSWORD_RESET_LIMIT", 5, minimum=1)  # an hour, each
API_REQUESTS_PER_MINUTE = env_int("API_REQUESTS_PER_MINUTE", 300, minimum=1)  # per person
API_BAD_TOKEN_LIMIT = env_int("API_BAD_TOKEN_LIMIT", 20, minimum=1)  # per address, 15 min
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = datetime.timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "projects.abuse.lockout_page"
AXES_CLIENT_IP_CALLABLE = "projects.abuse.client_address"
AXES_VERBOSE = False

# Content-Security-Policy: this site only; no inline script or style anywhere (the admin
# and the API docs included). Swagger UI draws its icons from data: URIs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Email.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "sent-emails"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "CBA Monitor <noreply@cba-monitor.local>")

# Background work (django-q2): the database is the broker unless REDIS_URL is set.
REDIS_URL = env_redis_url("REDIS_URL")
# A task may run Q_TIMEOUT seconds; past that it fails (a memo says so). A task whose worker
# died (killed, out of memory) is handed out again `retry` seconds after it was taken: that
# must exceed the timeout, or a slow task would run twice, and by default it is under two
# minutes. A failed task is tried `max_attempts` times in all.
Q_TIMEOUT = env_int("Q_TIMEOUT", 90, minimum=1)
Q_CLUSTER = {
    "name": "cba",
    "workers": env_int("Q_WORKERS", 2, minimum=1),
    "timeout": Q_TIMEOUT,
    "retry": Q_TIMEOUT + 15,
    "max_attempts": 2,
    "catch_up": False,
    "sync": env_bool("Q_SYNC", False),
    "label": "Background tasks",
}
# Seconds `qcluster` lets running tasks finish after SIGTERM or Ctrl-C before ending them;
# an interrupted task is handed out again after `retry`.
Q_STOP_SECONDS = env_int("Q_STOP_SECONDS", 3, minimum=0)
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# Production hardening: on whenever DEBUG is off (manage.py check --deploy is clean).
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    # Failed sign-ins are audit events already; axes would log each at INFO as well.
    "loggers": {"axes": {"level": "WARNING"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice("LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]),
    },
}
