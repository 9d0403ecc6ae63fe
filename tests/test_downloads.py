"""Downloads: course codes that name files, RFC 6266 headers, no-store, materials and photos that do not leak."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from urllib.parse import quote

import pytest
from flask_migrate import upgrade
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from config import TestingConfig
from courses import create_app
from courses.enums import CourseStatus, Role, SessionKind, Visibility
from courses.exceptions import DomainError
from courses.extensions import db
from courses.scheduling import lifecycle
from courses.scheduling.course_data import CourseData
from courses.scheduling.models import Course
from tests import test_migrations
from tests.factories import (
    give_speaker_photo,
    make_certificate,
    make_course,
    make_enrollment,
    make_finished_job,
    make_material,
    make_organization,
    make_session,
    make_speaker,
    make_user,
)

empty_database_url = test_migrations.empty_database_url  # the fixture: a database with no tables

VIETNAMESE_LETTERS = ("àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
                      "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴĐ")
CODE = "ĐUK-01/2026"
FILE_CODE = "ĐUK-01-2026"  # «/» is no part of a file's name
BAD_CODES = ["ĐUK\r\nSet-Cookie: x=1", 'ĐUK"01', "ĐUK 01", "ĐUK<01>", "ĐUK;01", "ĐUK_01", "ĐUK\t01"]
ID_IN_ADDRESS = re.compile(r"(?<=materials%2F)\d+|(?<=materials/)\d+")
FORMAT_MESSAGE = "Mã lớp chỉ gồm chữ cái, chữ số và các dấu «-», «/», «.», không có dấu cách"


def coded_course(code: str = CODE, status: CourseStatus = CourseStatus.PUBLISHED) -> Course:
    course = make_course(status)
    course.code = code
    db.session.commit()
    return course


def assert_named(response, filename: str, disposition: str) -> None:
    """A well-formed RFC 6266 header naming filename, sendable by gunicorn (Latin-1 only)."""
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    header = response.headers["Content-Disposition"]
    header.encode("latin-1")  # gunicorn refuses a header it cannot encode so
    assert "\r" not in header and "\n" not in header
    assert header.startswith(disposition + ";")
    if filename.isascii():
        assert header.endswith((f"filename={filename}", f'filename="{filename}"'))
    else:
        assert f"filename*=UTF-8''{quote(filename)}" in header


def assert_no_store(response) -> None:
    assert response.headers.get("Cache-Control") == "no-store"


# ------------------------------------------------------------ a Vietnamese code names the files

def test_vietnamese_course_code_downloads_with_rfc6266_names(as_user, client):
    course = coded_course()
    make_session(course, SessionKind.OPENING)
    calendar = client.get(f"/courses/{course.id}.ics")
    assert_named(calendar, f"{FILE_CODE}.ics", "attachment")
    assert_no_store(calendar)
    as_user(make_user(role=Role.ORGANIZER))
    for path, filename, disposition in (
        (f"/enrollment/courses/{course.id}/roster.csv", f"danh-sach-{FILE_CODE}.csv", "attachment"),
        (f"/enrollment/courses/{course.id}/roster.xlsx", f"danh-sach-{FILE_CODE}.xlsx", "attachment"),
        (f"/enrollment/courses/{course.id}/sign-in-sheet.pdf", f"danh-sach-ky-ten-{FILE_CODE}.pdf", "inline"),
        (f"/certificates/courses/{course.id}/report.xlsx", f"bao-cao-ket-qua-{FILE_CODE}.xlsx", "attachment"),
        (f"/certificates/courses/{course.id}/certificates.pdf", f"giay-chung-nhan-{FILE_CODE}.pdf", "inline"),
    ):
        response = client.get(path)
        assert_named(response, filename, disposition)
        assert_no_store(response)


def test_csv_downloads_say_charset_once(as_user, client):
    course = coded_course()
    as_user(make_user(role=Role.ADMIN))
    for path in (f"/enrollment/courses/{course.id}/roster.csv", "/admin/audit/export.csv"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert_no_store(response)
    audit = client.get("/admin/audit/export.csv")
    assert_named(audit, "nhat-ky-he-thong.csv", "attachment")


def test_private_files_are_never_stored_by_a_cache(as_user, client):
    """Certificates, materials, job results: Cache-Control no-store (not no-cache, not max-age)."""
    course = make_course(CourseStatus.PUBLISHED)
    participant = make_user()
    certificate = make_certificate(make_enrollment(participant, course))
    material = make_material(course, Visibility.ENROLLED)
    job = make_finished_job(participant)
    as_user(participant)
    for path in (f"/certificates/{certificate.id}.pdf", f"/materials/{material.id}", f"/jobs/{job.id}/download"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_no_store(response)
    client.post("/auth/logout")
    as_user(make_user(role=Role.ADMIN))
    for path in ("/certificates/register.xlsx", "/certificates/register.pdf", "/certificates/settings/sample.pdf",
                 f"/certificates/courses/{course.id}/report.pdf"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_no_store(response)


# ------------------------------------------------------------ codes are letters, digits, - / .

def course_form(unit, code: str) -> dict:
    start = date.today() + timedelta(days=40)
    return {"code": code, "title": "Lớp thử mã", "organizing_unit_id": unit.id, "starts_on": start.isoformat(),
            "ends_on": start.isoformat(), "capacity": "30", "completion_rule": "all_topics"}


def test_the_course_forms_refuse_a_code_that_breaks_headers(as_user, client):
    organizer = as_user(make_user(role=Role.ORGANIZER))
    unit = make_organization()
    source = coded_course("NGUON-1")
    for code in BAD_CODES:
        response = organizer.post("/organize/courses/new", data=course_form(unit, code))
        assert response.status_code == 200, code
        body = response.get_data(as_text=True)
        assert FORMAT_MESSAGE in body or "ký tự điều khiển" in body, code
        response = organizer.post(f"/organize/courses/{source.id}/clone", data={
            "code": code, "title": "Bản sao", "starts_on": (date.today() + timedelta(days=60)).isoformat()})
        assert response.status_code == 200, code
        body = response.get_data(as_text=True)
        assert FORMAT_MESSAGE in body or "ký tự điều khiển" in body, code
    assert db.session.scalars(select(Course.code)).all() == ["NGUON-1"]
    response = organizer.post("/organize/courses/new", data=course_form(unit, CODE))
    assert response.status_code == 302
    assert db.session.scalar(select(Course.code).where(Course.code != "NGUON-1")) == CODE


def test_the_service_refuses_a_bad_code_and_composes_vietnamese_letters(app):
    organizer = make_user(role=Role.ORGANIZER)
    unit = make_organization()
    start = date.today() + timedelta(days=40)

    def data(code):
        return CourseData(code=code, title="Lớp qua dịch vụ", organizing_unit_id=unit.id,
                                    starts_on=start, ends_on=start, capacity=20)

    for code in BAD_CODES:
        with pytest.raises(DomainError) as refused:
            lifecycle.create_course(organizer, data(code))
        assert refused.value.field == "code" and FORMAT_MESSAGE in str(refused.value)
        db.session.rollback()
    assert db.session.scalars(select(Course)).all() == []
    course = lifecycle.create_course(organizer, data(unicodedata.normalize("NFD", CODE)))  # typed decomposed
    db.session.commit()
    assert course.code == CODE
    source = course
    with pytest.raises(DomainError):
        lifecycle.clone_course(organizer, source, "BẢN SAO", start + timedelta(days=7))
    db.session.rollback()
    for first in range(0, len(VIETNAMESE_LETTERS), 36):  # and every Vietnamese letter is a letter
        lifecycle.create_course(organizer, data(VIETNAMESE_LETTERS[first:first + 36] + "-1./"))
        db.session.commit()
    assert len(db.session.scalars(select(Course)).all()) == 5


@pytest.mark.parametrize("code", [*BAD_CODES, "", "ĐUK'01", "ĐUK\u00a001", "ĐUK\u202e01"])
def test_the_database_refuses_a_bad_code(app, code):
    course = make_course()
    course.code = code  # straight to the database, past the service
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


# ------------------------------------------------------------ materials and photos do not leak

def test_missing_and_forbidden_materials_answer_a_visitor_alike(client):
    course = make_course(CourseStatus.PUBLISHED)
    enrolled = make_material(course, Visibility.ENROLLED, content=b"%PDF-enrolled")
    staff_only = make_material(course, Visibility.ORGANIZERS, content=b"%PDF-staff")
    draft_public = make_material(make_course(CourseStatus.DRAFT), Visibility.PUBLIC, content=b"%PDF-draft")
    missing_id = draft_public.id + 1000
    answers = set()
    for material_id in (enrolled.id, staff_only.id, draft_public.id, missing_id):
        response = client.get(f"/materials/{material_id}")
        assert b"%PDF" not in response.data
        location = ID_IN_ADDRESS.sub("ID", response.headers.get("Location", ""))
        answers.add((response.status_code, location, ID_IN_ADDRESS.sub("ID", response.get_data(as_text=True))))
    assert len(answers) == 1, answers


def test_photo_of_a_speaker_of_draft_courses_only_is_not_public(as_user, client):
    hidden = give_speaker_photo(make_speaker("Lê Văn Nháp"))
    make_session(make_course(CourseStatus.DRAFT), speaker=hidden)
    shown = give_speaker_photo(make_speaker("Phạm Thị Công Bố"))
    make_session(make_course(CourseStatus.PUBLISHED), speaker=shown)
    unused = give_speaker_photo(make_speaker("Võ Văn Chưa Dạy"))

    assert client.get(f"/speakers/{shown.id}/photo").status_code == 200
    for speaker in (hidden, unused):
        assert client.get(f"/speakers/{speaker.id}/photo").status_code == 404
    as_user(make_user())
    assert client.get(f"/speakers/{hidden.id}/photo").status_code == 404
    client.post("/auth/logout")
    as_user(make_user(role=Role.ORGANIZER))
    photo = client.get(f"/speakers/{hidden.id}/photo")
    assert photo.status_code == 200 and photo.mimetype == "image/png"
    assert_no_store(photo)


# ------------------------------------------------------------ existing codes: the migration fixes them

def test_migration_fixes_existing_codes_then_refuses_bad_ones(empty_database_url, tmp_path):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=empty_database_url, UPLOAD_DIR=str(tmp_path))
    with app.app_context():
        upgrade(revision="0011_session_version")
        kept, spaced, clashing, broken = (make_course() for _ in range(4))
        kept.code, spaced.code, clashing.code, broken.code = "ĐUK-01", "ĐUK 02", "đuk 01", "\r\n"
        db.session.commit()
        ids = kept.id, spaced.id, clashing.id, broken.id
        db.session.remove()
        upgrade()
        codes = {course.id: course.code for course in db.session.scalars(select(Course))}
        assert [codes[i] for i in ids] == ["ĐUK-01", "ĐUK-02", f"đuk-01-{clashing.id}", f"LOP-{broken.id}"]
        course = db.session.get(Course, kept.id)
        course.code = "ĐUK 01"
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()
