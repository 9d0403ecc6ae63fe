"""Organizer pages under /organize: the course list, a course's workbench, editor, status
actions and clone, and its timetable. The scheduling blueprint is made here; its other
routes are in materials_views (materials) and directory_views (topics, speakers)."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from courses.actions import attempt
from courses.audit import labels as audit_labels
from courses.audit.services import course_history
from courses.confirmation import confirm_first
from courses.enums import CourseStatus, SessionKind
from courses.exceptions import DomainError
from courses.formatting import LOCAL_TZ, to_local
from courses.organizations.services import organization_choices
from courses.permissions import staff_required
from courses.routing import found_or_404, page_arg
from courses.scheduling import lifecycle, queries, timetable
from courses.scheduling.blueprint import bp
from courses.scheduling.confirmations import material_delete_lines, session_delete_lines
from courses.scheduling.course_data import CourseData
from courses.scheduling.forms import (
    CancelForm,
    CloneForm,
    CourseForm,
    SessionForm,
    StatusForm,
)
from courses.scheduling.models import Course, CourseSession

PER_PAGE = 30


def _course_form(course: Course | None = None) -> CourseForm:
    form = CourseForm(obj=course)
    form.organizing_unit_id.choices = organization_choices()
    if course is not None and request.method == "GET":
        form.completion_rule.data = course.completion_rule.value
        form.registration_opens_at.data = (to_local(course.registration_opens_at).replace(tzinfo=None)
                                           if course.registration_opens_at else None)
        form.registration_closes_at.data = (to_local(course.registration_closes_at).replace(tzinfo=None)
                                            if course.registration_closes_at else None)
    return form


# ---------------------------------------------------------------- courses

@bp.route("/")
@staff_required
def courses():
    """Every course, newest first, filterable by status and title."""
    status = request.args.get("status") or ""
    query = (request.args.get("q") or "").strip()
    page = queries.courses_page(status, query, page_arg(), PER_PAGE)
    return render_template("scheduling/courses.html", page=page, status=status, query=query,
                           statuses=CourseStatus)


@bp.route("/courses/new", methods=["GET", "POST"])
@staff_required
def create_course():
    """The course editor for a new draft."""
    form = _course_form()
    if request.method == "GET":
        form.capacity.data = form.capacity.data or 100
    if form.call_service(lambda: lifecycle.create_course(current_user, CourseData.from_form(form.data))):
        course = form.result
        flash(_("Đã tạo lớp «%(title)s» (bản nháp). Hãy thêm thời khóa biểu.", title=course.title), "success")
        return redirect(url_for("scheduling.course", course_id=course.id))
    return render_template("scheduling/course_form.html", form=form, course=None)


@bp.route("/courses/<int:course_id>")
@staff_required
def course(course_id: int):
    """A course's workbench: details, status actions, timetable, materials, history."""
    course = found_or_404(queries.load_course(course_id))
    history = course_history(course)
    from courses.catalog.services import sessions_by_day

    return render_template(
        "scheduling/course.html", course=course, days=sessions_by_day(course), history=history,
        history_names=audit_labels.object_names(history), audit_action_label=audit_labels.action_label,
        changes=audit_labels.changes,
        actions=lifecycle.allowed_actions(course), action_label=lifecycle.transition_label,
        status_form=StatusForm(), cancel_form=CancelForm(),
        session_delete_lines=session_delete_lines, material_delete_lines=material_delete_lines,
    )


