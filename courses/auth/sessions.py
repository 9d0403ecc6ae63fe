"""Log-ins as rows: each has a random secret in the id Flask-Login keeps, so one can be ended.

The id in the session and in the remember cookie is "<user id>:<session version>:<secret>"
(User.get_id). load() accepts it only while the account is active, its session version is
the current one and the log-in's row exists and is not ended: log-out ends the row (a copied
cookie of that log-in stops working, other devices stay), and end_sessions() raises the
version and ends every row (every device, or every device but this one).
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, request
from flask_login import current_user, login_user
from sqlalchemy import delete, or_, select, update

from courses.auth.models import LoginSession, User
from courses.db_types import utcnow
from courses.extensions import db


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _as_timedelta(value) -> timedelta:
    return value if isinstance(value, timedelta) else timedelta(seconds=int(value or 0))


def lifetime() -> timedelta:
    """How long a log-in lasts at most: the longer of the remember cookie and the session."""
    config = current_app.config
    return max(_as_timedelta(config.get("REMEMBER_COOKIE_DURATION", timedelta(days=365))),
               _as_timedelta(config.get("PERMANENT_SESSION_LIFETIME", timedelta(days=31))))


def _attach(user: User, login_id: int, secret: str) -> None:
    user.login_secret = secret  # read by User.get_id
    user.login_id = login_id


def start_login(user: User) -> str:
    """A new log-in row for user (not committed); returns the id Flask-Login is to keep.

    The user's ended and outlived log-ins are deleted on the way: the table holds the
    live log-ins and the recently ended ones only.
    """
    db.session.execute(delete(LoginSession).where(
        LoginSession.user_id == user.id,
        or_(LoginSession.ended_at.is_not(None), LoginSession.created_at < utcnow() - lifetime()),
    ))
    secret = secrets.token_urlsafe(32)
    row = LoginSession(user_id=user.id, secret_hash=_hash(secret))
    db.session.add(row)
    db.session.flush()
    _attach(user, row.id, secret)
    return user.get_id()


def load(user_id: str) -> User | None:
    """The user of a live log-in named by this id, or None; one query."""
    account, version, secret = (str(user_id).split(":", 2) + ["", ""])[:3]
    if not (account.isascii() and account.isdigit() and version.isascii() and version.isdigit()
            and len(account) <= 18 and len(version) <= 18 and 0 < len(secret) <= 100):
        return None
    found = db.session.execute(
        select(User, LoginSession.id).join(LoginSession, LoginSession.user_id == User.id).where(
            User.id == int(account),
            User.session_version == int(version),
            User.is_active_account.is_(True),
            LoginSession.secret_hash == _hash(secret),
            LoginSession.ended_at.is_(None),
            LoginSession.created_at >= utcnow() - lifetime(),
        )
    ).first()
    if found is None:
        return None
    user, login_id = found
    _attach(user, login_id, secret)
    return user


def current_login_id(user: User) -> int | None:
    """The id of this request's log-in when user is the one logged in, else None."""
    if not current_user or not current_user.is_authenticated or current_user.id != user.id:
        return None
    return getattr(current_user, "login_id", None)


def end_login(login_id: int | None) -> None:
    """End one log-in (not committed): its session and remember cookie log nobody in."""
    if login_id is not None:
        db.session.execute(update(LoginSession).where(
            LoginSession.id == login_id, LoginSession.ended_at.is_(None)).values(ended_at=utcnow()))


def log_out(user: User) -> None:
    """End this request's log-in of user, committed: a copy of its cookies logs nobody in."""
    end_login(current_login_id(user))
    db.session.commit()


def first_login(user: User) -> None:
    """The log-in a new account starts with, committed (sign-up logs the participant in)."""
    start_login(user)
    db.session.commit()


def end_sessions(user: User, keep_login_id: int | None = None) -> None:
    """End every log-in of user but keep_login_id (not committed), raising the session version.

    The kept log-in must then be given the new version: stay_logged_in(user).
    """
    user.end_all_sessions()
    ending = update(LoginSession).where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
    if keep_login_id is not None:
        ending = ending.where(LoginSession.id != keep_login_id)
    db.session.execute(ending.values(ended_at=utcnow()))


def stay_logged_in(user: User) -> None:
    """After end_sessions(user, keep_login_id=this log-in): this browser keeps its log-in.

    Its session and remember cookie (when it has one) are issued again with the new version.
    """
    remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    # The object itself, never the current_user proxy: Flask-Login keeps what it is given
    # as the current user, and a proxy to itself recurses until the interpreter crashes.
    login_user(getattr(user, "_get_current_object", lambda: user)(), remember=remembered)
