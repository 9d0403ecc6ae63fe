"""Organizer pages of a course's roster: the courses with their counts, the roster with its
filters and actions (add, change a status, approve), and its exports (XLSX, CSV, sign-in sheet).
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from courses.actions import attempt
from courses.enrollment import exports, password_links, registration
from courses.enrollment import roster as rosters  # the module; `roster` is the roster page
from courses.enrollment.blueprint import bp, course_or_404, download
from courses.enrollment.forms import ActionForm, AddParticipantForm, StatusForm
from courses.enums import EnrollmentStatus
from courses.exceptions import DomainError
from courses.exports import XLSX
from courses.organizations.services import grassroots_organizations
from courses.permissions import staff_required
from courses.routing import MAX_ID, id_arg, page_arg, safe_next_url
from courses.scheduling.models import Course
from courses.text import parse_ascii_int

PER_PAGE = 100


# ---------------------------------------------------------------- organizer: roster

@bp.route("/courses")
@staff_required
def courses():
    """Courses with their registration counts, the way into each roster."""
    return render_template("enrollment/courses.html", rows=rosters.courses_with_counts())


def _roster_page(course: Course, add_form=None, status_form=None):
    status = request.args.get("status") or ""
    org = id_arg("org")
    query = (request.args.get("q") or "").strip()
    by_status = rosters.counts_by_status(course.id)
    page = rosters.roster_page(course.id, page_arg(), PER_PAGE, status=status, organization_id=org, query=query)
    grassroots = grassroots_organizations()
    return render_template(
        "enrollment/roster.html", course=course, page=page, status=status, org=org, query=query,
        by_status=by_status, by_org=rosters.counts_by_organization(course.id),
        grassroots=grassroots, statuses=EnrollmentStatus,
        status_labels=[(s, s.label) for s in EnrollmentStatus], add_form=add_form or AddParticipantForm(),
        status_form=status_form or StatusForm(), action_form=ActionForm(),
        sessions=rosters.topic_sessions(course.id),
        without_password=password_links.count_without_password(course.id),
    )


@bp.route("/courses/<int:course_id>/roster")
@staff_required
def roster(course_id: int):
    """The organizer's roster: filter, search, counts, actions."""
    return _roster_page(course_or_404(course_id))


@bp.route("/courses/<int:course_id>/roster/add", methods=["POST"])
@staff_required
def add(course_id: int):
    """Add an existing account to the roster by hand."""
    course = course_or_404(course_id)
    form = AddParticipantForm()
    if form.call_service(lambda: registration.add_by_hand(current_user, course.id, form.email.data)):
        enrollment = form.result
        flash(_("Đã thêm %(name)s (%(status)s).", name=enrollment.user.full_name,
                status=enrollment.status.label), "success")
        return redirect(url_for("enrollment.roster", course_id=course.id))
    return _roster_page(course, add_form=form), 400


@bp.route("/courses/<int:course_id>/enrollments/<int:enrollment_id>/status", methods=["POST"])
@staff_required
def change_status(course_id: int, enrollment_id: int):
    """Change one registration's status (approve, reject with a reason, cancel, waitlist…)."""
    course = course_or_404(course_id)
    form = StatusForm()
    if form.validate_on_submit():
        attempt(lambda: registration.change_status(current_user, course.id, enrollment_id, form.status.data,
                                                   form.reason.data),
                lambda enrollment: _("%(name)s: %(status)s.", name=enrollment.user.full_name,
                                     status=enrollment.status.label))
    else:
        flash(_("Trạng thái không hợp lệ."), "danger")
    return redirect(request.form.get("back") if _safe_back(request.form.get("back"))
                    else url_for("enrollment.roster", course_id=course.id))


def _safe_back(target: str | None) -> bool:
    return safe_next_url(target) is not None and target.startswith("/enrollment/")


@bp.route("/courses/<int:course_id>/approve", methods=["POST"])
@staff_required
def approve(course_id: int):
    """Approve the selected pending registrations at once."""
    course = course_or_404(course_id)
    form = ActionForm()
    # ASCII digits only («²».isdigit() is true, and int() refuses it), within the id column.
    ids = [number for number in map(parse_ascii_int, request.form.getlist("enrollment_ids"))
           if number is not None and number <= MAX_ID]
    if form.validate_on_submit():
        attempt(lambda: registration.approve(current_user, course.id, ids),
                lambda counts: _("Đã duyệt: %(confirmed)s xác nhận, %(waitlisted)s vào danh sách chờ.",
                                 confirmed=counts[0], waitlisted=counts[1]))
    return redirect(url_for("enrollment.roster", course_id=course.id, status="pending"))


# ---------------------------------------------------------------- organizer: exports

@bp.route("/courses/<int:course_id>/roster.xlsx")
@staff_required
def export_xlsx(course_id: int):
    """The whole roster as XLSX."""
    course = course_or_404(course_id)
    enrollments = rosters.sorted_roster(course.id)
    return download(exports.roster_xlsx(f"{course.code} – {course.title}", enrollments),
                    f"danh-sach-{course.code}.xlsx", XLSX)


@bp.route("/courses/<int:course_id>/roster.csv")
@staff_required
def export_csv(course_id: int):
    """The whole roster as CSV (UTF-8 with BOM)."""
    course = course_or_404(course_id)
    enrollments = rosters.sorted_roster(course.id)
    return download(exports.roster_csv(enrollments), f"danh-sach-{course.code}.csv", "text/csv; charset=utf-8")


@bp.route("/courses/<int:course_id>/set-password-links.xlsx", methods=["POST"])
@staff_required
def set_password_links(course_id: int):
    """Fresh set-password links of the participants who never set a password, as XLSX (audited)."""
    course = course_or_404(course_id)
    if not ActionForm().validate_on_submit():
        flash(_("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Vui lòng tải lại trang và gửi lại."), "danger")
        return redirect(url_for("enrollment.roster", course_id=course.id))
    data, _count = password_links.links_workbook(current_user, course)
    return download(data, f"lien-ket-dat-mat-khau-{course.code}.xlsx", XLSX)


@bp.route("/courses/<int:course_id>/sign-in-sheet.pdf")
@staff_required
def sign_in_sheet(course_id: int):
    """The printable sign-in sheet of the course, or of one session (?session_id=)."""
    course = course_or_404(course_id)
    session_id = id_arg("session_id")
    try:
        data = rosters.sign_in_sheet_pdf(course, session_id)
    except DomainError:
        abort(404)
    suffix = f"-buoi-{session_id}" if session_id else ""
    return download(data, f"danh-sach-ky-ten-{course.code}{suffix}.pdf", "application/pdf", inline=True)
