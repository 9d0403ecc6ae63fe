"""Every enumerated value of the domain, in one place."""
from __future__ import annotations

import enum

from flask import g, has_request_context
from flask_babel import lazy_gettext as _l

_LABEL_CACHE: dict[tuple, str] = {}


class LabeledEnum(str, enum.Enum):
    """A string enum whose members carry a translatable label for the UI."""

    @property
    def label(self) -> str:
        # Keyed by class as well: members of different enums share values ("cancelled").
        # Translations never change while the app runs: cache each label per request locale
        # (g.locale, set by a before_request hook), so a long list does not pay for gettext
        # on every row.
        locale = g.get("locale") if has_request_context() else None
        if locale is None:
            return str(LABELS.get((type(self), self.value), self.value))
        key = (type(self), self.value, locale)
        text = _LABEL_CACHE.get(key)
        if text is None:
            text = _LABEL_CACHE[key] = str(LABELS.get((type(self), self.value), self.value))
        return text

    @property
    def lazy_label(self):
        """The label as a lazy string: translated when shown, not when defined."""
        return LABELS.get((type(self), self.value), self.value)

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(value, label) pairs for select fields; lazy labels, so a form class defined
        at import time still shows them in the page's language."""
        return [(m.value, m.lazy_label) for m in cls]


class Role(LabeledEnum):
    ADMIN = "admin"
    ORGANIZER = "organizer"
    COORDINATOR = "coordinator"
    PARTICIPANT = "participant"


class PartyPosition(LabeledEnum):
    SECRETARY = "secretary"
    DEPUTY_SECRETARY = "deputy_secretary"
    COMMITTEE_MEMBER = "committee_member"
    MEMBER = "member"


class OrganizationKind(LabeledEnum):
    BLOC = "bloc"
    GRASSROOTS = "grassroots"
    CELL = "cell"


class CourseStatus(LabeledEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"
    FINISHED = "finished"
    CANCELLED = "cancelled"


class CompletionRule(LabeledEnum):
    ALL_TOPICS = "all_topics"
    MIN_TOPICS = "min_topics"


class SessionKind(LabeledEnum):
    OPENING = "opening"
    TOPIC = "topic"
    BREAK = "break"
    CLOSING = "closing"


class EnrollmentStatus(LabeledEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class EnrollmentSource(LabeledEnum):
    SELF = "self"
    ORGANIZER = "organizer"
    IMPORT = "import"
    NOMINATION = "nomination"


class AttendanceStatus(LabeledEnum):
    PRESENT = "present"
    ABSENT = "absent"
    EXCUSED = "excused"


class AttendanceMethod(LabeledEnum):
    ROLL_CALL = "roll_call"
    SELF_CHECK_IN = "self_check_in"


class MaterialKind(LabeledEnum):
    FILE = "file"
    LINK = "link"


class Visibility(LabeledEnum):
    PUBLIC = "public"
    ENROLLED = "enrolled"
    ORGANIZERS = "organizers"


class JobStatus(LabeledEnum):
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"


class CourseState(LabeledEnum):
    """What a course is to the people who see it now (scheduling.models.course_state)."""
    DRAFT = "draft"
    UPCOMING = "upcoming"
    IN_PROGRESS = "in_progress"
    PAST = "past"
    CANCELLED = "cancelled"


_LABELS_BY_MEMBER = [  # pairs, not a dict: members of different enums compare equal
    (Role.ADMIN, _l("Quản trị")),
    (Role.ORGANIZER, _l("Cán bộ tổ chức lớp")),
    (Role.COORDINATOR, _l("Cán bộ phụ trách đơn vị")),
    (Role.PARTICIPANT, _l("Học viên")),
    (PartyPosition.SECRETARY, _l("Bí thư chi bộ")),
    (PartyPosition.DEPUTY_SECRETARY, _l("Phó Bí thư chi bộ")),
    (PartyPosition.COMMITTEE_MEMBER, _l("Cấp ủy viên")),
    (PartyPosition.MEMBER, _l("Đảng viên")),
    (OrganizationKind.BLOC, _l("Đảng ủy Khối")),
    (OrganizationKind.GRASSROOTS, _l("Đảng bộ cơ sở")),
    (OrganizationKind.CELL, _l("Chi bộ")),
    (CourseStatus.DRAFT, _l("Bản nháp")),
    (CourseStatus.PUBLISHED, _l("Đang mở đăng ký")),
    (CourseStatus.CLOSED, _l("Đã đóng đăng ký")),
    (CourseStatus.FINISHED, _l("Đã kết thúc")),
    (CourseStatus.CANCELLED, _l("Đã hủy")),
    (CompletionRule.ALL_TOPICS, _l("Có mặt tất cả các chuyên đề")),
    (CompletionRule.MIN_TOPICS, _l("Có mặt ít nhất N chuyên đề")),
    (SessionKind.OPENING, _l("Khai giảng")),
    (SessionKind.TOPIC, _l("Chuyên đề")),
    (SessionKind.BREAK, _l("Giải lao")),
    (SessionKind.CLOSING, _l("Bế giảng")),
    (EnrollmentStatus.PENDING, _l("Chờ duyệt")),
    (EnrollmentStatus.CONFIRMED, _l("Đã xác nhận")),
    (EnrollmentStatus.WAITLISTED, _l("Danh sách chờ")),
    (EnrollmentStatus.REJECTED, _l("Bị từ chối")),
    (EnrollmentStatus.CANCELLED, _l("Đã hủy")),
    (EnrollmentSource.SELF, _l("Tự đăng ký")),
    (EnrollmentSource.ORGANIZER, _l("Ban tổ chức thêm")),
    (EnrollmentSource.IMPORT, _l("Nhập từ danh sách")),
    (EnrollmentSource.NOMINATION, _l("Đơn vị cử")),
    (AttendanceStatus.PRESENT, _l("Có mặt")),
    (AttendanceStatus.ABSENT, _l("Vắng")),
    (AttendanceStatus.EXCUSED, _l("Vắng có phép")),
    (AttendanceMethod.ROLL_CALL, _l("Điểm danh")),
    (AttendanceMethod.SELF_CHECK_IN, _l("Tự điểm danh bằng mã QR")),
    (MaterialKind.FILE, _l("Tệp")),
    (MaterialKind.LINK, _l("Liên kết")),
    (Visibility.PUBLIC, _l("Công khai")),
    (Visibility.ENROLLED, _l("Học viên của lớp")),
    (Visibility.ORGANIZERS, _l("Chỉ ban tổ chức")),
    (JobStatus.QUEUED, _l("Đang chờ")),
    (JobStatus.RUNNING, _l("Đang chạy")),
    (JobStatus.FINISHED, _l("Đã xong")),
    (JobStatus.FAILED, _l("Bị lỗi")),
    (CourseState.DRAFT, _l("Bản nháp")),
    (CourseState.UPCOMING, _l("Sắp tới")),
    (CourseState.IN_PROGRESS, _l("Đang diễn ra")),
    (CourseState.PAST, _l("Đã kết thúc")),
    (CourseState.CANCELLED, _l("Đã hủy")),
]

LABELS = {(type(member), member.value): label for member, label in _LABELS_BY_MEMBER}
