"""What SQLite and PostgreSQL do differently, in one place: write locks (and waiting for them), upserts."""
from __future__ import annotations

import sqlite3

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from courses.extensions import db


def wait_for_write_lock(engine: Engine, seconds: float) -> None:
    """On SQLite, a writer queues this long for the file's write lock (a job's, another
    request's) instead of failing at once; past it the request answers 503 (is_database_busy)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _busy_timeout(dbapi_connection, connection_record) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")


def is_sqlite() -> bool:
    return db.session.connection().dialect.name == "sqlite"


def begin_write_on_sqlite() -> None:
    """On SQLite, take the database's write lock now (BEGIN IMMEDIATE), before reading what
    the transaction will change; PostgreSQL callers lock rows with FOR UPDATE instead.

    Reads before this point ran outside a transaction (pysqlite begins only on writes).
    """
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.driver_connection
        if not raw.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def insert_ignoring_conflicts(model, index_elements: list[str], **values):
    """INSERT … ON CONFLICT DO NOTHING on either database."""
    insert = postgresql.insert if db.session.connection().dialect.name == "postgresql" else sqlite.insert
    return insert(model).values(**values).on_conflict_do_nothing(index_elements=index_elements)


# What each database says when a write waited for another's lock and gave up (PostgreSQL:
# deadlock_detected, lock_not_available): busy, not broken, so worth trying again.
_BUSY_SQLSTATES = frozenset({"40P01", "55P03"})
_SQLITE_BUSY = ("database is locked", "database table is locked")


def is_database_busy(error: BaseException) -> bool:
    """Whether error is a write that gave up waiting for another transaction's lock."""
    if not isinstance(error, OperationalError):
        return False
    if getattr(error.orig, "sqlstate", None) in _BUSY_SQLSTATES:
        return True
    return any(text in str(error.orig) for text in _SQLITE_BUSY)
