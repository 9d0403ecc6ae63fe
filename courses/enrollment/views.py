"""Enrollment pages: register/cancel, «Khóa học của tôi», roster, quotas, import, exports, nominations."""
from __future__ import annotations

import re
import secrets
import time
from datetime import datetime
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from werkzeug.routing import BuildError

from courses.auth.models import User
from courses.confirmation import confirm_first
from courses.downloads import send_download
from courses.enrollment import exports, importer, registration, seats, tokens, waitlist
from courses.enrollment import roster as rosters  # the module; `roster` is the roster page
from courses.enrollment.dashboard import participant_dashboard
from courses.enrollment.forms import (
    ActionForm,
    AddParticipantForm,
    ImportConfirmForm,
    ImportUploadForm,
    NominateForm,
    QuotaForm,
    SetPasswordForm,
    StatusForm,
    SubstituteForm,
)
from courses.enrollment.models import CourseQuota, Enrollment
from courses.enums import CourseStatus, EnrollmentStatus, OrganizationKind, Role, SessionKind
from courses.exceptions import DomainError, NotAllowed
from courses.extensions import db, limiter
from courses.formatting import LOCAL_TZ
from courses.organizations.models import Organization
from courses.organizations.services import unit_display_name
from courses.permissions import is_staff, login_required, public, role_required, staff_required
from courses.quotas import services as quota_services
from courses.routing import MAX_ID, id_arg, page_arg, safe_next_url
from courses.scheduling.models import Course, CourseSession, Material
from courses.text import parse_ascii_int

bp = Blueprint("enrollment", __name__, cli_group="enrollment")

PER_PAGE = 100
coordinator_required = role_required(Role.COORDINATOR)


def _course_or_404(course_id: int) -> Course:
    course = db.session.scalar(select(Course).options(joinedload(Course.organizing_unit))
                               .where(Course.id == course_id))
    if course is None:
        abort(404)
    return course


def _unit_course_or_404(course_id: int) -> Course:
    """A course for the unit pages: a draft is not found, as a missing id, to all but staff."""
    course = _course_or_404(course_id)
    if course.status == CourseStatus.DRAFT and not is_staff(current_user):
        abort(404)
    return course


def _download(data: bytes, filename: str, mimetype: str, inline: bool = False) -> Response:
    return send_download(data, filename, mimetype, inline=inline)


# ---------------------------------------------------------------- the course page's buttons

@bp.app_context_processor
def course_actions_helper():
    """`enrollment_state(course)` for the course page: the user's enrollment and what they may do."""

    def enrollment_state(course):
        state = {"enrollment": None, "reason": None, "can_register": False, "can_cancel": False,
                 "waitlist": None, "overlap": None, "form": ActionForm()}
        if not current_user.is_authenticated:
            state["reason"] = registration.ineligibility_reason(None, course)
            return state
        enrollment = registration.find_enrollment(current_user.id, course.id)
        state["enrollment"] = enrollment
        today = datetime.now(LOCAL_TZ).date()
        if enrollment is not None and enrollment.status in seats.ACTIVE_STATUSES:
            state["can_cancel"] = course.starts_on > today
            if enrollment.status == EnrollmentStatus.WAITLISTED:
                state["waitlist"] = waitlist.waitlist_message(enrollment)
            elif enrollment.status == EnrollmentStatus.CONFIRMED:
                state["overlap"] = waitlist.overlap_message(waitlist.overlapping_courses(current_user.id, course.id))
            return state
        if enrollment is not None and enrollment.status == EnrollmentStatus.REJECTED:
            return state
        state["reason"] = registration.ineligibility_reason(current_user, course)
        state["can_register"] = state["reason"] is None
        return state

    return {"enrollment_state": enrollment_state, "cancel_lines": cancel_lines}


def cancel_lines(course: Course, enrollment: Enrollment | None) -> list[str]:
    """What withdrawing one's registration does (the dialog and the confirmation page)."""
    lines = [_("Hủy đăng ký lớp «%(title)s» (%(code)s).", title=course.title, code=course.code)]
    status = enrollment.status if enrollment is not None else None
    if status == EnrollmentStatus.CONFIRMED:
        lines.append(_("Chỗ của đồng chí sẽ được nhường cho người kế tiếp trong danh sách chờ; "
                       "đăng ký lại có thể phải vào danh sách chờ."))
    elif status == EnrollmentStatus.WAITLISTED:
        lines.append(_("Đồng chí sẽ rời danh sách chờ và mất thứ tự hiện tại."))
    elif status == EnrollmentStatus.PENDING:
        lines.append(_("Đăng ký đang chờ duyệt sẽ bị rút lại."))
    return lines


