"""The Attendance model: presence of an enrollment at one session."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courses.db_types import UTCDateTime, enum_column_type, utcnow
from courses.enums import AttendanceMethod, AttendanceStatus
from courses.extensions import db

if TYPE_CHECKING:
    from courses.auth.models import User
    from courses.enrollment.models import Enrollment
    from courses.scheduling.models import CourseSession


class Attendance(db.Model):
    """Whether one enrolled participant was at one session, and who recorded it."""

    __tablename__ = "attendances"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrollments.id", ondelete="CASCADE"), index=True
    )
    # Indexed with status and enrollment below: a session's records, or who was present.
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("course_sessions.id", ondelete="CASCADE"))
    status: Mapped[AttendanceStatus] = mapped_column(
        enum_column_type(AttendanceStatus, "attendance_status")
    )
    method: Mapped[AttendanceMethod] = mapped_column(
        enum_column_type(AttendanceMethod, "attendance_method"), default=AttendanceMethod.ROLL_CALL
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    recorded_by_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    enrollment: Mapped["Enrollment"] = relationship()
    session: Mapped["CourseSession"] = relationship()
    recorded_by: Mapped[Optional["User"]] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("enrollment_id", "session_id", name="uq_attendances_enrollment_id_session_id"),
        # Who was present at a course's topic sessions (the attendance summary counts it for
        # every participant) is read from this index alone, without visiting the table.
        sa.Index("ix_attendances_session_id_status_enrollment_id", "session_id", "status", "enrollment_id"),
    )


class CheckInCode(db.Model):
    """A short code for QR self check-in at one session; it expires, and a newer one replaces it."""

    __tablename__ = "check_in_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("course_sessions.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    session: Mapped["CourseSession"] = relationship()

    __table_args__ = (sa.CheckConstraint("expires_at > created_at", name="expires_after_creation"),)


class AttendanceReopening(db.Model):
    """An admin reopened a course's locked attendance, for one more grace period, and why."""

    __tablename__ = "attendance_reopenings"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    reopened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reopened_by_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    reason: Mapped[str] = mapped_column(sa.String(500))

    __table_args__ = (sa.CheckConstraint("length(trim(reason)) > 0", name="reason_given"),)
