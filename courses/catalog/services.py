"""Queries behind the public catalogue."""
from __future__ import annotations

from datetime import date
from functools import cache
from typing import NamedTuple

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from courses.enrollment.models import Enrollment
from courses.enums import CourseState, CourseStatus, EnrollmentStatus
from courses.extensions import db
from courses.organizations.models import Organization
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
    """Listed courses to everyone; drafts to staff; cancelled ones to staff and the people enrolled."""
    if course.status in LISTED_STATUSES or is_staff(user):
        return True
    if course.status == CourseStatus.CANCELLED and user is not None and user.is_authenticated:
        return db.session.scalar(select(Enrollment.id).where(
            Enrollment.course_id == course.id, Enrollment.user_id == user.id)) is not None
    return False


def sessions_by_day(course: Course) -> list[tuple[date, list[CourseSession]]]:
    """The course's sessions grouped by local calendar day, in time order."""
    from courses.formatting import to_local

    days: dict[date, list[CourseSession]] = {}
    for item in course.sessions:
        days.setdefault(to_local(item.starts_at).date(), []).append(item)
    return sorted(days.items())


def catalogue_statement(today: date, query: str = "", topic_id: int | None = None,
                        unit_id: int | None = None, month: tuple[int, int] | None = None):
    """Listed courses matching the filters: those not yet over first (soonest), then past ones (latest)."""
    from sqlalchemy import and_, case, exists

    statement = select(Course).options(joinedload(Course.organizing_unit)).where(
        Course.status.in_(LISTED_STATUSES))
    if query:
        statement = statement.where(Course.title.ilike(f"%{query}%") | Course.code.ilike(f"%{query}%"))
    if topic_id:
        statement = statement.where(exists().where(
            and_(CourseSession.course_id == Course.id, CourseSession.topic_id == topic_id)))
    if unit_id:
        statement = statement.where(Course.organizing_unit_id == unit_id)
    if month:
        year, number = month
        first = date(year, number, 1)
        after = date(year + (number == 12), number % 12 + 1, 1)
        # A course "in a month" runs on at least one of its days.
        statement = statement.where(Course.starts_on < after, Course.ends_on >= first)
    upcoming = Course.ends_on >= today
    return statement.order_by(
        case((upcoming, 0), else_=1),
        case((upcoming, Course.starts_on), else_=None),
        Course.starts_on.desc(),
        Course.id,
    )


def catalogue_page(statement, page: int, per_page: int):
    """One page of the catalogue's statement (catalogue_statement)."""
    return db.paginate(statement, page=page, per_page=per_page, error_out=False)


def organizing_units() -> list[Organization]:
    """The units that organize at least one course, by name (the catalogue's filter)."""
    return list(db.session.scalars(
        select(Organization).where(Organization.id.in_(select(Course.organizing_unit_id)))
        .order_by(Organization.name)))


def parse_month(value: str | None) -> tuple[int, int] | None:
    """«2026-12» as (2026, 12); anything else None."""
    try:
        year, number = (int(part) for part in (value or "").split("-"))
    except ValueError:
        return None
    if 1 <= number <= 12 and 2000 <= year <= 2200:
        return year, number
    return None


class CoursePage(NamedTuple):
    """A course with its timetable and materials loaded, and its confirmed seats."""

    course: Course
    confirmed: int


@cache
def _course_page_statements():
    from courses.scheduling.models import Material

    course = (
        select(Course, select(func.count()).select_from(Enrollment)
               # The id itself, not Course.id: an uncorrelated subquery counts once, not per session row.
               .where(Enrollment.course_id == bindparam("course_id"),
                      Enrollment.status == EnrollmentStatus.CONFIRMED)
               .scalar_subquery())
        .options(
            joinedload(Course.organizing_unit),
            joinedload(Course.sessions).joinedload(CourseSession.topic),
            joinedload(Course.sessions).joinedload(CourseSession.speaker),
        )
        .where(Course.id == bindparam("course_id"))
    )
    materials = select(Material).where(Material.course_id == bindparam("course_id")).order_by(Material.id)
    return course, materials


