"""Attendance that holds: all present asks and keeps marks, the lock after a course, the check-in
window, every change in the audit log, the roll call's tally and units, the check-in screen."""
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from courses.attendance import services
from courses.attendance.models import Attendance, AttendanceReopening, CheckInCode
from courses.audit.models import AuditEvent
from courses.db_types import utcnow
from courses.enums import AttendanceMethod, AttendanceStatus, CourseStatus, OrganizationKind, Role
from courses.exceptions import DomainError
from courses.extensions import db
from tests.factories import (
    make_attendance,
    make_check_in_code,
    make_course,
    make_enrollment,
    make_organization,
    make_session,
    make_user,
)

LOCKED_MESSAGE = "Điểm danh của lớp này đã khóa"


def status_of(enrollment, session):
    attendance = db.session.scalar(sa.select(Attendance).where(Attendance.enrollment_id == enrollment.id,
                                                               Attendance.session_id == session.id))
    return attendance.status if attendance else None


def session_at(course, starts_in: timedelta, minutes: int = 60):
    """A session of course starting starts_in from now (negative: in the past)."""
    session = make_session(course)
    session.starts_at = utcnow().replace(microsecond=0) + starts_in
    session.ends_at = session.starts_at + timedelta(minutes=minutes)
    db.session.commit()
    return session


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


# --- 1. «Tất cả có mặt» asks first ---------------------------------------------------------

def test_all_present_without_scripts_asks_on_a_page_that_changes_nothing(app, as_user):
    course = make_course(starts_on=date.today())
    session = session_at(course, timedelta(minutes=-5))
    absent = make_enrollment(make_user(), course)
    unmarked = [make_enrollment(make_user(), course) for _ in range(2)]
    make_attendance(absent, session, AttendanceStatus.ABSENT)
    client = as_user(make_user(Role.ORGANIZER))
    roll_call = client.get(f"/attendance/sessions/{session.id}/roll-call").get_data(as_text=True)
    # The button leads to the question (GET), never straight to the change.
    assert f'<form method="get" action="/attendance/sessions/{session.id}/all-present"' in roll_call
    assert 'id="all-present-dialog"' in roll_call
    page = client.get(f"/attendance/sessions/{session.id}/all-present")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Đánh dấu có mặt cho 2 học viên chưa điểm danh" in text
    assert [status_of(e, session) for e in unmarked] == [None, None]
    answer = client.post(f"/attendance/sessions/{session.id}/all-present",
                         headers={"X-Requested-With": "fetch"}).get_json()
    assert sorted(answer["enrollment_ids"]) == sorted(e.id for e in unmarked)
    assert status_of(absent, session) == AttendanceStatus.ABSENT
    assert [status_of(e, session) for e in unmarked] == [AttendanceStatus.PRESENT] * 2


# --- 2. The lock after a course, and reopening it ------------------------------------------

def ended_course(days_ago: int):
    """A course whose only session ended days_ago, with one confirmed participant unmarked."""
    course = make_course(status=CourseStatus.FINISHED, starts_on=date.today() - timedelta(days=days_ago))
    session = session_at(course, timedelta(days=-days_ago, minutes=-60))
    enrollment = make_enrollment(make_user(), course)
    return course, session, enrollment


def test_attendance_locks_seven_days_after_the_last_session(app, as_user):
    course, session, enrollment = ended_course(days_ago=8)
    organizer = make_user(Role.ORGANIZER)
    for change in (lambda: services.mark(organizer, session, enrollment.id, AttendanceStatus.PRESENT),
                   lambda: services.mark_many(organizer, session, {enrollment.id: AttendanceStatus.ABSENT}),
                   lambda: services.mark_all_present(organizer, session),
                   lambda: services.new_code(organizer, session, minutes=3)):
        with pytest.raises(DomainError, match=LOCKED_MESSAGE):
            change()
        db.session.rollback()
    assert status_of(enrollment, session) is None
    client = as_user(organizer)
    response = client.post(f"/attendance/sessions/{session.id}/mark", headers={"X-Requested-With": "fetch"},
                           data={"enrollment_id": enrollment.id, "status": "present"})
    assert response.status_code == 400 and LOCKED_MESSAGE in response.get_json()["message"]
    page = client.get(f"/attendance/sessions/{session.id}/roll-call").get_data(as_text=True)
    assert LOCKED_MESSAGE in page and "Lý do mở lại" not in page  # only admins reopen
    assert status_of(enrollment, session) is None and events("attendance.mark") == []

    # Six days after: still open.
    _course, recent, other = ended_course(days_ago=6)
    services.mark(organizer, recent, other.id, AttendanceStatus.PRESENT)
    assert status_of(other, recent) == AttendanceStatus.PRESENT


def test_a_code_of_a_locked_course_checks_nobody_in(app):
    _course, session, enrollment = ended_course(days_ago=8)
    code = make_check_in_code(session)  # still valid: made before the rules, say
    with pytest.raises(DomainError):
        services.check_in(enrollment.user, code.code)
    db.session.rollback()
    assert status_of(enrollment, session) is None and events("attendance.check_in") == []


