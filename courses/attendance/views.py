"""Attendance pages: roll call, QR check-in (organizer screen and participant), summaries."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from courses.actions import attempt, run_service
from courses.attendance import completion, rules, services
from courses.attendance.forms import ActionForm, CheckInForm, CompletionRuleForm, MarkForm, ReopenForm
from courses.enums import AttendanceStatus, CompletionRule, CourseStatus, Role
from courses.formatting import clock
from courses.pagination import ListPagination
from courses.permissions import admin_required, is_staff, login_required, require, staff_required
from courses.routing import found_or_404, page_arg, safe_next_url

bp = Blueprint("attendance", __name__)

SUMMARY_PER_PAGE = 100
COURSES_PER_PAGE = 30


def _session_or_404(session_id: int):
    return found_or_404(services.load_session(session_id))


def _wants_json() -> bool:
    return request.headers.get("X-Requested-With") == "fetch" or request.accept_mimetypes.best == "application/json"


@bp.route("/")
@staff_required
def index():
    """Courses to take attendance and issue certificates for, newest first."""
    return render_template("attendance/index.html", page=services.courses_page(page_arg(), COURSES_PER_PAGE))


@bp.route("/courses/<int:course_id>")
@staff_required
def course(course_id: int):
    """Participants × sessions for a course, and the completion of each, a hundred rows a page."""
    course = found_or_404(services.course_with_sessions(course_id))
    # Everyone's names (the order needs them all), but statuses, reasons and cells only
    # for the hundred rows on screen; the course's total comes with the names.
    progress = completion.roster_progress(course)
    page = ListPagination(progress.names, page_arg(), SUMMARY_PER_PAGE)
    statuses = services.attendance_statuses(course.id, [row.id for row in page.items])
    completions = completion.completions(course, page.items, statuses)
    sessions = services.attended_sessions(course)
    form = CompletionRuleForm(rule=course.completion_rule.value, min_topics=course.completion_min_topics)
    # Each row's cells joined here and each row's link from a prefix: a 500-person course has
    # thousands of cells, and per-cell template work and per-row url_for were most of its time.
    symbols = {AttendanceStatus.PRESENT: "✓", AttendanceStatus.ABSENT: "✗", AttendanceStatus.EXCUSED: "P"}
    cells = {row.id: Markup("".join(f'<td class="text-center">{symbols.get(statuses.get((row.id, s.id)), "–")}</td>'
                                    for s in sessions))
             for row in page.items}
    participant_url = url_for("attendance.participant", enrollment_id=0)[:-1]
    return render_template("attendance/course.html", course=course, sessions=sessions, page=page,
                           completions=completions, passed=progress.qualified, cells=cells,
                           participant_url=participant_url, form=form)


@bp.route("/courses/<int:course_id>/completion-rule", methods=["POST"])
@staff_required
def completion_rule(course_id: int):
    course = found_or_404(services.course_with_sessions(course_id))
    form = CompletionRuleForm()
    if form.validate_on_submit():
        attempt(lambda: completion.set_completion_rule(current_user, course, CompletionRule(form.rule.data),
                                                       form.min_topics.data),
                _("Đã lưu điều kiện hoàn thành."))
    else:
        form.flash_errors()
    return redirect(url_for("attendance.course", course_id=course.id))


@bp.route("/enrollments/<int:enrollment_id>")
@login_required
def participant(enrollment_id: int):
    """One participant's attendance in a course (their own, or any for organizers)."""
    enrollment = found_or_404(services.load_enrollment(enrollment_id))
    require(is_staff(current_user) or enrollment.user_id == current_user.id)
    course = services.course_with_sessions(enrollment.course_id)
    marks = services.attendance_map(course.id)
    result = completion.completions(course, [enrollment], {key: mark.status for key, mark in marks.items()})[0]
    return render_template("attendance/participant.html", enrollment=enrollment, course=course,
                           sessions=services.attended_sessions(course), marks=marks, completion=result)


