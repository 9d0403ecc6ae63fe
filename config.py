"""Configuration classes; secrets and the database URL come from the environment."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def normalize_database_url(url: str) -> str:
    """Point bare PostgreSQL URLs at the psycopg 3 driver we ship."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def remember_days(environ) -> int:
    """Days a remembered log-in lasts: REMEMBER_DAYS, 30 by default, at least 1."""
    value = (environ.get("REMEMBER_DAYS") or "").strip() or "30"
    if not (value.isascii() and value.isdigit() and 1 <= int(value) <= 3650):
        raise RuntimeError(f"REMEMBER_DAYS must be a whole number of days from 1 to 3650, not {value!r}")
    return int(value)


def ratelimit_storage_uri(environ) -> str:
    """Where rate limits are counted: RATELIMIT_STORAGE_URI, else REDIS_URL, else memory.

    With several app servers the counts must live in one place, so a REDIS_URL
    given for the background jobs also holds the limits unless told otherwise.
    """
    return (environ.get("RATELIMIT_STORAGE_URI") or environ.get("REDIS_URL") or "memory://").strip()


def engine_options(database_uri: str, options: dict, random_page_cost: str) -> dict:
    """The engine options for this database: on PostgreSQL, session settings for speed.

    - TimeZone=UTC: the app stores and computes in UTC; in a UTC session the driver hands
      back timestamps in the very UTC object the columns convert to, so the tens of
      thousands a long page reads need no conversion.
    - random_page_cost: PostgreSQL's default (4) prices an index lookup as a spinning
      disk's seek; with it the roster and the attendance summary hashed all 20,000 users to
      join the 500 of one course (3.4 ms) instead of looking them up (1.2 ms). 1.1 is what
      PostgreSQL's documentation suggests for SSDs; POSTGRES_RANDOM_PAGE_COST="" keeps the
      server's own setting.
    - no pool_pre_ping: courses/db_session.py checks a pooled connection without a round
      trip (and pings only one the server has spoken on). Measured on the local PostgreSQL
      (checkout and checkin of a pooled connection, 5 x 5,000): 50 µs unchecked, 83 µs with
      the socket check, 600-740 µs with pool_pre_ping. Neither check can see a connection
      that drops after checkout; db_session.retry_reads answers such a GET again.
    """
    if not database_uri.startswith("postgresql"):
        return options
    settings = ["-c TimeZone=UTC"]
    if random_page_cost:
        try:
            cost = float(random_page_cost)
        except ValueError:
            cost = -1.0
        if not 0 < cost <= 100:
            raise RuntimeError(f"POSTGRES_RANDOM_PAGE_COST must be a number above 0, not {random_page_cost!r}")
        settings.append(f"-c random_page_cost={cost:g}")
    from sqlalchemy.engine import make_url

    connect_args = dict(options.get("connect_args", {}))
    # connect_args replace the URL's own ?options= (a search_path, say): keep both.
    given = connect_args.get("options") or make_url(database_uri).query.get("options") or ""
    if isinstance(given, tuple):  # ?options= given twice
        given = " ".join(given)
    connect_args["options"] = " ".join([given, *settings]).strip()
    return {**options, "connect_args": connect_args, "pool_pre_ping": False}


