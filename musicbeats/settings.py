"""MusicBeats settings, read from the environment.

Every value that differs between a laptop and production comes from an environment
variable through the small typed helpers below, which fail loudly on a value they
cannot read. `make run` sets DEBUG=1; `make serve` leaves it off and insists on a
strong SECRET_KEY. Tests use `musicbeats.settings_test`, which builds on this file.
"""

import os
from pathlib import Path

import dj_database_url
import django_include_bootstrap
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from musicbeats.sending import mailer_from_url, retry_delays, task_settings

BASE_DIR = Path(__file__).resolve().parent.parent


def envstr(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"The environment variable {name} is required.")
    return value


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false).")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from None


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in envstr(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", False)

# A weak or missing key is refused outside DEBUG: sessions, password-reset links and
# CSRF tokens are only as safe as this value.
_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", _DEV_SECRET_KEY if DEBUG else "")
if not DEBUG and (
    len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY == _DEV_SECRET_KEY
):
    raise ImproperlyConfigured(
        "SECRET_KEY is missing or weak: set it to a random string of at least 50 "
        "characters, e.g. the output of `python -c 'import secrets; "
        "print(secrets.token_urlsafe(50))'`."
    )

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.usersessions",
    "allauth.mfa",
    "django_htmx",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    # The database queue for background work (TASKS below); its tables exist whichever
    # backend runs, so switching to Redis and back needs no migration.
    "django_tasks_db",
    "accounts",
    "attendance",
    "fees",
    # Project-wide management commands (backup, restore) live in musicbeats/management/.
    "musicbeats",
]

MIDDLEWARE = [
    "musicbeats.server_timing.ServerTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # 403 and 429 answers go to the security log, whichever layer gave them.
    "musicbeats.security_log.SecurityEventsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise (static files keep their far-future caching): every other answer
    # is `no-store, private` unless its view says otherwise (musicbeats/cache_headers.py).
    "musicbeats.cache_headers.NoStoreMiddleware",
    # Before the session: a GET whose database connection dropped (in the session lookup,
    # the session limits, the view) runs once more through everything below, with a fresh
    # session and user; a write that fails for a full disk or a read-only database answers
    # 503 "nothing was saved".
    "musicbeats.db_faults.DatabaseFaultsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # PostgreSQL cannot store or compare text with NUL: 400 before any view runs.
    "musicbeats.request_guards.RefuseNulMiddleware",
    # A view without @allow_roles/@public never runs (500); see accounts/access.py.
    "accounts.middleware.AccessDeclaredMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Ends a session past its idle or absolute limit (accounts/sessions/policy.py) before
    # any view or LoginRequiredMiddleware's process_view sees its user; refreshes the
    # idle stamp at most once a minute. After MessageMiddleware to say why.
    "accounts.sessions.middleware.SessionLimitsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Admin and office without an authenticator app are sent to set one up first.
    "accounts.twofactor.middleware.StaffTwoFactorMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "musicbeats.urls"
WSGI_APPLICATION = "musicbeats.wsgi.application"

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
                "django.template.context_processors.csp",
                "accounts.context_processors.navigation",
            ],
        },
    }
]

# Databases: SQLite in the project folder unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers write to one file: take the write lock when a
    # transaction starts (no "database is locked" on upgrade), wait instead of failing,
    # and keep every committed payment on disk.
    # SQLITE_TRANSACTION_MODE=DEFERRED exists only to show the soak test
    # (tests/soak.py) failing without it; never set it in production.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": envstr("SQLITE_TRANSACTION_MODE", "IMMEDIATE"),
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Cache: shared by every worker process (allauth's login rate limits, the admission
# form's flood guard and the cached fee figures live here). With REDIS_URL, Redis; when
# Redis does not answer, the database cache table (`createcachetable`) takes over until
# it answers again, logged once (musicbeats/cache.py). Without REDIS_URL, the table.
REDIS_URL = os.environ.get("REDIS_URL", "")
_DATABASE_CACHE = {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache",
    "LOCATION": "musicbeats_cache",
}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "musicbeats.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "FALLBACK": "fallback",
                "RETRY_SECONDS": envint("REDIS_RETRY_SECONDS", 30),
                # A Redis that hangs must not hang the page: give up quickly, fall back.
                "socket_connect_timeout": 1,
                "socket_timeout": 2,
            },
        },
        "fallback": _DATABASE_CACHE,
    }
