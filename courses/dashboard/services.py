"""The figures behind the dashboard, each in a fixed number of queries."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from courses.attendance.models import Attendance
from courses.auth.models import User
from courses.enrollment.models import Enrollment
from courses.enums import AttendanceStatus, CourseStatus, EnrollmentStatus, OrganizationKind, SessionKind
from courses.extensions import db
from courses.organizations.models import Organization
from courses.scheduling.models import Course, CourseSession, Topic

ACTIVE_STATUSES = (CourseStatus.DRAFT, CourseStatus.PUBLISHED, CourseStatus.CLOSED)


@dataclass(frozen=True)
class CourseLoad:
    """A course to come and how its seats stand."""

    course: Course
    confirmed: int
    pending: int
    waitlisted: int

    @property
    def filled(self) -> float:
        """Share of the capacity held by confirmed participants (0 when there is no capacity)."""
        return self.confirmed / self.course.capacity if self.course.capacity else 0.0


@dataclass(frozen=True)
class Rate:
    """Attendance of one group: present sessions out of the sessions recorded."""

    label: str
    present: int
    recorded: int

    @property
    def rate(self) -> float:
        return self.present / self.recorded if self.recorded else 0.0


def _count_where(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def upcoming_courses(today: date, limit: int = 20) -> list[CourseLoad]:
    """Draft, published and closed courses that have not ended, soonest first, with seat counts."""
    counts = (
        select(
            Enrollment.course_id.label("course_id"),
            _count_where(Enrollment.status == EnrollmentStatus.CONFIRMED).label("confirmed"),
            _count_where(Enrollment.status == EnrollmentStatus.PENDING).label("pending"),
            _count_where(Enrollment.status == EnrollmentStatus.WAITLISTED).label("waitlisted"),
        )
        .group_by(Enrollment.course_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Course, counts.c.confirmed, counts.c.pending, counts.c.waitlisted)
        .options(joinedload(Course.organizing_unit))
        .outerjoin(counts, counts.c.course_id == Course.id)
        .where(Course.status.in_(ACTIVE_STATUSES), Course.ends_on >= today)
        .order_by(Course.starts_on, Course.id)
        .limit(limit)
    ).all()
    return [CourseLoad(course, confirmed or 0, pending or 0, waitlisted or 0)
            for course, confirmed, pending, waitlisted in rows]


def pending_approvals(today: date) -> int:
    """Registrations waiting for a decision, in courses that have not ended or been cancelled."""
    return db.session.scalar(
        select(func.count())
        .select_from(Enrollment)
        .join(Course, Course.id == Enrollment.course_id)
        .where(Enrollment.status == EnrollmentStatus.PENDING,
               Course.status.in_(ACTIVE_STATUSES), Course.ends_on >= today)
    ) or 0


def courses_with_attendance() -> list[tuple[int, str]]:
    """(id, «code · title») of the courses that have attendance recorded, newest first."""
    rows = db.session.execute(
        select(Course.id, Course.code, Course.title)
        .where(Course.id.in_(
            select(CourseSession.course_id).join(Attendance, Attendance.session_id == CourseSession.id)
        ))
        .order_by(Course.starts_on.desc(), Course.id.desc())
    ).all()
    return [(course_id, f"{code} · {title}") for course_id, code, title in rows]


def _attendance_counts(*group_by, course_id: int | None = None):
    present = _count_where(Attendance.status == AttendanceStatus.PRESENT)
    statement = (
        select(*group_by, present.label("present"), func.count(Attendance.id).label("recorded"))
        .join(CourseSession, CourseSession.id == Attendance.session_id)
        .group_by(*group_by)
    )
    if course_id is not None:
        statement = statement.where(CourseSession.course_id == course_id)
    return statement


def attendance_by_topic(course_id: int | None = None) -> list[Rate]:
    """Attendance rate per topic (topic sessions only), in the catalogue's order."""
    statement = (
        _attendance_counts(Topic.id, Topic.name, Topic.sort_order, course_id=course_id)
        .join(Topic, Topic.id == CourseSession.topic_id)
        .where(CourseSession.kind == SessionKind.TOPIC)
        .order_by(Topic.sort_order, Topic.name)
    )
    return [Rate(name, int(present), int(recorded))
            for _id, name, _order, present, recorded in db.session.execute(statement)]


def attendance_by_organization(course_id: int | None = None) -> list[Rate]:
    """Attendance rate per grassroots organization (a cell counts with the organization above it)."""
    statement = (
        _attendance_counts(User.organization_id, course_id=course_id)
        .join(Enrollment, Enrollment.id == Attendance.enrollment_id)
        .join(User, User.id == Enrollment.user_id)
    )
    counts = db.session.execute(statement).all()
    organizations = {org.id: org for org in db.session.scalars(select(Organization))}

    def grassroots(org_id):
        org = organizations.get(org_id)
        while org is not None and org.kind == OrganizationKind.CELL and org.parent_id in organizations:
            org = organizations[org.parent_id]
        return org

    totals: dict[int | None, list[int]] = {}
    for org_id, present, recorded in counts:
        org = grassroots(org_id)
        key = org.id if org is not None else None
        total = totals.setdefault(key, [0, 0])
        total[0] += int(present)
        total[1] += int(recorded)
    rates = [Rate(organizations[key].name if key is not None else "", present, recorded)
             for key, (present, recorded) in totals.items()]
    return sorted(rates, key=lambda rate: (-rate.rate, rate.label))
