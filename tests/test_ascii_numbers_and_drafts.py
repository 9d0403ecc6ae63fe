"""Numbers are ASCII digits only; a draft course is «not found» to everyone but staff.

«²».isdigit() is true and int("²") fails: a form value checked with isdigit() and then
given to int() answered 500. And a draft course must not show through the unit
coordinator's pages, nor through the jobs page telling a missing code from a draft's.
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from courses.auth.models import User
from courses.certificates import jobs as certificate_jobs
from courses.enrollment import registration
from courses.enums import CourseStatus, EnrollmentStatus, Role
from courses.extensions import db
from courses.forms import is_strong_password
from courses.jobs import runner
from courses.jobs.models import Job
from tests.factories import make_course, make_enrollment, make_party_tree, make_quota, make_user


@pytest.fixture
def app(make_app, tmp_path):
    app = make_app(JOB_RESULTS_DIR=str(tmp_path / "job-results"))
    with app.app_context():
        yield app
        runner.wait_for_threads()


def page_text(response) -> str:
    """The page without what changes per request (nonces, CSRF tokens)."""
    html = response.get_data(as_text=True)
    return re.sub(r'(nonce|value|content)="[^"]*"', "", html)


def logged_in(as_user, user):
    """as_user(user), with the log-in's greeting already shown (pages are compared whole)."""
    client = as_user(user)
    client.get("/")
    return client


def job_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Job))


# ---------------------------------------------------------------- ASCII digits

@pytest.mark.parametrize("role", [Role.PARTICIPANT, Role.ADMIN])
@pytest.mark.parametrize("value", ["²", "١٢", "9" * 40])
def test_a_course_id_in_other_digits_at_the_new_job_form_is_a_message_not_a_500(as_user, role, value):
    make_course(status=CourseStatus.FINISHED)
    client = as_user(make_user(role))
    response = client.post("/jobs/new", data={"kind": certificate_jobs.KIND, "course_id": value})
    assert response.status_code == 302 and response.headers["Location"].endswith("/jobs/")
    page = client.get("/jobs/").get_data(as_text=True)
    expected = "Lớp học không hợp lệ." if role == Role.ADMIN else "Bạn không có quyền chạy tác vụ này."
    assert expected in page
    assert job_count() == 0


@pytest.mark.parametrize("values", [["²"], ["²", "x", "-1", "9" * 40], ["١"]])
def test_enrollment_ids_in_other_digits_at_approve_change_nothing(as_user, values):
    course = make_course(requires_approval=True)
    pending = make_enrollment(make_user(), course, status=EnrollmentStatus.PENDING)
    client = as_user(make_user(Role.ORGANIZER))
    response = client.post(f"/enrollment/courses/{course.id}/approve", data={"enrollment_ids": values})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Không có đăng ký chờ duyệt nào được chọn." in page
    db.session.expire_all()
    assert registration.find_enrollment(pending.user_id, course.id).status == EnrollmentStatus.PENDING


def test_a_superscript_two_is_not_a_digit_of_a_password(as_user):
    assert not is_strong_password("Matkhau²²")
    assert is_strong_password("Matkhau22")
    user = make_user()
    client = as_user(user)
    response = client.post("/auth/password", data={
        "current_password": "Matkhau123", "new_password": "Matkhau²²", "new_password_confirm": "Matkhau²²"})
    assert response.status_code == 200
    assert "Mật khẩu cần ít nhất 8 ký tự, gồm cả chữ và số." in response.get_data(as_text=True)
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert stored.check_password("Matkhau123") and not stored.check_password("Matkhau²²")


# ---------------------------------------------------------------- drafts

def test_a_coordinator_finds_a_draft_course_as_missing_on_the_unit_pages(as_user):
    unit, cells = make_party_tree()
    draft = make_course(status=CourseStatus.DRAFT, title="Lớp nháp chưa công bố")
    make_quota(draft, unit, 3)
    member = make_user(organization=cells[0])
    client = logged_in(as_user, make_user(Role.COORDINATOR, organization=unit))
    missing = client.get("/enrollment/unit/courses/999999")
    shown = client.get(f"/enrollment/unit/courses/{draft.id}")
    assert missing.status_code == shown.status_code == 404
    assert page_text(shown) == page_text(missing)
    assert "Lớp nháp chưa công bố" not in shown.get_data(as_text=True)
    nominated = client.post(f"/enrollment/unit/courses/{draft.id}/nominate", data={"user_id": member.id})
    assert nominated.status_code == 404
    assert registration.find_enrollment(member.id, draft.id) is None


def test_staff_still_open_a_draft_course_on_the_unit_page(as_user):
    draft = make_course(status=CourseStatus.DRAFT)
    response = as_user(make_user(Role.ADMIN)).get(f"/enrollment/unit/courses/{draft.id}")
    assert response.status_code != 404


@pytest.mark.parametrize("role", [Role.PARTICIPANT, Role.COORDINATOR])
def test_the_new_job_form_answers_the_same_for_a_draft_code_and_a_missing_one(as_user, role):
    unit, _cells = make_party_tree()
    draft = make_course(status=CourseStatus.DRAFT)
    client = logged_in(as_user, make_user(role, organization=unit))

    def answer(code: str) -> str:
        response = client.post("/jobs/new", data={"kind": certificate_jobs.KIND, "course_code": code})
        assert response.status_code == 302
        return page_text(client.get(response.headers["Location"]))

    assert answer(draft.code) == answer("KHONG-CO-LOP-NAY")
    assert "Bạn không có quyền chạy tác vụ này." in answer(draft.code)
    assert job_count() == 0


def test_staff_are_told_a_missing_code_is_not_found(as_user):
    client = as_user(make_user(Role.ORGANIZER))
    response = client.post("/jobs/new", data={"kind": certificate_jobs.KIND, "course_code": "KHONG-CO-LOP-NAY"},
                           follow_redirects=True)
    assert "Không tìm thấy lớp học." in response.get_data(as_text=True)
