"""Configuration classes, read from environment variables when instantiated."""

import os
import secrets
import zoneinfo
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.dialects import plugins as engine_plugins
from sqlalchemy.engine import make_url

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Settings shared by every environment; instantiate to read the environment."""

    ENV_NAME = "base"
    #: seed-demo may create logins with published demo passwords.
    ALLOW_DEMO_DATA = False

    def __init__(self) -> None:
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or self._fallback_secret_key()
        self.SQLALCHEMY_DATABASE_URI = self._database_url()
        for name, kind in NUMERIC_SETTINGS.items():
            if name in os.environ:
                setattr(self, name, kind(os.environ[name]))
        self.SQLALCHEMY_ENGINE_OPTIONS = engine_options(
            self.SQLALCHEMY_DATABASE_URI,
            connect_timeout=self.DATABASE_CONNECT_TIMEOUT,
            statement_timeout=self.DATABASE_STATEMENT_TIMEOUT,
            answer_timeout=self.DATABASE_ANSWER_TIMEOUT,
            pool_timeout=self.DATABASE_POOL_TIMEOUT,
            tcp_timeout=self.DATABASE_TCP_TIMEOUT,
            busy_timeout=self.DATABASE_BUSY_TIMEOUT,
        )
        self.RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
        if self.RATELIMIT_STORAGE_URI.startswith(("redis://", "rediss://")):
            # redis-py waits for ever by default: a Redis that never answers would hold every
            # login. After this long the limits fall back to memory (see below).
            timeout = float(os.environ.get("RATELIMIT_STORAGE_TIMEOUT", "1"))
            self.RATELIMIT_STORAGE_OPTIONS = {
                "socket_timeout": timeout,
                "socket_connect_timeout": timeout,
            }
        self.MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
        self.MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
        self.MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
        self.MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
        self.MAIL_USE_TLS = _env_bool("MAIL_USE_TLS")
        self.MAIL_USE_SSL = _env_bool("MAIL_USE_SSL")
        #: Only its address is used: the name shown is MAIL_SENDER_NAME.
        self.MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "no-reply@localhost")
        #: The sender's name in every mail ("Partner via <name>" for an offering's mail);
        #: empty: the site's name in the recipient's language.
        self.MAIL_SENDER_NAME = os.environ.get("MAIL_SENDER_NAME", "")
        self.MAIL_SEND_AFTER_REQUEST = _env_bool(
            "MAIL_SEND_AFTER_REQUEST", self.MAIL_SEND_AFTER_REQUEST
        )
        #: How many messages organizers may send to an offering's participants in 24 hours.
        self.MESSAGES_PER_OFFERING_PER_DAY = int(
            os.environ.get("MESSAGES_PER_OFFERING_PER_DAY", "5")
        )
        self.PROXY_FIX_HOPS = int(os.environ.get("PROXY_FIX_HOPS", "0"))
        #: Where uploaded images (covers, logos) are stored, re-encoded, one file per size.
        self.MEDIA_ROOT = os.environ.get("MEDIA_ROOT") or self.MEDIA_ROOT
        #: Redis shared by every worker for those remembered values; each worker's memory without.
        self.CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL", "")
        #: Namespaces this app's keys in a Redis that others use too.
        self.CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "learning_platform:")
        #: The site's public address; links in mail are built on it, never on the request's Host.
        self.BASE_URL = os.environ.get("BASE_URL", "").rstrip("/")
        if self.BASE_URL:
            self.TRUSTED_HOSTS = [urlsplit(self.BASE_URL).hostname]
        self.BABEL_DEFAULT_LOCALE = os.environ.get("DEFAULT_LANGUAGE", "en")
        #: The certificates' signing keys (README "Certificate signing keys"): a folder of
        #: Ed25519 private keys in PEM files; a missing folder only means nothing can be issued.
        self.CREDENTIAL_KEYS_DIR = os.environ.get("CREDENTIAL_KEYS_DIR") or self.CREDENTIAL_KEYS_DIR
        #: One more key given as PEM text (containers: a secret in the environment).
        self.CREDENTIAL_SIGNING_KEY = os.environ.get("CREDENTIAL_SIGNING_KEY", "")
        #: The kid of the key that signs; empty: the setting's key, else the newest file.
        self.CREDENTIAL_ACTIVE_KEY = os.environ.get("CREDENTIAL_ACTIVE_KEY", "").strip()
        #: Where people write about their account and data; the built-in privacy policy,
        #: terms and contact page name it (admins may rewrite those pages).
        self.CONTACT_EMAIL = os.environ.get("CONTACT_EMAIL", "contact@example.org")
        self.SITE_TIMEZONE = os.environ.get("SITE_TIMEZONE", self.SITE_TIMEZONE)
        self.SITE_CURRENCY = os.environ.get("SITE_CURRENCY", self.SITE_CURRENCY)
        try:
            zoneinfo.ZoneInfo(self.SITE_TIMEZONE)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise RuntimeError(
                f"SITE_TIMEZONE must be an IANA zone such as Asia/Seoul, not {self.SITE_TIMEZONE!r}"
            ) from None
        #: The licence of the open data at /data: an SPDX id of OPEN_DATA_LICENCES.
        self.OPEN_DATA_LICENCE = os.environ.get("OPEN_DATA_LICENCE", self.OPEN_DATA_LICENCE)
        if self.OPEN_DATA_LICENCE not in OPEN_DATA_LICENCES:
            raise RuntimeError(
                f"OPEN_DATA_LICENCE must be one of {', '.join(OPEN_DATA_LICENCES)},"
                f" not {self.OPEN_DATA_LICENCE!r}"
            )

    # Sessions and cookies
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    SECURITY_HSTS = False

    #: Request bodies above this size are answered with 413.
    MAX_CONTENT_LENGTH = 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 1024 * 1024

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    BABEL_DEFAULT_TIMEZONE = "UTC"
    #: The site's own zone: the catalog's date filters and times not tied to an offering.
    SITE_TIMEZONE = "Asia/Seoul"
    #: ISO 4217 code of prices (schema.org offers).
    SITE_CURRENCY = "KRW"

    RATELIMIT_HEADERS_ENABLED = True
    #: While the limits' storage (Redis) is unreachable, each worker counts in memory, and
    #: tries the storage again now and then, instead of failing every limited page.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    #: Login attempts allowed per account from one client address, per account from anywhere,
    #: and per client address.
    LOGIN_LIMIT = "10 per 15 minutes"
    LOGIN_ACCOUNT_LIMIT = "100 per hour"
    LOGIN_IP_LIMIT = "50 per 15 minutes"
    #: Password-reset and sign-up requests allowed per client address.
    MAIL_REQUEST_LIMIT = "10 per hour"
    #: Open data downloads (/data/*.csv, *.json) allowed per client address: a whole data set
    #: is a heavy answer; a script polling every few minutes stays far below.
    OPEN_DATA_LIMIT = "300 per hour"
    OPEN_DATA_LICENCE = "CC-BY-4.0"

    #: argon2id parameters (RFC 9106 second recommendation: 64 MiB, 3 passes).
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4

    #: A public feed's ETag is remembered this long (shared through CACHE_REDIS_URL): a calendar
    #: app polling an unchanged feed gets its 304 without a database query; changes show at most
    #: this late.
    FEED_VALIDATOR_SECONDS = 10
    #: The catalog's order (which offerings match, soonest first) is remembered this long per
    #: set of filters; seats, titles and times on a page are always read fresh.
    CATALOG_RANKING_SECONDS = 10
    #: The public /impact page's figures are remembered this long: they show up to this late.
    IMPACT_PAGE_SECONDS = 300
    #: Values one worker remembers at most without Redis; a ranking takes about 6 bytes per
    #: matching offering (60 kB at 10,000), a validator about 100.
    CACHE_THRESHOLD = 1000

    # Database timeouts, in seconds; all below gunicorn's 30 s worker timeout, so a database
    # that does not answer gets the 503 page instead of a killed worker.
    #: PostgreSQL: giving up on opening a connection (libpq counts at least 2).
    DATABASE_CONNECT_TIMEOUT = 3.0
    #: PostgreSQL: the server cancels a statement running (or waiting for a lock) this long.
    DATABASE_STATEMENT_TIMEOUT = 10.0
    #: PostgreSQL: the app cancels a statement (or ping, COMMIT...) the server has not answered
    #: this long, and closes the connection if even that gets no answer: for a server that
    #: cannot enforce its own timeout (hung, or unreachable on an open connection). None:
    #: DATABASE_STATEMENT_TIMEOUT + ANSWER_GRACE; 0: no limit (learning_platform/answer_timeout.py).
    DATABASE_ANSWER_TIMEOUT: float | None = None
    #: Waiting for a free connection of the worker's pool.
    DATABASE_POOL_TIMEOUT = 5.0
    #: PostgreSQL: a connection whose sent data stays unacknowledged this long is dropped, and
    #: an idle one is probed by TCP keepalives after this long (a vanished server or network).
    DATABASE_TCP_TIMEOUT = 10.0
    #: SQLite: a writer waits this long for another writer's lock before giving up.
    DATABASE_BUSY_TIMEOUT = 15.0
    #: /healthz answers 503 when the database has not answered SELECT 1 within this time.
    HEALTHZ_TIMEOUT = 1.0

    PASSWORD_RESET_HOURS = 2
    EMAIL_VERIFY_HOURS = 48
    LOGIN_SESSION_DAYS = 1
    REMEMBER_DAYS = 30

    #: Send the outbox right after the request that filled it (dev); else run a worker.
    MAIL_SEND_AFTER_REQUEST = False
    MAIL_MAX_ATTEMPTS = 10
    MAIL_OUTBOX_DIR = str(INSTANCE_DIR / "mail")
    #: `flask housekeeping` deletes sent mail this many days after sending, and failed mail
    #: this many days after it was written.
    MAIL_KEEP_SENT_DAYS = 30
    MAIL_KEEP_FAILED_DAYS = 90
    #: `flask housekeeping` deletes answers to registration questions this many days after
    #: the offering ends (its last session, or its cancellation).
    ANSWERS_KEEP_DAYS = 30

    MEDIA_ROOT = str(INSTANCE_DIR / "media")
    CREDENTIAL_KEYS_DIR = str(INSTANCE_DIR / "credential_keys")
    #: How long clients and proxies may keep the issuer's DID document (did.json).
    DID_DOCUMENT_SECONDS = 300
    #: An uploaded image (cover, logo) may be this large, in bytes.
    MEDIA_MAX_BYTES = 5 * 1024 * 1024
    #: ...and this many pixels: more is refused before decoding (a decompression bomb). An
    #: upload holds one decoded copy of itself, up to 4 bytes a pixel: 100 MB at 25 million.
    MEDIA_MAX_PIXELS = 25_000_000
    #: A schedule file (.ics or CSV) imported in the workspace may be this large, in bytes.
    SCHEDULE_IMPORT_MAX_BYTES = 512 * 1024

    def _database_url(self) -> str:
        return (
            os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'learning_platform.db'}"
        )

    def _fallback_secret_key(self) -> str:
        key_file = INSTANCE_DIR / "secret_key"
        if key_file.exists():
            return key_file.read_text().strip()
        return secrets.token_hex(32)


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    MAIL_SEND_AFTER_REQUEST = True
    ALLOW_DEMO_DATA = True
    #: Links in mail made outside a request (reminders found by `flask mail send`) when
    #: BASE_URL is not set: where `make run` serves.
    DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    ALLOW_DEMO_DATA = True
    MAIL_SEND_AFTER_REQUEST = False
    # Cheap argon2id parameters keep the suite fast; production uses the defaults above.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1
    # Tests see every change at once; tests/test_feeds.py turns the memory on where it is tested.
    FEED_VALIDATOR_SECONDS = 0
    CATALOG_RANKING_SECONDS = 0
    IMPACT_PAGE_SECONDS = 0

    def _fallback_secret_key(self) -> str:
        return secrets.token_hex(32)


class ProductionConfig(Config):
    ENV_NAME = "production"
    ALLOW_DEMO_DATA = False
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    SECURITY_HSTS = True
    PREFERRED_URL_SCHEME = "https"

    def __init__(self) -> None:
        required = ("SECRET_KEY", "DATABASE_URL", "BASE_URL")
        missing = [name for name in required if not os.environ.get(name)]
        if missing:
            raise RuntimeError(
                "Production needs these environment variables: " + ", ".join(missing)
            )
        super().__init__()


#: Licences the open data may carry (OPEN_DATA_LICENCE): SPDX id -> (name, deed, short name).
OPEN_DATA_LICENCES = {
    "CC-BY-4.0": (
        "Creative Commons Attribution 4.0 International",
        "https://creativecommons.org/licenses/by/4.0/",
        "CC BY 4.0",
    ),
    "CC-BY-SA-4.0": (
        "Creative Commons Attribution-ShareAlike 4.0 International",
        "https://creativecommons.org/licenses/by-sa/4.0/",
        "CC BY-SA 4.0",
    ),
    "CC0-1.0": (
        "Creative Commons Zero v1.0 Universal",
        "https://creativecommons.org/publicdomain/zero/1.0/",
        "CC0 1.0",
    ),
    "ODbL-1.0": (
        "Open Data Commons Open Database License v1.0",
        "https://opendatacommons.org/licenses/odbl/1-0/",
        "ODbL 1.0",
    ),
}


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> Config:
    """The configuration named by APP_ENV; production when unset, so a forgotten variable fails closed."""
    name = os.environ.get("APP_ENV", "production")
    try:
        return CONFIGS[name]()
    except KeyError:
        raise RuntimeError(f"APP_ENV must be one of {', '.join(CONFIGS)}, not {name!r}") from None


#: Settings (and environment variables of the same name) that bound the wait for the database.
DATABASE_TIMEOUTS = (
    "DATABASE_CONNECT_TIMEOUT",
    "DATABASE_STATEMENT_TIMEOUT",
    "DATABASE_ANSWER_TIMEOUT",
    "DATABASE_POOL_TIMEOUT",
    "DATABASE_TCP_TIMEOUT",
    "DATABASE_BUSY_TIMEOUT",
)
#: Settings a number in the environment overrides, and the number's type.
NUMERIC_SETTINGS = {
    **dict.fromkeys(DATABASE_TIMEOUTS, float),
    "HEALTHZ_TIMEOUT": float,
    "FEED_VALIDATOR_SECONDS": float,
    "CATALOG_RANKING_SECONDS": float,
    "IMPACT_PAGE_SECONDS": float,
    "DID_DOCUMENT_SECONDS": int,
    "MAIL_KEEP_SENT_DAYS": int,
    "MAIL_KEEP_FAILED_DAYS": int,
    "ANSWERS_KEEP_DAYS": int,
    "MEDIA_MAX_BYTES": int,
    "MEDIA_MAX_PIXELS": int,
    "SCHEDULE_IMPORT_MAX_BYTES": int,
}


#: Seconds the app waits for an answer beyond DATABASE_STATEMENT_TIMEOUT, so that a server that
#: works cancels a slow statement itself first (by default).
ANSWER_GRACE = 2.0
#: The create_engine() plugin that bounds every wait for PostgreSQL's answer; loaded when an
#: engine asks for it (registered here, since create_engine() needs the name beforehand).
ANSWER_TIMEOUT_PLUGIN = "learning_platform.answer_timeout"
engine_plugins.register(ANSWER_TIMEOUT_PLUGIN, "learning_platform.answer_timeout", "AnswerTimeout")


def engine_options(
    url: str,
    *,
    connect_timeout: float = Config.DATABASE_CONNECT_TIMEOUT,
    statement_timeout: float = Config.DATABASE_STATEMENT_TIMEOUT,
    answer_timeout: float | None = Config.DATABASE_ANSWER_TIMEOUT,
    pool_timeout: float = Config.DATABASE_POOL_TIMEOUT,
    tcp_timeout: float = Config.DATABASE_TCP_TIMEOUT,
    busy_timeout: float = Config.DATABASE_BUSY_TIMEOUT,
) -> dict:
    """Engine options per backend: every wait for the database is bounded (seconds; 0 = none)."""
    # A failed statement's parameters can be a whole mail with its reset link, or a token;
    # errors (and the tracebacks in the log) show the SQL without them.
    options: dict = {"hide_parameters": True}
    if url.startswith("sqlite"):
        # sqlite3's timeout is SQLite's busy timeout: writers queue for the lock this long.
        return {**options, "connect_args": {"timeout": busy_timeout}}
    if not url.startswith("postgresql"):
        return options
    server_options = make_url(url).query.get("options", "")
    if isinstance(server_options, tuple):
        server_options = " ".join(server_options)
    statement_ms = round(statement_timeout * 1000)
    connect_args = {
        # psycopg (like libpq) rounds anything below 2 s up to 2 s.
        "connect_timeout": max(1, round(connect_timeout)) if connect_timeout else 0,
        "options": f"{server_options} -c statement_timeout={statement_ms}".strip(),
    }
    if tcp_timeout:
        tcp = max(1, round(tcp_timeout))
        connect_args |= {
            "keepalives": 1,
            "keepalives_idle": tcp,
            "keepalives_interval": max(1, tcp // 3),
            "keepalives_count": 3,
            "tcp_user_timeout": tcp * 1000,
        }
    if answer_timeout is None:
        answer_timeout = statement_timeout + ANSWER_GRACE if statement_timeout else 0
    if answer_timeout:
        # Statements, pings, the first statements of a connection, COMMIT: none waits longer.
        options |= {"plugins": [ANSWER_TIMEOUT_PLUGIN], "answer_timeout": answer_timeout}
    return {
        **options,
        # A connection the server dropped (restart, failover) is replaced before it is used.
        "pool_pre_ping": True,
        "pool_timeout": pool_timeout,
        "connect_args": connect_args,
    }
