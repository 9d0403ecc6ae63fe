"""Attendance: roll call, the course's marks read for summaries (QR check-in: check_in.py,
the completion rule: completion.py)."""
from __future__ import annotations

from functools import cache
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from courses.attendance import rules

# QR self check-in lives in check_in.py; callers find it here too.
from courses.attendance.check_in import (  # noqa: E402,F401
    CheckInResult,
    active_code,
    check_in,
    checked_in,
    close_check_in,
    new_code,
    was_opened,
)
from courses.attendance.models import Attendance
from courses.attendance.rules import ATTENDED_KINDS
from courses.auth.models import User
from courses.db_types import among_ids_parameter, utcnow
from courses.enrollment.models import Enrollment
from courses.enums import (
    AttendanceMethod,
    AttendanceStatus,
    CourseStatus,
    EnrollmentStatus,
)
from courses.exceptions import DomainError
from courses.extensions import db
from courses.organizations.models import Organization
from courses.scheduling.models import Course, CourseSession
from courses.text import name_key, normalize_code, person_key, vietnamese_key  # noqa: F401  (vietnamese_key: callers import it from here)


def roster_key(user: User) -> tuple:
    return person_key(user)


def roster(course_id: int) -> list[Enrollment]:
    """Confirmed enrollments of a course with their users and organizations, in roster order."""
    enrollments = db.session.scalars(
        select(Enrollment)
        .where(Enrollment.course_id == course_id, Enrollment.status == EnrollmentStatus.CONFIRMED)
        .options(joinedload(Enrollment.user).joinedload(User.organization).joinedload(Organization.parent))
    ).all()
    return sorted(enrollments, key=lambda e: roster_key(e.user))


class RosterName(NamedTuple):
    """A confirmed participant as the attendance summary shows them: no ORM objects."""

    id: int  # the enrollment's
    user_id: int
    full_name: str


def attended_sessions(course: Course) -> list[CourseSession]:
    """The sessions of a course where attendance is taken."""
    return [s for s in course.sessions if s.kind in ATTENDED_KINDS]


def attendance_map(course_id: int) -> dict[tuple[int, int], Attendance]:
    """{(enrollment id, session id): attendance} for a course, in one query."""
    rows = db.session.scalars(
        select(Attendance).join(Enrollment, Attendance.enrollment_id == Enrollment.id)
        .where(Enrollment.course_id == course_id)
    ).all()
    return {(a.enrollment_id, a.session_id): a for a in rows}


def attendance_statuses(course_id: int, enrollment_ids: list[int] | None = None
                        ) -> dict[tuple[int, int], AttendanceStatus]:
    """{(enrollment id, session id): status} for a course, or for the given enrollments of it.

    Three columns, no objects: the summary and the completion rule need only the status;
    loading every record as an object (with its times converted) was most of a 500-person
    course's summary page.
    """
    member = {status.value: status for status in AttendanceStatus}
    if enrollment_ids is None:
        rows = db.session.execute(_statement("statuses_of_course"), {"course_id": course_id})
    else:
        rows = db.session.execute(_statement("statuses_of_enrollments"), {"enrollment_ids": list(enrollment_ids)})
    return {(enrollment_id, session_id): member[status] for enrollment_id, session_id, status in rows}


def courses_page(page: int, per_page: int):
    """Courses to take attendance for (published to finished), newest first, one page."""
    return db.paginate(
        select(Course).where(Course.status.not_in([CourseStatus.DRAFT, CourseStatus.CANCELLED]))
        .order_by(Course.starts_on.desc(), Course.id.desc()),
        page=page, per_page=per_page, error_out=False,
    )


def load_enrollment(enrollment_id: int) -> Enrollment | None:
    return db.session.get(Enrollment, enrollment_id)


def load_session(session_id: int) -> CourseSession | None:
    return db.session.scalar(
        select(CourseSession).where(CourseSession.id == session_id)
        .options(joinedload(CourseSession.course), joinedload(CourseSession.topic))
    )


def _committed_once_more_on_conflict(write):
    """Run write() and commit it.

    The roll call page saves each choice at once and also has a Save button: two requests
    may both find no record yet and both insert one. The loser breaks the unique key; it
    is run again, and then finds the winner's record and updates it.
    """
    try:
        result = write()
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        result = write()
        db.session.commit()
    return result


