"""Confirm first, with scripts (issue 17): static/js/confirm.js asks in a dialog.

«Quay lại» leaves everything as it was; «Xác nhận» sends the form with confirmed=1 and
the action is done on that one POST (no confirmation page in between).
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from courses.certificates import issuing, lookups
from courses.certificates.models import Certificate
from courses.enums import Role
from courses.extensions import db
from tests.browser.conftest import playwright_expect
from tests.browser.test_ui import log_in
from tests.factories import make_finished_course, make_user

expect = playwright_expect()

pytestmark = pytest.mark.browser


def _certificates() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Certificate.id)))


def test_issue_all_asks_in_a_dialog_then_issues(live_server, browsing, fast_password_hashing):
    course, _sessions, _enrollments = make_finished_course(topics=1, participants=2)
    organizer = make_user(Role.ORGANIZER)
    page = browsing.new_page()
    page.goto(live_server("/auth/login"))
    log_in(page, organizer.email)
    page.goto(live_server(f"/certificates/courses/{course.id}"))
    button = page.get_by_role("button", name="Cấp cho tất cả học viên đạt (2)")

    button.click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text("Cấp 2 giấy chứng nhận, số 0001/GCN-ĐUK–0002/GCN-ĐUK.")
    browsing.shot(page, "issue-all-dialog")
    dialog.get_by_role("button", name="Quay lại").click()
    expect(dialog).to_have_count(0)
    assert _certificates() == 0

    button.click()
    page.locator("dialog[open]").get_by_role("button", name="Xác nhận").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã cấp 2 giấy chứng nhận.")
    expect(page).to_have_url(re.compile(rf"/certificates/courses/{course.id}$"))  # no confirmation page
    assert _certificates() == 2


def test_revoke_asks_in_a_dialog_then_revokes(live_server, browsing, fast_password_hashing):
    course, _sessions, (enrollment,) = make_finished_course(topics=1, participants=1)
    (certificate,) = issuing.issue_all(None, lookups.load_course(course.id))
    admin = make_user(Role.ADMIN)
    page = browsing.new_page()
    page.goto(live_server("/auth/login"))
    log_in(page, admin.email)
    page.goto(live_server(f"/certificates/courses/{course.id}"))
    page.locator(f"#why-{certificate.id}").fill("Cấp nhầm người")
    revoke = page.get_by_role("button", name="Thu hồi", exact=True)

    revoke.click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text(f"Thu hồi giấy chứng nhận số {certificate.serial} của {enrollment.user.full_name}")
    browsing.shot(page, "revoke-dialog")
    page.keyboard.press("Escape")  # the same as «Quay lại»
    expect(dialog).to_have_count(0)
    db.session.refresh(certificate)
    assert certificate.revoked_at is None

    revoke.click()
    page.locator("dialog[open]").get_by_role("button", name="Quay lại").click()
    db.session.refresh(certificate)
    assert certificate.revoked_at is None

    revoke.click()
    page.locator("dialog[open]").get_by_role("button", name="Xác nhận").click()
    expect(page.locator(".alert-success")).to_contain_text(f"Đã thu hồi giấy chứng nhận số {certificate.serial}.")
    db.session.refresh(certificate)
    assert certificate.revoked_at is not None and certificate.revoke_reason == "Cấp nhầm người"