def test_the_lock_follows_the_setting(make_app):
    app = make_app(ATTENDANCE_LOCK_DAYS=2)
    with app.app_context():
        _course, session, enrollment = ended_course(days_ago=3)
        with pytest.raises(DomainError, match=r"\(2 ngày sau buổi học cuối\)"):
            services.mark(make_user(Role.ORGANIZER), session, enrollment.id, AttendanceStatus.PRESENT)


def test_an_admin_reopens_a_locked_course_with_a_reason_in_the_audit_log(app, as_user):
    course, session, enrollment = ended_course(days_ago=10)
    admin = make_user(Role.ADMIN)
    client = as_user(admin)
    page = client.get(f"/attendance/sessions/{session.id}/roll-call").get_data(as_text=True)
    assert LOCKED_MESSAGE in page and f'action="/attendance/courses/{course.id}/reopen"' in page
    client.post(f"/attendance/courses/{course.id}/reopen", data={"reason": "   "})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AttendanceReopening)) == 0
    with pytest.raises(DomainError, match=LOCKED_MESSAGE):
        services.mark(admin, session, enrollment.id, AttendanceStatus.PRESENT)
    db.session.rollback()
    response = client.post(f"/attendance/courses/{course.id}/reopen",
                           data={"reason": "Bổ sung theo biên bản ngày 2/12"})
    assert response.status_code == 302
    (event,) = events("attendance.reopen")
    assert event.actor_id == admin.id and event.object_id == course.id
    assert event.after["reason"] == "Bổ sung theo biên bản ngày 2/12" and event.before["locked_since"]
    services.mark(admin, session, enrollment.id, AttendanceStatus.PRESENT)
    assert status_of(enrollment, session) == AttendanceStatus.PRESENT


def test_organizers_cannot_reopen(app, as_user):
    course, _session, _enrollment = ended_course(days_ago=10)
    client = as_user(make_user(Role.ORGANIZER))
    assert client.post(f"/attendance/courses/{course.id}/reopen", data={"reason": "Muốn sửa"}).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AttendanceReopening)) == 0


def test_the_database_refuses_a_reopening_without_a_reason(app):
    course, _session, _enrollment = ended_course(days_ago=10)
    db.session.add(AttendanceReopening(course_id=course.id, reason="  "))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_check_in_opens_only_around_its_session(app, as_user):
    course = make_course(starts_on=date.today())
    later = session_at(course, timedelta(hours=3))
    soon = session_at(course, timedelta(minutes=30))
    enrollment = make_enrollment(make_user(), course)
    organizer = make_user(Role.ORGANIZER)
    with pytest.raises(DomainError, match="chỉ mở từ"):
        services.new_code(organizer, later, minutes=3)
    db.session.rollback()
    assert db.session.scalar(sa.select(CheckInCode.id).where(CheckInCode.session_id == later.id)) is None
    early_code = make_check_in_code(later, code="EARLY2")  # one made before the rule: still refused
    with pytest.raises(DomainError, match="chỉ mở từ"):
        services.check_in(enrollment.user, early_code.code)
    db.session.rollback()
    assert status_of(enrollment, later) is None
    code = services.new_code(organizer, soon, minutes=3)  # an hour before the start is within
    assert services.check_in(enrollment.user, code.code).recorded
    # The roll call of a session hours away warns; of one about to start, it does not.
    client = as_user(organizer)
    assert "chưa đến giờ học" in client.get(f"/attendance/sessions/{later.id}/roll-call").get_data(as_text=True)
    assert "chưa đến giờ học" not in client.get(f"/attendance/sessions/{soon.id}/roll-call").get_data(as_text=True)


# --- 3. Every change in the audit log ---------------------------------------------------------

def test_every_attendance_change_is_audited_with_before_and_after(app, as_user):
    course = make_course(starts_on=date.today())
    session = session_at(course, timedelta(minutes=-5))
    first, second, third = (make_enrollment(make_user(), course) for _ in range(3))
    organizer = make_user(Role.ORGANIZER)
    client = as_user(organizer)
    client.post(f"/attendance/sessions/{session.id}/mark", data={"enrollment_id": first.id, "status": "absent"},
                headers={"X-Requested-With": "fetch"})
    client.post(f"/attendance/sessions/{session.id}/roll-call", data={f"status-{first.id}": "excused"})
    client.post(f"/attendance/sessions/{session.id}/roll-call", data={f"status-{first.id}": "excused"})  # no change
    client.post(f"/attendance/sessions/{session.id}/all-present")
    code = services.new_code(organizer, session, minutes=3)
    db.session.execute(sa.update(Attendance).where(Attendance.enrollment_id == third.id)
                       .values(status=AttendanceStatus.ABSENT))
    db.session.commit()
    services.check_in(third.user, code.code)
    marks = events("attendance.mark")
    assert [(e.before, e.after["status"]) for e in marks] == [(None, "absent"), ({"status": "absent"}, "excused")]
    assert all(e.actor_id == organizer.id and e.object_type == "Attendance" and e.created_at for e in marks)
    assert marks[0].after["enrollment_id"] == first.id and marks[0].after["session_id"] == session.id
    assert sorted(e.after["enrollment_id"] for e in events("attendance.all_present")) == [second.id, third.id]
    (check_in,) = events("attendance.check_in")
    assert check_in.actor_id == third.user_id and check_in.before == {"status": "absent"}
    assert check_in.after["status"] == "present" and check_in.after["method"] == AttendanceMethod.SELF_CHECK_IN.value
    record = db.session.scalar(sa.select(Attendance).where(Attendance.enrollment_id == first.id))
    assert marks[-1].object_id == record.id


