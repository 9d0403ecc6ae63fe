"""Serializing seat allocation: one writer per course at a time, on SQLite and PostgreSQL.

PostgreSQL: the course row is locked with SELECT … FOR UPDATE for the rest of the
transaction. SQLite has no row locks: the registration transaction starts with
BEGIN IMMEDIATE, which takes the database's write lock before the seats are
counted, and every connection waits (busy timeout) instead of failing at once.
"""
from __future__ import annotations

import sqlite3

from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from courses.extensions import db
from courses.sql_dialect import begin_write_on_sqlite, is_sqlite

SQLITE_BUSY_TIMEOUT_MS = 30_000


@event.listens_for(Engine, "connect")
def _sqlite_busy_timeout(dbapi_connection, connection_record) -> None:
    """Writers queue for the SQLite write lock for up to 30 s instead of failing."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")


def lock_course(course_id: int):
    """Start (or join) the write transaction and lock the course row; returns the fresh Course."""
    from courses.scheduling.models import Course

    statement = select(Course).where(Course.id == course_id).execution_options(populate_existing=True)
    if is_sqlite():
        begin_write_on_sqlite()
    else:
        statement = statement.with_for_update()
    return db.session.scalar(statement)
