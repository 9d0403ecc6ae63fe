"""The roster read back: filtered and paged in person order, counted by status and by
organization, and printed as a sign-in sheet.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from courses.auth.models import User
from courses.enrollment.models import ACTIVE_STATUSES, Enrollment
from courses.enums import EnrollmentStatus, SessionKind
from courses.exceptions import DomainError
from courses.extensions import db
from courses.organizations.models import Organization
from courses.pagination import ListPagination
from courses.scheduling.models import Course, CourseSession
from courses.text import name_key, person_key

# ---------------------------------------------------------------- the organizer's courses

def course_with_unit(course_id: int) -> Course | None:
    """The course with its organizing unit loaded (every organizer page names the unit)."""
    return db.session.scalar(select(Course).options(joinedload(Course.organizing_unit))
                             .where(Course.id == course_id))


def courses_with_counts() -> list:
    """(course, confirmed, pending, waitlisted) for every course, newest first, in one query."""
    return db.session.execute(
        select(Course, func.count(Enrollment.id).filter(Enrollment.status == EnrollmentStatus.CONFIRMED),
               func.count(Enrollment.id).filter(Enrollment.status == EnrollmentStatus.PENDING),
               func.count(Enrollment.id).filter(Enrollment.status == EnrollmentStatus.WAITLISTED))
        .outerjoin(Enrollment, Enrollment.course_id == Course.id)
        .group_by(Course.id)
        .order_by(Course.starts_on.desc(), Course.id.desc())
    ).all()


def topic_sessions(course_id: int) -> list[CourseSession]:
    """The course's topic sessions with their topics, in one query (a sign-in sheet link each)."""
    return list(db.session.scalars(
        select(CourseSession).options(joinedload(CourseSession.topic))
        .where(CourseSession.course_id == course_id, CourseSession.kind == SessionKind.TOPIC)
        .order_by(CourseSession.starts_at, CourseSession.id)
    ))


# ---------------------------------------------------------------- roster queries

def _roster_filters(statement, course_id: int, status: str | None, organization_id: int | None,
                    query: str | None):
    statement = statement.where(Enrollment.course_id == course_id)
    if status in {s.value for s in EnrollmentStatus}:
        statement = statement.where(Enrollment.status == EnrollmentStatus(status))
    if organization_id:
        statement = statement.where(Enrollment.quota_organization_id == organization_id)
    if query:
        like = f"%{query.strip().lower()}%"
        statement = statement.where(or_(User.email.like(like), func.lower(User.full_name).like(like),
                                        User.full_name.ilike(f"%{query.strip()}%")))
    return statement


def roster_statement(course_id: int, *, status: str | None = None, organization_id: int | None = None,
                     query: str | None = None):
    """The roster's SELECT, filtered by status, grassroots organization and a name/email search.

    Unordered: the database's collation cannot put «Đỗ» before «Vương»; read it through
    sorted_roster (or roster_page), which apply courses.text.person_key.
    """
    statement = (
        select(Enrollment)
        .join(Enrollment.user)
        # The user loaded from the join that searches: a joinedload would join the
        # users table a second time (PostgreSQL hashed all 20,000 users for it, 3x the time).
        .options(contains_eager(Enrollment.user).joinedload(User.organization),
                 joinedload(Enrollment.quota_organization))
    )
    return _roster_filters(statement, course_id, status, organization_id, query)


def sorted_roster(course_id: int, **filters) -> list[Enrollment]:
    """Every enrollment the roster selects, in the one order of lists of people (person_key)."""
    return sorted(db.session.scalars(roster_statement(course_id, **filters)), key=lambda e: person_key(e.user))


