"""The roll call in the browser: «Tất cả có mặt» asks in a dialog, keeps explicit marks; the tally follows."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from courses.attendance.models import Attendance
from courses.db_types import utcnow
from courses.enums import AttendanceStatus, Role
from courses.extensions import db
from tests.browser.conftest import playwright_expect
from tests.browser.test_ui import log_in
from tests.factories import make_attendance, make_course, make_enrollment, make_session, make_user

expect = playwright_expect()

pytestmark = pytest.mark.browser


def test_all_present_asks_in_a_dialog_and_keeps_explicit_marks(live_server, browsing):
    course = make_course(starts_on=date.today())
    session = make_session(course)
    session.starts_at = utcnow() - timedelta(minutes=5)
    session.ends_at = session.starts_at + timedelta(hours=1)
    db.session.commit()
    absent = make_enrollment(make_user(full_name="Lê Thị Vắng"), course)
    excused = make_enrollment(make_user(full_name="Phạm Văn Phép"), course)
    unmarked = [make_enrollment(make_user(full_name=f"Nguyễn Văn Mới {n}"), course) for n in range(3)]
    make_attendance(absent, session, AttendanceStatus.ABSENT)
    make_attendance(excused, session, AttendanceStatus.EXCUSED)
    organizer = make_user(Role.ORGANIZER)

    page = browsing.new_page()
    page.goto(live_server("/auth/login"))
    log_in(page, organizer.email)
    page.goto(live_server(f"/attendance/sessions/{session.id}/roll-call"))
    tally = page.locator("#roll-call-tally")
    expect(tally).to_have_text("2/5 đã điểm danh")

    # One mark by hand: the tally follows at once.
    page.get_by_role("radiogroup", name="Nguyễn Văn Mới 0").get_by_text("Vắng", exact=True).click()
    expect(tally).to_have_text("3/5 đã điểm danh")

    page.get_by_role("button", name="Tất cả có mặt").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Đánh dấu có mặt cho 2 học viên chưa điểm danh")
    browsing.shot(page, "all-present-dialog")
    dialog.get_by_role("button", name="Hủy").click()
    expect(dialog).to_be_hidden()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) <= 3

    page.get_by_role("button", name="Tất cả có mặt").click()
    dialog.get_by_role("button", name="Đồng ý").click()
    expect(tally).to_have_text("5/5 đã điểm danh")
    expect(page.get_by_role("radiogroup", name="Lê Thị Vắng").get_by_label("Vắng", exact=True)).to_be_checked()
    expect(page.get_by_role("radiogroup", name="Phạm Văn Phép").get_by_label("Vắng có phép")).to_be_checked()
    expect(page.get_by_role("radiogroup", name="Nguyễn Văn Mới 1").get_by_label("Có mặt")).to_be_checked()

    db.session.expire_all()
    statuses = dict(db.session.execute(sa.select(Attendance.enrollment_id, Attendance.status)
                                       .where(Attendance.session_id == session.id)).all())
    assert statuses[absent.id] == AttendanceStatus.ABSENT and statuses[excused.id] == AttendanceStatus.EXCUSED
    assert statuses[unmarked[0].id] == AttendanceStatus.ABSENT
    assert statuses[unmarked[1].id] == statuses[unmarked[2].id] == AttendanceStatus.PRESENT
