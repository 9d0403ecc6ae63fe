"""Attendance: roll call, QR self check-in, summaries and the completion rule."""
from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from courses.attendance import completion, services
from courses.attendance.models import Attendance, CheckInCode
from courses.db_types import utcnow
from courses.enums import AttendanceMethod, AttendanceStatus, CompletionRule, EnrollmentStatus, Role, SessionKind
from courses.exceptions import DomainError
from courses.extensions import db
from courses.formatting import LOCAL_TZ
from tests.factories import make_attendance, make_course, make_enrollment, make_finished_course, make_session, make_user


def status_of(enrollment, session):
    attendance = db.session.query(Attendance).filter_by(enrollment_id=enrollment.id, session_id=session.id).one_or_none()
    return attendance.status if attendance else None


# --- completion rule --------------------------------------------------------------------

def test_all_topics_rule_names_the_missed_topic(app):
    course, sessions, (full, partial) = make_finished_course(topics=3)
    db.session.query(Attendance).filter_by(enrollment_id=partial.id, session_id=sessions[1].id).one().status = \
        AttendanceStatus.EXCUSED
    db.session.commit()
    results = {c.enrollment.id: c for c in completion.completions(course)}
    assert results[full.id].qualifies
    assert not results[partial.id].qualifies
    reasons = " ".join(results[partial.id].reasons)
    assert "tất cả 3 chuyên đề" in reasons
    assert sessions[1].topic.name in reasons and "Vắng có phép" in reasons


def test_min_topics_rule_counts_present_topics_only(app):
    course, sessions, (enrollment,) = make_finished_course(topics=4, participants=1)
    organizer = make_user(Role.ORGANIZER)
    completion.set_completion_rule(organizer, course, CompletionRule.MIN_TOPICS, 3)
    db.session.query(Attendance).filter_by(enrollment_id=enrollment.id, session_id=sessions[0].id).one().status = \
        AttendanceStatus.ABSENT
    db.session.commit()
    assert completion.completions(course)[0].qualifies  # 3 of 4
    db.session.query(Attendance).filter_by(enrollment_id=enrollment.id, session_id=sessions[1].id).delete()
    db.session.commit()
    result = completion.completions(course)[0]
    assert not result.qualifies
    assert "Có mặt 2/4 chuyên đề, cần ít nhất 3." in result.reasons[0]
    assert "chưa điểm danh" in result.reasons[1]


def test_opening_and_closing_do_not_count_as_topics(app):
    course, sessions, (enrollment,) = make_finished_course(topics=1, participants=1)
    make_session(course, kind=SessionKind.OPENING, start=time(7, 0))
    assert completion.completions(services.course_with_sessions(course.id))[0].qualifies


def test_min_topics_above_the_topic_count_is_refused(app):
    course, _sessions, _e = make_finished_course(topics=2, participants=0)
    with pytest.raises(DomainError) as error:
        completion.set_completion_rule(make_user(Role.ORGANIZER), course, CompletionRule.MIN_TOPICS, 5)
    assert "chỉ có 2 chuyên đề" in error.value.message


def test_a_course_without_topics_qualifies_nobody(app):
    course = make_course()
    make_enrollment(make_user(), course)
    result = completion.completions(services.course_with_sessions(course.id))[0]
    assert not result.qualifies and "chưa có chuyên đề" in result.reasons[0]


def test_roster_is_in_vietnamese_alphabetical_order_of_given_names(app):
    course = make_course()
    for name in ("Trần Văn Đức", "Lê Thị Dung", "Phạm Ánh", "Nguyễn Văn An"):
        make_enrollment(make_user(full_name=name), course)
    make_enrollment(make_user(full_name="Bùi Văn Chờ"), course, status=EnrollmentStatus.PENDING)
    assert [e.user.full_name for e in services.roster(course.id)] == [
        "Nguyễn Văn An", "Phạm Ánh", "Lê Thị Dung", "Trần Văn Đức"]


# --- roll call --------------------------------------------------------------------------

def test_roll_call_saves_one_person_by_script_request(app, as_user):
    course, sessions, (enrollment, _other) = make_finished_course(topics=1, starts_on=date.today())
    client = as_user(make_user(Role.ORGANIZER))
    response = client.post(f"/attendance/sessions/{sessions[0].id}/mark",
                           data={"enrollment_id": enrollment.id, "status": "excused"},
                           headers={"X-Requested-With": "fetch"})
    assert response.status_code == 200
    assert response.get_json()["label"] == "Vắng có phép"
    assert status_of(enrollment, sessions[0]) == AttendanceStatus.EXCUSED


