"""Lifeline settings: every value comes from the environment.

Development defaults (SQLite under var/, a throwaway secret key, email to files) apply only
when DEBUG is on. With DEBUG off, SECRET_KEY, DATABASE_URL and ALLOWED_HOSTS must be set and
`manage.py check --deploy` reports nothing.
"""

import re
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal.lib.release import source_digest

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
DEBUG = env.bool("DEBUG", default=False)


def _dev_default(name, value):
    """A development default, refused when DEBUG is off."""
    if name in env.ENVIRON:
        return env.str(name)
    if DEBUG:
        return value
    raise ImproperlyConfigured(f"Set the {name} environment variable (required when DEBUG is off).")


SECRET_KEY = _dev_default("SECRET_KEY", "dev-only-insecure-key-never-used-in-production-0123456789")
# Former keys, still accepted while what they signed or encrypted is renewed (comma-separated).
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# A refused form says why in the reader's language and shows what they wrote (not Django's bare page).
CSRF_FAILURE_VIEW = "portal.refused.csrf_failure"
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.forms",
    "django_htmx",
    "template_partials",
    "portal.signin_protection.SignInProtectionConfig",  # django-axes, named for the admin
    "portal",
    "customers",
    "decisions",
    "stories",
    "meetings",
    "survey",
    "loops",
    "digests",
    "insights",
    "webhooks",
    "improvements",
]

MIDDLEWARE = [
    "portal.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compress to about a tenth. Django masks the CSRF token in every response (its BREACH mitigation).
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.refused.SignInFirstMiddleware",  # LoginRequiredMiddleware, keeping what a signed-out form sent
    "portal.signin.SessionRecheckMiddleware",
    "portal.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "portal.middleware.HtmxMessagesMiddleware",  # inside MessageMiddleware: what it shows is not kept
    "axes.middleware.AxesMiddleware",
    "portal.middleware.BusyMiddleware",
    "portal.middleware.ProductNotFoundMiddleware",
]

FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context_processors.portal",
            ],
            "builtins": ["django.templatetags.i18n"],
        },
    },
]

