"""Set-password links for accounts created by an import: signed, expiring, single use.

The token carries the user's id and a fingerprint of their current password
hash; once a password is set the fingerprint changes and the link stops working.
"""
from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from courses.auth.models import User
from courses.extensions import db

SALT = "enrollment.set-password"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256((user.password_hash or "none").encode()).hexdigest()[:16]


def make_token(user: User) -> str:
    """A signed token that lets user set a password until it expires or is used."""
    return _serializer().dumps({"u": user.id, "f": _fingerprint(user)})


def user_for_token(token: str) -> User | None:
    """The user a valid, unused, unexpired token names; None otherwise."""
    max_age = current_app.config.get("SET_PASSWORD_LINK_DAYS", 14) * 86400
    try:
        data = _serializer().loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict):
        return None
    user = db.session.get(User, data.get("u")) if isinstance(data.get("u"), int) else None
    if user is None or not user.is_active or data.get("f") != _fingerprint(user):
        return None
    return user


def set_password_url(user: User, external_base: str | None = None) -> str:
    """The absolute set-password link for user."""
    from flask import url_for

    from courses.routing import public_base_url

    path = url_for("enrollment.set_password", token=make_token(user))
    return (external_base.rstrip("/") if external_base else public_base_url()) + path
