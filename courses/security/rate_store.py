"""Where rate limits are counted: Redis when it answers, else a table in the database.

Counting in process memory while Redis is down (Flask-Limiter's fallback) multiplies every
limit by the number of processes and servers. The database is shared by all of them, so
counting there keeps each limit as strict as configured, at the cost of a few queries per
limited request while the outage lasts.
"""
from __future__ import annotations

import logging
import threading
import time
from urllib.parse import urlsplit, urlunsplit

import sqlalchemy as sa
from limits.storage import Storage
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from courses.extensions import db

logger = logging.getLogger("courses.rate_limits")


class RateLimitCounter(db.Model):
    """One fixed-window counter: how many hits key had in the window ending at expires_at."""

    __tablename__ = "rate_limit_counters"
    __table_args__ = (sa.CheckConstraint("count >= 0", name="count_not_negative"),)

    key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    count: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    # Seconds since the epoch (UTC): compared with time.time(), whatever the servers' zones.
    expires_at: Mapped[float] = mapped_column(sa.Float, nullable=False, index=True)


def redacted(uri: str) -> str:
    """uri without its password, for logs."""
    parts = urlsplit(uri)
    if parts.password is None:
        return uri
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit((parts.scheme, user + host, parts.path, parts.query, parts.fragment))


class DatabaseStorage(Storage):
    """Fixed-window counters in the rate_limit_counters table of the current app's database.

    Each call runs on a connection of its own and commits at once, so a counter never
    waits for (or is rolled back with) the request's transaction.
    """

    STORAGE_SCHEME = None

    @property
    def base_exceptions(self):
        return sa.exc.SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        table = RateLimitCounter.__table__
        with db.engine.begin() as connection:
            insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
            expired = table.c.expires_at <= now
            statement = insert(table).values(key=key[:255], count=amount, expires_at=now + expiry)
            statement = statement.on_conflict_do_update(index_elements=["key"], set_={
                "count": sa.case((expired, amount), else_=table.c.count + amount),
                "expires_at": sa.case((expired, now + expiry), else_=table.c.expires_at),
            }).returning(table.c.count)
            count = connection.execute(statement).scalar_one()
            # Windows long over are of no use to anyone: the table stays as small as the outage.
            connection.execute(sa.delete(table).where(table.c.expires_at < now - 3600))
        return count

    def _row(self, key: str):
        table = RateLimitCounter.__table__
        with db.engine.connect() as connection:
            return connection.execute(
                sa.select(table.c.count, table.c.expires_at)
                .where(table.c.key == key[:255], table.c.expires_at > time.time())).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        return row.count if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row.expires_at if row else time.time()

    def check(self) -> bool:
        try:
            with db.engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
        except sa.exc.SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with db.engine.begin() as connection:
            return connection.execute(sa.delete(RateLimitCounter.__table__)).rowcount

    def clear(self, key: str) -> None:
        with db.engine.begin() as connection:
            connection.execute(sa.delete(RateLimitCounter.__table__)
                               .where(RateLimitCounter.__table__.c.key == key[:255]))


class StrictStorage(Storage):
    """primary (Redis) while it answers; the database while it does not, retried every
    retry_seconds. The first failure of an outage is logged as a warning, with the URI
    (password removed)."""

    STORAGE_SCHEME = None

    def __init__(self, primary: Storage, uri: str, retry_seconds: float = 10.0) -> None:
        super().__init__()
        self.primary = primary
        self.fallback = DatabaseStorage()
        self.uri = redacted(uri)
        self.retry_seconds = retry_seconds
        self._down_until = 0.0
        self._down = False
        self._lock = threading.Lock()

    @property
    def base_exceptions(self):
        return sa.exc.SQLAlchemyError

    @property
    def primary_down(self) -> bool:
        """Whether the last attempt at the primary store failed."""
        return self._down

    def _mark_down(self, error: Exception) -> None:
        with self._lock:
            first = not self._down
            self._down = True
            self._down_until = time.monotonic() + self.retry_seconds
        if first:
            logger.warning("rate limit storage %s unreachable (%s): counting in the database until it "
                           "answers", self.uri, type(error).__name__)

    def _mark_up(self) -> None:
        if self._down:
            with self._lock:
                self._down = False
            logger.warning("rate limit storage %s answers again", self.uri)

    def _call(self, name: str, *args, **kwargs):
        if not self._down or time.monotonic() >= self._down_until:
            try:
                result = getattr(self.primary, name)(*args, **kwargs)
            except Exception as error:  # noqa: BLE001  any failure of the store: connection, timeout, protocol
                self._mark_down(error)
            else:
                self._mark_up()
                return result
        return getattr(self.fallback, name)(*args, **kwargs)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        return self._call("incr", key, expiry, amount=amount)

    def get(self, key: str) -> int:
        return self._call("get", key)

    def get_expiry(self, key: str) -> float:
        return self._call("get_expiry", key)

    def check(self) -> bool:
        """Whether the primary store answers now (the database is checked by /healthz)."""
        try:
            answered = bool(self.primary.check())
        except Exception as error:  # noqa: BLE001
            self._mark_down(error)
            return False
        if answered:
            self._mark_up()
        else:
            self._mark_down(ConnectionError("no answer"))
        return answered

    def reset(self) -> int | None:
        return self._call("reset")

    def clear(self, key: str) -> None:
        self._call("clear", key)