def test_roll_call_script_request_needs_the_csrf_header(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        course, sessions, (enrollment, _o) = make_finished_course(topics=1, starts_on=date.today())
        email, session_id, enrollment_id = make_user(Role.ORGANIZER).email, sessions[0].id, enrollment.id
    # Requests run outside the test's app context, each with its own g (as in production).
    client = app.test_client()
    token_of = lambda page: page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]  # noqa: E731
    token = token_of(client.get("/auth/login").get_data(as_text=True))
    client.post("/auth/login", data={"email": email, "password": "Matkhau123", "csrf_token": token})
    url = f"/attendance/sessions/{session_id}/mark"
    data = {"enrollment_id": enrollment_id, "status": "absent"}
    assert client.post(url, data=data).status_code == 400
    token = token_of(client.get(f"/attendance/sessions/{session_id}/roll-call").get_data(as_text=True))
    response = client.post(url, data=data, headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Attendance, 1) is not None
        assert db.session.query(Attendance).filter_by(enrollment_id=enrollment_id, session_id=session_id).one().status \
            == AttendanceStatus.ABSENT


def test_roll_call_plain_form_saves_everyone(app, as_user):
    course = make_course()
    session = make_session(course)
    first, second = make_enrollment(make_user(), course), make_enrollment(make_user(), course)
    client = as_user(make_user(Role.ORGANIZER))
    page = client.get(f"/attendance/sessions/{session.id}/roll-call")
    assert page.status_code == 200 and "roll_call.js" in page.get_data(as_text=True)
    response = client.post(f"/attendance/sessions/{session.id}/roll-call",
                           data={f"status-{first.id}": "present", f"status-{second.id}": "absent"})
    assert response.status_code == 302
    assert status_of(first, session) == AttendanceStatus.PRESENT
    assert status_of(second, session) == AttendanceStatus.ABSENT


def test_all_present_fills_only_unmarked_rows_and_keeps_every_explicit_mark(app):
    """An organizer who marked someone absent, or on leave, must not see it overwritten."""
    course = make_course(starts_on=date.today())
    session = make_session(course)
    excused, absent, present, first, second = (make_enrollment(make_user(), course) for _ in range(5))
    make_attendance(excused, session, AttendanceStatus.EXCUSED)
    make_attendance(absent, session, AttendanceStatus.ABSENT)
    make_attendance(present, session, AttendanceStatus.PRESENT)
    assert sorted(services.mark_all_present(make_user(Role.ORGANIZER), session)) == sorted([first.id, second.id])
    assert status_of(excused, session) == AttendanceStatus.EXCUSED
    assert status_of(absent, session) == AttendanceStatus.ABSENT
    assert status_of(present, session) == AttendanceStatus.PRESENT
    assert status_of(first, session) == status_of(second, session) == AttendanceStatus.PRESENT
    assert services.mark_all_present(make_user(Role.ORGANIZER), session) == []


def test_roll_call_refuses_someone_not_on_the_roster(app):
    course = make_course()
    session = make_session(course)
    pending = make_enrollment(make_user(), course, status=EnrollmentStatus.PENDING)
    with pytest.raises(DomainError):
        services.mark(make_user(Role.ORGANIZER), session, pending.id, AttendanceStatus.PRESENT)


def test_a_first_mark_racing_another_request_updates_its_record(app):
    """The roll call page's instant save and its Save button can both insert the first record."""
    course = make_course()
    session = make_session(course)
    enrollment = make_enrollment(make_user(), course, status=EnrollmentStatus.CONFIRMED)
    organizer = make_user(Role.ORGANIZER)

    def other_request_records_her_first(*_args):
        # A separate connection, committed: what a concurrent request does, as the database sees it.
        with db.engine.begin() as other:
            other.execute(sa.insert(Attendance.__table__).values(
                enrollment_id=enrollment.id, session_id=session.id, status=AttendanceStatus.ABSENT,
                method=AttendanceMethod.ROLL_CALL, recorded_by_id=organizer.id, recorded_at=utcnow()))

    sa.event.listen(db.session, "before_flush", other_request_records_her_first, once=True)
    services.mark(organizer, session, enrollment.id, AttendanceStatus.PRESENT)
    db.session.expire_all()
    rows = db.session.query(Attendance).filter_by(enrollment_id=enrollment.id, session_id=session.id).all()
    assert [row.status for row in rows] == [AttendanceStatus.PRESENT]


