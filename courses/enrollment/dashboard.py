"""«Khóa học của tôi»: a participant's courses, upcoming in full, past a page at a time.

A cadre who has taken sixty courses should not download sixty timetables to see next
week's: upcoming courses show their timetable, attendance and materials; past courses
come ten to a page (newest first), each with the same details. Everything a page shows is
read in a fixed number of queries whatever the number of courses.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from courses.attendance.models import Attendance
from courses.certificates.models import Certificate
from courses.db_types import among_ids
from courses.enrollment.models import Enrollment
from courses.enums import AttendanceStatus, CourseState, EnrollmentStatus, SessionKind, Visibility
from courses.extensions import db
from courses.pagination import ListPagination
from courses.scheduling.models import (
    Course,
    CourseSession,
    Material,
    Speaker,
    Topic,
    course_state,
    session_title,
)

PAST_PER_PAGE = 10


@dataclass(slots=True)
class AgendaRow:
    """A row of a course's timetable as the dashboard shows it."""

    id: int
    kind: SessionKind
    title: str  # the session's own, else its topic's, else its kind's
    speaker_name: str | None  # of a topic session
    starts_at: datetime
    ends_at: datetime
    room: str


@dataclass
class DashboardEntry:
    """One of the participant's courses with what the dashboard shows of it."""

    enrollment: Enrollment
    course: Course
    can_cancel: bool
    timetable: list[AgendaRow] = field(default_factory=list)
    materials: list[Material] = field(default_factory=list)
    attendance: dict = field(default_factory=dict)  # session id → AttendanceStatus
    certificate: Certificate | None = None
    state: CourseState = CourseState.UPCOMING  # the course's, by its timetable (course_state)


@dataclass
class Dashboard:
    upcoming: list[DashboardEntry]  # not yet over, in date order: in progress, upcoming or cancelled
    past: ListPagination  # of DashboardEntry, newest first

    @property
    def in_progress(self) -> list[DashboardEntry]:
        # A course whose last session ended earlier today stays here, shown as over.
        return [e for e in self.upcoming if e.state in (CourseState.IN_PROGRESS, CourseState.PAST)]

    @property
    def cancelled(self) -> list[DashboardEntry]:
        return [e for e in self.upcoming if e.state == CourseState.CANCELLED]

    @property
    def still_upcoming(self) -> list[DashboardEntry]:
        return [e for e in self.upcoming if e.state in (CourseState.UPCOMING, CourseState.DRAFT)]


def participant_dashboard(user_id: int, today: date, past_page: int = 1) -> Dashboard:
    """The participant's upcoming courses and one page of past ones, with their details."""
    # Dates only, to sort and cut the list: the busy participant's sixty courses were read
    # in full (a thousand timestamps) to show twenty-odd of them.
    dates = db.session.execute(
        select(Enrollment.id, Course.id, Course.starts_on, Course.ends_on)
        .join(Course, Enrollment.course_id == Course.id)
        .where(Enrollment.user_id == user_id)
    ).all()
    upcoming_ids = [row[0] for row in sorted((r for r in dates if r[3] >= today), key=lambda r: (r[2], r[1]))]
    past = ListPagination([row[0] for row in sorted((r for r in dates if r[3] < today),
                                                    key=lambda r: (r[2], r[1]), reverse=True)],
                          page=past_page, per_page=PAST_PER_PAGE)
    shown = {e.id: e for e in db.session.scalars(
        select(Enrollment)
        .options(joinedload(Enrollment.course))
        .where(among_ids(Enrollment.id, upcoming_ids + past.items)))}
    entries = {enrollment_id: DashboardEntry(
        e, e.course, e.can_be_cancelled(today))
        for enrollment_id, e in shown.items()}
    upcoming = [entries[i] for i in upcoming_ids if i in entries]
    past.items = [entries[i] for i in past.items if i in entries]
    _load_details(upcoming + past.items)
    for entry in upcoming + past.items:
        timetable = entry.timetable
        entry.state = course_state(
            entry.course.status, entry.course.starts_on, entry.course.ends_on,
            min((row.starts_at for row in timetable), default=None),
            max((row.ends_at for row in timetable), default=None))
        # Nothing to cancel in a cancelled course, nor once it has begun.
        entry.can_cancel = entry.can_cancel and entry.state == CourseState.UPCOMING
    return Dashboard(upcoming, past)



def _load_details(entries: list[DashboardEntry]) -> None:
    """Timetables, materials, attendance and certificates of the shown entries: four queries."""
    course_ids = [entry.course.id for entry in entries]
    enrollment_ids = [entry.enrollment.id for entry in entries]
    # The timetable as plain rows: two hundred sessions built as ORM objects, with their
    # topics and speakers, cost more than the rest of the page's queries together.
    timetables: dict[int, list[AgendaRow]] = {course_id: [] for course_id in course_ids}
    for (session_id, course_id, kind, own_title, topic_name, speaker_name, starts_at, ends_at,
         room) in db.session.execute(
        select(CourseSession.id, CourseSession.course_id, CourseSession.kind, CourseSession.title,
               Topic.name, Speaker.full_name, CourseSession.starts_at, CourseSession.ends_at,
               CourseSession.room)
        .outerjoin(Topic, CourseSession.topic_id == Topic.id)
        .outerjoin(Speaker, CourseSession.speaker_id == Speaker.id)
        .where(among_ids(CourseSession.course_id, course_ids))
        # By course first: ordered by time alone, SQLite walked the whole timetable of every
        # course in starts_at order to pick out these two hundred rows.
        .order_by(CourseSession.course_id, CourseSession.starts_at, CourseSession.id)
    ):
        timetables[course_id].append(AgendaRow(
            session_id, kind, session_title(own_title, topic_name, kind),
            speaker_name if kind == SessionKind.TOPIC else None, starts_at, ends_at, room))
    materials: dict[int, list[Material]] = {course_id: [] for course_id in course_ids}
    for item in db.session.scalars(
        select(Material).where(among_ids(Material.course_id, course_ids)).order_by(Material.id)
    ):
        materials[item.course_id].append(item)
    # The marks as plain statuses: the page shows nothing else of them.
    attendance: dict[int, dict[int, AttendanceStatus]] = {}
    for enrollment_id, session_id, status in db.session.execute(
        select(Attendance.enrollment_id, Attendance.session_id, Attendance.status)
        .where(among_ids(Attendance.enrollment_id, enrollment_ids))
    ):
        attendance.setdefault(enrollment_id, {})[session_id] = status
    certificates = {item.enrollment_id: item for item in db.session.scalars(
        select(Certificate)
        .where(among_ids(Certificate.enrollment_id, enrollment_ids), Certificate.revoked_at.is_(None))
        .order_by(Certificate.id))}
    for entry in entries:
        entry.timetable = timetables[entry.course.id]
        visible = {Visibility.PUBLIC}
        if entry.enrollment.status == EnrollmentStatus.CONFIRMED:
            visible.add(Visibility.ENROLLED)
        entry.materials = [m for m in materials[entry.course.id] if m.visibility in visible]
        entry.attendance = attendance.get(entry.enrollment.id, {})
        entry.certificate = certificates.get(entry.enrollment.id)
