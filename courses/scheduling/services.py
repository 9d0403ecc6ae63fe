"""Rules of scheduling: course life cycle, timetable conflicts, clone, directories, materials.

Every function takes the acting user, checks the rules, records an AuditEvent
for each change and commits once. Errors are DomainError with a Vietnamese message.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, BinaryIO

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from courses.audit.services import record
from courses.enrollment.models import Enrollment
from courses.enums import (
    CompletionRule,
    CourseStatus,
    EnrollmentStatus,
    MaterialKind,
    SessionKind,
    Visibility,
)
from courses.exceptions import DomainError, NotAllowed
from courses.extensions import db
from courses.formatting import LOCAL_TZ, to_local
from courses.permissions import is_staff
from courses.scheduling import codes, files
from courses.scheduling.models import Course, CourseSession, Material, Speaker, Topic

# ---------------------------------------------------------------- snapshots (audit)

COURSE_FIELDS = ("code", "title", "description", "organizing_unit_id", "venue", "starts_on", "ends_on",
                 "registration_opens_at", "registration_closes_at", "capacity", "target_positions",
                 "requires_approval", "status", "cancel_reason", "completion_rule",
                 "completion_min_topics")
SESSION_FIELDS = ("course_id", "kind", "title", "topic_id", "speaker_id", "starts_at", "ends_at", "room",
                  "presided_by", "guiding_speech_by")
MATERIAL_FIELDS = ("course_id", "session_id", "title", "description", "kind", "url", "stored_name",
                   "original_filename", "content_type", "size_bytes", "visibility")
TOPIC_FIELDS = ("code", "name", "description", "default_duration_minutes")
SPEAKER_FIELDS = ("full_name", "title", "organization_name", "bio", "photo_stored_name")


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return list(value)
    return value


def snapshot(obj: Any, fields: tuple[str, ...]) -> dict:
    """The audited fields of obj as JSON-ready values."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def _changed(before: dict, after: dict) -> tuple[dict, dict]:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def _require_staff(actor) -> None:
    if not is_staff(actor):
        raise NotAllowed(_("Chỉ ban tổ chức được thay đổi lớp học."))


# ---------------------------------------------------------------- courses

EDITABLE_STATUSES = (CourseStatus.DRAFT, CourseStatus.PUBLISHED, CourseStatus.CLOSED)


@dataclass
class CourseData:
    """What the course editor sends."""

    code: str
    title: str
    organizing_unit_id: int
    starts_on: date
    ends_on: date
    capacity: int
    description: str = ""
    venue: str = ""
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    target_positions: list | None = None
    requires_approval: bool = False
    completion_rule: CompletionRule = CompletionRule.ALL_TOPICS
    completion_min_topics: int | None = None


def _validate_course(data: CourseData, course_id: int | None) -> None:
    data.code = codes.normalize_course_code(data.code)
    if not data.code:
        raise DomainError(_("Vui lòng nhập mã lớp."), field="code")
    if len(data.code) > 40:
        raise DomainError(_("Mã lớp dài tối đa 40 ký tự."), field="code")
    if not codes.is_valid_course_code(data.code):
        raise DomainError(str(codes.FORMAT_MESSAGE), field="code")
    if not data.title:
        raise DomainError(_("Vui lòng nhập tên lớp."), field="title")
    if data.ends_on < data.starts_on:
        raise DomainError(_("Ngày kết thúc phải từ ngày bắt đầu trở đi."), field="ends_on")
    if data.capacity is None or data.capacity < 1:
        raise DomainError(_("Số chỗ phải ít nhất là 1."), field="capacity")
    opens, closes = data.registration_opens_at, data.registration_closes_at
    if opens and closes and closes <= opens:
        raise DomainError(_("Hạn đăng ký phải sau thời điểm mở đăng ký."), field="registration_closes_at")
    course_start = datetime.combine(data.starts_on, time(0, 0), tzinfo=LOCAL_TZ)
    if closes and closes > course_start:
        raise DomainError(_("Đăng ký phải kết thúc trước ngày khai giảng."), field="registration_closes_at")
    if opens and opens >= course_start:
        raise DomainError(_("Đăng ký phải mở trước ngày khai giảng."), field="registration_opens_at")
    if data.completion_rule == CompletionRule.MIN_TOPICS:
        if not data.completion_min_topics or data.completion_min_topics < 1:
            raise DomainError(_("Vui lòng nhập số chuyên đề tối thiểu (ít nhất 1)."),
                              field="completion_min_topics")
    else:
        data.completion_min_topics = None
    clash = db.session.scalar(select(Course.id).where(func.lower(Course.code) == data.code.lower()))
    if clash is not None and clash != course_id:
        raise DomainError(_("Mã lớp «%(code)s» đã được dùng.", code=data.code), field="code")


