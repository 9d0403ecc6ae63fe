"""What every scheduling change shares: who may make it, in which course statuses, and the
before/after snapshots of the audited fields it records."""
from __future__ import annotations

import enum
from datetime import date, datetime, timezone
from typing import Any

from flask_babel import gettext as _

from courses.enums import CourseStatus
from courses.exceptions import NotAllowed
from courses.permissions import is_staff

# A finished or cancelled course is history: neither its details nor its timetable change.
EDITABLE_STATUSES = (CourseStatus.DRAFT, CourseStatus.PUBLISHED, CourseStatus.CLOSED)

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


def changed(before: dict, after: dict) -> tuple[dict, dict]:
    """The (before, after) pair reduced to the fields that differ."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def require_staff(actor) -> None:
    """Refuse (NotAllowed) anyone but the organizers."""
    if not is_staff(actor):
        raise NotAllowed(_("Chỉ ban tổ chức được thay đổi lớp học."))