else:
    CACHES = {"default": _DATABASE_CACHE}

# Sessions in the database: every worker sees them, and logging out ends them.
SESSION_ENGINE = "django.contrib.sessions.backends.db"


def session_limits(group: str, *, idle_minutes: int, max_hours: int) -> dict[str, int]:
    """A group's idle timeout and absolute lifetime, in seconds, from
    SESSION_<GROUP>_IDLE_MINUTES and SESSION_<GROUP>_MAX_HOURS."""
    idle = envint(f"SESSION_{group}_IDLE_MINUTES", idle_minutes)
    lifetime = envint(f"SESSION_{group}_MAX_HOURS", max_hours)
    if idle < 1 or lifetime < 1 or idle > lifetime * 60:
        raise ImproperlyConfigured(
            f"SESSION_{group}_IDLE_MINUTES={idle} and SESSION_{group}_MAX_HOURS={lifetime}: "
            "both must be at least 1, and the idle timeout no longer than the lifetime."
        )
    return {"idle": idle * 60, "absolute": lifetime * 60 * 60}


# How long a sign-in lasts, by role (accounts/sessions/policy.py): idle = no request for
# that long; absolute = since the sign-in, however busy. The office's shared PC gets the
# shortest; a teacher's tablet lasts a teaching day; families on their own phones a month.
_STAFF_SESSIONS = session_limits("STAFF", idle_minutes=30, max_hours=12)
_TEACHER_SESSIONS = session_limits("TEACHER", idle_minutes=4 * 60, max_hours=12)
_FAMILY_SESSIONS = session_limits("FAMILY", idle_minutes=7 * 24 * 60, max_hours=30 * 24)
SESSION_LIMITS = {
    "admin": _STAFF_SESSIONS,
    "office": _STAFF_SESSIONS,
    "teacher": _TEACHER_SESSIONS,
    "student": _FAMILY_SESSIONS,
    "guardian": _FAMILY_SESSIONS,
}
# The cookie and the stored session last as long as the longest lifetime; the limits
# above end a session earlier.
SESSION_COOKIE_AGE = max(limits["absolute"] for limits in SESSION_LIMITS.values())
# allauth's usersessions lists each person's sessions; its activity tracking would write
# on every request (accounts/sessions/ keeps "last seen" in the session instead).
USERSESSIONS_TRACK_ACTIVITY = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "accounts.notifications.backends.InboxCountingBackend",  # allauth's + the bell's count
    "allauth.account.auth_backends.AuthenticationBackend",  # older sessions: see the above
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"

# django-allauth: email is the login, nobody signs up by themselves. Families may also
# sign in with a code sent to their phone (`User.phone_login`; students and guardians
# only, accounts/adapter.py): the password form still takes an email only
# (accounts/login/forms.py), so a phone never stands in for a staff password.
ACCOUNT_LOGIN_METHODS = {"email", "phone"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_PREVENT_ENUMERATION = True
# One email per person (it is the login): changing it sends a link to the new address,
# and the address changes when that link is followed; the old address is told.
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_FORMS = {
    "add_email": "accounts.people.forms.ChangeEmailForm",
    "login": "accounts.login.forms.EmailLoginForm",
    "request_login_code": "accounts.login.forms.PhoneCodeRequestForm",
}
# Phone sign-in: a 6-digit code, valid for 5 minutes, 3 tries; the code is single-use
# (allauth forgets it once it signed someone in or the tries are used up).
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 5 * 60
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
ACCOUNT_PHONE_VERIFICATION_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
# A number without a country code is read as one of this region's (accounts/phones.py).
PHONE_REGION = envstr("PHONE_REGION", "IN")
# Where text messages (SMS/WhatsApp: sign-in codes, later notifications) go:
# accounts/notifications/channels.py. The console backend prints them; production plugs
# in a provider's backend here.
TEXT_CHANNEL_BACKEND = envstr(
    "TEXT_CHANNEL_BACKEND", "accounts.notifications.channels.ConsoleBackend"
)
ACCOUNT_EMAIL_NOTIFICATIONS = True
# No "Unknown account" mail to addresses nobody logs in with: the password reset page
# answers the same for every address and mails only people who have an account.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_RATE_LIMITS = {
    # Logins (successful or not) per client address: an office or school network signs
    # in hundreds of people an hour from one address (allauth's default, 30 a minute,
    # refused the 31st).
    "login": envstr("RATE_LIMIT_LOGIN", "100/m/ip,1000/h/ip"),
    # Failed logins: five for one account in five minutes lock that account for the rest
    # of the window; one address may fail 20 times a minute and 100 times an hour across
    # accounts, then its logins are refused until the window passes.
    "login_failed": envstr("RATE_LIMIT_LOGIN_FAILED", "20/m/ip,100/h/ip,5/5m/key"),
    # Sign-in codes by text cost money and pester the phone's owner: three a number in
    # ten minutes, ten a day (the key is the number in E.164, so spacing does not
    # matter); an address may ask twenty a minute across numbers.
    "request_login_code": "20/m/ip,3/10m/key,10/d/key",
}