def _apply(course: Course, data: CourseData) -> None:
    for name in ("code", "title", "description", "organizing_unit_id", "venue", "starts_on", "ends_on",
                 "registration_opens_at", "registration_closes_at", "capacity", "requires_approval",
                 "completion_rule", "completion_min_topics"):
        setattr(course, name, getattr(data, name))
    course.target_positions = list(data.target_positions or [])


def create_course(actor, data: CourseData) -> Course:
    """A new draft course."""
    _require_staff(actor)
    _validate_course(data, None)
    course = Course(status=CourseStatus.DRAFT, created_by_id=actor.id)
    _apply(course, data)
    db.session.add(course)
    db.session.flush()
    record(actor, "course.create", course, after=snapshot(course, COURSE_FIELDS))
    db.session.commit()
    return course


def update_course(actor, course: Course, data: CourseData) -> Course:
    """Change a course's details; its sessions must still fall within its dates."""
    _require_staff(actor)
    if course.status not in EDITABLE_STATUSES:
        raise DomainError(_("Lớp đã kết thúc hoặc đã hủy, không sửa được nữa."))
    _validate_course(data, course.id)
    outside = [s for s in course.sessions if not _within(s.starts_at, s.ends_at, data.starts_on, data.ends_on)]
    if outside:
        raise DomainError(
            _("Buổi «%(session)s» (%(when)s) nằm ngoài ngày học mới. Hãy dời buổi đó trước.",
              session=outside[0].display_title, when=_when(outside[0])),
            field="starts_on",
        )
    capacity_changes = data.capacity != course.capacity
    if capacity_changes:
        # Seats are counted and handed out under the course's lock, as registration does.
        from courses.enrollment.locking import lock_course
        from courses.enrollment.seats import refuse_capacity_below_confirmed

        lock_course(course.id)
        refuse_capacity_below_confirmed(course, data.capacity)
    before = snapshot(course, COURSE_FIELDS)
    _apply(course, data)
    before, after = _changed(before, snapshot(course, COURSE_FIELDS))
    if after:
        record(actor, "course.update", course, before=before, after=after)
    if capacity_changes:
        from courses.enrollment.seats import promote_waitlist

        db.session.flush()
        promote_waitlist(actor, course)  # new seats go to the first in the queue, as a cancellation's
    db.session.commit()
    return course


# Allowed transitions: action -> (from statuses, to status).
TRANSITIONS: dict[str, tuple[tuple[CourseStatus, ...], CourseStatus]] = {
    "publish": ((CourseStatus.DRAFT,), CourseStatus.PUBLISHED),
    "close": ((CourseStatus.PUBLISHED,), CourseStatus.CLOSED),
    "reopen": ((CourseStatus.CLOSED,), CourseStatus.PUBLISHED),
    "finish": ((CourseStatus.PUBLISHED, CourseStatus.CLOSED), CourseStatus.FINISHED),
    "cancel": ((CourseStatus.DRAFT, CourseStatus.PUBLISHED, CourseStatus.CLOSED), CourseStatus.CANCELLED),
}


def transition_label(action: str) -> str:
    """The button text of a status action."""
    return {
        "publish": _("Công bố"),
        "close": _("Đóng đăng ký"),
        "reopen": _("Mở lại đăng ký"),
        "finish": _("Đánh dấu đã kết thúc"),
        "cancel": _("Hủy lớp"),
    }[action]


