"""On a 390 px phone no page scrolls sideways: wide tables scroll inside their own box (issue 17.6).

Each role logs in and opens its main pages on the demo data (a course of real length, its
roster, roll call, attendance summary and certificates); the page must be no wider than
the screen: document.documentElement.scrollWidth <= 390.
"""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from courses.extensions import db
from tests.browser.conftest import PHONE, playwright_expect

expect = playwright_expect()

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "Demo@2022"


# The outermost elements reaching past the screen, to name in a failure.
WIDEST = """() => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.getBoundingClientRect().right <= window.innerWidth + 1) continue;
    const placed = ['absolute', 'fixed'].includes(getComputedStyle(el).position);
    if (!placed && el.closest('.table-responsive') && !el.matches('.table-responsive')) continue;
    let parent = el.parentElement, inner = false;
    while (!placed && parent && parent !== document.body) {
      if (parent.getBoundingClientRect().right > window.innerWidth + 1) { inner = true; break; }
      parent = parent.parentElement;
    }
    if (!inner) out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                         (el.className ? '.' + String(el.className).trim().split(/\\s+/).join('.') : ''));
  }
  return out.slice(0, 5);
}"""


def _log_in(page, email: str):
    page.get_by_label("Email").fill(email)
    page.get_by_label(re.compile(r"^(Mật khẩu|Password)")).fill(DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("status")).to_contain_text("Xin chào")


def _pages(course_id: int, session_id: int, enrollment_id: int) -> dict[str, list[str]]:
    course_pages = [f"/courses/{course_id}"]
    return {
        "": ["/", "/courses", *course_pages, "/auth/register"],
        "participant@demo.local": ["/enrollment/me", *course_pages, "/certificates/mine"],
        "organizer@demo.local": [
            f"/organize/courses/{course_id}", f"/enrollment/courses/{course_id}/roster",
            f"/attendance/sessions/{session_id}/roll-call", f"/attendance/courses/{course_id}",
            f"/attendance/enrollments/{enrollment_id}", "/attendance/", "/enrollment/courses",
            f"/enrollment/courses/{course_id}/quotas",
            f"/certificates/courses/{course_id}", "/certificates/register", "/dashboard/",
        ],
        "admin@demo.local": ["/admin/users", "/admin/audit/", "/dashboard/"],
    }


def test_no_main_page_is_wider_than_a_phone(live_server, browsing):
    from courses.demo import MODEL_COURSE_CODE, seed_demo
    from courses.enrollment.models import Enrollment
    from courses.enums import SessionKind
    from courses.scheduling.models import Course

    seed_demo(password=DEMO_PASSWORD, today=date(2022, 11, 1))
    course = db.session.scalar(select(Course).where(Course.code == MODEL_COURSE_CODE))
    session = next(s for s in course.sessions if s.kind == SessionKind.TOPIC)
    enrollment = db.session.scalar(select(Enrollment).where(Enrollment.course_id == course.id).limit(1))
    too_wide = []
    for email, paths in _pages(course.id, session.id, enrollment.id).items():
        page = browsing.new_page(viewport=PHONE)
        if email:
            page.goto(live_server("/auth/login"))
            _log_in(page, email)
        for path in paths:
            response = page.goto(live_server(path))
            assert response.status == 200, (email, path, response.status)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                too_wide.append(f"{email or 'anonymous'} {path}: {width} px {page.evaluate(WIDEST)}")
                browsing.shot(page, re.sub(r"\W+", "_", f"{email}-{path}"))
    assert not too_wide, too_wide
