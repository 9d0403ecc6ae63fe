"""The timetable: a course's sessions, added, changed and deleted without clashes of room or speaker."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from courses.audit.services import changed, record, snapshot
from courses.enums import CompletionRule, CourseStatus, SessionKind
from courses.exceptions import DomainError
from courses.extensions import db
from courses.formatting import clock, short_date, to_local
from courses.scheduling import files
from courses.scheduling.changes import EDITABLE_STATUSES, MATERIAL_FIELDS, SESSION_FIELDS, require_staff
from courses.scheduling.models import Course, CourseSession, Material


@dataclass
class SessionData:
    """What the timetable editor sends."""

    kind: SessionKind
    starts_at: datetime
    ends_at: datetime
    title: str = ""
    topic_id: int | None = None
    speaker_id: int | None = None
    room: str = ""
    presided_by: str = ""
    guiding_speech_by: str = ""


def within(starts_at: datetime, ends_at: datetime, first: date, last: date) -> bool:
    """Whether a session runs forward and falls, in local time, between the days first and last."""
    return to_local(starts_at).date() >= first and to_local(ends_at).date() <= last \
        and to_local(ends_at) > to_local(starts_at)


def when(item: CourseSession) -> str:
    """A session's time and day as the messages quote it."""
    return f"{clock(item.starts_at)}–{clock(item.ends_at)} {short_date(item.starts_at)}"


def check_conflicts(item: CourseSession, course: Course) -> None:
    """Refuse a session that ends before it starts, leaves the course dates, or clashes."""
    if item.ends_at <= item.starts_at:
        raise DomainError(_("Giờ kết thúc phải sau giờ bắt đầu."), field="end_time")
    if not within(item.starts_at, item.ends_at, course.starts_on, course.ends_on):
        raise DomainError(
            _("Buổi học phải nằm trong thời gian của lớp (%(first)s – %(last)s).",
              first=short_date(course.starts_on), last=short_date(course.ends_on)),
            field="day",
        )
    if item.kind == SessionKind.TOPIC and item.topic_id is None and item.topic is None:
        raise DomainError(_("Buổi chuyên đề cần chọn chuyên đề."), field="topic_id")
    overlapping = (
        select(CourseSession)
        .join(Course, CourseSession.course_id == Course.id)
        .options(joinedload(CourseSession.course), joinedload(CourseSession.speaker),
                 joinedload(CourseSession.topic))
        .where(CourseSession.starts_at < item.ends_at, CourseSession.ends_at > item.starts_at,
               Course.status != CourseStatus.CANCELLED)
    )
    if item.id is not None:
        overlapping = overlapping.where(CourseSession.id != item.id)
    # The overlapping sessions are few: compare rooms and venues in Python, where lower-casing
    # also works for Vietnamese letters (SQLite's lower() only knows ASCII).
    others = db.session.scalars(overlapping).unique().all()
    room = _fold(item.room)
    if room:
        # The same room name means the same room inside one course, or at the same venue.
        venue = _fold(course.venue)
        clash = next((other for other in others if _fold(other.room) == room and (
            other.course_id == course.id or _fold(other.course.venue) == venue)), None)
        if clash is not None:
            raise DomainError(
                _("Phòng «%(room)s» đã có buổi «%(other)s» của lớp %(code)s lúc %(when)s.",
                  room=clash.room, other=clash.display_title, code=clash.course.code, when=when(clash)),
                field="room",
            )
    speaker_id = item.speaker_id if item.speaker_id is not None else (item.speaker.id if item.speaker else None)
    if speaker_id is not None:
        clash = next((other for other in others if other.speaker_id == speaker_id), None)
        if clash is not None:
            raise DomainError(
                _("Báo cáo viên %(name)s đã có lịch «%(other)s» của lớp %(code)s lúc %(when)s.",
                  name=clash.speaker.full_name, other=clash.display_title, code=clash.course.code,
                  when=when(clash)),
                field="speaker_id",
            )


def _fold(text: str | None) -> str:
    """Text compared without case or surrounding space («Hội trường A» = «HỘI TRƯỜNG A »)."""
    return " ".join((text or "").split()).casefold()


