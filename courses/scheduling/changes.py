"""What every scheduling change shares: who may make it, in which course statuses, and which
fields its audit snapshots name (the snapshots themselves: courses.audit.services)."""
from __future__ import annotations

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


def require_staff(actor) -> None:
    """Refuse (NotAllowed) anyone but the organizers."""
    if not is_staff(actor):
        raise NotAllowed(_("Chỉ ban tổ chức được thay đổi lớp học."))