@bp.route("/courses/<int:course_id>/register", methods=["POST"])
@login_required
def register(course_id: int):
    """Register oneself for a course."""
    form = ActionForm()
    if form.validate_on_submit():
        try:
            enrollment = registration.register(current_user, course_id)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            if enrollment.status == EnrollmentStatus.CONFIRMED:
                flash(_("Đăng ký thành công: đồng chí đã có chỗ trong lớp."), "success")
                overlap = waitlist.overlap_message(waitlist.overlapping_courses(current_user.id, course_id))
                if overlap:
                    flash(overlap, "warning")
            elif enrollment.status == EnrollmentStatus.WAITLISTED:
                flash(waitlist.waitlist_message(enrollment) + " "
                      + _("Đồng chí sẽ được xác nhận tự động khi có chỗ."), "warning")
            else:
                flash(_("Đã gửi đăng ký; ban tổ chức sẽ xét duyệt."), "info")
    return redirect(url_for("catalog.course", course_id=course_id))


@bp.route("/courses/<int:course_id>/cancel", methods=["POST"])
@login_required
def cancel(course_id: int):
    """Withdraw one's own registration."""
    form = ActionForm()
    target = request.form.get("next")
    if form.validate_on_submit():
        course = db.session.get(Course, course_id)
        enrollment = registration.find_enrollment(current_user.id, course_id) if course else None
        active = enrollment is not None and enrollment.status in seats.ACTIVE_STATUSES
        back = url_for("enrollment.dashboard") if target == "dashboard" else url_for("catalog.course", course_id=course_id)
        page = confirm_first(_("Hủy đăng ký lớp %(title)s?", title=course.title) if course else "",
                             cancel_lines(course, enrollment) if active else [], back, needed=active)
        if page is not None:
            return page
        try:
            registration.cancel_own(current_user, course_id)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash(_("Đã hủy đăng ký."), "info")
    if target == "dashboard":
        return redirect(url_for("enrollment.dashboard"))
    return redirect(url_for("catalog.course", course_id=course_id))


# ---------------------------------------------------------------- «Khóa học của tôi»

def material_url(material: Material) -> str | None:
    """Where a material opens (the catalogue's checked download view, when installed)."""
    try:
        return url_for("catalog.material", material_id=material.id)
    except BuildError:
        return material.url


@bp.route("/me")
@login_required
def dashboard():
    """The participant's courses: upcoming in full, past ten to a page, newest first."""
    today = datetime.now(LOCAL_TZ).date()
    courses = participant_dashboard(current_user.id, today, page_arg())
    positions = waitlist.waitlist_positions(current_user.id)
    return render_template("enrollment/dashboard.html", courses=courses, past=courses.past,
                           form=ActionForm(), material_url=material_url, SessionKind=SessionKind,
                           waitlist_positions=positions, position_message=waitlist.position_message)


# ---------------------------------------------------------------- organizer: roster

@bp.route("/courses")
@staff_required
def courses():
    """Courses with their registration counts, the way into each roster."""
    rows = db.session.execute(
        select(Course, func.count(Enrollment.id).filter(Enrollment.status == EnrollmentStatus.CONFIRMED),
               func.count(Enrollment.id).filter(Enrollment.status == EnrollmentStatus.PENDING),
               func.count(Enrollment.id).filter(Enrollment.status == EnrollmentStatus.WAITLISTED))
        .outerjoin(Enrollment, Enrollment.course_id == Course.id)
        .group_by(Course.id)
        .order_by(Course.starts_on.desc(), Course.id.desc())
    ).all()
    return render_template("enrollment/courses.html", rows=rows)


