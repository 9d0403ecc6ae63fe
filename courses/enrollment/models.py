"""The Enrollment model (a user's place in a course) and CourseQuota (chỉ tiêu)."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courses.db_types import UTCDateTime, enum_column_type, utcnow
from courses.enums import EnrollmentSource, EnrollmentStatus
from courses.extensions import db

if TYPE_CHECKING:
    from courses.auth.models import User
    from courses.organizations.models import Organization
    from courses.scheduling.models import Course


# A registration that holds or waits for a seat (pending approval, confirmed, waitlisted).
ACTIVE_STATUSES = (EnrollmentStatus.PENDING, EnrollmentStatus.CONFIRMED, EnrollmentStatus.WAITLISTED)


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
    # The grassroots organization whose quota (chỉ tiêu) this seat counts against.
    quota_organization_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    # The unit coordinator who nominated this participant (source = nomination).
    nominated_by_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # Set when the participant moved from the waitlist to a confirmed seat.
    promoted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    user: Mapped["User"] = relationship(foreign_keys=[user_id])
    course: Mapped["Course"] = relationship()
    quota_organization: Mapped[Optional["Organization"]] = relationship()
    nominated_by: Mapped[Optional["User"]] = relationship(foreign_keys=[nominated_by_id])

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def can_be_cancelled(self, today: date) -> bool:
        """The participant may still withdraw: an active registration, before the first day."""
        return self.is_active and self.course.starts_on > today

    __table_args__ = (
        sa.UniqueConstraint("user_id", "course_id", name="uq_enrollments_user_id_course_id"),
        # The roster and the capacity count read by course and status.
        sa.Index("ix_enrollments_course_id_status", "course_id", "status"),
    )


class CourseQuota(db.Model):
    """The seats (chỉ tiêu) a course gives one grassroots organization."""

    __tablename__ = "course_quotas"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(
        sa.ForeignKey("courses.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    seats: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    course: Mapped["Course"] = relationship()
    organization: Mapped["Organization"] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("course_id", "organization_id", name="uq_course_quotas_course_id_organization_id"),
        sa.CheckConstraint("seats >= 0", name="seats_not_negative"),
    )
