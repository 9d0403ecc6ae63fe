"""A course's materials: who may see them, and uploading, linking, changing and deleting them."""
from __future__ import annotations

from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from courses.audit.services import changed, record, snapshot
from courses.enrollment.models import Enrollment
from courses.enums import EnrollmentStatus, MaterialKind, Visibility
from courses.exceptions import DomainError
from courses.extensions import db
from courses.permissions import is_staff
from courses.scheduling import files
from courses.scheduling.changes import MATERIAL_FIELDS, require_staff
from courses.scheduling.models import Course, CourseSession, Material


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
    require_staff(actor)
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
    require_staff(actor)
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
    require_staff(actor)
    _check_material_target(material.course, session_id)
    if not title:
        raise DomainError(_("Vui lòng nhập tiêu đề."), field="title")
    before = snapshot(material, MATERIAL_FIELDS)
    material.title, material.visibility = title, visibility
    material.description, material.session_id = description, session_id
    before, after = changed(before, snapshot(material, MATERIAL_FIELDS))
    if after:
        record(actor, "material.update", material, before=before, after=after)
    db.session.commit()
    return material


def delete_material(actor, material: Material) -> None:
    """Remove a material; its file is deleted unless another record still points at it."""
    require_staff(actor)
    stored_name = material.stored_name
    record(actor, "material.delete", material, before=snapshot(material, MATERIAL_FIELDS))
    db.session.delete(material)
    db.session.commit()
    if stored_name and db.session.scalar(select(Material.id).where(Material.stored_name == stored_name)) is None:
        files.remove(current_app.config["UPLOAD_DIR"], stored_name)


def material_path(material: Material):
    """The path of a material's stored file."""
    return files.stored_path(current_app.config["UPLOAD_DIR"], material.stored_name)
