"""Request limits: oversized bodies and NUL characters in the address are refused up front."""
from __future__ import annotations

from flask import Flask, abort, current_app, request
from flask_babel import lazy_gettext as _l
from markupsafe import escape
from werkzeug.exceptions import SecurityError


def refuse_oversized_body():
    """before_request hook: 413 on a declared body larger than allowed, without reading it.

    Werkzeug only enforces MAX_CONTENT_LENGTH when a view reads the form or the stream;
    checking the Content-Length header first protects every view, including the ones
    that never read the body, and answers before the upload is received.
    """
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit is not None and request.content_length is not None and request.content_length > limit:
        abort(413)


def refuse_nul_in_address():
    """before_request hook: 400 when the path or the query string holds a NUL character.

    Views pass path parts and search terms to the database; PostgreSQL refuses NUL in text
    with an error, so one hand-made address would otherwise end in a 500. Form bodies are
    checked field by field by BaseForm, with a message beside the field.
    """
    if "\x00" in request.path or any(
        "\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)
    ):
        from courses.errors import render_error

        return render_error(400, str(_l("Địa chỉ chứa ký tự không hợp lệ. Vui lòng kiểm tra lại đường dẫn.")))
    return None


def refuse_untrusted_host(error: SecurityError):
    """A Host header outside TRUSTED_HOSTS: a plain 400 page.

    Flask refuses the request before it can build any address, so the layout (which links
    to the stylesheets) cannot be drawn: a page without templates or links.
    """
    message = escape(str(_l("Địa chỉ máy chủ trong yêu cầu không được phục vụ tại đây.")))
    body = (f'<!doctype html><html lang="vi"><meta charset="utf-8"><title>400</title>'
            f"<h1>400</h1><p>{message}</p></html>")
    return body, 400, {"Content-Type": "text/html; charset=utf-8"}


def init_app(app: Flask) -> None:
    """Install the limits first among the request hooks of app."""
    app.register_error_handler(SecurityError, refuse_untrusted_host)
    # Before CSRF protection and access checks, which would read the form.
    hooks = app.before_request_funcs.setdefault(None, [])
    hooks.insert(0, refuse_nul_in_address)
    hooks.insert(0, refuse_oversized_body)
