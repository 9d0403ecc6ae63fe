"""Quota and nomination pages, on the enrollment blueprint (their endpoints stay enrollment.*):
an organizer's quotas of a course, and a unit coordinator's courses, nominations and substitutions.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from courses.actions import attempt, run_service
from courses.enrollment.blueprint import bp, course_or_404
from courses.enrollment.forms import NominateForm, QuotaForm, SubstituteForm
from courses.enums import CourseStatus, Role
from courses.exceptions import NotAllowed
from courses.organizations.services import get_organization, grassroots_organizations, unit_display_name
from courses.permissions import is_staff, role_required, staff_required
from courses.quotas import services as quota_services
from courses.scheduling.models import Course

coordinator_required = role_required(Role.COORDINATOR)


def _unit_course_or_404(course_id: int) -> Course:
    """A course for the unit pages: a draft is not found, as a missing id, to all but staff."""
    course = course_or_404(course_id)
    if course.status == CourseStatus.DRAFT and not is_staff(current_user):
        abort(404)
    return course


# ---------------------------------------------------------------- organizer: quotas

@bp.route("/courses/<int:course_id>/quotas", methods=["GET", "POST"])
@staff_required
def quotas(course_id: int):
    """Quotas per grassroots organization and their use."""
    course = course_or_404(course_id)
    form = QuotaForm()
    grassroots = grassroots_organizations()
    form.organization_id.choices = [(0, _("— Chọn đảng bộ cơ sở —"))] + [(o.id, o.name) for o in grassroots]
    status = 200
    if request.method == "POST":
        if form.call_service(lambda: quota_services.set_quota(
                current_user, course.id, form.organization_id.data, form.seats.data)):
            flash(_("Đã lưu chỉ tiêu."), "success")
            return redirect(url_for("enrollment.quotas", course_id=course.id))
        status = 400
    allocated = quota_services.allocated_seats(course.id)
    return render_template("enrollment/quotas.html", course=course, form=form,
                           rows=quota_services.quota_usage(course), allocated=allocated), status


# ---------------------------------------------------------------- unit coordinators

@bp.route("/unit")
@coordinator_required
def unit():
    """A coordinator's courses: those open for nomination, with the unit's quota."""
    try:
        scope = quota_services.coordinator_scope(current_user)
    except NotAllowed:
        abort(403)
    organization = get_organization(scope)
    courses_ = quota_services.nominatable_courses()
    quotas_ = quota_services.unit_quotas(scope)
    return render_template("enrollment/unit.html", organization=organization, courses=courses_, quotas=quotas_)


def _unit_page(course: Course, scope: int, nominate_form=None):
    members = quota_services.unit_members(current_user)
    nominees = quota_services.unit_nominees(course.id, scope)
    taken = {e.user_id for e in nominees if e.is_active}
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
                           usage=rows[0] if rows else None, organization=get_organization(scope))


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
        attempt(lambda: quota_services.nominate(current_user, course.id, form.user_id.data),
                lambda enrollment: _("Đã cử %(name)s.", name=enrollment.user.full_name))
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
        outcome = run_service(lambda: quota_services.substitute(current_user, course.id, enrollment_id,
                                                                form.user_id.data))
        if isinstance(outcome.error, NotAllowed):
            abort(403)  # a seat that is not the unit's is forbidden, not merely refused
        if outcome.ok:
            flash(_("Đã thay bằng %(name)s.", name=outcome.result.user.full_name), "success")
        else:
            flash(outcome.error.message, "danger")
    else:
        flash(_("Vui lòng chọn một đảng viên của đơn vị."), "danger")
    return redirect(url_for("enrollment.unit_course", course_id=course.id))
