"""The completion rule, in one place: who completed a course (all its topic sessions, or at
least a minimum), why not, and how many did, counted in SQL for a summary and per person
in Python for the page on screen (both through meets_rule)."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy import select

from courses.attendance import services
from courses.attendance.models import Attendance
from courses.audit.services import record
from courses.auth.models import User
from courses.db_types import among_ids_parameter
from courses.enrollment.models import Enrollment
from courses.enums import AttendanceStatus, CompletionRule, EnrollmentStatus, SessionKind
from courses.exceptions import DomainError
from courses.extensions import db
from courses.scheduling.models import Course
from courses.text import name_key


@cache
def _progress_statement(dialect_name: str):
    """Each confirmed participant with the number of topic sessions they were present at."""
    # Records of the course's own topic sessions: the join below keeps the confirmed.
    present = (
        select(Attendance.enrollment_id, sa.func.count().label("topics"))
        .where(among_ids_parameter(Attendance.session_id, "topic_ids", dialect_name),
               Attendance.status == AttendanceStatus.PRESENT)
        .group_by(Attendance.enrollment_id)
    ).subquery()
    return (
        select(Enrollment.id, User.id, User.full_name, sa.func.coalesce(present.c.topics, 0))
        .join(User, Enrollment.user_id == User.id)
        .outerjoin(present, present.c.enrollment_id == Enrollment.id)
        .where(Enrollment.course_id == sa.bindparam("course_id"), Enrollment.status == EnrollmentStatus.CONFIRMED)
    )


@dataclass
class Completion:
    """Whether one participant meets the course's completion rule, and why not."""

    enrollment: Enrollment | services.RosterName
    present_topics: int
    topic_count: int
    required: int
    qualifies: bool
    reasons: list[str] = field(default_factory=list)


def required_topics(course: Course, topic_count: int) -> int:
    if course.completion_rule == CompletionRule.MIN_TOPICS and course.completion_min_topics:
        return min(course.completion_min_topics, topic_count) if topic_count else course.completion_min_topics
    return topic_count


def meets_rule(present_topics: int, topic_count: int, required: int) -> bool:
    """The rule itself, for the SQL count and the per-person loop alike: a course without topic
    sessions completes no one."""
    return topic_count > 0 and present_topics >= required


def qualified_count(course: Course) -> int:
    """How many confirmed participants meet the course's completion rule (see roster_progress)."""
    return roster_progress(course).qualified


class RosterProgress(NamedTuple):
    names: list[services.RosterName]  # the confirmed participants, in roster order
    qualified: int  # how many of them meet the completion rule


def roster_progress(course: Course) -> RosterProgress:
    """The confirmed participants in roster order, and how many meet the rule: one query.

    The rule of completions(), counted with the database's help: each name comes with the
    number of topic sessions its participant was present at. A summary shows the total for
    the whole course while it works out each participant's reasons only for the page on
    screen.
    """
    topic_ids = [s.id for s in course.sessions if s.kind == SessionKind.TOPIC]
    rows = db.session.execute(_progress_statement(db.engine.dialect.name),
                              {"course_id": course.id, "topic_ids": topic_ids or [-1]}).all()
    names = sorted((services.RosterName(*row[:3]) for row in rows), key=lambda row: name_key(row.full_name, row.user_id))
    if not topic_ids:
        return RosterProgress(names, 0)
    required = required_topics(course, len(topic_ids))
    return RosterProgress(names, sum(1 for row in rows if meets_rule(row[3], len(topic_ids), required)))


def completions(course: Course, enrollments: list[Enrollment] | list[services.RosterName] | None = None,
                statuses: dict[tuple[int, int], AttendanceStatus] | None = None) -> list[Completion]:
    """The completion rule applied to every confirmed participant, in roster order.

    enrollments may be Enrollment objects or RosterName rows: only their id is read.
    """
    enrollments = services.roster(course.id) if enrollments is None else enrollments
    statuses = services.attendance_statuses(course.id) if statuses is None else statuses
    topics = [s for s in course.sessions if s.kind == SessionKind.TOPIC]
    required = required_topics(course, len(topics))
    # Each text translated once, not once per participant: a 500-person course asked
    # Flask-Babel for the same few strings thousands of times.
    state_labels = {status: status.label for status in AttendanceStatus}
    not_recorded = _("chưa điểm danh")
    if course.completion_rule == CompletionRule.MIN_TOPICS:
        shortfall = _("Có mặt %(present)d/%(total)d chuyên đề, cần ít nhất %(required)d.")
    else:
        shortfall = _("Cần có mặt tất cả %(total)d chuyên đề.")
    absent_from = _("Không có mặt: %(list)s")
    results = []
    for enrollment in enrollments:
        present, missed = 0, []
        for session in topics:
            status = statuses.get((enrollment.id, session.id))
            if status == AttendanceStatus.PRESENT:
                present += 1
            else:
                state = state_labels[status] if status is not None else not_recorded
                missed.append(f"{session.display_title} ({state})")
        qualifies = meets_rule(present, len(topics), required)
        reasons = []
        if not topics:
            reasons.append(_("Lớp chưa có chuyên đề nào."))
        elif not qualifies:
            reasons.append(shortfall % {"present": present, "total": len(topics), "required": required})
            reasons.append(absent_from % {"list": "; ".join(missed)})
        results.append(Completion(enrollment, present, len(topics), required, qualifies, reasons))
    return results


def set_completion_rule(actor: User, course: Course, rule: CompletionRule, min_topics: int | None) -> None:
    """Change a course's completion rule."""
    before = {"rule": course.completion_rule.value, "min_topics": course.completion_min_topics}
    if rule == CompletionRule.MIN_TOPICS:
        if not min_topics or min_topics < 1:
            raise DomainError(_("Vui lòng nhập số chuyên đề tối thiểu (từ 1 trở lên)."), field="min_topics")
        # A rule no one can meet would leave every participant without a certificate.
        topic_count = course.topic_session_count
        if not topic_count:
            raise DomainError(_("Lớp chưa có buổi chuyên đề nào: hãy xếp chuyên đề vào thời khóa biểu "
                                "trước khi đặt số chuyên đề tối thiểu."), field="min_topics")
        if min_topics > topic_count:
            raise DomainError(_("Lớp chỉ có %(count)d chuyên đề.", count=topic_count), field="min_topics")
        course.completion_min_topics = min_topics
    else:
        course.completion_min_topics = None
    course.completion_rule = rule
    record(actor, "course.completion_rule", course, before=before,
           after={"rule": rule.value, "min_topics": course.completion_min_topics})
    db.session.commit()
