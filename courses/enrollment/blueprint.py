"""The enrollment blueprint, and what its view modules share: the course of a URL, downloads.

The routes live in views (the participant's side), roster_views, import_views and
courses.quotas.views; courses.register_blueprints imports each so that they join bp.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort

from courses.downloads import send_download
from courses.enrollment.roster import course_with_unit
from courses.scheduling.models import Course

bp = Blueprint("enrollment", __name__, cli_group="enrollment")


def course_or_404(course_id: int) -> Course:
    """The course of the URL with its organizing unit, or 404."""
    course = course_with_unit(course_id)
    if course is None:
        abort(404)
    return course


def download(data: bytes, filename: str, mimetype: str, inline: bool = False) -> Response:
    return send_download(data, filename, mimetype, inline=inline)
