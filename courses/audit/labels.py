"""The audit trail in the reader's language: actions, objects and values by their labels.

Events store codes («course.update», «CourseSession», «published», true); the screens show
«Cập nhật lớp», «Buổi học «Khai giảng»», «Đang mở đăng ký», «Có». One table per kind of
code, each label translatable; an unknown code is shown as it is rather than hidden.
"""
from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime
from typing import Any, Iterable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from courses.enums import (
    CompletionRule,
    CourseStatus,
    EnrollmentSource,
    EnrollmentStatus,
    MaterialKind,
    PartyPosition,
    Role,
    SessionKind,
    Visibility,
)
from courses.extensions import db
from courses.formatting import local_datetime, short_date

_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

ACTION_LABELS = {
    "course.create": _l("Tạo lớp"),
    "course.update": _l("Cập nhật lớp"),
    "course.clone": _l("Sao chép lớp"),
    "course.publish": _l("Mở đăng ký"),
    "course.close": _l("Đóng đăng ký"),
    "course.reopen": _l("Mở lại đăng ký"),
    "course.finish": _l("Kết thúc lớp"),
    "course.cancel": _l("Hủy lớp"),
    "course.completion_rule": _l("Đặt điều kiện hoàn thành"),
    "course.set_quota": _l("Phân bổ chỉ tiêu"),
    "session.create": _l("Thêm buổi học"),
    "session.update": _l("Sửa buổi học"),
    "session.delete": _l("Xóa buổi học"),
    "material.create": _l("Thêm tài liệu"),
    "material.update": _l("Sửa tài liệu"),
    "material.delete": _l("Xóa tài liệu"),
    "topic.create": _l("Thêm chuyên đề"),
    "topic.update": _l("Sửa chuyên đề"),
    "speaker.create": _l("Thêm báo cáo viên"),
    "speaker.update": _l("Sửa báo cáo viên"),
    "enrollment.register": _l("Đăng ký học"),
    "enrollment.cancel": _l("Hủy đăng ký"),
    "enrollment.add": _l("Thêm học viên"),
    "enrollment.approve": _l("Duyệt đăng ký"),
    "enrollment.set_status": _l("Đổi trạng thái đăng ký"),
    "enrollment.promote": _l("Chuyển từ danh sách chờ"),
    "enrollment.import": _l("Nhập danh sách học viên"),
    "enrollment.set_password_links": _l("Tải liên kết đặt mật khẩu"),
    "enrollment.nominate": _l("Cử học viên"),
    "enrollment.substitute": _l("Cử người thay thế"),
    "certificate.issue": _l("Cấp giấy chứng nhận"),
    "certificate.reissue": _l("Cấp lại giấy chứng nhận"),
    "certificate.revoke": _l("Thu hồi giấy chứng nhận"),
    "certificate_settings.update": _l("Sửa mẫu giấy chứng nhận"),
    "user.register": _l("Đăng ký tài khoản"),
    "user.create_admin": _l("Tạo tài khoản quản trị"),
    "user.set_role": _l("Đổi vai trò"),
    "user.update": _l("Sửa tài khoản"),
    "user.update_profile": _l("Sửa hồ sơ"),
    "user.set_password": _l("Đặt mật khẩu"),
    "user.change_password": _l("Đổi mật khẩu"),
    "job.start": _l("Bắt đầu tác vụ"),
    "job.retry": _l("Chạy lại tác vụ"),
}

OBJECT_TYPE_LABELS = {
    "Course": _l("Lớp"),
    "CourseSession": _l("Buổi học"),
    "Material": _l("Tài liệu"),
    "Topic": _l("Chuyên đề"),
    "Speaker": _l("Báo cáo viên"),
    "Enrollment": _l("Đăng ký"),
    "Certificate": _l("Giấy chứng nhận"),
    "CertificateSettings": _l("Mẫu giấy chứng nhận"),
    "User": _l("Tài khoản"),
    "Job": _l("Tác vụ"),
}

FIELD_LABELS = {
    "code": _l("Mã"), "title": _l("Tiêu đề"), "name": _l("Tên"), "description": _l("Mô tả"),
    "status": _l("Trạng thái"), "cancel_reason": _l("Lý do hủy"), "venue": _l("Địa điểm"),
    "starts_on": _l("Ngày khai giảng"), "ends_on": _l("Ngày bế giảng"), "capacity": _l("Sĩ số"),
    "requires_approval": _l("Cần duyệt đăng ký"), "completion_rule": _l("Điều kiện hoàn thành"),
    "rule": _l("Điều kiện hoàn thành"), "completion_min_topics": _l("Số chuyên đề tối thiểu"),
    "min_topics": _l("Số chuyên đề tối thiểu"), "kind": _l("Loại"), "room": _l("Phòng"),
    "starts_at": _l("Bắt đầu"), "ends_at": _l("Kết thúc"), "visibility": _l("Ai được xem"),
    "role": _l("Vai trò"), "reason": _l("Lý do"), "full_name": _l("Họ và tên"),
    "presided_by": _l("Chủ trì"), "guiding_speech_by": _l("Phát biểu chỉ đạo"), "url": _l("Địa chỉ"),
    "original_filename": _l("Tên tệp"), "registration_opens_at": _l("Mở đăng ký từ"),
    "registration_closes_at": _l("Hạn đăng ký"), "seats": _l("Số chỗ"),
}
# Bookkeeping a reader has no use for: ids (the object is named), stored file names, sizes.
HIDDEN_FIELDS = frozenset({"stored_name", "content_type", "size_bytes", "photo_stored_name"})

