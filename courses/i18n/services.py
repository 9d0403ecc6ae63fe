"""Remembering the interface language: per account, and per session for visitors."""
from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

from courses.exceptions import DomainError
from courses.extensions import db


def supported_languages() -> tuple[str, ...]:
    """The language codes the site speaks (config LANGUAGES), Vietnamese first."""
    return tuple(current_app.config["LANGUAGES"])


def set_language(user, session: dict, language: str) -> str:
    """Remember language in the session and, for a logged-in user, on the account."""
    if language not in supported_languages():
        raise DomainError(_l("Ngôn ngữ không được hỗ trợ."), field="lang")
    session["lang"] = language
    if user is not None and getattr(user, "is_authenticated", False) and user.locale != language:
        user.locale = language
        db.session.commit()
    return language
