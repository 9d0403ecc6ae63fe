"""Transactions that only read end with COMMIT on PostgreSQL, so prepared statements live on.

psycopg prepares a statement on a connection once it has run it five times, and forgets
every prepared statement on ROLLBACK (it cannot know what a rolled-back transaction
dropped). Each request ends its transaction with a ROLLBACK (SQLAlchemy's session close),
so no query was ever prepared and PostgreSQL planned each one again on every page, often
for longer than it ran (0.6–1 ms against 0.1–0.3 ms).

A transaction that sent nothing but SELECTs has nothing to undo: COMMIT and ROLLBACK end
it alike. So just before such a transaction is rolled back, it is committed instead
(the rollback that follows then has nothing to do). Any other statement — INSERT,
UPDATE, DELETE, DDL, SET, SAVEPOINT, WITH, SELECT … INTO, or one that failed — keeps the
plain ROLLBACK.
"""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine

_WROTE = "courses_transaction_wrote"


def install(engine: Engine) -> None:
    """Listen on engine's connections (PostgreSQL only; elsewhere nothing changes)."""
    if engine.dialect.name != "postgresql":
        return
    from psycopg.pq import TransactionStatus

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        connection.info[_WROTE] = False

    @event.listens_for(engine, "before_cursor_execute")
    def _note_writes(connection, cursor, statement, parameters, context, executemany) -> None:
        # Conservative: anything but a plain SELECT (SELECT … INTO creates a table) counts.
        if executemany or statement.lstrip()[:6].upper() != "SELECT" or " INTO " in statement.upper():
            connection.info[_WROTE] = True

    @event.listens_for(engine, "handle_error")
    def _note_failure(context) -> None:
        if context.connection is not None:
            context.connection.info[_WROTE] = True

    @event.listens_for(engine, "rollback")
    def _commit_if_read_only(connection) -> None:
        wrote = connection.info.pop(_WROTE, True)
        if wrote or connection.closed or connection.invalidated:
            return
        dbapi_connection = connection.connection.dbapi_connection
        # Only a transaction that is open and healthy: an aborted one must be rolled back.
        if dbapi_connection is not None and dbapi_connection.info.transaction_status == TransactionStatus.INTRANS:
            dbapi_connection.commit()
