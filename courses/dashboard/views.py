"""The organizers' dashboard."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from courses.dashboard import services
from courses.dashboard.forms import DashboardFilterForm
from courses.formatting import LOCAL_TZ
from courses.permissions import staff_required

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@staff_required
def index():
    """Courses to come with their seats, approvals waiting, attendance rates per topic and unit."""
    today = datetime.now(LOCAL_TZ).date()
    form = DashboardFilterForm(request.args, meta={"csrf": False})
    form.course.choices = [(0, _("Tất cả các lớp"))] + services.courses_with_attendance()
    course_id = form.course.data if form.validate() and form.course.data else None
    upcoming = services.upcoming_courses(today)
    return render_template(
        "dashboard/index.html",
        form=form,
        upcoming=upcoming,
        pending=services.pending_approvals(today),
        confirmed=sum(load.confirmed for load in upcoming),
        capacity=sum(load.course.capacity for load in upcoming),
        by_topic=services.attendance_by_topic(course_id),
        by_organization=services.attendance_by_organization(course_id),
    )
