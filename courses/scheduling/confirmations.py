"""What deleting a session or a material will do, said before it is done (the dialog and the
confirmation page read the same lines)."""
from __future__ import annotations

from flask_babel import gettext as _

from courses.formatting import clock, short_date
from courses.scheduling.models import CourseSession, Material


def session_delete_lines(item: CourseSession) -> list[str]:
    """What deleting a session does (the dialog and the confirmation page)."""
    lines = [_("Xóa buổi «%(title)s» (%(start)s–%(end)s, ngày %(day)s) khỏi thời khóa biểu.",
               title=item.display_title, start=clock(item.starts_at), end=clock(item.ends_at),
               day=short_date(item.starts_at))]
    attached = [m.title for m in item.course.materials if m.session_id == item.id]
    if attached:
        lines.append(_("Tài liệu gắn với buổi này cũng bị xóa: %(titles)s.", titles=", ".join(attached)))
    return lines


def material_delete_lines(material: Material) -> list[str]:
    """What deleting a material does."""
    lines = [_("Xóa tài liệu «%(title)s» khỏi lớp; học viên sẽ không xem được nữa.", title=material.title)]
    if material.stored_name:
        lines.append(_("Tệp tải lên bị xóa khỏi máy chủ (trừ khi còn nơi khác dùng)."))
    return lines