def mark(actor: User, session: CourseSession, enrollment_id: int, status: AttendanceStatus,
         method: AttendanceMethod = AttendanceMethod.ROLL_CALL, commit: bool = True) -> Attendance:
    """Record one participant's presence at a session (roll call); returns the attendance.

    A change is audited (before and after) in the same transaction; the course's attendance
    must not be locked.
    """
    if commit:
        rules.require_attended(session)
        rules.require_open(session.course_id)
        return _committed_once_more_on_conflict(
            lambda: mark(actor, session, enrollment_id, status, method, commit=False))
    rules.require_attended(session)
    enrollment = db.session.get(Enrollment, enrollment_id)
    if (enrollment is None or enrollment.course_id != session.course_id
            or enrollment.status != EnrollmentStatus.CONFIRMED):
        raise DomainError(_("Học viên này không có trong danh sách lớp."))
    attendance = db.session.scalar(
        select(Attendance).where(Attendance.enrollment_id == enrollment.id,
                                 Attendance.session_id == session.id)
    )
    before = attendance.status if attendance is not None else None
    if attendance is None:
        attendance = Attendance(enrollment_id=enrollment.id, session_id=session.id)
        db.session.add(attendance)
    if attendance.status != status or attendance.id is None:
        attendance.status = status
        attendance.method = method
        attendance.recorded_by_id = actor.id
        attendance.recorded_at = utcnow()
        db.session.flush()  # a conflicting record of another request shows here, inside the retry
        rules.audit_change(actor, "attendance.mark", attendance, before)
    return attendance


def mark_many(actor: User, session: CourseSession, statuses: dict[int, AttendanceStatus]) -> int:
    """Record many participants at once (the plain form); returns how many were given."""
    rules.require_attended(session)
    rules.require_open(session.course_id)

    def write():
        for enrollment_id, status in statuses.items():
            mark(actor, session, enrollment_id, status, commit=False)
        return len(statuses)

    return _committed_once_more_on_conflict(write)


def unmarked(session: CourseSession) -> list[Enrollment]:
    """The confirmed participants without any record at a session yet, in roster order."""
    marked = set(db.session.scalars(select(Attendance.enrollment_id).where(Attendance.session_id == session.id)))
    return [enrollment for enrollment in roster(session.course_id) if enrollment.id not in marked]


def mark_all_present(actor: User, session: CourseSession) -> list[int]:
    """Everyone on the roster without a record yet becomes present; every explicit mark
    (absent, leave with permission, present) stays. Returns the enrollment ids marked."""
    rules.require_attended(session)
    rules.require_open(session.course_id)

    def write():
        added = [Attendance(enrollment_id=enrollment.id, session_id=session.id, status=AttendanceStatus.PRESENT,
                            method=AttendanceMethod.ROLL_CALL, recorded_by_id=actor.id, recorded_at=utcnow())
                 for enrollment in unmarked(session)]
        db.session.add_all(added)
        db.session.flush()
        for attendance in added:
            rules.audit_change(actor, "attendance.all_present", attendance, None)
        return [attendance.enrollment_id for attendance in added]

    return _committed_once_more_on_conflict(write)


def roll_call_tally(enrollments: list[Enrollment], marks: dict[tuple[int, int], Attendance],
                    session_id: int) -> int:
    """How many of the roster have a record at the session."""
    return sum(1 for enrollment in enrollments if (enrollment.id, session_id) in marks)


def unit_label(enrollment: Enrollment) -> str:
    """«Chi bộ Vụ Tổng hợp – Đảng bộ Bộ Nội vụ»: a participant's unit and the organization it belongs to."""
    organization = enrollment.user.organization
    if organization is None:
        return ""
    if organization.parent is not None:
        return f"{organization.name} – {organization.parent.name}"
    return organization.name


# --- Summaries (the completion rule is completion.py's) ------------------------------------

# The summary's statements are built once per database kind and run with parameters:
# building a statement with its joins and loader options cost as much CPU as running it.
@cache
def _summary_statements(dialect_name: str) -> dict:
    course = (
        select(Course).where(Course.id == sa.bindparam("course_id"))
        .options(joinedload(Course.sessions).joinedload(CourseSession.topic),
                 joinedload(Course.sessions).joinedload(CourseSession.speaker),
                 joinedload(Course.organizing_unit))
    )
    # The status read as its stored text and looked up here: SQLAlchemy's Enum result
    # processing costs more per row than everything else this query does.
    status_columns = (Attendance.enrollment_id, Attendance.session_id, sa.type_coerce(Attendance.status, sa.String()))
    statuses_of_course = (select(*status_columns).join(Enrollment, Attendance.enrollment_id == Enrollment.id)
                          .where(Enrollment.course_id == sa.bindparam("course_id")))
    # Enrollments of this course (the caller's rows): no join needed to keep to it.
    statuses_of_enrollments = select(*status_columns).where(
        among_ids_parameter(Attendance.enrollment_id, "enrollment_ids", dialect_name))
    return {"course": course, "statuses_of_course": statuses_of_course,
            "statuses_of_enrollments": statuses_of_enrollments}


def _statement(name: str):
    return _summary_statements(db.engine.dialect.name)[name]


def course_with_sessions(course_id: int) -> Course | None:
    """A course with its timetable, in one round trip (a timetable is a handful of rows)."""
    return db.session.scalars(_statement("course"), {"course_id": course_id}).unique().one_or_none()