@bp.route("/sessions/<int:session_id>/roll-call", methods=["GET", "POST"])
@staff_required
def roll_call(session_id: int):
    """The roster with present / absent / excused for one session."""
    session = _session_or_404(session_id)
    form = ActionForm()
    if request.method == "POST" and form.validate_on_submit():
        statuses = {}
        for key, value in request.form.items():
            if key.startswith("status-"):
                try:
                    statuses[int(key[7:])] = AttendanceStatus(value)
                except ValueError:
                    continue
        attempt(lambda: services.mark_many(current_user, session, statuses),
                _("Đã lưu điểm danh %(count)d học viên.", count=len(statuses)))
        return redirect(url_for("attendance.roll_call", session_id=session.id))
    enrollments = services.roster(session.course_id)
    marks = services.attendance_map(session.course_id)
    locked = rules.locked_since(session.course_id)
    return render_template("attendance/roll_call.html", session=session, enrollments=enrollments,
                           marks=marks, form=form, statuses=list(AttendanceStatus),
                           tally=services.roll_call_tally(enrollments, marks, session.id),
                           units={e.id: services.unit_label(e) for e in enrollments},
                           warning=rules.roll_call_warning(session), locked=locked,
                           lock_days=rules.lock_days(),
                           reopen_form=ReopenForm() if locked and current_user.has_role(Role.ADMIN) else None)


@bp.route("/sessions/<int:session_id>/mark", methods=["POST"])
@staff_required
def mark(session_id: int):
    """One participant's status, sent by the roll-call script; answers JSON."""
    session = _session_or_404(session_id)
    form = MarkForm()
    if not form.validate_on_submit():
        return jsonify(ok=False, message=_("Dữ liệu điểm danh không hợp lệ.")), 400
    outcome = run_service(lambda: services.mark(current_user, session, form.enrollment_id.data,
                                                AttendanceStatus(form.status.data)))
    if not outcome.ok:
        return jsonify(ok=False, message=outcome.error.message), 400
    attendance = outcome.result
    return jsonify(ok=True, enrollment_id=attendance.enrollment_id, status=attendance.status.value,
                   label=attendance.status.label)


@bp.route("/sessions/<int:session_id>/all-present", methods=["GET", "POST"])
@staff_required
def all_present(session_id: int):
    """Everyone not marked yet becomes present: GET asks first (without scripts), POST does it."""
    session = _session_or_404(session_id)
    form = ActionForm()
    if request.method == "GET":
        return render_template("attendance/all_present.html", session=session, form=form,
                               count=len(services.unmarked(session)))
    if form.validate_on_submit():
        outcome = run_service(lambda: services.mark_all_present(current_user, session))
        if not outcome.ok:
            if _wants_json():
                return jsonify(ok=False, message=outcome.error.message), 400
            flash(outcome.error.message, "danger")
            return redirect(url_for("attendance.roll_call", session_id=session.id))
        marked = outcome.result
        if _wants_json():
            return jsonify(ok=True, changed=len(marked), enrollment_ids=marked)
        flash(_("Đã ghi có mặt cho %(count)d học viên.", count=len(marked)), "success")
    return redirect(url_for("attendance.roll_call", session_id=session.id))


@bp.route("/courses/<int:course_id>/reopen", methods=["POST"])
@admin_required
def reopen(course_id: int):
    """An admin reopens a locked course's attendance, with a reason (audited)."""
    course = found_or_404(services.course_with_sessions(course_id))
    form = ReopenForm()
    back = safe_next_url(request.form.get("next")) or url_for("attendance.course", course_id=course.id)
    if form.validate_on_submit():
        attempt(lambda: rules.reopen(current_user, course, form.reason.data),
                lambda _reopening: _("Đã mở lại điểm danh của lớp trong %(days)d ngày.", days=rules.lock_days()))
    else:
        form.flash_errors()
    return redirect(back)


# --- QR self check-in -------------------------------------------------------------------

@bp.route("/sessions/<int:session_id>/check-in-screen")
@staff_required
def check_in_screen(session_id: int):
    """The organizer's screen: the current QR and short code, and who has checked in."""
    session = _session_or_404(session_id)
    code = services.active_code(session.id)
    minutes = current_app.config["CHECKIN_CODE_MINUTES"]
    opens, closes = rules.check_in_window(session)
    return render_template("attendance/check_in_screen.html", session=session, code=code,
                           present=services.checked_in(session.id), form=ActionForm(),
                           minutes=minutes, rotate_seconds=rules.rotation_seconds(minutes),
                           rotation=rules.rotation_text(minutes), opens=opens, closes=closes,
                           closed=code is None and services.was_opened(session.id),
                           total=len(services.roster(session.course_id)),
                           check_in_url=_check_in_url(code) if code else None,
                           check_in_form_url=_public_url("attendance.check_in_form"))


