"""Public pages: the home page and a course's page."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, render_template
from flask_login import current_user

from courses.catalog import services
from courses.formatting import LOCAL_TZ
from courses.permissions import public

bp = Blueprint("catalog", __name__)


@bp.route("/")
@public
def index():
    """Home: published courses to come and the ones recently held."""
    today = datetime.now(LOCAL_TZ).date()
    return render_template(
        "catalog/index.html",
        upcoming=services.upcoming_courses(today),
        recent=services.recent_courses(today),
    )


@bp.route("/courses/<int:course_id>")
@public
def course(course_id: int):
    """A course's page: description, timetable with topics and speakers, seats."""
    course = services.course_with_timetable(course_id)
    if course is None or not services.can_view_course(current_user, course):
        abort(404)
    confirmed = services.confirmed_count(course.id)
    speakers = []
    for item in course.sessions:
        if item.speaker is not None and item.speaker not in speakers:
            speakers.append(item.speaker)
    return render_template(
        "catalog/course.html",
        course=course,
        days=services.sessions_by_day(course),
        speakers=speakers,
        seats_left=max(course.capacity - confirmed, 0),
        confirmed=confirmed,
    )
