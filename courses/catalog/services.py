"""Queries behind the public catalogue."""
from __future__ import annotations

from datetime import date
from functools import cache

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload

from courses.enrollment.models import Enrollment
from courses.enums import CourseStatus, EnrollmentStatus
from courses.extensions import db
from courses.permissions import is_staff
from courses.scheduling.models import Course, CourseSession

LISTED_STATUSES = (CourseStatus.PUBLISHED, CourseStatus.CLOSED, CourseStatus.FINISHED)


# The listing statements are built once, on first use (their values are bound per call):
# building a select() with its options costs about as much as running it on a warm database.
@cache
def _upcoming_statement():
    return (
        select(Course)
        .options(joinedload(Course.organizing_unit))
        .where(Course.status.in_((CourseStatus.PUBLISHED, CourseStatus.CLOSED)),
               Course.ends_on >= bindparam("today"))
        .order_by(Course.starts_on, Course.id)
        .limit(bindparam("limit"))
    )


@cache
def _recent_statement():
    return (
        select(Course)
        .options(joinedload(Course.organizing_unit))
        .where(Course.status.in_(LISTED_STATUSES), Course.ends_on < bindparam("today"))
        .order_by(Course.starts_on.desc(), Course.id.desc())
        .limit(bindparam("limit"))
    )


def upcoming_courses(today: date, limit: int = 20) -> list[Course]:
    """Published or closed courses that have not ended, soonest first."""
    return list(db.session.scalars(_upcoming_statement(), {"today": today, "limit": limit}))


def recent_courses(today: date, limit: int = 10) -> list[Course]:
    """Courses already held, most recent first."""
    return list(db.session.scalars(_recent_statement(), {"today": today, "limit": limit}))


def can_view_course(user, course: Course) -> bool:
    """Drafts and cancelled courses are shown to staff; listed courses to everyone."""
    return course.status in LISTED_STATUSES or is_staff(user)


@cache
def _course_statement():
    return (
        select(Course)
        .options(
            joinedload(Course.organizing_unit),
            # One round trip for the course and its timetable: a timetable is tens of rows.
            joinedload(Course.sessions).joinedload(CourseSession.topic),
            joinedload(Course.sessions).joinedload(CourseSession.speaker),
        )
        .where(Course.id == bindparam("course_id"))
    )


@cache
def _confirmed_count_statement():
    return select(func.count()).select_from(Enrollment).where(
        Enrollment.course_id == bindparam("course_id"), Enrollment.status == EnrollmentStatus.CONFIRMED
    )


def course_with_timetable(course_id: int) -> Course | None:
    """A course with its sessions, topics and speakers loaded in a fixed number of queries."""
    return db.session.scalars(_course_statement(), {"course_id": course_id}).unique().one_or_none()


def confirmed_count(course_id: int) -> int:
    """How many participants hold a confirmed seat."""
    return db.session.scalar(_confirmed_count_statement(), {"course_id": course_id}) or 0


def sessions_by_day(course: Course) -> list[tuple[date, list[CourseSession]]]:
    """The course's sessions grouped by local calendar day, in time order."""
    from courses.formatting import to_local

    days: dict[date, list[CourseSession]] = {}
    for item in course.sessions:
        days.setdefault(to_local(item.starts_at).date(), []).append(item)
    return sorted(days.items())
