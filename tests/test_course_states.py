"""A course's state as people read it: cancelled with its reason, in progress, upcoming (issue 17)."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest

from courses.enums import CourseStatus, Role
from courses.extensions import db
from courses.formatting import LOCAL_TZ
from tests.factories import make_course, make_enrollment, make_session, make_user


def _today():
    return datetime.now(LOCAL_TZ).date()


def _section(html: str, heading_id: str) -> str:
    """The HTML of the «Khóa học của tôi» section labelled by heading_id ('' when absent)."""
    start = html.find(f'aria-labelledby="{heading_id}"')
    if start < 0:
        return ""
    end = html.find("</section>", start)
    return html[start:end]


def test_state_rule_follows_status_and_timetable():
    from courses.enums import CourseState
    from courses.scheduling.models import course_state

    first = datetime(2030, 5, 6, 1, 0, tzinfo=timezone.utc)
    last = first + timedelta(days=1, hours=8)
    day = first.date()

    def at(status, now):
        return course_state(status, day, last.date(), first, last, now=now)

    assert at(CourseStatus.PUBLISHED, first - timedelta(minutes=1)) == CourseState.UPCOMING
    assert at(CourseStatus.CLOSED, first) == CourseState.IN_PROGRESS
    assert at(CourseStatus.CLOSED, last - timedelta(minutes=1)) == CourseState.IN_PROGRESS
    assert at(CourseStatus.CLOSED, last) == CourseState.PAST
    assert at(CourseStatus.FINISHED, first) == CourseState.PAST
    assert at(CourseStatus.CANCELLED, first - timedelta(days=3)) == CourseState.CANCELLED
    assert at(CourseStatus.DRAFT, first) == CourseState.DRAFT
    # Without a timetable, its days (local time) stand for it.
    noon = datetime.combine(day, time(12), LOCAL_TZ)
    assert course_state(CourseStatus.PUBLISHED, day, day, now=noon) == CourseState.IN_PROGRESS


def test_cancelled_course_in_my_courses_shows_cancelled_with_reason_and_no_cancel_button(app, as_user):
    user = make_user()
    course = make_course(status=CourseStatus.CANCELLED, starts_on=_today() + timedelta(days=10),
                         title="Lớp sẽ không mở")
    course.cancel_reason = "Báo cáo viên bận công tác đột xuất"
    make_session(course)
    make_enrollment(user, course)
    html = as_user(user).get("/enrollment/me").get_data(as_text=True)
    assert "Lớp sẽ không mở" not in _section(html, "upcoming-heading")
    cancelled = _section(html, "cancelled-heading")
    assert "Lớp sẽ không mở" in cancelled
    assert "Đã hủy" in cancelled and "Báo cáo viên bận công tác đột xuất" in cancelled
    assert "Đã xác nhận" not in cancelled
    assert f"/enrollment/courses/{course.id}/cancel" not in html


def test_course_in_progress_is_not_upcoming_and_cannot_be_cancelled(app, as_user):
    user = make_user()
    course = make_course(status=CourseStatus.CLOSED, starts_on=_today(), ends_on=_today() + timedelta(days=1),
                         title="Lớp đang học")
    now = datetime.now(LOCAL_TZ)
    session = make_session(course)
    session.starts_at = now - timedelta(hours=1)
    session.ends_at = now + timedelta(days=1)
    db.session.commit()
    make_enrollment(user, course)
    html = as_user(user).get("/enrollment/me").get_data(as_text=True)
    assert "Lớp đang học" not in _section(html, "upcoming-heading")
    current = _section(html, "current-heading")
    assert "Lớp đang học" in current and "Đang diễn ra" in current
    assert f"/enrollment/courses/{course.id}/cancel" not in html
    page = as_user(user).get(f"/courses/{course.id}").get_data(as_text=True)
    assert "Đang diễn ra" in page


def test_calendar_feed_marks_a_cancelled_course_with_its_reason(app, client):
    from courses.catalog.views import feed_token

    user = make_user()
    course = make_course(status=CourseStatus.CANCELLED, title="Lớp hủy trong lịch")
    course.cancel_reason = "Trùng lịch hội nghị"
    make_session(course)
    make_enrollment(user, course)
    with app.test_request_context():
        token = feed_token(user)
    body = client.get(f"/calendar/{token}.ics").get_data(as_text=True).replace("\r\n ", "")
    assert "STATUS:CANCELLED" in body
    assert "Trùng lịch hội nghị" in body


@pytest.mark.parametrize("role", [Role.ORGANIZER])
def test_roster_of_a_cancelled_course_says_so_with_its_reason(app, as_user, role):
    course = make_course(status=CourseStatus.CANCELLED)
    course.cancel_reason = "Không đủ học viên"
    db.session.commit()
    html = as_user(make_user(role)).get(f"/enrollment/courses/{course.id}/roster").get_data(as_text=True)
    assert "Đã hủy" in html and "Không đủ học viên" in html


# ---------------------------------------------------------------- completion rules that can be met

def _organizer_course(topics: int):
    course = make_course(status=CourseStatus.PUBLISHED)
    sessions = [make_session(course, start=time(8 + i, 0)) for i in range(topics)]
    return make_user(Role.ORGANIZER), course, sessions


def test_completion_rule_above_the_topic_count_is_refused(app):
    from courses.attendance.completion import set_completion_rule
    from courses.enums import CompletionRule
    from courses.exceptions import DomainError

    organizer, course, _sessions = _organizer_course(5)
    with app.test_request_context(), pytest.raises(DomainError, match="5 chuyên đề"):
        set_completion_rule(organizer, course, CompletionRule.MIN_TOPICS, 9)
    db.session.expire_all()
    assert course.completion_rule == CompletionRule.ALL_TOPICS and course.completion_min_topics is None


def test_completion_minimum_for_a_course_without_topic_sessions_is_refused(app):
    from courses.attendance.completion import set_completion_rule
    from courses.enums import CompletionRule
    from courses.exceptions import DomainError

    organizer, course, _sessions = _organizer_course(0)
    with app.test_request_context(), pytest.raises(DomainError, match="chưa có buổi chuyên đề"):
        set_completion_rule(organizer, course, CompletionRule.MIN_TOPICS, 3)
    db.session.expire_all()
    assert course.completion_min_topics is None


def test_deleting_a_topic_session_the_rule_needs_is_refused_with_a_message(app, as_user):
    from courses.attendance.completion import set_completion_rule
    from courses.enums import CompletionRule
    from courses.scheduling.models import CourseSession

    organizer, course, sessions = _organizer_course(3)
    with app.test_request_context():
        set_completion_rule(organizer, course, CompletionRule.MIN_TOPICS, 3)
    client = as_user(organizer)
    page = client.get(f"/organize/courses/{course.id}").get_data(as_text=True)
    import re
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    data = {"csrf_token": token.group(1)} if token else {}
    data["confirmed"] = "1"  # past the confirmation: the rule still refuses
    response = client.post(f"/organize/sessions/{sessions[0].id}/delete", data=data, follow_redirects=True)
    assert response.status_code == 200
    assert "Hãy giảm điều kiện hoàn thành trước" in response.get_data(as_text=True)
    assert db.session.get(CourseSession, sessions[0].id) is not None
    # With the rule lowered, the same deletion goes through.
    with app.test_request_context():
        set_completion_rule(organizer, course, CompletionRule.MIN_TOPICS, 2)
    client.post(f"/organize/sessions/{sessions[0].id}/delete", data=data)
    db.session.expire_all()
    assert db.session.get(CourseSession, sessions[0].id) is None


# ---------------------------------------------------------------- actions that cannot succeed

def test_finish_is_not_offered_before_the_course_starts(app, as_user):
    organizer = make_user(Role.ORGANIZER)
    course = make_course(status=CourseStatus.PUBLISHED, starts_on=_today() + timedelta(days=5))
    make_session(course)
    from flask import url_for

    with app.test_request_context():
        finish = url_for("scheduling.change_status", course_id=course.id, action="finish")
        close = url_for("scheduling.change_status", course_id=course.id, action="close")
    html = as_user(organizer).get(f"/organize/courses/{course.id}").get_data(as_text=True)
    assert close in html  # the other actions stay
    assert finish not in html


def _coordinator_with_quota(seats: int, **course_values):
    from courses.enums import OrganizationKind
    from tests.factories import make_organization, make_quota

    grassroots = make_organization(kind=OrganizationKind.GRASSROOTS)
    coordinator = make_user(Role.COORDINATOR, organization=grassroots)
    course = make_course(**course_values)
    if seats:
        make_quota(course, grassroots, seats)
    return coordinator, grassroots, course


def test_nomination_is_not_offered_beyond_a_used_up_quota(app, as_user):
    coordinator, grassroots, course = _coordinator_with_quota(1)
    make_user(full_name="Đảng Viên Chờ Cử", organization=grassroots)
    client = as_user(coordinator)
    nominee = make_enrollment(make_user(organization=grassroots), course)
    nominee.quota_organization_id = grassroots.id
    db.session.commit()
    html = client.get(f"/enrollment/unit/courses/{course.id}").get_data(as_text=True)
    assert "Đơn vị đã dùng hết chỉ tiêu (1/1)" in html
    assert f"/enrollment/unit/courses/{course.id}/nominate" not in html


def test_nomination_is_not_offered_into_a_finished_course(app, as_user):
    coordinator, _grassroots, course = _coordinator_with_quota(
        3, status=CourseStatus.FINISHED, starts_on=_today() - timedelta(days=30))
    html = as_user(coordinator).get(f"/enrollment/unit/courses/{course.id}").get_data(as_text=True)
    assert "Lớp không nhận cử học viên." in html
    assert f"/enrollment/unit/courses/{course.id}/nominate" not in html


def test_coordinator_cannot_open_a_draft_course(app, as_user):
    coordinator, _grassroots, course = _coordinator_with_quota(3, status=CourseStatus.DRAFT)
    client = as_user(coordinator)
    assert client.get(f"/enrollment/unit/courses/{course.id}").status_code == 404
    assert client.get("/enrollment/unit/courses/999999").status_code == 404
