"""The Enrollment model: a user's place in a course."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courses.db_types import UTCDateTime, enum_column_type, utcnow
from courses.enums import EnrollmentSource, EnrollmentStatus
from courses.extensions import db

if TYPE_CHECKING:
    from courses.auth.models import User
    from courses.scheduling.models import Course


class Enrollment(db.Model):
    """One user in one course, with the state of their registration."""

    __tablename__ = "enrollments"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    course_id: Mapped[int] = mapped_column(
        sa.ForeignKey("courses.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[EnrollmentStatus] = mapped_column(
        enum_column_type(EnrollmentStatus, "enrollment_status"), default=EnrollmentStatus.PENDING
    )
    source: Mapped[EnrollmentSource] = mapped_column(
        enum_column_type(EnrollmentSource, "enrollment_source"), default=EnrollmentSource.SELF
    )
    status_reason: Mapped[Optional[str]] = mapped_column(sa.Text)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    user: Mapped["User"] = relationship()
    course: Mapped["Course"] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("user_id", "course_id", name="uq_enrollments_user_id_course_id"),
        # The roster and the capacity count read by course and status.
        sa.Index("ix_enrollments_course_id_status", "course_id", "status"),
    )
