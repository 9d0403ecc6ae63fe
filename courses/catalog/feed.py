"""The secret address of a participant's personal calendar feed, which its owner can renew.

The token signs the user's id and feed version with SECRET_KEY (itsdangerous). Renewing
raises users.feed_version, so every address made before answers 404 from then on. Version
0, every account's until its first renewal, signs the bare id as the addresses handed out
before renewal existed did: those keep working until their owner renews.
"""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from courses.auth.models import User
from courses.extensions import db

FEED_SALT = "personal-calendar-feed"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=FEED_SALT)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def feed_token(user: User) -> str:
    """The secret token of user's personal calendar feed, as of their current version."""
    version = user.feed_version or 0
    return _serializer().dumps(user.id if version == 0 else [user.id, version])


def user_for_feed_token(token: str) -> User | None:
    """The active user whose current feed address carries token, else None."""
    try:
        payload = _serializer().loads(token)
    except BadSignature:
        return None
    if _is_int(payload):
        user_id, version = payload, 0
    elif isinstance(payload, list) and len(payload) == 2 and all(map(_is_int, payload)) and payload[1] >= 1:
        user_id, version = payload
    else:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.is_active or (user.feed_version or 0) != version:
        return None
    return user


def renew_feed_token(user: User) -> str:
    """Give user a new feed address; the old one stops working. Returns the new token."""
    # Raised in SQL: two renewals at once both count, and neither address survives.
    user.feed_version = User.feed_version + 1
    db.session.commit()
    return feed_token(user)