# --- 4. The roll call's tally and units -------------------------------------------------------

def test_roll_call_shows_the_tally_and_each_unit_with_its_organization(app, as_user):
    course = make_course(starts_on=date.today())
    session = session_at(course, timedelta(minutes=-5))
    party = make_organization("Đảng bộ Bộ Nội vụ", kind=OrganizationKind.BLOC)
    cell = make_organization("Chi bộ Vụ Tổng hợp", parent=party)
    marked = make_enrollment(make_user(organization=cell), course)
    make_enrollment(make_user(), course)
    make_enrollment(make_user(), course)
    make_attendance(marked, session, AttendanceStatus.EXCUSED)
    page = as_user(make_user(Role.ORGANIZER)).get(f"/attendance/sessions/{session.id}/roll-call").get_data(as_text=True)
    assert "1/3 đã điểm danh" in page
    assert 'data-template="{done}/{total} đã điểm danh"' in page
    assert "Chi bộ Vụ Tổng hợp – Đảng bộ Bộ Nội vụ" in page


# --- 5. The check-in screen -------------------------------------------------------------------

def test_check_in_screen_states_its_real_rotation_and_hanoi_time(make_app):
    app = make_app(CHECKIN_CODE_MINUTES=3)
    with app.app_context():
        course = make_course(starts_on=date.today())
        session = session_at(course, timedelta(minutes=-5))
        make_enrollment(make_user(), course)
        code = make_check_in_code(session)
        code.expires_at = datetime(2030, 1, 1, 1, 30, tzinfo=timezone.utc)  # 08:30 in Hà Nội
        db.session.commit()
        organizer = make_user(Role.ORGANIZER)
        client = app.test_client()
        client.post("/auth/login", data={"email": organizer.email, "password": "Matkhau123"})
        screen = client.get(f"/attendance/sessions/{session.id}/check-in-screen").get_data(as_text=True)
        assert "Mã đổi sau mỗi 90 giây" in screen and 'data-rotate-seconds="90"' in screen
        assert '<span id="check-in-expires">08:30</span>' in screen
        assert 'id="check-in-projector-count">0</span> / 1' in screen and "Toàn màn hình" in screen
        status = client.get(f"/attendance/sessions/{session.id}/check-in-status").get_json()
        assert status["code"]["expires_clock"] == "08:30"


def test_after_closing_the_screen_says_closed_and_so_does_a_late_scan(app, client):
    course = make_course(starts_on=date.today())
    session = session_at(course, timedelta(minutes=-5))
    participant = make_enrollment(make_user(), course).user
    organizer = make_user(Role.ORGANIZER)
    code = services.new_code(organizer, session, minutes=3)
    client.post("/auth/login", data={"email": organizer.email, "password": "Matkhau123"})
    client.post(f"/attendance/sessions/{session.id}/check-in-close")
    screen = client.get(f"/attendance/sessions/{session.id}/check-in-screen").get_data(as_text=True)
    assert "Điểm danh bằng mã QR của buổi này đã đóng." in screen and "chưa mở" not in screen
    assert client.get(f"/attendance/sessions/{session.id}/check-in-status").get_json()["closed"] is True
    client.post("/auth/logout")
    client.post("/auth/login", data={"email": participant.email, "password": "Matkhau123"})
    answer = client.post(f"/attendance/check-in/{session.id}", data={"code": code.code})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "đã đóng" in text and "hết hạn" not in text


# --- 6. A draft course's check-in page --------------------------------------------------------

def test_a_draft_course_check_in_page_is_not_found_but_for_staff(app, as_user, client):
    course = make_course(status=CourseStatus.DRAFT, title="Lớp nháp bí mật")
    session = make_session(course)
    as_user(make_user())
    for response in (client.get(f"/attendance/check-in/{session.id}"),
                     client.post(f"/attendance/check-in/{session.id}", data={"code": "ABCDEF"})):
        assert response.status_code == 404 and "Lớp nháp bí mật" not in response.get_data(as_text=True)
    assert client.get("/attendance/check-in/999999").status_code == 404
    client.post("/auth/logout")
    as_user(make_user(Role.ORGANIZER))
    assert "Lớp nháp bí mật" in client.get(f"/attendance/check-in/{session.id}").get_data(as_text=True)
