"""One settings module, configured from the environment.

Defaults run with no setup (SQLite in ./var, DEBUG off). Production sets at least
SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL; see README.md.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from cchc.core.env import env_bool, env_int, env_list, env_path, env_str

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent

DATA_DIR = env_path("CCHC_DATA_DIR", PROJECT_DIR / "var")
MEDIA_ROOT = env_path("CCHC_MEDIA_ROOT", DATA_DIR / "media")
STATIC_ROOT = env_path("CCHC_STATIC_ROOT", DATA_DIR / "static")

DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("CCHC_TESTING", "pytest" in sys.modules)

# An explicit SECRET_KEY is required outside DEBUG and the tests.
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("SECRET_KEY is not set: set it in the environment (or DEBUG=1 for development).")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG or TESTING else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "simple_history",
    "axes",
    "bootstrap",
    "django_tasks",
    "django_tasks_db",
    "cchc.core",
    "cchc.accounts",
    "cchc.orgs",
    "cchc.frameworks",
    "cchc.assessments",
    "cchc.plans",
    "cchc.dossiers",
    "cchc.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cchc.core.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "cchc.core.middleware.PrincipalMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cchc.urls"
WSGI_APPLICATION = "cchc.wsgi.application"
ASGI_APPLICATION = "cchc.asgi.application"

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
                "django.template.context_processors.i18n",
                "cchc.core.context_processors.navigation",
            ],
        },
    },
]

_default_db = f"sqlite:///{DATA_DIR / 'cchc.sqlite3'}"
if not env_str("DATABASE_URL"):
    DATA_DIR.mkdir(parents=True, exist_ok=True)  # the embedded database lives here
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or _default_db,
        conn_max_age=env_int("CCHC_DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"].setdefault("TEST", {})
if env_str("CCHC_TEST_DB_NAME"):
    DATABASES["default"]["TEST"]["NAME"] = env_str("CCHC_TEST_DB_NAME")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Hashing speed is not what the tests measure.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # noqa: S303
    if "CCHC_MEDIA_ROOT" not in os.environ:  # files the tests write (plan sources, evidence) stay out of ./var
        import tempfile

        MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="cchc-test-media-"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling (django-axes): lock a username+address pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("CCHC_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("CCHC_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# Sessions expire after a working day of inactivity and when the browser closes.
SESSION_COOKIE_AGE = env_int("CCHC_SESSION_SECONDS", 8 * 3600)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Safe production defaults: secure cookies and HSTS unless DEBUG, TLS redirect when asked.
SECURE_TLS = env_bool("CCHC_TLS", not DEBUG and not TESTING)
SESSION_COOKIE_SECURE = SECURE_TLS
CSRF_COOKIE_SECURE = SECURE_TLS
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_int("CCHC_HSTS_SECONDS", 31536000 if SECURE_TLS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_TLS
SECURE_SSL_REDIRECT = env_bool("CCHC_SSL_REDIRECT", False)
if env_bool("CCHC_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
# Evidence files: the largest accepted upload (checked again by content in cchc.assessments.evidence).
# Uploads above FILE_UPLOAD_MAX_MEMORY_SIZE are streamed to a temporary file, not held in memory;
# the web server in front must accept request bodies a little above CCHC_EVIDENCE_MAX_BYTES.
CCHC_EVIDENCE_MAX_BYTES = env_int("CCHC_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # 2.5 MB
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # form fields other than files
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
if DEBUG or TESTING:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing

# Background work: Django's tasks API (backport) with the database backend; no broker.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if TESTING or env_bool("CCHC_TASKS_IMMEDIATE", False)
        else "django_tasks_db.DatabaseBackend",
    }
}

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG or TESTING
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "cchc@localhost")

# The province this installation serves (code or name as in vietnam-provinces).
CCHC_PROVINCE = env_str("CCHC_PROVINCE", "")
CCHC_DEADLINE_RULE = env_str("CCHC_DEADLINE_RULE", "previous")  # a deadline on a day off: previous | next | none
CCHC_REMINDER_DAYS = env_int("CCHC_REMINDER_DAYS", 7)
CCHC_ESCALATE_AFTER_DAYS = env_int("CCHC_ESCALATE_AFTER_DAYS", 3)
CCHC_BASE_URL = env_str("CCHC_BASE_URL", "http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CCHC_LOG_LEVEL", "WARNING")},
}