@pytest.mark.parametrize("role", [Role.PARTICIPANT, Role.COORDINATOR])
def test_participants_cannot_take_attendance(app, as_user, role):
    course = make_course()
    session = make_session(course)
    enrollment = make_enrollment(make_user(), course)
    client = as_user(make_user(role))
    assert client.get(f"/attendance/sessions/{session.id}/roll-call").status_code == 403
    assert client.post(f"/attendance/sessions/{session.id}/mark",
                       data={"enrollment_id": enrollment.id, "status": "present"}).status_code == 403
    assert client.get(f"/attendance/courses/{course.id}").status_code == 403
    assert status_of(enrollment, session) is None


def test_summary_pages(app, as_user):
    course, sessions, (mine, other) = make_finished_course(topics=2)
    client = as_user(make_user(Role.ORGANIZER))
    page = client.get(f"/attendance/courses/{course.id}").get_data(as_text=True)
    assert mine.user.full_name in page and sessions[0].topic.name in page
    client.post("/auth/logout")
    client = as_user(mine.user)
    own = client.get(f"/attendance/enrollments/{mine.id}")
    assert own.status_code == 200 and "Có mặt 2/2 chuyên đề" in own.get_data(as_text=True)
    assert client.get(f"/attendance/enrollments/{other.id}").status_code == 403


# --- QR self check-in -------------------------------------------------------------------

def live_session(course, minutes_ago: int = 5):
    """A session of course that started minutes_ago and lasts an hour: its check-in is open."""
    session = make_session(course)
    session.starts_at = utcnow().replace(microsecond=0) - timedelta(minutes=minutes_ago)
    session.ends_at = session.starts_at + timedelta(minutes=60)
    db.session.commit()
    return session


def test_check_in_marks_present_once(app, as_user):
    course = make_course(starts_on=datetime.now(LOCAL_TZ).date())
    session = live_session(course)
    enrollment = make_enrollment(make_user(), course)
    code = services.new_code(make_user(Role.ORGANIZER), session, minutes=3)
    client = as_user(enrollment.user)
    landing = client.get(f"/attendance/check-in/{session.id}?code={code.code}")
    assert landing.status_code == 200 and "data-autosubmit" in landing.get_data(as_text=True)
    first = client.post(f"/attendance/check-in/{session.id}", data={"code": code.code})
    assert "Đã ghi nhận bạn có mặt" in first.get_data(as_text=True)
    attendance = db.session.query(Attendance).filter_by(enrollment_id=enrollment.id).one()
    assert attendance.method == AttendanceMethod.SELF_CHECK_IN
    recorded_at = attendance.recorded_at
    again = client.post("/attendance/check-in", data={"code": code.code.lower()})
    text = again.get_data(as_text=True)
    assert "đã điểm danh buổi này rồi" in text and "Đã ghi nhận" not in text
    db.session.refresh(attendance)
    assert attendance.recorded_at == recorded_at


def test_check_in_messages(app):
    course = make_course(starts_on=date.today())
    first, second = live_session(course), live_session(course, minutes_ago=10)
    user = make_user()
    make_enrollment(user, course)
    organizer = make_user(Role.ORGANIZER)
    with pytest.raises(DomainError, match="chưa mở điểm danh"):
        services.check_in(user, "ABCDEF", session_id=first.id)
    code = services.new_code(organizer, second, minutes=3)
    services.new_code(organizer, first, minutes=3)
    with pytest.raises(DomainError, match="buổi học khác"):
        services.check_in(user, code.code, session_id=first.id)
    code.expires_at = code.created_at + timedelta(seconds=1)
    code.created_at = code.created_at - timedelta(minutes=5)
    code.expires_at = code.created_at + timedelta(minutes=3)
    db.session.commit()
    fresh = services.new_code(organizer, second, minutes=3)  # the screen rotated the code
    with pytest.raises(DomainError, match="hết hạn"):
        services.check_in(user, code.code)
    with pytest.raises(DomainError, match="không đúng"):
        services.check_in(user, "ZZZZZZ")
    stranger = make_user()
    with pytest.raises(DomainError, match="không có trong danh sách"):
        services.check_in(stranger, fresh.code)


def test_check_in_page_shows_the_message_beside_the_code(app, as_user):
    course = make_course()
    session = make_session(course)
    make_enrollment(make_user(), course)
    client = as_user(make_user())
    response = client.post("/attendance/check-in", data={"code": "QQQQQQ"})
    assert response.status_code == 400
    assert "Mã điểm danh không đúng" in response.get_data(as_text=True)
    assert session.id


def test_check_in_link_asks_to_log_in_and_comes_back(app, client):
    course = make_course()
    session = make_session(course)
    response = client.get(f"/attendance/check-in/{session.id}?code=ABCDEF")
    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert "/auth/login?next=" in login_url
    user = make_user()
    back = client.post(login_url, data={"email": user.email, "password": "Matkhau123"})
    assert back.headers["Location"] == f"/attendance/check-in/{session.id}?code=ABCDEF"


