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

No check on checkout sees a connection that drops after it (the server's goodbye still on
its way, or a restart mid-request): retry_reads runs such a GET or HEAD once more, on a
fresh connection, and never a POST.
"""
from __future__ import annotations

import re
import select

from flask import Flask, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError

from courses.extensions import db

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


# A read whose connection dropped mid-request is answered again, once (retry_reads).
_RETRY = "courses.retry_read"  # in the WSGI environ: this attempt may be made again
_RETRIED = "courses.retried_read"  # this is the second attempt
_WROTE = "courses.request_committed"  # the request committed a write: never repeated
_REQUEST_ID = "courses.request_id"  # courses/security/requestlog.py: both attempts log under one id
READ_METHODS = frozenset({"GET", "HEAD"})


def is_dropped_connection(error: BaseException) -> bool:
    """Whether error is the database connection going away (the server ended it, restarted)."""
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


def retry_reads(app: Flask) -> None:
    """Answer a GET or HEAD again, once, when its database connection drops mid-request.

    A server restart or pg_terminate_backend ends connections a request may be using, or
    one the pool checks out before the server's goodbye has arrived: the request then
    fails with an error SQLAlchemy marks connection_invalidated. A read changes nothing,
    so the whole request is run again on a fresh connection (a new request context, so a
    new session) and the user sees the page, not the error page. Never a POST (or any other
    method): a write may have reached the database before the connection dropped, and the
    user sees the error page saying nothing changed, as before. Nor a GET that committed.
    """
    handle_user_exception = app.handle_user_exception

    def _mark_retryable(error):
        environ = request.environ
        if (environ.get("REQUEST_METHOD") in READ_METHODS and not environ.get(_RETRIED)
                and not environ.get(_WROTE) and is_dropped_connection(error)):
            environ[_RETRY] = True  # not logged here: the log line's user would need the session
        return handle_user_exception(error)

    app.handle_user_exception = _mark_retryable

    @event.listens_for(db.engine, "commit")
    def _remember_a_commit(connection) -> None:
        if has_request_context():
            request.environ[_WROTE] = True

    wsgi_app = app.wsgi_app

    def _wsgi_app(environ, start_response):
        if environ.get("REQUEST_METHOD") not in READ_METHODS:
            return wsgi_app(environ, start_response)
        original = dict(environ)  # before the request context adds to it
        held = []
        passing = []  # once decided, a late start_response goes straight through

        def hold_start_response(status, headers, exc_info=None):
            if passing:
                return start_response(status, headers, exc_info)
            held.append((status, headers, exc_info))
            return lambda data: None  # Flask never writes through it

        body = wsgi_app(environ, hold_start_response)
        if not environ.get(_RETRY):
            passing.append(True)
            if held:
                start_response(*held[0])
            return body
        if hasattr(body, "close"):
            body.close()
        original[_RETRIED] = True
        app.logger.warning("%s %s: the database connection dropped; answered again (request %s)",
                           environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"), environ.get(_REQUEST_ID, "-"))
        if _REQUEST_ID in environ:
            original[_REQUEST_ID] = environ[_REQUEST_ID]
        return wsgi_app(original, start_response)

    app.wsgi_app = _wsgi_app
