"""A course's life: the editor's data and its checks, create, update, status transitions and clone."""
from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from courses.audit.services import changed, record, snapshot
from courses.enums import CompletionRule, CourseStatus, MaterialKind
from courses.exceptions import DomainError
from courses.extensions import db
from courses.formatting import LOCAL_TZ, to_local
from courses.scheduling import codes, files, timetable
from courses.scheduling.changes import EDITABLE_STATUSES, SESSION_FIELDS, require_staff
from courses.scheduling.course_data import COURSE_FIELDS, CourseData
from courses.scheduling.models import Course, CourseSession, Material


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


def create_course(actor, data: CourseData) -> Course:
    """A new draft course."""
    require_staff(actor)
    _validate_course(data, None)
    course = Course(status=CourseStatus.DRAFT, created_by_id=actor.id)
    data.apply_to(course)
    db.session.add(course)
    db.session.flush()
    record(actor, "course.create", course, after=snapshot(course, COURSE_FIELDS))
    db.session.commit()
    return course


def update_course(actor, course: Course, data: CourseData) -> Course:
    """Change a course's details; its sessions must still fall within its dates."""
    require_staff(actor)
    if course.status not in EDITABLE_STATUSES:
        raise DomainError(_("Lớp đã kết thúc hoặc đã hủy, không sửa được nữa."))
    _validate_course(data, course.id)
    outside = [s for s in course.sessions if not timetable.within(s.starts_at, s.ends_at, data.starts_on, data.ends_on)]
    if outside:
        raise DomainError(
            _("Buổi «%(session)s» (%(when)s) nằm ngoài ngày học mới. Hãy dời buổi đó trước.",
              session=outside[0].display_title, when=timetable.when(outside[0])),
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
    data.apply_to(course)
    before, after = changed(before, snapshot(course, COURSE_FIELDS))
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
    require_staff(actor)
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
    require_staff(actor)
    shift = starts_on - source.starts_on
    data = dataclasses.replace(
        CourseData.of(source), code=code, title=title or source.title,
        starts_on=starts_on, ends_on=source.ends_on + shift,
        registration_opens_at=source.registration_opens_at + shift if source.registration_opens_at else None,
        registration_closes_at=source.registration_closes_at + shift if source.registration_closes_at else None,
        target_positions=list(source.target_positions or []),
    )
    _validate_course(data, None)
    course = Course(status=CourseStatus.DRAFT, created_by_id=actor.id)
    data.apply_to(course)
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
            timetable.check_conflicts(new, course)
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