def test_organizer_screen_shows_code_count_and_list(app, as_user):
    course = make_course(starts_on=date.today())
    session = live_session(course)
    enrollment = make_enrollment(make_user(full_name="Hoàng Thị Điểm"), course)
    client = as_user(make_user(Role.ORGANIZER))
    assert "chưa mở" in client.get(f"/attendance/sessions/{session.id}/check-in-screen").get_data(as_text=True)
    client.post(f"/attendance/sessions/{session.id}/check-in-code")
    code = db.session.query(CheckInCode).filter_by(session_id=session.id).one()
    screen = client.get(f"/attendance/sessions/{session.id}/check-in-screen").get_data(as_text=True)
    assert code.code in screen
    assert client.get(f"/attendance/sessions/{session.id}/check-in-qr/{code.code}.svg").mimetype == "image/svg+xml"
    services.check_in(enrollment.user, code.code)
    status = client.get(f"/attendance/sessions/{session.id}/check-in-status").get_json()
    assert status["count"] == 1 and status["people"][0]["name"] == "Hoàng Thị Điểm"
    assert status["code"]["code"] == code.code
    rotated = client.post(f"/attendance/sessions/{session.id}/check-in-code",
                          headers={"X-Requested-With": "fetch"}).get_json()
    assert rotated["code"] != code.code
    client.post(f"/attendance/sessions/{session.id}/check-in-close")
    assert services.active_code(session.id) is None


def test_staff_find_courses_to_take_attendance_for(app, as_user):
    course, _s, _e = make_finished_course(topics=1, participants=1)
    page = as_user(make_user(Role.ORGANIZER)).get("/attendance/").get_data(as_text=True)
    assert course.code in page and f"/attendance/courses/{course.id}" in page


def test_summary_shows_a_hundred_participants_a_page_and_the_totals(app, as_user):
    from courses.attendance.views import SUMMARY_PER_PAGE

    course = make_course()
    session = make_session(course)
    names = [f"Học viên {number:03d}" for number in range(1, SUMMARY_PER_PAGE + 6)]
    for name in names:
        enrollment = make_enrollment(make_user(full_name=name), course)
        db.session.add(Attendance(enrollment_id=enrollment.id, session_id=session.id,
                                  status=AttendanceStatus.PRESENT))
    db.session.commit()
    client = as_user(make_user(Role.ORGANIZER))
    first = client.get(f"/attendance/courses/{course.id}").get_data(as_text=True)
    assert f"Đạt điều kiện hoàn thành: {len(names)}/{len(names)} học viên." in first
    assert names[SUMMARY_PER_PAGE - 1] in first and names[SUMMARY_PER_PAGE] not in first
    assert f'href="/attendance/courses/{course.id}?page=2"' in first
    second = client.get(f"/attendance/courses/{course.id}?page=2").get_data(as_text=True)
    assert names[SUMMARY_PER_PAGE] in second and names[-1] in second and names[0] not in second
    assert f"Học viên {SUMMARY_PER_PAGE + 1}–{len(names)}, theo thứ tự tên." in second


@pytest.mark.parametrize("rule, min_topics, expected", [(CompletionRule.ALL_TOPICS, None, 1),
                                                        (CompletionRule.MIN_TOPICS, 2, 2),
                                                        (CompletionRule.MIN_TOPICS, 1, 3)])
def test_the_summary_total_counts_what_the_rule_says(app, rule, min_topics, expected):
    course, sessions, (everywhere, two, one, nowhere) = make_finished_course(topics=3, participants=4)
    db.session.execute(sa.delete(Attendance).where(
        Attendance.enrollment_id.in_([two.id, one.id, nowhere.id]), Attendance.session_id == sessions[2].id))
    db.session.execute(sa.update(Attendance).where(Attendance.enrollment_id == one.id,
                                                   Attendance.session_id == sessions[1].id)
                       .values(status=AttendanceStatus.EXCUSED))
    db.session.execute(sa.delete(Attendance).where(Attendance.enrollment_id == nowhere.id))
    withdrawn = make_enrollment(make_user(), course, status=EnrollmentStatus.CANCELLED)
    make_attendance(withdrawn, sessions[0], AttendanceStatus.PRESENT)  # not confirmed: never counted
    course.completion_rule, course.completion_min_topics = rule, min_topics
    db.session.commit()
    db.session.expire_all()
    assert completion.qualified_count(course) == expected
    assert sum(item.qualifies for item in completion.completions(course)) == expected


def test_a_course_without_topics_has_nobody_qualified(app):
    course = make_course()
    make_enrollment(make_user(), course)
    assert completion.qualified_count(course) == 0