def roster_page(course_id: int, page: int, per_page: int, **filters) -> ListPagination:
    """One page of the roster in person_key order: names and ids of all to sort, then the
    page's enrollments in full (two queries whatever the size of the course)."""
    names = db.session.execute(_roster_filters(
        select(Enrollment.id, User.full_name, User.id).select_from(Enrollment)
        .join(User, Enrollment.user_id == User.id), course_id, filters.get("status"),
        filters.get("organization_id"), filters.get("query"))).all()
    names.sort(key=lambda row: name_key(row[1], row[2]))
    pagination = ListPagination([row[0] for row in names], page, per_page)
    shown = {e.id: e for e in db.session.scalars(
        roster_statement(course_id).where(Enrollment.id.in_(pagination.items or [-1])))}
    pagination.items = [shown[i] for i in pagination.items if i in shown]
    return pagination


def counts_by_status(course_id: int) -> dict[EnrollmentStatus, int]:
    """How many registrations are in each status."""
    rows = db.session.execute(
        select(Enrollment.status, func.count()).where(Enrollment.course_id == course_id)
        .group_by(Enrollment.status)).all()
    found = dict(rows)
    return {status: found.get(status, 0) for status in EnrollmentStatus}


def counts_by_organization(course_id: int) -> list[tuple[Organization | None, int, int]]:
    """(grassroots organization, active registrations, confirmed) for each organization present."""
    rows = db.session.execute(
        select(Enrollment.quota_organization_id, Enrollment.status, func.count())
        .where(Enrollment.course_id == course_id, Enrollment.status.in_(ACTIVE_STATUSES))
        .group_by(Enrollment.quota_organization_id, Enrollment.status)).all()
    totals: dict[int | None, list[int]] = {}
    for org_id, status, n in rows:
        entry = totals.setdefault(org_id, [0, 0])
        entry[0] += n
        if status == EnrollmentStatus.CONFIRMED:
            entry[1] += n
    orgs = {o.id: o for o in db.session.scalars(
        select(Organization).where(Organization.id.in_([k for k in totals if k] or [-1])))}
    result = [(orgs.get(k), v[0], v[1]) for k, v in totals.items()]
    result.sort(key=lambda r: (r[0] is None, r[0].sort_order if r[0] else 0, r[0].name if r[0] else ""))
    return result


def confirmed_roster(course_id: int) -> list[Enrollment]:
    """Confirmed participants with their user and organizations, for sheets and exports."""
    return sorted_roster(course_id, status=EnrollmentStatus.CONFIRMED.value)



# ---------------------------------------------------------------- printed and exported lists

def course_by_code(code: str) -> Course | None:
    """The course with this code (for the command line)."""
    return db.session.scalar(select(Course).where(Course.code == code.strip()))


def sign_in_sheet_pdf(course: Course, session_id: int | None = None) -> bytes:
    """The sign-in sheet of the course, or of one of its sessions, as PDF bytes."""
    from courses.enrollment.exports import sign_in_groups
    from courses.enrollment.pdf import SignInSheet, render_sign_in_sheet
    from courses.formatting import clock, weekday_date
    from courses.scheduling.models import CourseSession

    if session_id is not None:
        item = db.session.get(CourseSession, session_id)
        if item is None or item.course_id != course.id:
            raise DomainError(_("Không tìm thấy buổi học này trong lớp."))
        subtitle = f"{item.kind.label}: {item.display_title} · {clock(item.starts_at)}–{clock(item.ends_at)}, " \
                   f"{weekday_date(item.starts_at)}"
        if item.speaker is not None:
            subtitle += f" · {_('Báo cáo viên')}: {item.speaker.full_name}"
    else:
        days = weekday_date(course.starts_on)
        if course.ends_on != course.starts_on:
            days += " – " + weekday_date(course.ends_on)
        subtitle = f"{days} · {course.venue}" if course.venue else days
    sheet = SignInSheet(
        organization=course.organizing_unit.name,
        title=_("DANH SÁCH HỌC VIÊN KÝ TÊN"),
        course_title=f"{course.title} ({course.code})",
        subtitle=subtitle,
        groups=sign_in_groups(confirmed_roster(course.id)),
    )
    return render_sign_in_sheet(sheet)
