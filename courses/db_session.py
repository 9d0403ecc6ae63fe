"""On PostgreSQL, reads run outside transactions; a transaction begins with the first write.

What a page costs on PostgreSQL is mostly round trips, not the queries themselves (0.1 to
0.3 ms each). With the defaults a page that only reads paid, besides its queries, a
ping when it took its connection from the pool, a BEGIN before its first query, a
ROLLBACK when the connection went back, and the planning of every query afresh: psycopg prepares a statement it has run five times on a
connection, but forgets every prepared statement on ROLLBACK.

So connections start each transaction in autocommit mode, and the first statement that
is not a plain SELECT switches it off just before it runs: psycopg then sends BEGIN with
it, and everything after it (the rest of the request's work) is one transaction, ended
with COMMIT or ROLLBACK as before. Reads before the first write see what they would
have seen inside the transaction: PostgreSQL's READ COMMITTED (the default) gives each
statement a fresh view anyway. Only row locks would differ, so SELECT … FOR UPDATE / FOR
SHARE counts as a write and begins the transaction that holds the lock. This is also how
SQLite's driver behaves (it begins only before a write) and Django's default.

And a connection taken from the pool is checked without a round trip: SQLAlchemy's
pool_pre_ping sends a query on every checkout, that is on every request. A server that
ends a connection (restart, pg_terminate_backend) sends an error message and closes the
socket, so a connection that has received nothing since it was returned is alive as far
as anything can tell without asking; one that has is pinged, and replaced if dead.
"""
from __future__ import annotations

import re
import select

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

_LAZY = "courses_lazy_begin"  # in connection info: autocommit is on until a write

# Anything that is not a plain SELECT: INSERT, UPDATE, DELETE, DDL, SET, SAVEPOINT, WITH
# (a CTE may write), SELECT … INTO (creates a table) and SELECT … FOR UPDATE/SHARE (locks).
_READ = re.compile(r"\s*SELECT\b", re.IGNORECASE)
_WRITE_IN_SELECT = re.compile(r"\bINTO\b|\bFOR\s+(?:NO\s+KEY\s+)?(?:UPDATE|SHARE|KEY\s+SHARE)\b", re.IGNORECASE)


def is_read_only(statement: str, executemany: bool = False) -> bool:
    """Whether statement can run outside a transaction without changing what it does."""
    return not executemany and _READ.match(statement) is not None and _WRITE_IN_SELECT.search(statement) is None


def install(engine: Engine) -> None:
    """Listen on engine's connections (PostgreSQL only; elsewhere nothing changes)."""
    if engine.dialect.name != "postgresql":
        return
    from psycopg.pq import TransactionStatus

    @event.listens_for(engine, "begin")
    def _read_outside_transactions(connection) -> None:
        info = connection.connection.info
        if connection.get_execution_options().get("isolation_level"):
            info.pop(_LAZY, None)  # a level asked for (AUTOCOMMIT for VACUUM, say) is kept as asked
            return
        dbapi_connection = connection.connection.dbapi_connection
        if dbapi_connection.autocommit and not info.get(_LAZY):
            return  # autocommit set by someone else: not ours to end
        if not dbapi_connection.autocommit and dbapi_connection.info.transaction_status == TransactionStatus.IDLE:
            dbapi_connection.autocommit = True
        info[_LAZY] = dbapi_connection.autocommit

    @event.listens_for(engine, "before_cursor_execute")
    def _begin_before_a_write(connection, cursor, statement, parameters, context, executemany) -> None:
        info = connection.connection.info
        if info.get(_LAZY) and not is_read_only(statement, executemany):
            info[_LAZY] = False
            connection.connection.dbapi_connection.autocommit = False  # psycopg sends BEGIN first

    @event.listens_for(engine, "checkin")
    def _back_to_the_drivers_default(dbapi_connection, connection_record) -> None:
        # The pool keeps connections as psycopg made them; the next transaction starts lazily again.
        if (connection_record.info.pop(_LAZY, False) and dbapi_connection is not None
                and not dbapi_connection.closed and not dbapi_connection.broken
                and dbapi_connection.info.transaction_status == TransactionStatus.IDLE):
            dbapi_connection.autocommit = False

    @event.listens_for(engine, "checkout")
    def _still_connected(dbapi_connection, connection_record, connection_proxy) -> None:
        # pool_pre_ping's round trip, only for a connection that heard from the server while
        # it sat in the pool: a server that restarts or ends a connection says so first
        # (an error message, then the socket closes), and an idle connection otherwise
        # receives nothing. Raising DisconnectionError makes the pool connect afresh.
        if dbapi_connection.closed or dbapi_connection.broken:
            raise DisconnectionError("the connection was closed")
        poller = select.poll()
        poller.register(dbapi_connection.pgconn.socket, select.POLLIN)
        if poller.poll(0):
            try:
                engine.dialect.do_ping(dbapi_connection)
            except Exception as error:
                raise DisconnectionError("the server ended the connection") from error
