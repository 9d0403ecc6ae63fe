"""Seats and the waitlist (issue 17): new seats go to the first in the queue, a capacity is
never set below the confirmed count, waiting people see their place and which limit keeps
them out, and a confirmed participant hears of a clash with another of their courses."""
from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from courses.enrollment import registration
from courses.enrollment.models import Enrollment
from courses.enums import CourseStatus, EnrollmentStatus, Role
from courses.extensions import db
from courses.scheduling.models import Course
from tests.factories import make_course, make_enrollment, make_party_tree, make_quota, make_session, make_user

DAY = date.today() + timedelta(days=40)


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def status_of(user, course) -> EnrollmentStatus:
    return db.session.scalar(select(Enrollment.status).where(
        Enrollment.user_id == user.id, Enrollment.course_id == course.id)
        .execution_options(populate_existing=True))


def capacity_of(course) -> int:
    return db.session.scalar(select(Course.capacity).where(Course.id == course.id))


def edit_form(course, capacity: int) -> dict:
    """What the organizer's course editor posts, with only the capacity changed."""
    return {"code": course.code, "title": course.title, "organizing_unit_id": course.organizing_unit_id,
            "venue": course.venue, "starts_on": course.starts_on.isoformat(),
            "ends_on": course.ends_on.isoformat(), "capacity": capacity, "completion_rule": course.completion_rule.value}


def waiting(course, *users):
    """Register users one after another (their order in the queue) once the course is full."""
    for user in users:
        assert registration.register(user, course.id).status == EnrollmentStatus.WAITLISTED


@pytest.fixture
def organizer():
    return make_user(Role.ORGANIZER)


@pytest.fixture
def full_course():
    """Two seats, both confirmed."""
    course = make_course(starts_on=DAY, capacity=2)
    make_session(course)
    for _ in range(2):
        make_enrollment(make_user(), course)
    return course


def test_raising_the_capacity_confirms_the_first_waiting_and_no_newcomer_jumps_the_queue(
        client, as_user, organizer, full_course):
    first, second, third = make_user(), make_user(), make_user()
    waiting(full_course, first, second, third)
    as_user(organizer)
    response = client.post(f"/organize/courses/{full_course.id}/edit", data=edit_form(full_course, 4))
    assert response.status_code == 302, text_of(response)
    assert capacity_of(full_course) == 4
    assert [status_of(u, full_course) for u in (first, second, third)] == [
        EnrollmentStatus.CONFIRMED, EnrollmentStatus.CONFIRMED, EnrollmentStatus.WAITLISTED]
    promoted = db.session.scalar(select(Enrollment).where(Enrollment.user_id == first.id))
    assert promoted.promoted_at is not None  # «Khóa học của tôi» says they came from the waitlist
    newcomer = make_user()
    assert registration.register(newcomer, full_course.id).status == EnrollmentStatus.WAITLISTED
    assert status_of(third, full_course) == EnrollmentStatus.WAITLISTED


def test_new_seats_respect_the_units_quota_and_go_to_the_next_in_line(client, as_user, organizer, full_course):
    unit, (cell,) = make_party_tree(cells=1)
    other_unit, (other_cell,) = make_party_tree(cells=1)
    make_quota(full_course, unit, 2)
    for enrollment in db.session.scalars(select(Enrollment).where(Enrollment.course_id == full_course.id)):
        enrollment.quota_organization_id = unit.id  # the unit's two seats are taken
    db.session.commit()
    member, outsider = make_user(organization=cell), make_user(organization=other_cell)
    waiting(full_course, member, outsider)
    as_user(organizer)
    response = client.post(f"/organize/courses/{full_course.id}/edit", data=edit_form(full_course, 3))
    assert response.status_code == 302, text_of(response)
    # The first in line waits for their unit's quota; the free seat goes to the next one.
    assert status_of(member, full_course) == EnrollmentStatus.WAITLISTED
    assert status_of(outsider, full_course) == EnrollmentStatus.CONFIRMED


def test_lowering_the_capacity_below_the_confirmed_count_is_refused_and_names_the_count(
        client, as_user, organizer):
    course = make_course(starts_on=DAY, capacity=5)
    for _ in range(3):
        make_enrollment(make_user(), course)
    as_user(organizer)
    response = client.post(f"/organize/courses/{course.id}/edit", data=edit_form(course, 2))
    assert response.status_code == 200
    assert "Lớp đã có 3 học viên được xác nhận; số chỗ không thể ít hơn 3." in text_of(response)
    assert capacity_of(course) == 5
    response = client.post(f"/organize/courses/{course.id}/edit", data=edit_form(course, 3))
    assert response.status_code == 302  # down to the confirmed count itself is fine
    assert capacity_of(course) == 3