# Which enumeration a stored value belongs to, by (object type, field); then by field alone.
_ENUMS = {
    ("Course", "status"): CourseStatus,
    ("Enrollment", "status"): EnrollmentStatus,
    ("CourseSession", "kind"): SessionKind,
    ("Material", "kind"): MaterialKind,
}
_ENUMS_BY_FIELD = {
    "completion_rule": CompletionRule, "rule": CompletionRule, "visibility": Visibility,
    "role": Role, "party_position": PartyPosition, "source": EnrollmentSource,
}


def action_label(code: str) -> str:
    """«Tạo lớp» for «course.create»; the code itself when it has no label."""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code


def object_type_label(object_type: str) -> str:
    label = OBJECT_TYPE_LABELS.get(object_type)
    return str(label) if label is not None else object_type


def field_label(name: str) -> str:
    label = FIELD_LABELS.get(name)
    return str(label) if label is not None else name


def value_label(object_type: str, field: str, value: Any) -> str:
    """A stored value as the reader knows it: an enum's label, «Có»/«Không», «—» for nothing."""
    if value is None or value == "":
        return "—"
    if value is True:
        return _("Có")
    if value is False:
        return _("Không")
    enum = _ENUMS.get((object_type, field)) or _ENUMS_BY_FIELD.get(field)
    if enum is not None and isinstance(value, str):
        try:
            return enum(value).label
        except ValueError:
            return value
    if isinstance(value, list):
        return ", ".join(value_label(object_type, field, item) for item in value) or "—"
    if isinstance(value, str) and _ISO_DATETIME.match(value):
        try:
            return local_datetime(datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return short_date(date.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def changes(event) -> list[tuple[str, str, str]]:
    """(field label, before, after) of each field the event records, in field order."""
    before, after = event.before, event.after
    if not isinstance(before, dict) and not isinstance(after, dict):
        return []
    before = before if isinstance(before, dict) else {}
    after = after if isinstance(after, dict) else {}
    rows = []
    for name in sorted(set(before) | set(after)):
        if name in HIDDEN_FIELDS or name.endswith("_id"):
            continue
        old_value, new_value = before.get(name), after.get(name)
        if old_value == new_value or (old_value in (None, "", []) and new_value in (None, "", [])):
            continue  # unchanged, or empty on both sides (a new or deleted object's blank fields)
        rows.append((field_label(name),
                     value_label(event.object_type, name, before.get(name)) if name in before else "",
                     value_label(event.object_type, name, after.get(name)) if name in after else ""))
    return rows


def _names_of(model_name: str, ids: list[int]) -> dict[int, str]:
    """Display names of the objects of one type still in the database: one query."""
    from courses.auth.models import User
    from courses.certificates.models import Certificate
    from courses.scheduling.models import Course, CourseSession, Material, Speaker, Topic

    if model_name == "Course":
        return {i: _("Lớp %(code)s", code=code) for i, code in db.session.execute(
            select(Course.id, Course.code).where(Course.id.in_(ids)))}
    if model_name == "Certificate":
        return {i: _("Giấy chứng nhận số %(serial)s", serial=serial) for i, serial in db.session.execute(
            select(Certificate.id, Certificate.serial).where(Certificate.id.in_(ids)))}
    if model_name == "CourseSession":
        return {item.id: _("Buổi «%(title)s» (lớp %(code)s)", title=item.display_title, code=item.course.code)
                for item in db.session.scalars(
                    select(CourseSession).options(joinedload(CourseSession.course), joinedload(CourseSession.topic))
                    .where(CourseSession.id.in_(ids)))}
    simple = {"Material": (Material, Material.title), "Topic": (Topic, Topic.name),
              "Speaker": (Speaker, Speaker.full_name), "User": (User, User.full_name)}
    if model_name in simple:
        model, column = simple[model_name]
        label = object_type_label(model_name)
        return {i: f"{label} «{name}»" for i, name in db.session.execute(
            select(model.id, column).where(model.id.in_(ids)))}
    return {}


def object_names(events: Iterable) -> dict[tuple[str, int], str]:
    """(object type, id) → the object's name for the shown events: a query per object type.

    A deleted object is named from its last recorded state, else by its type and number.
    """
    events = list(events)
    wanted: dict[str, set[int]] = defaultdict(set)
    for event in events:
        if event.object_id is not None:
            wanted[event.object_type].add(event.object_id)
    names: dict[tuple[str, int], str] = {}
    for model_name, ids in wanted.items():
        for object_id, name in _names_of(model_name, sorted(ids)).items():
            names[(model_name, object_id)] = name
    for event in events:
        key = (event.object_type, event.object_id)
        if event.object_id is None or key in names:
            continue
        snapshot = event.before if isinstance(event.before, dict) else {}
        title = snapshot.get("title") or snapshot.get("name") or snapshot.get("code")
        label = object_type_label(event.object_type)
        names[key] = f"{label} «{title}»" if title else f"{label} #{event.object_id}"
    return names