# The real client address, for rate limits and the admission form's flood guard
# (musicbeats/client_address.py; allauth reads the same two settings). Behind N reverse
# proxies that each append to X-Forwarded-For, TRUSTED_PROXY_COUNT=N: the address the
# N-th proxy from the app saw is the client, anything a client wrote before it is
# ignored. Or TRUSTED_CLIENT_IP_HEADER names a header that the proxy sets and overwrites
# (`X-Real-IP`, `CF-Connecting-IP`). Neither (the default): REMOTE_ADDR, the direct
# peer, and every forwarding header is ignored.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
TRUSTED_CLIENT_IP_HEADER = envstr("TRUSTED_CLIENT_IP_HEADER", "") or None
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = TRUSTED_CLIENT_IP_HEADER
# Two-factor login (allauth.mfa): an authenticator app (TOTP) with recovery codes, for
# everyone at /accounts/2fa/; required for admin and office (accounts/twofactor/).
# Passkeys (WebAuthn) are not switched on: see the README.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_ADAPTER = "accounts.twofactor.adapter.MFAAdapter"  # the institute's name in the app
# `make run` only: the seed_demo accounts (@musicbeats.test) may skip setting up
# two-factor. Refused outside DEBUG, so `make serve` and the tests never have it.
MFA_DEMO_EXEMPT = envbool("MFA_DEMO_EXEMPT", False)
if MFA_DEMO_EXEMPT and not DEBUG:
    raise ImproperlyConfigured("MFA_DEMO_EXEMPT=1 is for `make run` (DEBUG=1) only.")

LANGUAGE_CODE = "en-in"
TIME_ZONE = envstr("TIME_ZONE", "Asia/Kolkata")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("bootstrap", Path(django_include_bootstrap.__file__).parent / "static"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            # Our CSS and JS minified, then hashed and compressed (gzip, Brotli).
            else "musicbeats.staticfiles.MinifiedCompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Mail through Django 6.1's mailers: printed on the console while developing, SMTP in
# production, in memory in tests. EMAIL_URL says where: `console://`, or
# `smtp://user:password@host:port` (`smtps://` for implicit TLS, `?starttls=0` to
# turn STARTTLS off). Production without EMAIL_URL uses an SMTP server on localhost.
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "MusicBeats <office@musicbeats.test>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The site's own address, for links in messages read outside the app (emails, texts):
# `SITE_URL=https://fees.example.in`. Without it, messages carry paths.
SITE_URL = envstr("SITE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '8000')}" if DEBUG else "")

MAILERS = {
    "default": mailer_from_url(
        envstr("EMAIL_URL", "console://" if DEBUG else "smtp://localhost:25?starttls=0"),
        timeout=envint("EMAIL_TIMEOUT", 10),
    )
}

# Background work (django.tasks; musicbeats/sending.py): TASKS_BACKEND=database (the
# default, a queue in this database) or rq (Redis at TASKS_URL; TASKS_URL alone picks it).
TASKS_URL = envstr("TASKS_URL", "")
TASKS_BACKEND = envstr("TASKS_BACKEND", "rq" if TASKS_URL else "database")
TASKS, RQ_QUEUES = task_settings(backend=TASKS_BACKEND, url=TASKS_URL, redis_url=REDIS_URL)
if TASKS_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")
# A failed send is tried OUTBOX_MAX_ATTEMPTS times in all, waiting OUTBOX_RETRY_DELAYS
# seconds between tries (the last wait repeats). A message "sending" for longer than
# OUTBOX_SENDING_TIMEOUT seconds (its worker died) is interrupted: never resent by itself.
OUTBOX_MAX_ATTEMPTS = envint("OUTBOX_MAX_ATTEMPTS", 5)
OUTBOX_RETRY_DELAYS = retry_delays(
    OUTBOX_MAX_ATTEMPTS, envlist("OUTBOX_RETRY_DELAYS", "60,300,1800,7200")
)
OUTBOX_SENDING_TIMEOUT = envint("OUTBOX_SENDING_TIMEOUT", 15 * 60)

# Security headers. HTTPS-only cookies and HSTS unless INSECURE_HTTP=1, the switch for
# plain HTTP on loopback (benchmarks, load tests, `make run`).
INSECURE_HTTP = envbool("INSECURE_HTTP", DEBUG)
SECURE_SSL_REDIRECT = not INSECURE_HTTP and envbool("SECURE_SSL_REDIRECT", True)
# A load balancer checks health over plain HTTP: /healthz answers there instead of
# redirecting (it shows nothing but "ok" or which dependency is down).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = not INSECURE_HTTP
CSRF_COOKIE_SECURE = not INSECURE_HTTP
SECURE_HSTS_SECONDS = 0 if INSECURE_HTTP else 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = not INSECURE_HTTP
SECURE_HSTS_PRELOAD = False
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_PROXY", False) else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SILENCED_SYSTEM_CHECKS = [
    # HSTS preload is a one-way door an institute must choose for its own domain.
    "security.W021",
] + (["security.W004", "security.W008", "security.W012", "security.W016"] if INSECURE_HTTP else [])

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}

