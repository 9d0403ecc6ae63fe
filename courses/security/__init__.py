"""Security and reliability: headers, request ids and logging, body limits, health, backups.

`init_app(app)` installs the request hooks; the blueprint in views.py serves /healthz and
backup.py adds the `backup` and `restore` commands.
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Install every hook of this feature on app (called by create_app's register_hooks)."""
    from courses.security import backup, headers, limits, requestlog

    requestlog.init_app(app)  # first: every later hook and log line knows the request id
    limits.init_app(app)
    headers.init_app(app)
    backup.init_app(app)