def test_a_waiting_participant_sees_their_place_on_the_course_page_and_in_my_courses(
        client, as_user, full_course):
    first, second, third = make_user(), make_user(), make_user()
    waiting(full_course, first, second, third)
    as_user(third)
    assert "Đồng chí đang ở vị trí 3 trong danh sách chờ." in text_of(client.get(f"/courses/{full_course.id}"))
    assert "Đồng chí đang ở vị trí 3 trong danh sách chờ." in text_of(client.get("/enrollment/me"))
    registration.cancel_own(first, full_course.id)  # first leaves the queue: third moves up
    assert "Đồng chí đang ở vị trí 2 trong danh sách chờ." in text_of(client.get(f"/courses/{full_course.id}"))
    assert "Đồng chí đang ở vị trí 2 trong danh sách chờ." in text_of(client.get("/enrollment/me"))


def test_the_waitlist_message_names_the_full_course(client, as_user, full_course):
    as_user(make_user())
    response = client.post(f"/enrollment/courses/{full_course.id}/register", follow_redirects=True)
    page = text_of(response)
    assert "Lớp đã đủ 2 chỗ. Đồng chí đang ở vị trí 1 trong danh sách chờ." in page
    assert "đồng chí ở danh sách chờ" not in page  # not the old «the course (or the unit's quota)»


def test_the_waitlist_message_names_the_units_quota_when_that_is_what_is_full(client, as_user):
    course = make_course(starts_on=DAY, capacity=10)
    make_session(course)
    unit, (cell,) = make_party_tree(cells=1, name="Đảng bộ Bộ Tư pháp")
    make_quota(course, unit, 1)
    registration.register(make_user(organization=cell), course.id)  # the unit's one seat
    as_user(make_user(organization=cell))
    response = client.post(f"/enrollment/courses/{course.id}/register", follow_redirects=True)
    page = text_of(response)
    assert "Chỉ tiêu của Đảng bộ Bộ Tư pháp (1 chỗ) đã dùng hết." in page
    assert "vị trí 1 trong danh sách chờ" in page
    assert "Chỉ tiêu của Đảng bộ Bộ Tư pháp (1 chỗ) đã dùng hết." in text_of(client.get(f"/courses/{course.id}"))


def test_a_confirmed_participant_is_warned_of_another_course_at_the_same_time(client, as_user):
    user = make_user()
    morning = make_course(starts_on=DAY, title="Lớp nghiệp vụ kiểm tra")
    make_session(morning, start=time(8, 0), minutes=180)
    make_enrollment(user, morning)
    elsewhere = make_course(starts_on=DAY + timedelta(days=3), title="Lớp ngày khác")
    make_session(elsewhere, start=time(8, 0), minutes=180)
    make_enrollment(user, elsewhere)
    clashing = make_course(starts_on=DAY, title="Lớp công tác dân vận")
    make_session(clashing, start=time(10, 0), minutes=120)  # 10:00–12:00, morning runs to 11:00
    as_user(user)
    response = client.post(f"/enrollment/courses/{clashing.id}/register", follow_redirects=True)
    page = text_of(response)
    assert "Đăng ký thành công" in page
    assert "trùng thời gian" in page and f"Lớp nghiệp vụ kiểm tra ({morning.code})" in page
    assert "Lớp ngày khác" not in page
    again = text_of(client.get(f"/courses/{clashing.id}"))
    assert f"Lớp nghiệp vụ kiểm tra ({morning.code})" in again
    # the other course's page warns too; a course at another time does not
    assert f"Lớp công tác dân vận ({clashing.code})" in text_of(client.get(f"/courses/{morning.id}"))
    assert "trùng thời gian" not in text_of(client.get(f"/courses/{elsewhere.id}"))


def test_no_clash_warning_for_a_cancelled_course_or_a_waitlisted_place(client, as_user):
    user = make_user()
    cancelled = make_course(starts_on=DAY, status=CourseStatus.CANCELLED)
    make_session(cancelled, start=time(8, 0), minutes=180)
    make_enrollment(user, cancelled)
    full = make_course(starts_on=DAY, capacity=1)
    make_session(full, start=time(8, 0), minutes=180)
    make_enrollment(make_user(), full)
    make_enrollment(user, full, status=EnrollmentStatus.WAITLISTED)
    course = make_course(starts_on=DAY)
    make_session(course, start=time(9, 0), minutes=60)
    as_user(user)
    page = text_of(client.post(f"/enrollment/courses/{course.id}/register", follow_redirects=True))
    assert "Đăng ký thành công" in page and "trùng thời gian" not in page


def test_the_demo_participant_may_register_for_the_upcoming_course(runner, client):
    runner.invoke(args=["seed-demo"])
    course = db.session.scalar(select(Course).where(Course.status == CourseStatus.PUBLISHED,
                                                    Course.is_demo.is_(True)))
    assert {"secretary", "committee_member"} <= set(course.target_positions)
    client.post("/auth/login", data={"email": "participant@demo.local", "password": "Demo@2022"})
    page = text_of(client.post(f"/enrollment/courses/{course.id}/register", follow_redirects=True))
    assert "Đăng ký thành công" in page

