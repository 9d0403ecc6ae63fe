"""Organizer pages and public course pages over HTTP: permissions, uploads, downloads, calendar, PDF."""
from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from courses.enums import CourseStatus, EnrollmentStatus, Role, SessionKind, Visibility
from courses.extensions import db
from courses.formatting import LOCAL_TZ
from courses.scheduling.models import Course, CourseSession, Material
from tests.factories import (
    make_course,
    make_enrollment,
    make_material,
    make_organization,
    make_session,
    make_speaker,
    make_topic,
    make_user,
)
from tests.scheduling.helpers import DOCX_BYTES, PDF_BYTES, PNG_BYTES, PPTX_BYTES, XLSX_BYTES, plain_zip

DAY = date(2030, 12, 2)


@pytest.fixture(autouse=True)
def _request_context():
    """Override the service-test fixture: these tests make real requests."""
    yield


# ------------------------------------------------------------ who may edit

def organizer_urls(course, item, material, topic, speaker):
    return [
        ("GET", "/organize/"), ("GET", "/organize/courses/new"), ("GET", f"/organize/courses/{course.id}"),
        ("GET", f"/organize/courses/{course.id}/edit"), ("POST", f"/organize/courses/{course.id}/status/close"),
        ("POST", f"/organize/courses/{course.id}/cancel"), ("GET", f"/organize/courses/{course.id}/clone"),
        ("GET", f"/organize/courses/{course.id}/sessions/new"), ("GET", f"/organize/sessions/{item.id}/edit"),
        ("POST", f"/organize/sessions/{item.id}/delete"), ("GET", f"/organize/courses/{course.id}/materials/new"),
        ("GET", f"/organize/materials/{material.id}/edit"), ("POST", f"/organize/materials/{material.id}/delete"),
        ("GET", "/organize/topics"), ("GET", f"/organize/topics/{topic.id}/edit"), ("GET", "/organize/speakers"),
        ("GET", "/organize/speakers/new"), ("GET", f"/organize/speakers/{speaker.id}"),
        ("GET", f"/organize/speakers/{speaker.id}/edit"),
    ]


@pytest.mark.parametrize("role", [Role.PARTICIPANT, Role.COORDINATOR])
def test_non_staff_get_403_everywhere_under_organize_and_nothing_changes(as_user, role):
    course = make_course(status=CourseStatus.PUBLISHED)
    topic, speaker = make_topic(), make_speaker()
    item = make_session(course, topic=topic, speaker=speaker)
    material = make_material(course)
    client = as_user(make_user(role=role))
    for method, url in organizer_urls(course, item, material, topic, speaker):
        assert client.open(url, method=method, data={"reason": "x"}).status_code == 403, url
    db.session.expire_all()
    assert db.session.get(Course, course.id).status == CourseStatus.PUBLISHED
    assert db.session.get(CourseSession, item.id) is not None
    assert db.session.get(Material, material.id) is not None


@pytest.mark.parametrize("role", [Role.ORGANIZER, Role.ADMIN])
def test_staff_can_open_every_organizer_page(as_user, role):
    course = make_course(status=CourseStatus.PUBLISHED)
    topic, speaker = make_topic(), make_speaker()
    item = make_session(course, topic=topic, speaker=speaker)
    material = make_material(course)
    client = as_user(make_user(role=role))
    for method, url in organizer_urls(course, item, material, topic, speaker):
        if method == "GET":
            assert client.get(url).status_code == 200, url


def test_drafts_are_hidden_from_the_public_and_participants(as_user, client):
    draft = make_course(status=CourseStatus.DRAFT, title="Lớp nháp bí mật")
    make_session(draft)
    for url in (f"/courses/{draft.id}", f"/courses/{draft.id}.ics", f"/courses/{draft.id}/programme.pdf"):
        assert client.get(url).status_code == 404
    assert "Lớp nháp bí mật" not in client.get("/courses").get_data(as_text=True)
    as_user(make_user(role=Role.ORGANIZER))
    assert client.get(f"/courses/{draft.id}").status_code == 200


