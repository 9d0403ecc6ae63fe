"""Serializing seat allocation: one writer per course at a time, on SQLite and PostgreSQL.

PostgreSQL: the course row is locked with SELECT … FOR UPDATE for the rest of the
transaction. SQLite has no row locks: the registration transaction starts with
BEGIN IMMEDIATE, which takes the database's write lock before the seats are
counted, and every connection waits (courses.sql_dialect.wait_for_write_lock) instead of
failing at once.
"""
from __future__ import annotations

from sqlalchemy import select

from courses.extensions import db
from courses.sql_dialect import begin_write_on_sqlite, is_sqlite


def lock_course(course_id: int):
    """Start (or join) the write transaction and lock the course row; returns the fresh Course."""
    from courses.scheduling.models import Course

    statement = select(Course).where(Course.id == course_id).execution_options(populate_existing=True)
    if is_sqlite():
        begin_write_on_sqlite()
    else:
        statement = statement.with_for_update()
    return db.session.scalar(statement)
