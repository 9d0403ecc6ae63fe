"""Enrollment pages of the participant: the course page's register/cancel buttons, «Khóa học
của tôi», and the set-password link of an imported account.
"""
from __future__ import annotations

from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError

from courses.actions import attempt
from courses.confirmation import confirm_first
from courses.enrollment import registration, tokens, waitlist
from courses.enrollment.blueprint import bp
from courses.enrollment.dashboard import participant_dashboard
from courses.enrollment.forms import ActionForm, SetPasswordForm
from courses.enrollment.models import Enrollment
from courses.enums import EnrollmentStatus, SessionKind
from courses.extensions import limiter
from courses.formatting import LOCAL_TZ
from courses.permissions import login_required, public
from courses.routing import page_arg
from courses.scheduling.models import Course, Material

# ---------------------------------------------------------------- the course page's buttons

@bp.app_context_processor
def course_actions_helper():
    """`cancel_lines` for the pages that offer a withdrawal (the course page, «Khóa học của tôi»)."""
    return {"cancel_lines": cancel_lines}


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
        outcome = attempt(lambda: registration.register(current_user, course_id))
        if outcome.ok:
            enrollment = outcome.result
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
        course = registration.find_course(course_id)
        enrollment = registration.find_enrollment(current_user.id, course_id) if course else None
        active = enrollment is not None and enrollment.is_active
        back = url_for("enrollment.dashboard") if target == "dashboard" else url_for("catalog.course", course_id=course_id)
        page = confirm_first(_("Hủy đăng ký lớp %(title)s?", title=course.title) if course else "",
                             cancel_lines(course, enrollment) if active else [], back, needed=active)
        if page is not None:
            return page
        attempt(lambda: registration.cancel_own(current_user, course_id), _("Đã hủy đăng ký."), category="info")
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