DATABASES = {
    "default": env.db(
        "DATABASE_URL",
        default=_dev_default("DATABASE_URL", f"sqlite:///{VAR_DIR / 'lifeline.sqlite3'}"),
    )
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if IS_POSTGRES:
    # Fail fast instead of queueing behind a lock; the seat services turn this into "busy, try again".
    # No JIT: our queries are short and LIMITed, and at 100,000 stories the planner's estimates made
    # PostgreSQL spend ~240 ms compiling a 40 ms query (the customer page's decisions; bench/README.md).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c lock_timeout=5000 -c jit=off"
else:
    # Covering indexes (stories' read_at_idx INCLUDE user, story) are a PostgreSQL speed-up; SQLite
    # builds the same index without the extra columns, which is all development needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "portal.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Sign-in: an email and password (the embedded default), the company's identity provider (OpenID Connect,
# portal/oidc.py, when OIDC_ISSUER and OIDC_CLIENT_ID are set), or both. PASSWORD_SIGN_IN=0 leaves only
# the provider: the password form, password reset and the sessions signed in with a password all end.
PASSWORD_SIGN_IN = env.bool("PASSWORD_SIGN_IN", default=True)
OIDC_ISSUER = env.str("OIDC_ISSUER", default="")
OIDC_RP_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
if not PASSWORD_SIGN_IN and not (OIDC_ISSUER and OIDC_RP_CLIENT_ID):
    raise ImproperlyConfigured("PASSWORD_SIGN_IN=0 needs OIDC_ISSUER and OIDC_CLIENT_ID: no one could sign in.")
AUTHENTICATION_BACKENDS = [
    # Counts wrong passwords; a sign-in through the provider has none and passes (auth_backends.py).
    "portal.auth_backends.SignInLockoutBackend",
    *(["django.contrib.auth.backends.ModelBackend"] if PASSWORD_SIGN_IN else []),
    # Answers only a sign-in coming back from the provider, and only when OIDC_ISSUER is set.
    "portal.oidc.CompanySignInBackend",
]
# The button on the sign-in page: "Sign in with <name>" ("with your company account" when unset).
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="")
OIDC_RP_SCOPES = env.str("OIDC_SCOPES", default="openid email profile")
# How the ID token is signed: RS256/ES256 with the provider's published keys (its jwks_uri), HS256 with the secret.
OIDC_RP_SIGN_ALGO = env.str("OIDC_SIGN_ALGO", default="RS256")
# client_secret_basic (OAuth's default, which every provider takes) or client_secret_post.
OIDC_TOKEN_USE_BASIC_AUTH = env.str("OIDC_CLIENT_AUTH", default="client_secret_basic") == "client_secret_basic"
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT", default=10)
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_callback"
# Only verified addresses at these domains may sign in (empty: any domain the provider vouches for).
# (Empty items are dropped: docker-compose passes an unset variable on as an empty string.)
OIDC_ALLOWED_EMAIL_DOMAINS = [
    d.strip().lstrip("@").lower() for d in env.list("OIDC_ALLOWED_EMAIL_DOMAINS", default=[]) if d.strip()
]
# A first sign-in creates the person (else only people an admin has added may sign in).
OIDC_CREATE_USER = env.bool("OIDC_CREATE_USERS", default=True)
# Claims that fill in the person: their team (a team's name or slug) and, when OIDC_ROLES_CLAIM is set, the
# values of that claim (a list or a space/comma-separated string, e.g. groups) that make a leader or an admin;
# the provider then decides both at every sign-in.
OIDC_TEAM_CLAIM = env.str("OIDC_TEAM_CLAIM", default="team")
OIDC_ROLES_CLAIM = env.str("OIDC_ROLES_CLAIM", default="")
OIDC_LEADER_ROLES = [value for value in env.list("OIDC_LEADER_ROLES", default=[]) if value]
OIDC_ADMIN_ROLES = [value for value in env.list("OIDC_ADMIN_ROLES", default=[]) if value]
# Every this many seconds a signed-in person's next page asks the provider again, without a prompt
# (mozilla-django-oidc's SessionRefresh): a person removed there is signed out here.
OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS = env.int("OIDC_RECHECK_SECONDS", default=15 * 60)
# Sign-in protection (django-axes): after 5 failures for one account (from anywhere, or from one
# address), sign-in to that account is refused for 15 minutes; an admin can unlock from the admin's
# "Access attempts". Never per address alone: behind the TLS proxy, or one office's NAT, everyone shares
# an address, and a script guessing at made-up names would lock out the whole company.
AXES_FAILURE_LIMIT = env.int("SIGNIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("SIGNIN_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = ["username", ["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # the sign-in form's field; it holds the email address
AXES_USERNAME_CALLABLE = "portal.auth_backends.normalised_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# How many proxies in front of the portal append to X-Forwarded-For (1 behind the TLS proxy the README
# describes); the sign-in records take the client's address from there (portal.auth_backends.client_ip).
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "portal.auth_backends.client_ip"
AXES_VERBOSE = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: English plus the four languages our colleagues read most.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("ar", _("Arabic")),
    ("he", _("Hebrew")),
    ("fa", _("Persian")),
    ("vi", _("Vietnamese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date format per kind (a day, a day and time, a time, a month) in every language: portal/formats.
FORMAT_MODULE_PATH = ["portal.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
LANGUAGE_COOKIE_NAME = "lifeline_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Email: EMAIL_URL (smtp://user:pass@host:port, smtp+tls://…, consolemail://), else files under var/.
if "EMAIL_URL" in env.ENVIRON:
    vars().update(env.email_url("EMAIL_URL"))
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
else:
    raise ImproperlyConfigured("Set the EMAIL_URL environment variable (required when DEBUG is off).")
# Seconds any one step of talking to the mail server may take: a server that hangs fails the email (to be
# retried) instead of holding a request or a digest batch for ever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Lifeline <lifeline@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Redis: Celery broker and cache. Without REDIS_URL, tasks run in-process and the cache is local.
REDIS_URL = env.str("REDIS_URL", default="")
# `make run` sets CELERY_BROKER_URL=filesystem:// for the worker and beat it starts beside the server (the
# embedded default has no Redis): scheduled email goes out on time, under var/celery/.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
# No broker: tasks run in the process that asks for them.
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL == "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"data_folder_in": str(VAR_DIR / "celery"), "data_folder_out": str(VAR_DIR / "celery"),
     "control_folder": str(VAR_DIR / "celery" / "control"), "store_processed": False}
    if CELERY_BROKER_URL.startswith("filesystem://")
    else {"visibility_timeout": 3600}
)
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {}
# meetings: every 5 minutes, seats offered from the waitlist whose deadline passed go to the next person waiting.
CELERY_BEAT_SCHEDULE["meetings-offers-expire"] = {"task": "meetings.tasks.offers_expire_task", "schedule": 5 * 60}
# meetings: ask listeners for a debrief once a meeting has ended (each meeting claimed once).
CELERY_BEAT_SCHEDULE["meetings-debrief-requests"] = {"task": "meetings.tasks.debrief_requests_task", "schedule": 15 * 60}
# digests: every 10 minutes, fan out the weekly digests whose local send time has come (batches of ~30).
CELERY_BEAT_SCHEDULE["digests-plan"] = {"task": "digests.tasks.plan_digests_task", "schedule": 10 * 60}
# digests: every 15 minutes, send due reminders (meeting tomorrow, debrief due, review due soon, impact check due),
# each once.
CELERY_BEAT_SCHEDULE["digests-reminders"] = {"task": "digests.tasks.plan_reminders_task", "schedule": 15 * 60}
# portal: every 15 minutes, send again the emails that failed after their write committed (portal.lib.tasks).
CELERY_BEAT_SCHEDULE["portal-retry-tasks"] = {"task": "portal.tasks.retry_pending_tasks_task", "schedule": 15 * 60}
# customers: every 5 minutes, start again the CSV imports whose worker was lost (nothing of theirs was saved).
CELERY_BEAT_SCHEDULE["customers-resume-imports"] = {"task": "customers.tasks.resume_imports_task", "schedule": 5 * 60}
# improvements: the same for the complaint imports.
CELERY_BEAT_SCHEDULE["improvements-resume-imports"] = {
    "task": "improvements.tasks.resume_imports_task", "schedule": 5 * 60,
}
# insights: every hour, finish sending any published monthly pulse whose emails are not all out.
CELERY_BEAT_SCHEDULE["insights-pulse"] = {"task": "insights.tasks.resume_pulses_task", "schedule": 60 * 60}
# survey: every hour, finish inviting everyone to an open employee pulse (and whoever joined since it opened).
CELERY_BEAT_SCHEDULE["survey-invitations"] = {"task": "survey.tasks.resume_invitations_task", "schedule": 60 * 60}
# Which release this is: every cache key starts with it, so a deploy never reads an older release's
# entries (portal/lib/release.py). A deploy may name it (the commit); else the code's digest stands in.
RELEASE = env.str("LIFELINE_RELEASE", default="") or source_digest(BASE_DIR)
# The cache: CACHE_URL, else REDIS_URL's server (its own database there is best: give CACHE_URL), else local
# memory. It is an optimisation, never a dependency: with the server down, every cache call answers "not
# there" within CACHE_TIMEOUT seconds (django-redis's IGNORE_EXCEPTIONS), the error is logged once a
# minute (portal.lib.cache) and pages render without it.
CACHE_URL = env.str("CACHE_URL", default=REDIS_URL)
CACHE_TIMEOUT = env.float("LIFELINE_CACHE_TIMEOUT", default=0.25)
FRAGMENT_MAX_AGE = env.int("LIFELINE_FRAGMENT_MAX_AGE", default=3600)
FRAGMENT_ITEMS = env.int("LIFELINE_FRAGMENT_ITEMS", default=5000)
CACHES = {
    "default": (
        {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": CACHE_TIMEOUT, "SOCKET_TIMEOUT": CACHE_TIMEOUT},
        }
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"}
    )
    | {"KEY_PREFIX": f"lifeline:{RELEASE}"},
    # Rendered markup ({% fragment %}, portal/templatetags/fragments.py): each worker's own memory. Every
    # key names what the fragment shows (the row's id and updated_at, and the related values on it), so a
    # change makes a new key in every worker at once and nothing is ever thrown away; old keys age out.
    "template_fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments",
        "TIMEOUT": FRAGMENT_MAX_AGE,
        "KEY_PREFIX": f"lifeline:{RELEASE}",
        "OPTIONS": {"MAX_ENTRIES": FRAGMENT_ITEMS, "CULL_FREQUENCY": 4},
    },
}
DJANGO_REDIS_IGNORE_EXCEPTIONS = True
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "portal.cache"

# Security. Production (DEBUG off) is HTTPS-only behind a proxy that sets X-Forwarded-Proto.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 24 * 14)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]

# Product settings.
LIFELINE_PAGE_SIZE = 25
LIFELINE_IMPORT_MAX_BYTES = env.int("LIFELINE_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
LIFELINE_IMPORT_MAX_ROWS = env.int("LIFELINE_IMPORT_MAX_ROWS", default=20_000)
# Customer meetings a leader is expected to attend each year.
LIFELINE_MEETING_QUOTA = env.int("LIFELINE_MEETING_QUOTA", default=2)
# The currency of every amount people enter (complaint costs, ideas' estimates, pilots' results): an
# ISO 4217 code, shown after each amount and in the amount fields' labels.
LIFELINE_CURRENCY = env.str("LIFELINE_CURRENCY", default="EUR").strip().upper()
if not re.fullmatch(r"[A-Z]{3}", LIFELINE_CURRENCY):
    raise ImproperlyConfigured(f"LIFELINE_CURRENCY must be a three-letter ISO 4217 code such as EUR, not {LIFELINE_CURRENCY!r}.")
# How old the scorecard's figures may be, in seconds (the page says when they were counted).
LIFELINE_SCORECARD_MAX_AGE = env.int("LIFELINE_SCORECARD_MAX_AGE", default=300)
# Slack and Teams channels (webhooks/): Fernet keys that encrypt the webhook addresses, comma-separated, the
# first encrypting (webhooks/crypto.py); seconds one post may take; refusals in a row that disable a channel.
LIFELINE_WEBHOOK_KEYS = env.list("LIFELINE_WEBHOOK_KEYS", default=[])
LIFELINE_WEBHOOK_TIMEOUT = env.float("LIFELINE_WEBHOOK_TIMEOUT", default=10)
LIFELINE_WEBHOOK_FAILURE_LIMIT = env.int("LIFELINE_WEBHOOK_FAILURE_LIMIT", default=5)
# insights: every MAX_AGE / 2, count again the scorecard figures people look at before they are due.
CELERY_BEAT_SCHEDULE["insights-scorecard"] = {"task": "insights.tasks.refresh_scorecards_task",
                                              "schedule": max(60, LIFELINE_SCORECARD_MAX_AGE // 2)}

# Logs: JSON lines in production (LOG_FORMAT=json), readable lines in development; every record
# carries the id of the request it belongs to, which the error page shows the user.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "portal.middleware.RequestIdLogFilter"},
        "cache_errors": {"()": "portal.lib.cache.OncePerMinute"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Cache errors: pages go on without the cache; one line a minute says so (with how many).
        "portal.cache": {"filters": ["cache_errors"]},
        # One line per task run is noise in development; failures still log at WARNING and above.
        "celery.app.trace": {"level": "INFO" if not DEBUG else "WARNING"},
        "kombu": {"level": "WARNING" if not DEBUG else "ERROR"},
    },
}