def _public_url(endpoint: str) -> str:
    from courses.routing import external_url

    return external_url(endpoint)


def _check_in_url(code) -> str:
    from courses.routing import public_base_url

    return public_base_url() + url_for("attendance.check_in", session_id=code.session_id, code=code.code)


@bp.route("/sessions/<int:session_id>/check-in-code", methods=["POST"])
@staff_required
def new_code(session_id: int):
    """Open check-in or rotate its code; the screen script calls it before the code expires."""
    session = _session_or_404(session_id)
    form = ActionForm()
    if form.validate_on_submit():
        outcome = run_service(lambda: services.new_code(current_user, session,
                                                        current_app.config["CHECKIN_CODE_MINUTES"]))
        if _wants_json():
            if not outcome.ok:
                return jsonify(ok=False, message=outcome.error.message), 400
            return jsonify(ok=True, **_code_json(outcome.result))
        if not outcome.ok:
            flash(outcome.error.message, "danger")
    return redirect(url_for("attendance.check_in_screen", session_id=session.id))


@bp.route("/sessions/<int:session_id>/check-in-close", methods=["POST"])
@staff_required
def close_check_in(session_id: int):
    session = _session_or_404(session_id)
    if ActionForm().validate_on_submit():
        services.close_check_in(current_user, session)
        flash(_("Đã đóng điểm danh bằng mã QR."), "success")
    return redirect(url_for("attendance.check_in_screen", session_id=session.id))


def _code_json(code) -> dict:
    return {"code": code.code, "expires_at": code.expires_at.isoformat(), "expires_clock": clock(code.expires_at),
            "url": _check_in_url(code),
            "qr_svg": url_for("attendance.check_in_qr", session_id=code.session_id, code=code.code)}


@bp.route("/sessions/<int:session_id>/check-in-status")
@staff_required
def check_in_status(session_id: int):
    """Polled by the organizer's screen: the current code, the count and the list."""
    session = _session_or_404(session_id)
    code = services.active_code(session.id)
    present = services.checked_in(session.id)
    return jsonify(
        code=_code_json(code) if code else None,
        closed=code is None and services.was_opened(session.id),
        count=len(present),
        people=[{"name": a.enrollment.user.full_name, "method": a.method.label} for a in present],
    )


@bp.route("/sessions/<int:session_id>/check-in-qr/<code>.svg")
@staff_required
def check_in_qr(session_id: int, code: str):
    """The QR image of a check-in link (SVG)."""
    import zxingcpp

    item = services.active_code(session_id)
    if item is None or item.code != code:
        abort(404)
    svg = zxingcpp.create_barcode(_check_in_url(item), zxingcpp.BarcodeFormat.QRCode,
                                  ec_level="M").to_svg(add_quiet_zones=True)
    return current_app.response_class(svg, mimetype="image/svg+xml")


@bp.route("/check-in", methods=["GET", "POST"])
@login_required
def check_in_form():
    """Where a participant types the short code."""
    form = CheckInForm(code=request.args.get("code", ""))
    if form.validate_on_submit():
        return _do_check_in(form, None)
    return render_template("attendance/check_in.html", form=form, session=None)


@bp.route("/check-in/<int:session_id>", methods=["GET", "POST"])
@login_required
def check_in(session_id: int):
    """The QR code's link: confirm, then be marked present (the script confirms by itself)."""
    session = _session_or_404(session_id)
    if session.course.status == CourseStatus.DRAFT and not is_staff(current_user):
        abort(404)  # a draft does not exist for participants: the same answer as a missing id
    form = CheckInForm(code=request.args.get("code", ""))
    if form.validate_on_submit():
        return _do_check_in(form, session)
    return render_template("attendance/check_in.html", form=form, session=session,
                           autosubmit=bool(request.args.get("code")))


def _do_check_in(form, session):
    outcome = run_service(lambda: services.check_in(current_user, form.code.data, session.id if session else None))
    if not outcome.ok:
        form.add_domain_error(outcome.error)
        return render_template("attendance/check_in.html", form=form, session=session), 400
    return render_template("attendance/checked_in.html", result=outcome.result)
