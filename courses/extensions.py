"""Unbound extension singletons; create_app binds them with init_app."""
from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names let migrations drop and alter constraints on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base for every model, with the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


class StrictLimiter(Limiter):
    """Flask-Limiter whose counts stay shared when Redis is down: in the database meanwhile.

    Flask-Limiter's own fallback counts in each process's memory, which multiplies every
    limit by the number of processes; see courses/security/rate_store.py.
    """

    def init_app(self, app) -> None:
        app.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] = False
        super().init_app(app)
        if not self.enabled:  # Flask-Limiter then sets up nothing: nor do we
            app.extensions["rate_limit_storage"] = None
            return
        uri = app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
        storage = self._storage
        if not uri.startswith("memory://"):
            from limits.storage import storage_from_string
            from limits.strategies import STRATEGIES

            from courses.security.rate_store import StrictStorage

            # A store that does not answer must not hold the request for long.
            options = {"socket_connect_timeout": 1, "socket_timeout": 1,
                       **app.config.get("RATELIMIT_STORAGE_OPTIONS", {})}
            storage = StrictStorage(storage_from_string(uri, **options), uri,
                                    retry_seconds=app.config.get("RATELIMIT_RETRY_SECONDS", 10))
            # Flask-Limiter 4 keeps its storage and strategy here (no public setter).
            self._storage = storage
            self._limiter = STRATEGIES[self._strategy](storage)
        # Per app (the limiter itself is shared by every app of the process, as in tests).
        app.extensions["rate_limit_storage"] = storage


# Limits are declared per view; storage is memory:// unless RATELIMIT_STORAGE_URI names Redis.
limiter = StrictLimiter(key_func=get_remote_address)
