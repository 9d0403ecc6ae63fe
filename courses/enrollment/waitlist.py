"""What a participant is told about their place: where they stand in the waitlist, which
limit keeps them there, which of their other courses clash with this one in time, and
what the course page offers them (course_page_state).

Each function reads in one or two queries whatever the number of courses, so the course
page and «Khóa học của tôi» stay within their query budgets.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased

from courses.enrollment.models import Enrollment
from courses.enrollment.registration import find_enrollment, ineligibility_reason
from courses.enrollment.seats import COURSE_FULL, QUOTA_FULL, SHARED_FULL, seat_counts
from courses.enums import CourseStatus, EnrollmentStatus
from courses.extensions import db
from courses.formatting import LOCAL_TZ
from courses.organizations.models import Organization
from courses.scheduling.models import Course, CourseSession


def waitlist_positions(user_id: int, course_ids: list[int] | None = None) -> dict[int, int]:
    """course id → the user's place (1 = next) in that course's waitlist, for every course
    where they wait; in the order promotion serves (time of request, then id)."""
    ahead = aliased(Enrollment)
    statement = (
        select(Enrollment.course_id, db.func.count(ahead.id))
        .join(ahead, and_(
            ahead.course_id == Enrollment.course_id, ahead.status == EnrollmentStatus.WAITLISTED,
            or_(ahead.requested_at < Enrollment.requested_at,
                and_(ahead.requested_at == Enrollment.requested_at, ahead.id <= Enrollment.id))))
        .where(Enrollment.user_id == user_id, Enrollment.status == EnrollmentStatus.WAITLISTED)
        .group_by(Enrollment.course_id)
    )
    if course_ids is not None:
        statement = statement.where(Enrollment.course_id.in_(course_ids or [-1]))
    return dict(db.session.execute(statement).all())


def position_message(position: int) -> str:
    return _("Đồng chí đang ở vị trí %(position)s trong danh sách chờ.", position=position)


def full_limit_message(course: Course, org_id: int | None) -> str | None:
    """Which limit is full for a participant of org_id now: the course's or the unit's quota."""
    counts = seat_counts(course)
    limit = counts.full_limit(org_id)
    if limit == COURSE_FULL:
        return _("Lớp đã đủ %(capacity)s chỗ.", capacity=counts.capacity)
    if limit == QUOTA_FULL:
        organization = db.session.get(Organization, org_id)
        return _("Chỉ tiêu của %(unit)s (%(seats)s chỗ) đã dùng hết.",
                 unit=organization.name if organization else "—", seats=counts.quotas[org_id])
    if limit == SHARED_FULL:
        return _("Các chỗ ngoài chỉ tiêu của các đơn vị (%(seats)s chỗ) đã hết.", seats=max(counts.shared_seats, 0))
    return None


def waitlist_message(enrollment: Enrollment) -> str:
    """«Lớp đã đủ 30 chỗ. Đồng chí đang ở vị trí 3 trong danh sách chờ.» for a waitlisted enrollment."""
    position = waitlist_positions(enrollment.user_id, [enrollment.course_id]).get(enrollment.course_id)
    parts = [full_limit_message(enrollment.course, enrollment.quota_organization_id),
             position_message(position) if position else None]
    return " ".join(part for part in parts if part)


def overlapping_courses(user_id: int, course_id: int) -> list[Course]:
    """The user's other confirmed courses with a session at the same time as one of this course's."""
    mine, theirs = aliased(CourseSession), aliased(CourseSession)
    return list(db.session.scalars(
        select(Course)
        .join(Enrollment, and_(Enrollment.course_id == Course.id, Enrollment.user_id == user_id,
                               Enrollment.status == EnrollmentStatus.CONFIRMED))
        .where(Course.id != course_id, Course.status != CourseStatus.CANCELLED, select(theirs.id).join(mine, and_(
            mine.course_id == course_id, mine.starts_at < theirs.ends_at, theirs.starts_at < mine.ends_at))
            .where(theirs.course_id == Course.id).exists())
        .order_by(Course.starts_on, Course.id)
    ))


def overlap_message(courses: list[Course]) -> str | None:
    """The warning shown to a confirmed participant, or None."""
    if not courses:
        return None
    names = "; ".join(f"{course.title} ({course.code})" for course in courses)
    return _("Lưu ý: lớp này trùng thời gian với lớp khác đồng chí đã được xác nhận: %(courses)s.", courses=names)


def course_page_state(user, course: Course) -> dict:
    """The course page's registration card for user: their enrollment, why they may not
    register, whether they may register or cancel, and the waitlist or overlap notice."""
    state = {"enrollment": None, "reason": None, "can_register": False, "can_cancel": False,
             "waitlist": None, "overlap": None}
    if not user.is_authenticated:
        state["reason"] = ineligibility_reason(None, course)
        return state
    enrollment = find_enrollment(user.id, course.id)
    state["enrollment"] = enrollment
    today = datetime.now(LOCAL_TZ).date()
    if enrollment is not None and enrollment.is_active:
        state["can_cancel"] = enrollment.can_be_cancelled(today)
        if enrollment.status == EnrollmentStatus.WAITLISTED:
            state["waitlist"] = waitlist_message(enrollment)
        elif enrollment.status == EnrollmentStatus.CONFIRMED:
            state["overlap"] = overlap_message(overlapping_courses(user.id, course.id))
        return state
    if enrollment is not None and enrollment.status == EnrollmentStatus.REJECTED:
        return state
    state["reason"] = ineligibility_reason(user, course)
    state["can_register"] = state["reason"] is None
    return state
