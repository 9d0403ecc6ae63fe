"""The AuditEvent model."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courses.db_types import UTCDateTime, utcnow
from courses.extensions import db

if TYPE_CHECKING:
    from courses.auth.models import User


class AuditEvent(db.Model):
    """One recorded action: actor, verb, object, and the state before and after."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(sa.String(80))
    object_type: Mapped[str] = mapped_column(sa.String(80))
    object_id: Mapped[Optional[int]] = mapped_column()
    before: Mapped[Optional[dict]] = mapped_column(sa.JSON)
    after: Mapped[Optional[dict]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    actor: Mapped[Optional["User"]] = relationship()

    __table_args__ = (sa.Index("ix_audit_events_object", "object_type", "object_id"),)
