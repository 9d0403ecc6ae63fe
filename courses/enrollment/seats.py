"""Seats of a course: counting them (SeatCounts), handing freed ones to the waitlist, and
refusing a capacity below what is already taken.

Every function that hands out or frees a seat first locks the course
(courses.enrollment.locking.lock_course), then counts, then writes, then commits:
two requests for the last seat are served one after the other, never both.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from courses.audit.services import record
from courses.db_types import utcnow
from courses.enrollment.models import CourseQuota, Enrollment
from courses.enums import EnrollmentStatus
from courses.exceptions import DomainError
from courses.extensions import db
from courses.scheduling.models import Course

# The statuses that hold a seat or wait for one.
COURSE_FULL, QUOTA_FULL, SHARED_FULL = "course", "quota", "shared"


@dataclass
class SeatCounts:
    """Confirmed seats of a course, in total and per quota organization, and its quotas."""

    capacity: int
    confirmed_by_org: dict[int | None, int]
    quotas: dict[int, int]

    @property
    def confirmed(self) -> int:
        return sum(self.confirmed_by_org.values())

    def full_limit(self, org_id: int | None, use_quotas: bool = True) -> str | None:
        """Which limit keeps one more participant of org_id out: COURSE_FULL, QUOTA_FULL,
        SHARED_FULL (the seats no quota allocates), or None when there is a seat."""
        if self.confirmed >= self.capacity:
            return COURSE_FULL
        if not use_quotas or not self.quotas:
            return None
        if org_id in self.quotas:
            return QUOTA_FULL if self.confirmed_by_org.get(org_id, 0) >= self.quotas[org_id] else None
        # Organizations without a quota share the seats no quota allocates.
        return SHARED_FULL if self.shared_used >= self.shared_seats else None

    @property
    def shared_seats(self) -> int:
        return self.capacity - sum(self.quotas.values())

    @property
    def shared_used(self) -> int:
        return sum(n for org, n in self.confirmed_by_org.items() if org not in self.quotas)

    def has_seat(self, org_id: int | None, use_quotas: bool = True) -> bool:
        """Whether one more participant of org_id can be confirmed."""
        return self.full_limit(org_id, use_quotas) is None

    def take(self, org_id: int | None) -> None:
        self.confirmed_by_org[org_id] = self.confirmed_by_org.get(org_id, 0) + 1


def seat_counts(course: Course) -> SeatCounts:
    """Count confirmed seats (call after lock_course when about to allocate)."""
    rows = db.session.execute(
        select(Enrollment.quota_organization_id, func.count())
        .where(Enrollment.course_id == course.id, Enrollment.status == EnrollmentStatus.CONFIRMED)
        .group_by(Enrollment.quota_organization_id)
    ).all()
    quotas = dict(db.session.execute(
        select(CourseQuota.organization_id, CourseQuota.seats).where(CourseQuota.course_id == course.id)
    ).all())
    return SeatCounts(course.capacity, {org: n for org, n in rows}, quotas)


def promote_waitlist(actor, course: Course, exclude: tuple[int, ...] = (),
                     counts: SeatCounts | None = None) -> list[Enrollment]:
    """Confirm waitlisted participants in order of request while seats (and quotas) allow.

    The one rule for every freed or added seat: a cancellation, an organizer's change of
    status, a raised capacity or quota. `counts` (taken under the lock) is updated in place.
    """
    counts = counts or seat_counts(course)
    promoted = []
    if counts.confirmed >= counts.capacity:
        return promoted
    waiting = db.session.scalars(
        select(Enrollment)
        .where(Enrollment.course_id == course.id, Enrollment.status == EnrollmentStatus.WAITLISTED)
        .order_by(Enrollment.requested_at, Enrollment.id)
    ).all()
    now = utcnow()
    for enrollment in waiting:
        if counts.confirmed >= counts.capacity:
            break
        if enrollment.id in exclude or not counts.has_seat(enrollment.quota_organization_id):
            continue
        enrollment.status = EnrollmentStatus.CONFIRMED
        enrollment.decided_at = now
        enrollment.promoted_at = now
        enrollment.status_reason = None
        counts.take(enrollment.quota_organization_id)
        record(actor, "enrollment.promote", enrollment, before={"status": "waitlisted"},
               after={"status": "confirmed"})
        promoted.append(enrollment)
    return promoted


def refuse_capacity_below_confirmed(course: Course, capacity: int) -> None:
    """A course's capacity may not drop below its confirmed seats or its quotas' total
    (call after lock_course, before changing course.capacity)."""
    counts = seat_counts(course)
    if capacity < counts.confirmed:
        raise DomainError(_("Lớp đã có %(confirmed)s học viên được xác nhận; số chỗ không thể ít hơn "
                            "%(confirmed)s.", confirmed=counts.confirmed), field="capacity")
    allocated = sum(counts.quotas.values())
    if capacity < allocated:
        raise DomainError(_("Các đơn vị đã được giao %(allocated)s chỉ tiêu; số chỗ không thể ít hơn "
                            "%(allocated)s.", allocated=allocated), field="capacity")