def course_page(course_id: int) -> CoursePage | None:
    """A course with its timetable, materials and confirmed seats, in two queries.

    The timetable (a day's handful of sessions) and the seat count come with the course,
    not in queries of their own: on PostgreSQL each round trip costs more than the rows
    it saves. A material's session is one of those already loaded (no join for it). The
    statements are built once: building one with its loader options cost more CPU than
    running it (1.9 → 1.1 ms for the page's queries).
    """
    course_statement, materials_statement = _course_page_statements()
    row = db.session.execute(course_statement, {"course_id": course_id}).unique().one_or_none()
    if row is None:
        return None
    # Set as the course's loaded collection: a plain query costs a third less than selectinload's.
    set_committed_value(row[0], "materials", list(db.session.scalars(materials_statement, {"course_id": course_id})))
    return CoursePage(row[0], row[1] or 0)


def confirmed_courses(user) -> list[Course]:
    """The courses where user holds a confirmed seat, with their sessions."""
    return list(db.session.scalars(
        select(Course)
        .join(Enrollment, Enrollment.course_id == Course.id)
        .options(selectinload(Course.sessions).joinedload(CourseSession.topic),
                 selectinload(Course.sessions).joinedload(CourseSession.speaker))
        .where(Enrollment.user_id == user.id, Enrollment.status == EnrollmentStatus.CONFIRMED,
               Course.status.in_(LISTED_STATUSES + (CourseStatus.CANCELLED,)))
        .order_by(Course.starts_on)
    ))


def calendar_events(course: Course, base_url: str = "") -> list:
    """One calendar event per session of course."""
    from flask_babel import gettext as _

    from courses.scheduling.calendar import CalendarEvent

    cancelled = course.display_state == CourseState.CANCELLED
    events = []
    for item in course.sessions:
        people = []
        if cancelled:  # the reason first: a calendar shows little more than the summary
            people.append(_("Lớp đã hủy. Lý do: %(reason)s", reason=course.cancel_reason or ""))
        if item.speaker is not None:
            people.append(f"{item.speaker.full_name}" + (f" — {item.speaker.title}" if item.speaker.title else ""))
        if item.presided_by:
            people.append(item.presided_by)
        if item.guiding_speech_by:
            people.append(item.guiding_speech_by)
        location = ", ".join(part for part in (item.room, course.venue) if part)
        events.append(CalendarEvent(
            uid=f"course-{course.id}-session-{item.id}@boiduong",
            summary=(f"[{CourseState.CANCELLED.label}] " if cancelled else "")
            + f"{item.display_title} · {course.title}",
            starts_at=item.starts_at, ends_at=item.ends_at, location=location,
            description="\n".join(people), url=f"{base_url}/courses/{course.id}" if base_url else "",
            status="CANCELLED" if cancelled else "CONFIRMED",
        ))
    return events


def programme_for(course: Course):
    """The plain data of the printable programme (labels translated here, drawn by scheduling.pdf)."""
    from flask_babel import gettext as _

    from courses.formatting import clock, weekday_date
    from courses.scheduling.pdf import Programme, ProgrammeDay, ProgrammeRow

    days = []
    for day, items in sessions_by_day(course):
        rows = [ProgrammeRow(
            time=f"{clock(item.starts_at)}–{clock(item.ends_at)}", kind=item.kind.value,
            title=item.display_title, speaker=item.speaker.full_name if item.speaker else "",
            speaker_title=item.speaker.title if item.speaker else "", room=item.room,
            presided_by=item.presided_by, guiding_speech_by=item.guiding_speech_by,
        ) for item in items]
        days.append(ProgrammeDay(heading=weekday_date(day), rows=rows))
    dates = weekday_date(course.starts_on)
    if course.ends_on != course.starts_on:
        dates += " – " + weekday_date(course.ends_on)
    return Programme(
        organizer=course.organizing_unit.name, title=course.title, dates=dates, venue=course.venue, days=days,
        labels={"heading": _("CHƯƠNG TRÌNH"), "time": _("Thời gian"), "content": _("Nội dung"),
                "speaker": _("Báo cáo viên / Chủ trì"), "venue": _("Địa điểm"), "presides": _("Chủ trì"),
                "speech": _("Phát biểu chỉ đạo"), "topic": _("Chuyên đề"), "room": _("Phòng")},
    )