def _roster_page(course: Course, add_form=None, status_form=None):
    status = request.args.get("status") or ""
    org = id_arg("org")
    query = (request.args.get("q") or "").strip()
    by_status = rosters.counts_by_status(course.id)
    page = rosters.roster_page(course.id, page_arg(), PER_PAGE, status=status, organization_id=org, query=query)
    grassroots = db.session.scalars(select(Organization).where(Organization.kind == OrganizationKind.GRASSROOTS)
                                    .order_by(Organization.sort_order, Organization.name)).all()
    return render_template(
        "enrollment/roster.html", course=course, page=page, status=status, org=org, query=query,
        by_status=by_status, by_org=rosters.counts_by_organization(course.id),
        grassroots=grassroots, statuses=EnrollmentStatus,
        status_labels=[(s, s.label) for s in EnrollmentStatus], add_form=add_form or AddParticipantForm(),
        status_form=status_form or StatusForm(), action_form=ActionForm(),
        sessions=_topic_sessions(course.id),
    )


def _topic_sessions(course_id: int) -> list[CourseSession]:
    """The course's topic sessions with their topics, in one query (a sign-in sheet link each)."""
    return list(db.session.scalars(
        select(CourseSession).options(joinedload(CourseSession.topic))
        .where(CourseSession.course_id == course_id, CourseSession.kind == SessionKind.TOPIC)
        .order_by(CourseSession.starts_at, CourseSession.id)
    ))


@bp.route("/courses/<int:course_id>/roster")
@staff_required
def roster(course_id: int):
    """The organizer's roster: filter, search, counts, actions."""
    return _roster_page(_course_or_404(course_id))


@bp.route("/courses/<int:course_id>/roster/add", methods=["POST"])
@staff_required
def add(course_id: int):
    """Add an existing account to the roster by hand."""
    course = _course_or_404(course_id)
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
    course = _course_or_404(course_id)
    form = StatusForm()
    if form.validate_on_submit():
        try:
            enrollment = registration.change_status(current_user, course.id, enrollment_id, form.status.data,
                                                form.reason.data)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash(_("%(name)s: %(status)s.", name=enrollment.user.full_name, status=enrollment.status.label),
                  "success")
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
    course = _course_or_404(course_id)
    form = ActionForm()
    # ASCII digits only («²».isdigit() is true, and int() refuses it), within the id column.
    ids = [number for number in map(parse_ascii_int, request.form.getlist("enrollment_ids"))
           if number is not None and number <= MAX_ID]
    if form.validate_on_submit():
        try:
            confirmed, waitlisted = registration.approve(current_user, course.id, ids)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash(_("Đã duyệt: %(confirmed)s xác nhận, %(waitlisted)s vào danh sách chờ.",
                    confirmed=confirmed, waitlisted=waitlisted), "success")
    return redirect(url_for("enrollment.roster", course_id=course.id, status="pending"))


# ---------------------------------------------------------------- organizer: quotas

@bp.route("/courses/<int:course_id>/quotas", methods=["GET", "POST"])
@staff_required
def quotas(course_id: int):
    """Quotas per grassroots organization and their use."""
    course = _course_or_404(course_id)
    form = QuotaForm()
    grassroots = db.session.scalars(select(Organization).where(Organization.kind == OrganizationKind.GRASSROOTS)
                                    .order_by(Organization.sort_order, Organization.name)).all()
    form.organization_id.choices = [(0, _("— Chọn đảng bộ cơ sở —"))] + [(o.id, o.name) for o in grassroots]
    status = 200
    if request.method == "POST":
        if form.call_service(lambda: quota_services.set_quota(
                current_user, course.id, form.organization_id.data, form.seats.data)):
            flash(_("Đã lưu chỉ tiêu."), "success")
            return redirect(url_for("enrollment.quotas", course_id=course.id))
        status = 400
    allocated = db.session.scalar(select(func.coalesce(func.sum(CourseQuota.seats), 0))
                                  .where(CourseQuota.course_id == course.id)) or 0
    return render_template("enrollment/quotas.html", course=course, form=form,
                           rows=quota_services.quota_usage(course), allocated=allocated), status


# ---------------------------------------------------------------- organizer: import

def _import_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _stash_upload(course_id: int, filename: str, data: bytes) -> str:
    """Keep the uploaded file until the organizer confirms (nothing goes into the database)."""
    directory = _import_dir()
    for old in directory.glob("*.upload"):
        if old.stat().st_mtime < time.time() - 86400:
            old.unlink(missing_ok=True)
    token = secrets.token_hex(16)
    suffix = ".xlsx" if data.startswith(b"PK") else ".csv"
    (directory / f"{course_id}-{token}{suffix}.upload").write_bytes(data)
    return token