class Config:
    """Settings shared by every environment, with safe development defaults."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key")
    SQLALCHEMY_DATABASE_URI = normalize_database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'courses.sqlite3'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    POSTGRES_RANDOM_PAGE_COST = os.environ.get("POSTGRES_RANDOM_PAGE_COST", "1.1")  # see engine_options()
    # How long a write waits for SQLite's file lock before the page answers «busy» (503).
    SQLITE_BUSY_TIMEOUT_SECONDS = float(os.environ.get("SQLITE_BUSY_TIMEOUT_SECONDS", "30"))
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # «Ghi nhớ đăng nhập» lasts this many days (Flask-Login's default is 365); the server
    # also refuses a log-in older than this (courses/auth/sessions.py).
    REMEMBER_COOKIE_DURATION = timedelta(days=remember_days(os.environ))
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(BASE_DIR / "instance" / "uploads"))
    MAX_UPLOAD_MB = _env_int("MAX_UPLOAD_MB", 50)
    MAX_CONTENT_LENGTH = MAX_UPLOAD_MB * 1024 * 1024
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    CHECKIN_CODE_MINUTES = _env_int("CHECKIN_CODE_MINUTES", 3)
    # Attendance of a course locks this many days after its last session (an admin may reopen it);
    # QR check-in opens this many minutes before a session starts and closes when it ends.
    ATTENDANCE_LOCK_DAYS = _env_int("ATTENDANCE_LOCK_DAYS", 7)
    CHECKIN_OPENS_MINUTES_BEFORE = _env_int("CHECKIN_OPENS_MINUTES_BEFORE", 60)
    VERIFY_RATE_LIMIT = os.environ.get("VERIFY_RATE_LIMIT", "30 per minute")
    RATELIMIT_STORAGE_URI = ratelimit_storage_uri(os.environ)
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "courses")
    RATELIMIT_HEADERS_ENABLED = True
    SET_PASSWORD_LINK_DAYS = _env_int("SET_PASSWORD_LINK_DAYS", 14)
    # Redis down: count in the database meanwhile (shared by every process and server, so
    # limits stay as strict), retrying Redis every RATELIMIT_RETRY_SECONDS; never in memory.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = False
    RATELIMIT_RETRY_SECONDS = _env_int("RATELIMIT_RETRY_SECONDS", 10)
    # Log-in and sign-up posts per client address (a whole course may share one office address),
    # and failed log-ins per email (Flask-Limiter syntax).
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "30 per minute; 300 per hour")
    # Failed log-ins of one account from one address: past this, that pair is locked.
    LOGIN_FAILURES_PER_EMAIL = os.environ.get("LOGIN_FAILURES_PER_EMAIL", "5 per 15 minutes")
    # Failed log-ins of one account from all addresses: past this, each address is slowed
    # down to LOGIN_SLOWDOWN failures (addresses that have not failed still get their try).
    LOGIN_FAILURES_PER_ACCOUNT = os.environ.get("LOGIN_FAILURES_PER_ACCOUNT", "20 per 15 minutes")
    LOGIN_SLOWDOWN = os.environ.get("LOGIN_SLOWDOWN", "1 per minute")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    # Background jobs: RQ on this Redis when set, else a thread in the app process.
    REDIS_URL = os.environ.get("REDIS_URL", "")
    JOB_QUEUE = os.environ.get("JOB_QUEUE", "courses")
    JOB_RESULTS_DIR = os.environ.get("JOB_RESULTS_DIR", str(BASE_DIR / "instance" / "job-results"))
    JOB_TIMEOUT_SECONDS = _env_int("JOB_TIMEOUT_SECONDS", 3600)
    # A queued or running job whose row has not moved for this long is offered a retry.
    JOB_STALE_SECONDS = _env_int("JOB_STALE_SECONDS", 900)
    # Certificates (courses/certificates/signing.py, statements.py): the PDF signature's key
    # as PKCS#12 (or PEM key and certificate); CERT_SIGNING=off prints unsigned on purpose.
    # Without a key, development signs with a demo key made under CERT_KEY_DIR, which also
    # holds the Ed25519 keys of the QR codes' offline statements (share it between servers).
    CERT_KEY_DIR = os.environ.get("CERT_KEY_DIR", str(BASE_DIR / "instance" / "certificate-keys"))
    CERT_SIGNING = os.environ.get("CERT_SIGNING", "on")
    CERT_SIGNING_P12 = os.environ.get("CERT_SIGNING_P12", "")
    CERT_SIGNING_PASSWORD = os.environ.get("CERT_SIGNING_PASSWORD", "")
    CERT_SIGNING_KEY = os.environ.get("CERT_SIGNING_KEY", "")
    CERT_SIGNING_CERT = os.environ.get("CERT_SIGNING_CERT", "")
    CERT_SIGNING_DEMO = True
    CERT_TSA_URL = os.environ.get("CERT_TSA_URL", "")
    # The visible signature field: x1,y1,x2,y2 in mm from the page's bottom left.
    CERT_SIGNATURE_BOX_MM = os.environ.get("CERT_SIGNATURE_BOX_MM", "")
    # Trusted reverse proxies in front of the app (nginx, a load balancer): their
    # X-Forwarded-For/-Proto are believed, so limits count the client, not the proxy.
    PROXY_COUNT = _env_int("PROXY_COUNT", 0)
    # benchmarks/pages.py only: registers the database-free floor route /_benchmark/floor.
    BENCHMARK = os.environ.get("BENCHMARK", "") == "1"
    TESTING = False
    DEBUG = False

    @classmethod
    def init_app(cls, app) -> None:
        """Last checks and environment reads made when an app is created."""
        install_proxy_fix(app, app.config.get("PROXY_COUNT", 0))


class DevelopmentConfig(Config):
    """Local development: SQLite under instance/, debug helpers on."""

    DEBUG = True


class TestingConfig(Config):
    """Tests: a database chosen by TEST_DATABASE_URL, CSRF off unless a test turns it on."""

    TESTING = True
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False  # tests of the limits turn it on
    SECRET_KEY = "testing-secret-key"
    SQLALCHEMY_DATABASE_URI = normalize_database_url(
        os.environ.get("TEST_DATABASE_URL", "sqlite://")
    )
    # Tests never share the developer's Redis by accident: jobs run in threads unless a test says so.
    REDIS_URL = ""
    RATELIMIT_STORAGE_URI = "memory://"
    PROXY_COUNT = 0


class ProductionConfig(Config):
    """Production: secrets must come from the environment; cookies only over HTTPS."""

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    CERT_SIGNING_DEMO = False  # a configured key, or CERT_SIGNING=off said on purpose

    @classmethod
    def init_app(cls, app) -> None:
        """Refuse to start without SECRET_KEY and DATABASE_URL from the environment."""
        super().init_app(app)
        # Read at app creation, not import, so a stale or default value never slips through.
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL") if not os.environ.get(name)]
        if missing:
            raise RuntimeError(
                "Production configuration refuses to start: set " + ", ".join(missing)
            )
        if len(os.environ["SECRET_KEY"]) < 32:
            raise RuntimeError(
                "Production configuration refuses to start: SECRET_KEY is shorter than 32 characters"
            )
        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
        app.config["SQLALCHEMY_DATABASE_URI"] = normalize_database_url(os.environ["DATABASE_URL"])
        # A request naming another host gets a 400 before any view builds a link from it.
        app.config["TRUSTED_HOSTS"] = trusted_hosts(
            os.environ, os.environ.get("PUBLIC_BASE_URL", app.config.get("PUBLIC_BASE_URL", "")))


def trusted_hosts(environ, public_base_url: str) -> list[str] | None:
    """Host names a request may name (Flask's TRUSTED_HOSTS): a forged Host header gets a 400.

    TRUSTED_HOSTS is comma-separated (".example.vn" also allows its subdomains); by default
    the host of PUBLIC_BASE_URL, plus localhost and 127.0.0.1 so checks on the server itself
    (curl …/healthz) still answer; None (every host) only when neither is set. Links never
    come from the Host header when PUBLIC_BASE_URL is set, so these names reach no link.
    """
    from urllib.parse import urlsplit

    names = [name.strip() for name in environ.get("TRUSTED_HOSTS", "").split(",") if name.strip()]
    if not names and public_base_url:
        host = urlsplit(public_base_url.strip()).hostname
        names = [host, "localhost", "127.0.0.1"] if host else []
    return names or None


def install_proxy_fix(app, count: int) -> None:
    """Believe X-Forwarded-For/-Proto/-Host from count trusted proxies in front of app."""
    if count > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    """Pick the config class named by APP_CONFIG (development by default)."""
    name = os.environ.get("APP_CONFIG", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"Unknown APP_CONFIG {name!r}; use one of {', '.join(CONFIGS)}") from None