def allowed_actions(course: Course, today: date | None = None) -> list[str]:
    """The status actions open to this course now: none change_status would refuse for its
    status, nor «finish» before the course has begun."""
    today = today or datetime.now(LOCAL_TZ).date()
    return [action for action, (sources, _target) in TRANSITIONS.items() if course.status in sources
            and not (action == "finish" and course.starts_on > today)]


def change_status(actor, course: Course, action: str, reason: str | None = None,
                  today: date | None = None) -> Course:
    """Publish, close or reopen registration, finish or cancel (with a reason) a course."""
    _require_staff(actor)
    if action not in TRANSITIONS:
        raise DomainError(_("Thao tác không hợp lệ."))
    sources, target = TRANSITIONS[action]
    if course.status not in sources:
        raise DomainError(_("Không thể «%(action)s» một lớp đang ở trạng thái «%(status)s».",
                            action=transition_label(action), status=course.status.label))
    today = today or datetime.now(LOCAL_TZ).date()
    if action == "publish" and not course.sessions:
        raise DomainError(_("Lớp chưa có thời khóa biểu: hãy thêm ít nhất một buổi trước khi công bố."))
    if action == "finish" and course.starts_on > today:
        raise DomainError(_("Lớp chưa diễn ra, chưa thể đánh dấu đã kết thúc."))
    if action == "cancel":
        reason = (reason or "").strip()
        if not reason:
            raise DomainError(_("Vui lòng nêu lý do hủy lớp."), field="reason")
    before = {"status": course.status.value, "cancel_reason": course.cancel_reason}
    course.status = target
    if action == "cancel":
        course.cancel_reason = reason
    record(actor, f"course.{action}", course, before=before,
           after={"status": course.status.value, "cancel_reason": course.cancel_reason})
    db.session.commit()
    return course


def clone_course(actor, source: Course, code: str, starts_on: date, title: str | None = None) -> Course:
    """Copy a course to a new start date: timetable shifted, speakers, materials, settings; a draft."""
    _require_staff(actor)
    shift = starts_on - source.starts_on
    data = CourseData(
        code=code, title=title or source.title, organizing_unit_id=source.organizing_unit_id,
        starts_on=starts_on, ends_on=source.ends_on + shift, capacity=source.capacity,
        description=source.description, venue=source.venue,
        registration_opens_at=source.registration_opens_at + shift if source.registration_opens_at else None,
        registration_closes_at=source.registration_closes_at + shift if source.registration_closes_at else None,
        target_positions=list(source.target_positions or []), requires_approval=source.requires_approval,
        completion_rule=source.completion_rule, completion_min_topics=source.completion_min_topics,
    )
    _validate_course(data, None)
    course = Course(status=CourseStatus.DRAFT, created_by_id=actor.id)
    _apply(course, data)
    db.session.add(course)
    db.session.flush()
    upload_dir = current_app.config["UPLOAD_DIR"]
    copied: list[str] = []
    materials = 0
    try:
        session_map: dict[int, CourseSession] = {}
        for old in source.sessions:
            new = CourseSession(course_id=course.id, **{
                name: getattr(old, name) for name in SESSION_FIELDS if name not in ("course_id", "starts_at", "ends_at")
            })
            new.starts_at = _shift_local(old.starts_at, shift)
            new.ends_at = _shift_local(old.ends_at, shift)
            _check_conflicts(new, course)
            db.session.add(new)
            db.session.flush()
            session_map[old.id] = new
        db.session.flush()
        for old in source.materials:
            stored_name = None
            if old.kind == MaterialKind.FILE:
                stored_name = files.copy(upload_dir, old.stored_name)
                if stored_name is None:
                    continue  # the original file is gone: nothing to copy
                copied.append(stored_name)
            target = session_map.get(old.session_id) if old.session_id else None
            new = Material(
                course_id=course.id, session_id=target.id if target else None,
                title=old.title, description=old.description, kind=old.kind, url=old.url,
                stored_name=stored_name, original_filename=old.original_filename,
                content_type=old.content_type, size_bytes=old.size_bytes, visibility=old.visibility,
                uploaded_by_id=actor.id,
            )
            db.session.add(new)
            materials += 1
        db.session.flush()
        after = snapshot(course, COURSE_FIELDS)
        after.update(cloned_from=source.id, sessions=len(session_map), materials=materials)
        record(actor, "course.clone", course, after=after)
        db.session.commit()
    except Exception:
        db.session.rollback()
        for name in copied:
            files.remove(upload_dir, name)
        raise
    return course


