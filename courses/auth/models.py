"""The User account model."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from courses.db_types import UTCDateTime, enum_column_type, utcnow
from courses.enums import PartyPosition, Role
from courses.extensions import db

if TYPE_CHECKING:
    from courses.organizations.models import Organization


class User(UserMixin, db.Model):
    """A person who logs in: participant, organizer, unit coordinator or admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(255), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(255))
    password_hash: Mapped[Optional[str]] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_column_type(Role, "role"), default=Role.PARTICIPANT)
    organization_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    party_position: Mapped[Optional[PartyPosition]] = mapped_column(
        enum_column_type(PartyPosition, "party_position")
    )
    job_title: Mapped[Optional[str]] = mapped_column(sa.String(255))
    phone: Mapped[Optional[str]] = mapped_column(sa.String(40))
    party_card_number: Mapped[Optional[str]] = mapped_column(sa.String(40))
    locale: Mapped[Optional[str]] = mapped_column(sa.String(8))
    is_active_account: Mapped[bool] = mapped_column(default=True)
    # Part of the id Flask-Login keeps in the session and the remember cookie: raising it
    # ends every session and remembered log-in of the account at once.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Signed into the personal calendar feed's address: raising it retires the old address
    # (courses/catalog/feed.py).
    feed_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    organization: Mapped[Optional["Organization"]] = relationship()

    __table_args__ = (
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
        sa.CheckConstraint("feed_version >= 0", name="feed_version_not_negative"),
        # User lists are sorted by name (admin list, rosters): the index serves ORDER BY … LIMIT.
        sa.Index("ix_users_full_name_id", "full_name", "id"),
        # Joins that read only the name (the attendance summary's 500 names) stay in the index.
        sa.Index("ix_users_id_full_name", "id", postgresql_include=["full_name"]),
    )

    @property
    def is_active(self) -> bool:
        """Flask-Login refuses log-in to deactivated accounts."""
        return self.is_active_account

    def get_id(self) -> str:
        """Flask-Login's alternative id: the account, its session version and the log-in.

        The log-in's secret is attached by courses.auth.sessions (start_login, load);
        without one the id names no log-in and logs nobody in.
        """
        return f"{self.id}:{self.session_version}:{getattr(self, 'login_secret', '')}"

    def end_all_sessions(self) -> None:
        """Invalidate every session and remember cookie issued for this account so far."""
        self.session_version = (self.session_version or 1) + 1

    def set_password(self, password: str) -> None:
        """Store a salted hash of the password, never the password."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """True when the password matches the stored hash."""
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def has_role(self, *roles: Role) -> bool:
        """True when the user's role is one of roles; admins hold every role."""
        return self.role == Role.ADMIN or self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class LoginSession(db.Model):
    """One log-in (a browser's session and its remember cookie): ended at log-out.

    Only a hash of the log-in's secret is stored, so a copy of the table logs nobody in.
    """

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    __table_args__ = (
        sa.CheckConstraint("length(secret_hash) = 64", name="secret_hash_length"),
    )