def _stashed(course_id: int, token: str) -> tuple[Path, str] | None:
    if not re.fullmatch(r"[0-9a-f]{32}", token or ""):
        return None
    for suffix in (".xlsx", ".csv"):
        path = _import_dir() / f"{course_id}-{token}{suffix}.upload"
        if path.exists():
            return path, "file" + suffix
    return None


@bp.route("/courses/<int:course_id>/import/template.xlsx")
@staff_required
def import_template(course_id: int):
    """The XLSX template to fill in."""
    _course_or_404(course_id)
    return _download(importer.template_xlsx(), "mau-danh-sach-hoc-vien.xlsx",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/courses/<int:course_id>/import", methods=["GET", "POST"])
@staff_required
def import_upload(course_id: int):
    """Upload a list; show the per-row report; nothing is written yet."""
    course = _course_or_404(course_id)
    form = ImportUploadForm()
    plan = None
    confirm_form = None
    if form.validate_on_submit():
        data = form.file.data.read()
        try:
            rows = importer.parse_spreadsheet(form.file.data.filename, data)
            plan = importer.plan_import(course, rows)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            if plan.ok:
                confirm_form = ImportConfirmForm(token=_stash_upload(course.id, form.file.data.filename, data))
    status = 400 if request.method == "POST" and (form.errors or form.form_errors or (plan and not plan.ok)) else 200
    return render_template("enrollment/import.html", course=course, form=form, plan=plan,
                           confirm_form=confirm_form), status


@bp.route("/courses/<int:course_id>/import/confirm", methods=["POST"])
@staff_required
def import_confirm(course_id: int):
    """Write the previewed list in one transaction and show the set-password links."""
    course = _course_or_404(course_id)
    form = ImportConfirmForm()
    stashed = _stashed(course.id, form.token.data) if form.validate_on_submit() else None
    if stashed is None:
        flash(_("Phiên nhập danh sách đã hết hạn; hãy tải tệp lên lại."), "warning")
        return redirect(url_for("enrollment.import_upload", course_id=course.id))
    path, name = stashed
    try:
        plan = importer.plan_import(course, importer.parse_spreadsheet(name, path.read_bytes()))
        result = importer.apply_import(current_user, course.id, plan)
    except DomainError as error:
        flash(error.message, "danger")
        return redirect(url_for("enrollment.import_upload", course_id=course.id))
    path.unlink(missing_ok=True)
    links = [(user, tokens.set_password_url(user)) for user in result.new_users]
    return render_template("enrollment/import_done.html", course=course, result=result, links=links)


# ---------------------------------------------------------------- organizer: exports

@bp.route("/courses/<int:course_id>/roster.xlsx")
@staff_required
def export_xlsx(course_id: int):
    """The whole roster as XLSX."""
    course = _course_or_404(course_id)
    enrollments = rosters.sorted_roster(course.id)
    return _download(exports.roster_xlsx(f"{course.code} – {course.title}", enrollments),
                     f"danh-sach-{course.code}.xlsx",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/courses/<int:course_id>/roster.csv")
@staff_required
def export_csv(course_id: int):
    """The whole roster as CSV (UTF-8 with BOM)."""
    course = _course_or_404(course_id)
    enrollments = rosters.sorted_roster(course.id)
    return _download(exports.roster_csv(enrollments), f"danh-sach-{course.code}.csv", "text/csv; charset=utf-8")


@bp.route("/courses/<int:course_id>/sign-in-sheet.pdf")
@staff_required
def sign_in_sheet(course_id: int):
    """The printable sign-in sheet of the course, or of one session (?session_id=)."""
    course = _course_or_404(course_id)
    session_id = id_arg("session_id")
    try:
        data = rosters.sign_in_sheet_pdf(course, session_id)
    except DomainError:
        abort(404)
    suffix = f"-buoi-{session_id}" if session_id else ""
    return _download(data, f"danh-sach-ky-ten-{course.code}{suffix}.pdf", "application/pdf", inline=True)


# ---------------------------------------------------------------- unit coordinators

@bp.route("/unit")
@coordinator_required
def unit():
    """A coordinator's courses: those open for nomination, with the unit's quota."""
    try:
        scope = quota_services.coordinator_scope(current_user)
    except NotAllowed:
        abort(403)
    organization = db.session.get(Organization, scope)
    courses_ = db.session.scalars(
        select(Course).where(Course.status.in_((CourseStatus.PUBLISHED, CourseStatus.CLOSED)))
        .order_by(Course.starts_on, Course.id)).all()
    quotas_ = dict(db.session.execute(select(CourseQuota.course_id, CourseQuota.seats)
                                      .where(CourseQuota.organization_id == scope)).all())
    return render_template("enrollment/unit.html", organization=organization, courses=courses_, quotas=quotas_)


def _unit_page(course: Course, scope: int, nominate_form=None):
    members = quota_services.unit_members(current_user)
    nominees = db.session.scalars(
        select(Enrollment).options(joinedload(Enrollment.user).joinedload(User.organization))
        .where(Enrollment.course_id == course.id, Enrollment.quota_organization_id == scope)
        .order_by(Enrollment.requested_at, Enrollment.id)).all()
    taken = {e.user_id for e in nominees if e.status in seats.ACTIVE_STATUSES}
    choices = [(0, _("— Chọn đảng viên —"))] + [
        (m.id, f"{m.full_name} — {unit_display_name(m.organization)}") for m in members if m.id not in taken]
    nominate_form = nominate_form or NominateForm()
    nominate_form.user_id.choices = choices
    substitute_form = SubstituteForm()
    substitute_form.user_id.choices = choices
    rows = quota_services.quota_usage(course, only_org_id=scope)
    refusal, can_substitute = quota_services.nomination_refusal(course, scope)
    return render_template("enrollment/unit_course.html", course=course, nominees=nominees,
                           refusal=refusal, can_substitute=can_substitute,
                           nominate_form=nominate_form, substitute_form=substitute_form,
                           usage=rows[0] if rows else None, organization=db.session.get(Organization, scope))


@bp.route("/unit/courses/<int:course_id>")
@coordinator_required
def unit_course(course_id: int):
    """The unit's people in one course; nominate and substitute within the quota."""
    course = _unit_course_or_404(course_id)
    try:
        scope = quota_services.coordinator_scope(current_user)
    except NotAllowed:
        abort(403)
    return _unit_page(course, scope)


@bp.route("/unit/courses/<int:course_id>/nominate", methods=["POST"])
@coordinator_required
def nominate(course_id: int):
    """Nominate a member of the unit."""
    course = _unit_course_or_404(course_id)
    try:
        quota_services.coordinator_scope(current_user)
    except NotAllowed:
        abort(403)
    form = NominateForm()
    form.user_id.choices = [(m.id, m.full_name) for m in quota_services.unit_members(current_user)]
    if form.validate_on_submit():
        try:
            enrollment = quota_services.nominate(current_user, course.id, form.user_id.data)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash(_("Đã cử %(name)s.", name=enrollment.user.full_name), "success")
    else:
        flash(_("Vui lòng chọn một đảng viên của đơn vị."), "danger")
    return redirect(url_for("enrollment.unit_course", course_id=course.id))


@bp.route("/unit/courses/<int:course_id>/substitute/<int:enrollment_id>", methods=["POST"])
@coordinator_required
def substitute(course_id: int, enrollment_id: int):
    """Replace a nominee by another member; the seat stays with the unit."""
    course = _unit_course_or_404(course_id)
    form = SubstituteForm()
    try:
        quota_services.coordinator_scope(current_user)
    except NotAllowed:
        abort(403)
    form.user_id.choices = [(m.id, m.full_name) for m in quota_services.unit_members(current_user)]
    if form.validate_on_submit():
        try:
            enrollment = quota_services.substitute(current_user, course.id, enrollment_id, form.user_id.data)
        except NotAllowed:
            abort(403)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash(_("Đã thay bằng %(name)s.", name=enrollment.user.full_name), "success")
    else:
        flash(_("Vui lòng chọn một đảng viên của đơn vị."), "danger")
    return redirect(url_for("enrollment.unit_course", course_id=course.id))


# ---------------------------------------------------------------- set-password links

@bp.route("/set-password/<token>", methods=["GET", "POST"])
@public
@limiter.limit("20 per hour", methods=["POST"])
def set_password(token: str):
    """Set the password of an imported account through the link the organizer handed out."""
    user = tokens.user_for_token(token)
    if user is None:
        return render_template("enrollment/set_password_invalid.html"), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        from courses.auth.services import reset_password
        reset_password(user, form.password.data)  # any session of the account ends
        flash(_("Đã đặt mật khẩu. Mời đồng chí đăng nhập."), "success")
        return redirect(url_for("auth.login"))
    return render_template("enrollment/set_password.html", form=form, user=user)