def _shift_local(value: datetime, shift: timedelta) -> datetime:
    """Move a moment by whole days keeping its local wall-clock time."""
    local = to_local(value)
    return datetime.combine(local.date() + shift, local.time(), tzinfo=LOCAL_TZ)


# ---------------------------------------------------------------- timetable

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


def _within(starts_at: datetime, ends_at: datetime, first: date, last: date) -> bool:
    return to_local(starts_at).date() >= first and to_local(ends_at).date() <= last \
        and to_local(ends_at) > to_local(starts_at)


def _when(item: CourseSession) -> str:
    start, end = to_local(item.starts_at), to_local(item.ends_at)
    return f"{start:%H:%M}–{end:%H:%M} {start.day}/{start.month}/{start.year}"


def _check_conflicts(item: CourseSession, course: Course) -> None:
    """Refuse a session that ends before it starts, leaves the course dates, or clashes."""
    if item.ends_at <= item.starts_at:
        raise DomainError(_("Giờ kết thúc phải sau giờ bắt đầu."), field="end_time")
    if not _within(item.starts_at, item.ends_at, course.starts_on, course.ends_on):
        raise DomainError(
            _("Buổi học phải nằm trong thời gian của lớp (%(first)s – %(last)s).",
              first=f"{course.starts_on.day}/{course.starts_on.month}/{course.starts_on.year}",
              last=f"{course.ends_on.day}/{course.ends_on.month}/{course.ends_on.year}"),
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
                  room=clash.room, other=clash.display_title, code=clash.course.code, when=_when(clash)),
                field="room",
            )
    speaker_id = item.speaker_id if item.speaker_id is not None else (item.speaker.id if item.speaker else None)
    if speaker_id is not None:
        clash = next((other for other in others if other.speaker_id == speaker_id), None)
        if clash is not None:
            raise DomainError(
                _("Báo cáo viên %(name)s đã có lịch «%(other)s» của lớp %(code)s lúc %(when)s.",
                  name=clash.speaker.full_name, other=clash.display_title, code=clash.course.code,
                  when=_when(clash)),
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
    _require_staff(actor)
    _require_timetable_editable(course)
    item = CourseSession(course_id=course.id)
    _apply_session(item, data)
    with db.session.no_autoflush:
        _check_conflicts(item, course)
    db.session.add(item)
    db.session.flush()
    record(actor, "session.create", item, after=snapshot(item, SESSION_FIELDS))
    db.session.commit()
    return item


def update_session(actor, item: CourseSession, data: SessionData) -> CourseSession:
    """Change a slot of the timetable under the same rules."""
    _require_staff(actor)
    _require_timetable_editable(item.course)
    before = snapshot(item, SESSION_FIELDS)
    with db.session.no_autoflush:
        was_topic = item.kind == SessionKind.TOPIC
        _apply_session(item, data)
        try:
            if was_topic and item.kind != SessionKind.TOPIC:
                _check_rule_keeps(item.course, item)
            _check_conflicts(item, item.course)
        except DomainError:
            db.session.rollback()
            raise
    before, after = _changed(before, snapshot(item, SESSION_FIELDS))
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
    _require_staff(actor)
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


# ---------------------------------------------------------------- topics and speakers

def save_topic(actor, topic: Topic | None, code: str, name: str, description: str,
               default_duration_minutes: int) -> Topic:
    """Create (topic None) or change a topic of the catalogue."""
    _require_staff(actor)
    if not default_duration_minutes or default_duration_minutes < 1:
        raise DomainError(_("Thời lượng phải ít nhất 1 phút."), field="default_duration_minutes")
    for field, column, value, message in (
        ("code", Topic.code, code, _("Mã chuyên đề «%(value)s» đã có.", value=code)),
        ("name", Topic.name, name, _("Chuyên đề «%(value)s» đã có.", value=name)),
    ):
        clash = db.session.scalar(select(Topic.id).where(func.lower(column) == value.lower()))
        if clash is not None and (topic is None or clash != topic.id):
            raise DomainError(message, field=field)
    before = snapshot(topic, TOPIC_FIELDS) if topic else None
    if topic is None:
        order = db.session.scalar(select(func.max(Topic.sort_order))) or 0
        topic = Topic(sort_order=order + 1)
        db.session.add(topic)
    topic.code, topic.name, topic.description = code, name, description
    topic.default_duration_minutes = default_duration_minutes
    db.session.flush()
    record(actor, "topic.update" if before else "topic.create", topic, before=before,
           after=snapshot(topic, TOPIC_FIELDS))
    db.session.commit()
    return topic


def save_speaker(actor, speaker: Speaker | None, full_name: str, title: str, organization_name: str,
                 bio: str, photo: BinaryIO | None = None, photo_filename: str | None = None,
                 remove_photo: bool = False) -> Speaker:
    """Create (speaker None) or change a speaker; an optional photo (PNG, JPEG, GIF, WebP)."""
    _require_staff(actor)
    if not full_name:
        raise DomainError(_("Vui lòng nhập họ và tên."), field="full_name")
    clash = db.session.scalar(select(Speaker.id).where(Speaker.full_name == full_name, Speaker.title == title))
    if clash is not None and (speaker is None or clash != speaker.id):
        raise DomainError(_("Đã có báo cáo viên %(name)s với chức danh này.", name=full_name), field="full_name")
    upload_dir = current_app.config["UPLOAD_DIR"]
    new_photo = None
    if photo is not None:
        data = files.read_limited(photo, 5 * 1024 * 1024)
        if data:
            try:
                files.check_upload(data, photo_filename, files.IMAGE_TYPES)
            except DomainError as error:
                raise DomainError(error.message, field="photo") from None
            new_photo = files.save(upload_dir, data)
    before = snapshot(speaker, SPEAKER_FIELDS) if speaker else None
    old_photo = speaker.photo_stored_name if speaker else None
    if speaker is None:
        speaker = Speaker()
        db.session.add(speaker)
    speaker.full_name, speaker.title = full_name, title
    speaker.organization_name, speaker.bio = organization_name, bio
    if new_photo or remove_photo:
        speaker.photo_stored_name = new_photo
    try:
        db.session.flush()
        record(actor, "speaker.update" if before else "speaker.create", speaker, before=before,
               after=snapshot(speaker, SPEAKER_FIELDS))
        db.session.commit()
    except Exception:
        db.session.rollback()
        files.remove(upload_dir, new_photo)
        raise
    if old_photo and old_photo != speaker.photo_stored_name:
        files.remove(upload_dir, old_photo)
    return speaker


def speaker_sessions(speaker: Speaker, now: datetime | None = None) -> tuple[list, list]:
    """A speaker's sessions in courses that are not cancelled: (upcoming soonest first, past latest first)."""
    now = now or datetime.now(LOCAL_TZ)
    rows = list(db.session.scalars(
        select(CourseSession)
        .join(Course)
        .options(joinedload(CourseSession.course), joinedload(CourseSession.topic))
        .where(CourseSession.speaker_id == speaker.id, Course.status != CourseStatus.CANCELLED)
        .order_by(CourseSession.starts_at)
    ))
    upcoming = [s for s in rows if s.ends_at >= now]
    past = [s for s in reversed(rows) if s.ends_at < now]
    return upcoming, past


# ---------------------------------------------------------------- materials

def can_view_material(user, material: Material) -> bool:
    """Staff see everything; enrolled materials need a confirmed seat; public ones need a listed course."""
    if is_staff(user):
        return True
    from courses.catalog.services import can_view_course

    course = material.course
    if not can_view_course(user, course):
        return False
    if material.visibility == Visibility.PUBLIC:
        return True
    if material.visibility == Visibility.ENROLLED and user is not None and user.is_authenticated:
        return is_confirmed(user, course)
    return False


def is_confirmed(user, course: Course) -> bool:
    """Whether user holds a confirmed seat in course."""
    if user is None or not user.is_authenticated:
        return False
    return db.session.scalar(select(Enrollment.id).where(
        Enrollment.user_id == user.id, Enrollment.course_id == course.id,
        Enrollment.status == EnrollmentStatus.CONFIRMED)) is not None


def visible_materials(user, course: Course) -> list[Material]:
    """The course's materials this user may see (one query for the seat check)."""
    if is_staff(user):
        return list(course.materials)
    allowed = {Visibility.PUBLIC}
    if is_confirmed(user, course):
        allowed.add(Visibility.ENROLLED)
    return [m for m in course.materials if m.visibility in allowed]


def _check_material_target(course: Course, session_id: int | None) -> None:
    if session_id is not None:
        item = db.session.get(CourseSession, session_id)
        if item is None or item.course_id != course.id:
            raise DomainError(_("Buổi học đã chọn không thuộc lớp này."), field="session_id")


def upload_material(actor, course: Course, stream: BinaryIO, filename: str | None, title: str,
                    visibility: Visibility, description: str = "", session_id: int | None = None) -> Material:
    """Store an uploaded file checked by content and size; nothing is kept when refused."""
    _require_staff(actor)
    _check_material_target(course, session_id)
    limit = int(current_app.config.get("MAX_UPLOAD_MB", 50)) * 1024 * 1024
    data = files.read_limited(stream, limit)
    file_type, display_name = files.check_upload(data, filename, files.MATERIAL_TYPES)
    upload_dir = current_app.config["UPLOAD_DIR"]
    stored_name = files.save(upload_dir, data)
    try:
        material = Material(
            course_id=course.id, session_id=session_id, title=title or display_name, description=description,
            kind=MaterialKind.FILE, stored_name=stored_name, original_filename=display_name,
            content_type=file_type.content_type, size_bytes=len(data), visibility=visibility,
            uploaded_by_id=actor.id,
        )
        db.session.add(material)
        db.session.flush()
        record(actor, "material.create", material, after=snapshot(material, MATERIAL_FIELDS))
        db.session.commit()
    except Exception:
        db.session.rollback()
        files.remove(upload_dir, stored_name)
        raise
    return material


def add_link(actor, course: Course, url: str, title: str, visibility: Visibility,
             description: str = "", session_id: int | None = None) -> Material:
    """Attach a link (http or https only)."""
    _require_staff(actor)
    _check_material_target(course, session_id)
    if not url:
        raise DomainError(_("Vui lòng nhập địa chỉ liên kết."), field="url")
    if not url.lower().startswith(("http://", "https://")):
        raise DomainError(_("Liên kết phải bắt đầu bằng http:// hoặc https://."), field="url")
    material = Material(course_id=course.id, session_id=session_id, title=title or url, description=description,
                        kind=MaterialKind.LINK, url=url, visibility=visibility, uploaded_by_id=actor.id)
    db.session.add(material)
    db.session.flush()
    record(actor, "material.create", material, after=snapshot(material, MATERIAL_FIELDS))
    db.session.commit()
    return material


def update_material(actor, material: Material, title: str, visibility: Visibility, description: str = "",
                    session_id: int | None = None) -> Material:
    """Change a material's title, description, session or visibility."""
    _require_staff(actor)
    _check_material_target(material.course, session_id)
    if not title:
        raise DomainError(_("Vui lòng nhập tiêu đề."), field="title")
    before = snapshot(material, MATERIAL_FIELDS)
    material.title, material.visibility = title, visibility
    material.description, material.session_id = description, session_id
    before, after = _changed(before, snapshot(material, MATERIAL_FIELDS))
    if after:
        record(actor, "material.update", material, before=before, after=after)
    db.session.commit()
    return material


def delete_material(actor, material: Material) -> None:
    """Remove a material; its file is deleted unless another record still points at it."""
    _require_staff(actor)
    stored_name = material.stored_name
    record(actor, "material.delete", material, before=snapshot(material, MATERIAL_FIELDS))
    db.session.delete(material)
    db.session.commit()
    if stored_name and db.session.scalar(select(Material.id).where(Material.stored_name == stored_name)) is None:
        files.remove(current_app.config["UPLOAD_DIR"], stored_name)


def material_path(material: Material):
    """The path of a material's stored file."""
    return files.stored_path(current_app.config["UPLOAD_DIR"], material.stored_name)
