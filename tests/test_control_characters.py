"""Control characters nobody types (NUL above all: PostgreSQL refuses it in text) get a message.

A form field holding one is invalid with a message beside it and nothing is stored; an
address holding a NUL is refused with a 400 page before any view queries the database.
"""
from __future__ import annotations

from sqlalchemy import func, select

from courses.enums import Role
from courses.extensions import db
from courses.scheduling.models import Speaker
from tests.factories import make_course, make_user

FORM_MESSAGE = "Nội dung chứa ký tự điều khiển không hợp lệ"
ADDRESS_MESSAGE = "Địa chỉ chứa ký tự không hợp lệ"


def speaker_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Speaker))


def test_a_nul_in_a_form_field_is_refused_beside_the_field_and_nothing_is_stored(as_user):
    organizer = as_user(make_user(role=Role.ORGANIZER))
    response = organizer.post("/organize/speakers/new", data={"full_name": "Trần\x00Văn", "title": "Giảng viên"})
    assert response.status_code == 200
    assert FORM_MESSAGE in response.get_data(as_text=True)
    assert speaker_count() == 0


def test_other_control_characters_are_refused_but_line_breaks_and_tabs_are_kept(as_user):
    organizer = as_user(make_user(role=Role.ORGANIZER))
    refused = organizer.post("/organize/speakers/new", data={"full_name": "Trần Văn\x1b[31m", "title": "x"})
    assert FORM_MESSAGE in refused.get_data(as_text=True) and speaker_count() == 0
    accepted = organizer.post("/organize/speakers/new", data={
        "full_name": "Trần Văn Bình", "title": "Giảng viên", "bio": "Dòng một\r\n\tDòng hai"})
    assert accepted.status_code == 302
    assert db.session.scalars(select(Speaker.bio)).one() == "Dòng một\r\n\tDòng hai"


def test_a_nul_in_a_search_term_gets_a_400_page_with_a_message(client):
    make_course(title="Lớp bồi dưỡng nghiệp vụ")
    response = client.get("/courses?q=b%E1%BB%93i%00")
    assert response.status_code == 400
    assert ADDRESS_MESSAGE in response.get_data(as_text=True)
    assert client.get("/courses?q=b%E1%BB%93i").status_code == 200


def test_a_nul_in_a_path_part_gets_a_400_page_with_a_message(client):
    response = client.get("/verify/ABCD%00EFGH")
    assert response.status_code == 400
    assert ADDRESS_MESSAGE in response.get_data(as_text=True)


def test_a_line_break_in_a_return_address_is_not_followed(as_user):
    from courses.enums import EnrollmentStatus
    from tests.factories import make_enrollment

    course = make_course()
    enrollment = make_enrollment(make_user(), course, status=EnrollmentStatus.PENDING)
    organizer = as_user(make_user(role=Role.ORGANIZER))
    response = organizer.post(
        f"/enrollment/courses/{course.id}/enrollments/{enrollment.id}/status",
        data={"status": "confirmed", "back": "/enrollment/\r\nSet-Cookie: stolen=1"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/enrollment/courses/{course.id}/roster")
    assert "stolen" not in response.headers.get("Set-Cookie", "")


def test_a_language_switch_with_a_control_character_in_its_return_address_goes_home(client):
    response = client.post("/language", data={"lang": "en", "next": "/courses\r\nX-Evil: 1"})
    assert response.status_code in (302, 303)
    assert "X-Evil" not in response.headers and response.headers["Location"].endswith("/")


def test_a_number_beyond_what_the_database_holds_gets_a_message(as_user):
    from courses.scheduling.models import Topic

    organizer = as_user(make_user(role=Role.ORGANIZER))
    response = organizer.post("/organize/courses/new", data={
        "code": "BDNV-X", "title": "Lớp thử", "starts_on": "2030-01-01", "ends_on": "2030-01-01",
        "capacity": "9" * 20, "completion_rule": "all_topics"})
    assert response.status_code == 200
    assert "Số quá lớn." in response.get_data(as_text=True)
    response = organizer.post("/organize/topics", data={
        "code": "X1", "name": "Chuyên đề thử", "default_duration_minutes": "-" + "9" * 20})
    assert "Số quá lớn." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Topic)) == 0
