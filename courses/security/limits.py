"""Request limits: bodies larger than MAX_CONTENT_LENGTH are refused before they are read."""
from __future__ import annotations

from flask import Flask, abort, current_app, request


def refuse_oversized_body():
    """before_request hook: 413 on a declared body larger than allowed, without reading it.

    Werkzeug only enforces MAX_CONTENT_LENGTH when a view reads the form or the stream;
    checking the Content-Length header first protects every view, including the ones
    that never read the body, and answers before the upload is received.
    """
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit is not None and request.content_length is not None and request.content_length > limit:
        abort(413)


def init_app(app: Flask) -> None:
    """Install the body limit first among the request hooks of app."""
    # Before CSRF protection and access checks, which would read the form.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_oversized_body)