def _require_timetable_editable(course: Course) -> None:
    if course.status not in EDITABLE_STATUSES:
        raise DomainError(_("Lớp đã kết thúc hoặc đã hủy, không sửa được thời khóa biểu."))


def _apply_session(item: CourseSession, data: SessionData) -> None:
    for name in ("kind", "starts_at", "ends_at", "title", "topic_id", "speaker_id", "room",
                 "presided_by", "guiding_speech_by"):
        setattr(item, name, getattr(data, name))
    if item.kind not in (SessionKind.OPENING, SessionKind.CLOSING):
        item.presided_by = ""
        item.guiding_speech_by = ""
    if item.kind == SessionKind.BREAK:
        item.speaker_id = None
        item.topic_id = None


def add_session(actor, course: Course, data: SessionData) -> CourseSession:
    """Add a slot to the timetable, refusing conflicts with a message naming them."""
    require_staff(actor)
    _require_timetable_editable(course)
    item = CourseSession(course_id=course.id)
    _apply_session(item, data)
    with db.session.no_autoflush:
        check_conflicts(item, course)
    db.session.add(item)
    db.session.flush()
    record(actor, "session.create", item, after=snapshot(item, SESSION_FIELDS))
    db.session.commit()
    return item


def update_session(actor, item: CourseSession, data: SessionData) -> CourseSession:
    """Change a slot of the timetable under the same rules."""
    require_staff(actor)
    _require_timetable_editable(item.course)
    before = snapshot(item, SESSION_FIELDS)
    with db.session.no_autoflush:
        was_topic = item.kind == SessionKind.TOPIC
        _apply_session(item, data)
        try:
            if was_topic and item.kind != SessionKind.TOPIC:
                _check_rule_keeps(item.course, item)
            check_conflicts(item, item.course)
        except DomainError:
            db.session.rollback()
            raise
    before, after = changed(before, snapshot(item, SESSION_FIELDS))
    if after:
        record(actor, "session.update", item, before=before, after=after)
    db.session.commit()
    return item


def _check_rule_keeps(course: Course, leaving: CourseSession) -> None:
    """Refuse to take a topic session out of a course whose completion rule then asks for more
    topics than remain. Refused rather than the rule lowered behind the organizer's back: the
    rule decides who gets a certificate, so only the organizer changes it (on its own page)."""
    if course.completion_rule != CompletionRule.MIN_TOPICS or not course.completion_min_topics:
        return
    left = sum(1 for s in course.sessions if s.kind == SessionKind.TOPIC and s is not leaving)
    if course.completion_min_topics > left:
        raise DomainError(_(
            "Lớp yêu cầu có mặt ít nhất %(required)d chuyên đề; bỏ buổi «%(session)s» lớp chỉ còn "
            "%(left)d chuyên đề. Hãy giảm điều kiện hoàn thành trước.",
            required=course.completion_min_topics, session=leaving.display_title, left=left))


def delete_session(actor, item: CourseSession) -> None:
    """Remove a slot (its session-level materials go with it)."""
    require_staff(actor)
    _require_timetable_editable(item.course)
    from courses.attendance.models import Attendance

    if db.session.scalar(select(Attendance.id).where(Attendance.session_id == item.id).limit(1)) is not None:
        raise DomainError(_("Buổi «%(session)s» đã có điểm danh, không xóa được.", session=item.display_title))
    if item.kind == SessionKind.TOPIC:
        _check_rule_keeps(item.course, item)
    stored = [m.stored_name for m in db.session.scalars(
        select(Material).where(Material.session_id == item.id)) if m.stored_name]
    record(actor, "session.delete", item, before=snapshot(item, SESSION_FIELDS))
    for material in db.session.scalars(select(Material).where(Material.session_id == item.id)):
        record(actor, "material.delete", material, before=snapshot(material, MATERIAL_FIELDS))
        db.session.delete(material)
    db.session.delete(item)
    db.session.commit()
    for name in stored:
        files.remove(current_app.config["UPLOAD_DIR"], name)