@bp.route("/courses/<int:course_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_course(course_id: int):
    """The course editor for an existing course."""
    course = found_or_404(queries.load_course(course_id))
    form = _course_form(course)
    if form.call_service(lambda: lifecycle.update_course(current_user, course, CourseData.from_form(form.data))):
        flash(_("Đã lưu thông tin lớp."), "success")
        return redirect(url_for("scheduling.course", course_id=course.id))
    return render_template("scheduling/course_form.html", form=form, course=course)


@bp.route("/courses/<int:course_id>/status/<action>", methods=["POST"])
@staff_required
def change_status(course_id: int, action: str):
    """Publish, close or reopen registration, or mark finished."""
    course = found_or_404(queries.load_course(course_id))
    form = StatusForm()
    if action not in lifecycle.TRANSITIONS or action == "cancel":
        abort(404)
    if form.validate_on_submit():
        attempt(lambda: lifecycle.change_status(current_user, course, action),
                lambda _result: _("Lớp đã chuyển sang trạng thái «%(status)s».", status=course.status.label))
    return redirect(url_for("scheduling.course", course_id=course.id))


@bp.route("/courses/<int:course_id>/cancel", methods=["POST"])
@staff_required
def cancel_course(course_id: int):
    """Cancel a course with a reason shown to participants."""
    course = found_or_404(queries.load_course(course_id))
    form = CancelForm()
    if form.validate_on_submit():
        attempt(lambda: lifecycle.change_status(current_user, course, "cancel", reason=form.reason.data),
                _("Đã hủy lớp."))
    else:
        flash(_("Vui lòng nêu lý do hủy lớp."), "danger")
    return redirect(url_for("scheduling.course", course_id=course.id))


@bp.route("/courses/<int:course_id>/clone", methods=["GET", "POST"])
@staff_required
def clone_course(course_id: int):
    """Copy a course to a new date with its timetable, speakers, materials and settings."""
    source = found_or_404(queries.load_course(course_id))
    form = CloneForm()
    if request.method == "GET":
        next_year = source.starts_on + timedelta(days=364)
        form.starts_on.data = next_year
        form.title.data = source.title
        form.code.data = f"{source.code}-{next_year.year}"
    if form.call_service(lambda: lifecycle.clone_course(
            current_user, source, form.code.data, form.starts_on.data, title=form.title.data)):
        course = form.result
        flash(_("Đã sao chép thành lớp %(code)s (bản nháp).", code=course.code), "success")
        return redirect(url_for("scheduling.course", course_id=course.id))
    return render_template("scheduling/clone.html", form=form, course=source)


# ---------------------------------------------------------------- timetable

def _session_form(course: Course, item: CourseSession | None = None) -> SessionForm:
    form = SessionForm(obj=item)
    topics = queries.topics_in_order()
    speakers = queries.speakers_by_name()
    form.topic_id.choices = [(0, "—")] + [(t.id, t.name) for t in topics]
    form.speaker_id.choices = [(0, "—")] + [(s.id, f"{s.full_name} — {s.title}" if s.title else s.full_name)
                                            for s in speakers]
    form._topics = {t.id: t for t in topics}
    if request.method == "GET":
        if item is not None:
            form.kind.data = item.kind.value
            form.day.data = to_local(item.starts_at).date()
            form.start_time.data = to_local(item.starts_at).time()
            form.end_time.data = to_local(item.ends_at).time()
        else:
            form.day.data = course.starts_on
            form.room.data = course.sessions[-1].room if course.sessions else ""
            if course.sessions:
                last = to_local(course.sessions[-1].ends_at)
                form.day.data, form.start_time.data = last.date(), last.time()
    return form


def _session_data(form: SessionForm) -> timetable.SessionData:
    starts_at = datetime.combine(form.day.data, form.start_time.data, tzinfo=LOCAL_TZ)
    if form.end_time.data:
        ends_at = datetime.combine(form.day.data, form.end_time.data, tzinfo=LOCAL_TZ)
    elif form.topic_id.data and form.topic_id.data in form._topics:
        ends_at = starts_at + timedelta(minutes=form._topics[form.topic_id.data].default_duration_minutes)
    else:
        raise DomainError(_("Vui lòng nhập giờ kết thúc."), field="end_time")
    return timetable.SessionData(
        kind=SessionKind(form.kind.data), starts_at=starts_at, ends_at=ends_at, title=form.title.data or "",
        topic_id=form.topic_id.data, speaker_id=form.speaker_id.data, room=form.room.data or "",
        presided_by=form.presided_by.data or "", guiding_speech_by=form.guiding_speech_by.data or "",
    )


@bp.route("/courses/<int:course_id>/sessions/new", methods=["GET", "POST"])
@staff_required
def add_session(course_id: int):
    """Add a slot to the timetable."""
    course = found_or_404(queries.load_course(course_id))
    form = _session_form(course)
    if form.call_service(lambda: timetable.add_session(current_user, course, _session_data(form))):
        flash(_("Đã thêm buổi học vào thời khóa biểu."), "success")
        if request.form.get("another"):
            return redirect(url_for("scheduling.add_session", course_id=course.id))
        return redirect(url_for("scheduling.course", course_id=course.id))
    return render_template("scheduling/session_form.html", form=form, course=course, item=None)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_session(session_id: int):
    """Change a slot of the timetable."""
    item = found_or_404(queries.load_session(session_id))
    course = found_or_404(queries.load_course(item.course_id))
    form = _session_form(course, item)
    if form.call_service(lambda: timetable.update_session(current_user, item, _session_data(form))):
        flash(_("Đã lưu buổi học."), "success")
        return redirect(url_for("scheduling.course", course_id=course.id))
    return render_template("scheduling/session_form.html", form=form, course=course, item=item)


@bp.route("/sessions/<int:session_id>/delete", methods=["POST"])
@staff_required
def delete_session(session_id: int):
    """Remove a slot from the timetable."""
    item = found_or_404(queries.load_session(session_id))
    course_id = item.course_id
    if StatusForm().validate_on_submit():
        page = confirm_first(_("Xóa buổi học"), session_delete_lines(item),
                             url_for("scheduling.course", course_id=course_id))
        if page is not None:
            return page
        attempt(lambda: timetable.delete_session(current_user, item), _("Đã xóa buổi học."))
    return redirect(url_for("scheduling.course", course_id=course_id))
