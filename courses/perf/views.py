"""The benchmark floor: the catalogue template rendered without the database, at any size.

Registered only when the BENCHMARK setting is on (benchmarks/pages.py sets it), so
the route does not exist in normal deployments.
"""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, render_template

from courses.enums import CourseStatus
from courses.permissions import public
from courses.routing import int_arg

bp = Blueprint("perf", __name__)


class _Unit:
    name = "Đảng ủy Khối các cơ quan Trung ương"


def _fake_courses(count: int, first_day: date) -> list[dict]:
    """Plain objects shaped like the catalogue's courses (no database)."""
    unit = _Unit()
    return [
        {
            "id": 1000 + index,
            "code": f"LG-{index + 1:04d}",
            "title": f"Bồi dưỡng nghiệp vụ công tác Đảng cho cấp ủy viên cơ sở (đợt {index + 1})",
            "organizing_unit": unit,
            "venue": "Hội trường Đảng ủy Khối, Hà Nội",
            "starts_on": first_day + timedelta(days=7 * index),
            "ends_on": first_day + timedelta(days=7 * index),
            "status": CourseStatus.PUBLISHED if index % 2 else CourseStatus.FINISHED,
        }
        for index in range(count)
    ]


@bp.route("/_benchmark/floor")
@public
def floor():
    """The catalogue template and its filters, with data built in memory.

    `?courses=N` (default 30) sets how many course cards it draws, so benchmarks/pages.py
    can compare each page with a floor of the same size: a 300 kB page is measured
    against 300 kB of template rendering, not against the 20 kB catalogue.
    """
    count = int_arg("courses", 0, 5000)
    count = 30 if count is None else count
    first_day = date(2026, 1, 5)
    return render_template(
        "perf/floor.html",
        upcoming=_fake_courses(count - count // 3, first_day),
        recent=_fake_courses(count // 3, first_day - timedelta(days=365)),
    )
