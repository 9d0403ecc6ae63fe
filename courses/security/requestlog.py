"""Request ids and request logging: every log line names the request and the user.

A request keeps the X-Request-ID its proxy sent (when it looks like an id), or gets a
new one; the response echoes it, the 500 page shows it, and every record logged
through the app's logger carries `request_id` and `user_id`.
"""
from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, current_app, g, has_request_context, request
from flask.logging import default_handler

REQUEST_ID_HEADER = "X-Request-ID"
# Ids from outside are echoed into headers and logs: accept only plain tokens.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_ENVIRON_KEY = "courses.request_id"
_STARTED_KEY = "courses.request_started"
LOG_FORMAT = "[%(asctime)s] %(levelname)s request=%(request_id)s user=%(user_id)s %(name)s: %(message)s"


def get_request_id() -> str | None:
    """The id of the current request (made on first use), or None outside a request."""
    if not has_request_context():
        return None
    # Kept in the WSGI environ, not in g: g belongs to the app context, which tests
    # (and CLI code) may keep across several requests.
    request_id = request.environ.get(_ENVIRON_KEY)
    if request_id is None:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = given if _VALID_REQUEST_ID.match(given) else uuid.uuid4().hex
        request.environ[_ENVIRON_KEY] = request_id
    return request_id


def current_user_id() -> int | None:
    """The logged-in user's id, without loading the user when nobody asked for it yet."""
    if not has_request_context():
        return None
    user = g.get("_login_user")  # set by Flask-Login once current_user was used
    if user is not None and getattr(user, "is_authenticated", False):
        return user.id
    return None


class RequestContextFilter(logging.Filter):
    """Adds request_id and user_id to every record ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = get_request_id() or "-"
        if not hasattr(record, "user_id"):
            user_id = current_user_id()
            record.user_id = user_id if user_id is not None else "-"
        return True


_CONTEXT_FILTER = RequestContextFilter()


def start_request():
    """before_request hook: fix the request id and the start time."""
    get_request_id()
    request.environ[_STARTED_KEY] = time.perf_counter()


def finish_request(response):
    """after_request hook: echo the request id and log one line for the request."""
    request_id = get_request_id()
    response.headers[REQUEST_ID_HEADER] = request_id
    if request.endpoint and request.endpoint.endswith("static"):
        return response
    elapsed_ms = (time.perf_counter() - request.environ.get(_STARTED_KEY, time.perf_counter())) * 1000
    level = logging.WARNING if response.status_code >= 500 else logging.INFO
    current_app.logger.log(
        level, "%s %s %s %.0fms", request.method, request.path, response.status_code, elapsed_ms
    )
    return response


def init_app(app: Flask) -> None:
    """Install the request id hooks and the context filter on app's logger."""
    app.logger.addFilter(_CONTEXT_FILTER)  # addFilter ignores a filter it already has
    default_handler.addFilter(_CONTEXT_FILTER)
    default_handler.setFormatter(logging.Formatter(LOG_FORMAT))
    level = app.config.get("LOG_LEVEL")
    if level and app.logger.level == logging.NOTSET:
        app.logger.setLevel(level)
    app.before_request(start_request)
    app.after_request(finish_request)
