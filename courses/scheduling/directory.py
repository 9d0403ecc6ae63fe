"""The topic catalogue and the speaker directory: saving an entry, and a speaker's sessions."""
from __future__ import annotations

from datetime import datetime
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from courses.audit.services import record, snapshot
from courses.enums import CourseStatus
from courses.exceptions import DomainError
from courses.extensions import db
from courses.formatting import LOCAL_TZ
from courses.scheduling import files
from courses.scheduling.changes import SPEAKER_FIELDS, TOPIC_FIELDS, require_staff
from courses.scheduling.models import Course, CourseSession, Speaker, Topic


def save_topic(actor, topic: Topic | None, code: str, name: str, description: str,
               default_duration_minutes: int) -> Topic:
    """Create (topic None) or change a topic of the catalogue."""
    require_staff(actor)
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
    require_staff(actor)
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