# Adds a Server-Timing header (total time, SQL time and query count) for `make bench`.
SERVER_TIMING = envbool("SERVER_TIMING", False)

# The security log (musicbeats/security_log.py): JSON lines on stderr, or appended to
# SECURITY_LOG_FILE (reopened when logrotate moves it).
SECURITY_LOG_FILE = envstr("SECURITY_LOG_FILE", "")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "musicbeats.security_log.JsonFormatter"}},
    "filters": {"drop_forbidden": {"()": "musicbeats.security_log.DropForbidden"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "security": (
            {
                "class": "logging.handlers.WatchedFileHandler",
                "filename": SECURITY_LOG_FILE,
                "formatter": "json",
            }
            if SECURITY_LOG_FILE
            else {"class": "logging.StreamHandler", "formatter": "json"}
        ),
    },
    "loggers": {
        "musicbeats.security": {"handlers": ["security"], "level": "INFO", "propagate": False},
        # A 403 is one line (the security log's access_denied), not a traceback.
        "django.request": {"filters": ["drop_forbidden"]},
        "django.security.csrf": {"filters": ["drop_forbidden"]},
    },
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "WARNING")},
}

# Backups (`manage.py backup`, musicbeats/backups/): where they go, how many are kept,
# and the Fernet key(s) that encrypt them (comma-separated; the first encrypts, every one
# decrypts, so a key can be rotated). SERVER_PIDFILE is the gunicorn master's pid file
# (`make serve`, the systemd unit): `manage.py restore` refuses while that process lives.
BACKUP_DIR = Path(envstr("BACKUP_DIR", str(BASE_DIR / "backups")))
BACKUP_KEEP = envint("BACKUP_KEEP", 14)
if BACKUP_KEEP < 1:
    raise ImproperlyConfigured(f"BACKUP_KEEP={BACKUP_KEEP} must be at least 1.")
BACKUP_KEYS = envlist("BACKUP_KEY")
if BACKUP_KEYS:
    from cryptography.fernet import Fernet

    for _key in BACKUP_KEYS:
        try:
            Fernet(_key)
        except ValueError:
            raise ImproperlyConfigured(
                "BACKUP_KEY is not a Fernet key: make one with `python -c 'from "
                "cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`."
            ) from None
SERVER_PIDFILE = Path(envstr("SERVER_PIDFILE", str(BASE_DIR / "gunicorn.pid")))

# The institute's own details, printed on pages and (later) receipts.
INSTITUTE_NAME = envstr("INSTITUTE_NAME", "MusicBeats Academy")
CSRF_FAILURE_VIEW = "musicbeats.errors.csrf_failure"
