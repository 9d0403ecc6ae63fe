"""Organizer pages under /organize for a course's materials: upload a file or add a link,
change one, delete one (routes of the scheduling blueprint)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from courses.confirmation import confirm_first
from courses.enums import Visibility
from courses.formatting import local_datetime
from courses.permissions import staff_required
from courses.routing import found_or_404
from courses.scheduling import materials, queries
from courses.scheduling.blueprint import bp
from courses.scheduling.confirmations import material_delete_lines
from courses.scheduling.forms import MaterialEditForm, MaterialForm, StatusForm
from courses.scheduling.models import Course


def _session_choices(course: Course) -> list[tuple[int, str]]:
    return [(0, _("Cả lớp"))] + [
        (s.id, f"{local_datetime(s.starts_at)} — {s.display_title}") for s in course.sessions
    ]


@bp.route("/courses/<int:course_id>/materials/new", methods=["GET", "POST"])
@staff_required
def add_material(course_id: int):
    """Upload a file (checked by content and size) or add a link."""
    course = found_or_404(queries.load_course(course_id))
    form = MaterialForm()
    form.session_id.choices = _session_choices(course)

    def add():
        visibility = Visibility(form.visibility.data)
        if form.kind.data == "file":
            upload = form.file.data
            return materials.upload_material(current_user, course, upload.stream, upload.filename, form.title.data,
                                             visibility, form.description.data or "", form.session_id.data)
        return materials.add_link(current_user, course, form.url.data, form.title.data, visibility,
                                  form.description.data or "", form.session_id.data)

    if form.call_service(add):
        flash(_("Đã thêm tài liệu."), "success")
        return redirect(url_for("scheduling.course", course_id=course.id) + "#materials")
    return render_template("scheduling/material_form.html", form=form, course=course, material=None)


@bp.route("/materials/<int:material_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_material(material_id: int):
    """Change a material's title, session or visibility."""
    material = found_or_404(queries.load_material(material_id))
    course = found_or_404(queries.load_course(material.course_id))
    form = MaterialEditForm(obj=material)
    form.session_id.choices = _session_choices(course)
    if request.method == "GET":
        form.visibility.data = material.visibility.value
        form.session_id.data = material.session_id or 0
    if form.call_service(lambda: materials.update_material(
            current_user, material, form.title.data, Visibility(form.visibility.data),
            form.description.data or "", form.session_id.data)):
        flash(_("Đã lưu tài liệu."), "success")
        return redirect(url_for("scheduling.course", course_id=course.id) + "#materials")
    return render_template("scheduling/material_form.html", form=form, course=course, material=material)


@bp.route("/materials/<int:material_id>/delete", methods=["POST"])
@staff_required
def delete_material(material_id: int):
    """Remove a material and, when no other record uses it, its file."""
    material = found_or_404(queries.load_material(material_id))
    course_id = material.course_id
    if StatusForm().validate_on_submit():
        page = confirm_first(_("Xóa tài liệu"), material_delete_lines(material),
                             url_for("scheduling.course", course_id=course_id) + "#materials")
        if page is not None:
            return page
        materials.delete_material(current_user, material)
        flash(_("Đã xóa tài liệu."), "success")
    return redirect(url_for("scheduling.course", course_id=course_id) + "#materials")