def test_course_form_errors_are_shown_beside_the_fields(as_user):
    client = as_user(make_user(role=Role.ORGANIZER))
    unit = make_organization()
    response = client.post("/organize/courses/new", data={
        "code": "X-1", "title": "Lớp thử", "organizing_unit_id": unit.id, "starts_on": "2030-12-02",
        "ends_on": "2030-12-01", "capacity": "0", "completion_rule": "all_topics"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Ngày kết thúc phải từ ngày bắt đầu trở đi." in body and "Số chỗ phải ít nhất là 1." in body
    assert db.session.scalars(select(Course)).all() == []


def test_timetable_conflict_is_shown_on_the_form(as_user):
    speaker = make_speaker("Nguyễn Đức Minh")
    busy = make_course(starts_on=DAY)
    make_session(busy, start=time(8, 0), speaker=speaker)
    course = make_course(starts_on=DAY, status=CourseStatus.DRAFT)
    topic = make_topic()
    client = as_user(make_user(role=Role.ORGANIZER))
    response = client.post(f"/organize/courses/{course.id}/sessions/new", data={
        "kind": "topic", "topic_id": topic.id, "speaker_id": speaker.id, "day": "2030-12-02",
        "start_time": "08:30", "end_time": "09:30", "room": "B"})
    assert response.status_code == 200
    assert "Báo cáo viên Nguyễn Đức Minh đã có lịch" in response.get_data(as_text=True)
    assert db.session.scalars(select(CourseSession).where(CourseSession.course_id == course.id)).all() == []


def test_enrolled_participants_see_why_a_course_was_cancelled(as_user, client):
    course = make_course(status=CourseStatus.PUBLISHED)
    enrolled, outsider = make_user(), make_user()
    make_enrollment(enrolled, course)
    organizer = as_user(make_user(role=Role.ORGANIZER))
    organizer.post(f"/organize/courses/{course.id}/cancel", data={"reason": "Hoãn vì bão số 9"})
    organizer.post("/auth/logout")
    as_user(enrolled)
    assert "Hoãn vì bão số 9" in client.get(f"/courses/{course.id}").get_data(as_text=True)
    client.post("/auth/logout")
    as_user(outsider)
    assert client.get(f"/courses/{course.id}").status_code == 404


# ------------------------------------------------------------ materials: who may download

def download(client, material):
    return client.get(f"/materials/{material.id}")


def test_material_visibility_rules(as_user, client, app):
    course = make_course(status=CourseStatus.PUBLISHED)
    public = make_material(course, Visibility.PUBLIC, content=b"%PDF-public")
    enrolled = make_material(course, Visibility.ENROLLED, content=b"%PDF-enrolled")
    staff_only = make_material(course, Visibility.ORGANIZERS, content=b"%PDF-staff")

    # Anyone: public only; restricted ones send to log in.
    assert download(client, public).data == b"%PDF-public"
    assert download(client, enrolled).status_code == 302
    assert download(client, staff_only).status_code == 302

    member = make_user()
    make_enrollment(member, course, EnrollmentStatus.CONFIRMED)
    pending = make_user()
    make_enrollment(pending, course, EnrollmentStatus.PENDING)

    as_user(pending)
    assert download(client, enrolled).status_code == 404
    client.post("/auth/logout")

    as_user(member)
    response = download(client, enrolled)
    assert response.status_code == 200 and response.data == b"%PDF-enrolled"
    assert "tai-lieu.pdf" in response.headers["Content-Disposition"]
    assert download(client, staff_only).status_code == 404
    page = client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert f"/materials/{enrolled.id}" in page and f"/materials/{staff_only.id}" not in page
    client.post("/auth/logout")

    as_user(make_user(role=Role.ORGANIZER))
    assert download(client, staff_only).data == b"%PDF-staff"


def test_guessing_ids_reveals_nothing(as_user, client):
    course = make_course(status=CourseStatus.PUBLISHED)
    other = make_course(status=CourseStatus.PUBLISHED)
    secret = make_material(other, Visibility.ENROLLED, content=b"%PDF-secret")
    draft = make_course(status=CourseStatus.DRAFT)
    draft_public = make_material(draft, Visibility.PUBLIC, content=b"%PDF-draft")
    participant = make_user()
    make_enrollment(participant, course)  # confirmed, but in another course
    as_user(participant)
    for material_id in (secret.id, draft_public.id, 9999):
        response = client.get(f"/materials/{material_id}")
        assert response.status_code == 404
        assert b"%PDF" not in response.data


# ------------------------------------------------------------ uploads

def upload(client, course, data: bytes, filename: str, **fields):
    form = {"kind": "file", "title": fields.pop("title", ""), "visibility": fields.pop("visibility", "public"),
            "session_id": "0", "file": (io.BytesIO(data), filename)}
    form.update(fields)
    return client.post(f"/organize/courses/{course.id}/materials/new", data=form,
                       content_type="multipart/form-data")


@pytest.mark.parametrize("data, filename, content_type", [
    (PDF_BYTES, "so-tay.pdf", "application/pdf"),
    (DOCX_BYTES, "bai-giang.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (PPTX_BYTES, "slide.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    (XLSX_BYTES, "danh-sach.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (PNG_BYTES, "anh.png", "image/png"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 20, "anh.jpg", "image/jpeg"),
    (b"GIF89a" + b"\x00" * 20, "anh.gif", "image/gif"),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "anh.webp", "image/webp"),
])
def test_accepted_types_are_stored_with_the_sniffed_type(as_user, data, filename, content_type):
    course = make_course()
    client = as_user(make_user(role=Role.ORGANIZER))
    assert upload(client, course, data, filename).status_code == 302
    material = db.session.scalars(select(Material)).one()
    assert (material.content_type, material.original_filename, material.size_bytes) == (content_type, filename, len(data))


@pytest.mark.parametrize("data, filename", [
    (b"MZ\x90\x00\x03 windows program", "tai-lieu.pdf"),   # wrong content behind a good extension
    (PNG_BYTES, "tai-lieu.pdf"),                           # an image calling itself a PDF
    (plain_zip(), "bai-giang.docx"),                       # a zip that is no Office document
    (b"<html><script>alert(1)</script>", "trang.html"),
    (PDF_BYTES, "so-tay.exe"),
    (b"", "rong.pdf"),
])
def test_wrong_types_are_refused_with_a_message_and_nothing_is_stored(as_user, app, data, filename):
    course = make_course()
    client = as_user(make_user(role=Role.ORGANIZER))
    response = upload(client, course, data, filename)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Loại tệp không được chấp nhận" in body or "không khớp" in body or "Tệp rỗng" in body
    assert db.session.scalars(select(Material)).all() == []
    from pathlib import Path

    upload_dir = Path(app.config["UPLOAD_DIR"])
    assert not upload_dir.exists() or list(upload_dir.iterdir()) == []


def test_too_large_files_are_refused(make_app, tmp_path):
    app = make_app(MAX_UPLOAD_MB=1)
    with app.app_context():
        course = make_course()
        organizer = make_user(role=Role.ORGANIZER)
        client = app.test_client()
        client.post("/auth/login", data={"email": organizer.email, "password": "Matkhau123"})
        response = upload(client, course, PDF_BYTES + b"0" * (1024 * 1024), "lon.pdf")
        assert response.status_code == 200
        assert "Tệp quá lớn: dung lượng tối đa là 1 MB." in response.get_data(as_text=True)
        assert db.session.scalars(select(Material)).all() == []
        assert not (tmp_path / "uploads").exists() or list((tmp_path / "uploads").iterdir()) == []


def test_a_path_traversal_name_is_only_a_display_name(as_user, app, tmp_path):
    course = make_course()
    client = as_user(make_user(role=Role.ORGANIZER))
    assert upload(client, course, PDF_BYTES, "../../../../tmp/evil.pdf").status_code == 302
    material = db.session.scalars(select(Material)).one()
    assert material.original_filename == "evil.pdf"
    from pathlib import Path

    stored = list(Path(app.config["UPLOAD_DIR"]).iterdir())
    assert [p.name for p in stored] == [material.stored_name]
    assert not (tmp_path / "evil.pdf").exists()
    response = client.get(f"/materials/{material.id}")
    assert response.data == PDF_BYTES and "evil.pdf" in response.headers["Content-Disposition"]


def test_a_link_material(as_user):
    course = make_course()
    client = as_user(make_user(role=Role.ORGANIZER))
    response = client.post(f"/organize/courses/{course.id}/materials/new", data={
        "kind": "link", "title": "Văn kiện Đại hội", "url": "https://tulieuvankien.dangcongsan.vn/",
        "visibility": "public", "session_id": "0"})
    assert response.status_code == 302
    page = client.get(f"/materials/{db.session.scalars(select(Material)).one().id}").get_data(as_text=True)
    assert "https://tulieuvankien.dangcongsan.vn/" in page


def test_speaker_photo_must_be_an_image(as_user, client):
    organizer = as_user(make_user(role=Role.ORGANIZER))
    response = organizer.post("/organize/speakers/new", data={
        "full_name": "Trần Văn Ảnh", "title": "Phó Trưởng ban", "photo": (io.BytesIO(PDF_BYTES), "anh.png")},
        content_type="multipart/form-data")
    assert response.status_code == 200 and "Loại tệp không được chấp nhận" in response.get_data(as_text=True)
    response = organizer.post("/organize/speakers/new", data={
        "full_name": "Trần Văn Ảnh", "title": "Phó Trưởng ban", "photo": (io.BytesIO(PNG_BYTES), "anh.png")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    from courses.scheduling.models import Speaker

    speaker = db.session.scalars(select(Speaker)).one()
    photo = client.get(f"/speakers/{speaker.id}/photo")
    assert photo.status_code == 200 and photo.mimetype == "image/png" and photo.data == PNG_BYTES


# ------------------------------------------------------------ calendar and programme

def test_course_ics_has_one_event_per_session_at_the_right_times(client):
    course = make_course(starts_on=DAY, status=CourseStatus.PUBLISHED, title="Lớp bồi dưỡng bí thư chi bộ")
    make_session(course, kind=SessionKind.OPENING, start=time(7, 30), minutes=45, title="Lễ khai giảng")
    make_session(course, start=time(8, 15), minutes=75, speaker=make_speaker("Nguyễn Đức Minh"))
    make_session(course, kind=SessionKind.CLOSING, start=time(16, 45), minutes=15, title="Bế giảng")
    response = client.get(f"/courses/{course.id}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 3
    starts = sorted(event.decoded("dtstart") for event in events)
    assert starts[0] == datetime(2030, 12, 2, 7, 30, tzinfo=LOCAL_TZ)
    assert starts[0].utcoffset() == timedelta(hours=7)
    assert str(events[0]["dtstart"].params.get("TZID")) == "Asia/Ho_Chi_Minh"
    ends = sorted(event.decoded("dtend") for event in events)
    assert ends[-1] == datetime(2030, 12, 2, 17, 0, tzinfo=LOCAL_TZ)
    assert any("Nguyễn Đức Minh" in str(event.get("description", "")) for event in events)
    assert len(list(calendar.walk("VTIMEZONE"))) == 1
    assert f"/courses/{course.id}.ics" in client.get(f"/courses/{course.id}").get_data(as_text=True)


def test_personal_feed_lists_only_confirmed_courses(as_user, client):
    mine = make_course(starts_on=DAY, title="Lớp của tôi")
    make_session(mine, start=time(8, 0))
    waiting = make_course(starts_on=DAY + timedelta(days=1), title="Lớp đang chờ")
    make_session(waiting, start=time(8, 0))
    user = make_user()
    make_enrollment(user, mine, EnrollmentStatus.CONFIRMED)
    make_enrollment(user, waiting, EnrollmentStatus.PENDING)
    as_user(user)
    page = client.get("/my/calendar").get_data(as_text=True)
    import re

    feed_url = re.search(r'value="(http://[^"]+\.ics)"', page).group(1)
    client.post("/auth/logout")
    response = client.get(feed_url.replace("http://localhost", ""))  # calendar apps do not log in
    events = list(Calendar.from_ical(response.data).walk("VEVENT"))
    assert len(events) == 1 and "Lớp của tôi" in str(events[0]["summary"])
    assert client.get("/calendar/forged-token.ics").status_code == 404


def test_programme_pdf_has_the_timetable_in_vietnamese(client):
    from pypdf import PdfReader

    course = make_course(starts_on=DAY, title="Lớp bồi dưỡng nghiệp vụ")
    make_session(course, kind=SessionKind.OPENING, start=time(7, 30), minutes=45, title="Lễ khai giảng",
                 presided_by="Ban Thường vụ Đảng ủy Khối", guiding_speech_by="Đồng chí Nguyễn Văn Thể")
    make_session(course, start=time(8, 15), minutes=75, topic=make_topic("Công tác kiểm tra, giám sát"),
                 speaker=make_speaker("Nguyễn Đức Minh", title="Trưởng ban Tổ chức"))
    response = client.get(f"/courses/{course.id}/programme.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    text = " ".join(page.extract_text().split())
    for expected in ("CHƯƠNG TRÌNH", "Lớp bồi dưỡng nghiệp vụ", "Thứ Hai, 2/12/2030", "07:30–08:15",
                     "Công tác kiểm tra, giám sát", "Nguyễn Đức Minh", "Trưởng ban Tổ chức",
                     "Đồng chí Nguyễn Văn Thể", "Ban Thường vụ Đảng ủy Khối"):
        assert expected in text, expected
    fonts = {str(f) for f in page["/Resources"]["/Font"].values()}
    assert any("LiberationSerif" in str(page["/Resources"]["/Font"][k]["/BaseFont"]) for k in page["/Resources"]["/Font"])
    assert fonts


# ------------------------------------------------------------ catalogue

def test_catalogue_search_filters_and_order(client):
    today = datetime.now(LOCAL_TZ).date()
    unit = make_organization("Đảng ủy Khối thử")
    topic = make_topic("Công tác dân vận")
    soon = make_course(starts_on=today + timedelta(days=10), title="Bồi dưỡng dân vận", unit=unit)
    make_session(soon, topic=topic)
    later = make_course(starts_on=today + timedelta(days=40), title="Bồi dưỡng văn phòng")
    past = make_course(starts_on=today - timedelta(days=40), title="Bồi dưỡng năm trước",
                       status=CourseStatus.FINISHED)
    make_course(starts_on=today + timedelta(days=5), title="Bồi dưỡng nháp", status=CourseStatus.DRAFT)

    def titles(**params):
        body = client.get("/courses", query_string=params).get_data(as_text=True)
        found = [(body.find(c.title), c.title) for c in (soon, later, past) if c.title in body]
        return [title for _pos, title in sorted(found)], body

    order, body = titles()
    assert order == ["Bồi dưỡng dân vận", "Bồi dưỡng văn phòng", "Bồi dưỡng năm trước"]
    assert "Bồi dưỡng nháp" not in body
    assert titles(q="văn phòng")[0] == ["Bồi dưỡng văn phòng"]
    assert titles(topic=topic.id)[0] == ["Bồi dưỡng dân vận"]
    assert titles(unit=unit.id)[0] == ["Bồi dưỡng dân vận"]
    assert titles(month=f"{past.starts_on:%Y-%m}")[0] == ["Bồi dưỡng năm trước"]
    assert client.get("/courses?month=garbage&topic=abc&page=99").status_code == 200


def test_catalogue_is_paginated(client):
    today = datetime.now(LOCAL_TZ).date()
    for n in range(14):
        make_course(starts_on=today + timedelta(days=n + 1), title=f"Lớp số {n:02d}")
    first = client.get("/courses").get_data(as_text=True)
    second = client.get("/courses?page=2").get_data(as_text=True)
    assert "Lớp số 00" in first and "Lớp số 12" not in first
    assert "Lớp số 12" in second and "Lớp số 13" in second


def count_queries(client, url) -> int:
    import sqlalchemy as sa

    statements = []

    def listener(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    return len(statements)


def build_course(sessions: int, materials: int):
    course = make_course(starts_on=DAY)
    for n in range(sessions):
        make_session(course, start=time(7 + n, 0), minutes=50, speaker=make_speaker(), room="A")
    for _n in range(materials):
        make_material(course, Visibility.PUBLIC)
    return course


def test_public_pages_issue_a_bounded_number_of_queries(client):
    small, large = build_course(1, 1), build_course(8, 6)
    for url in ("/courses/{id}", "/courses/{id}.ics", "/courses/{id}/programme.pdf"):
        assert count_queries(client, url.format(id=small.id)) == count_queries(client, url.format(id=large.id)), url
    few = count_queries(client, "/courses")
    for _n in range(5):
        make_course()
    assert count_queries(client, "/courses") == few


def test_organizer_course_page_issues_a_bounded_number_of_queries(as_user):
    small, large = build_course(1, 1), build_course(8, 6)
    client = as_user(make_user(role=Role.ORGANIZER))
    assert count_queries(client, f"/organize/courses/{small.id}") == \
        count_queries(client, f"/organize/courses/{large.id}")


def test_a_link_without_an_address_gets_a_message_and_nothing_is_stored(as_user):
    course = make_course()
    organizer = as_user(make_user(role=Role.ORGANIZER))
    response = organizer.post(f"/organize/courses/{course.id}/materials/new", data={
        "kind": "link", "title": "Văn kiện", "visibility": "public", "session_id": "0"})
    assert response.status_code == 200
    assert "Vui lòng nhập địa chỉ liên kết." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Material)) == 0
