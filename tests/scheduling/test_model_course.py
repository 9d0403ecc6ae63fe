"""Done-when: an organizer builds the model course entirely through HTTP and the public sees it."""
from __future__ import annotations

import io
import re

import pytest
from icalendar import Calendar
from sqlalchemy import select

from courses.audit.models import AuditEvent
from courses.enums import CourseStatus, OrganizationKind, Role
from courses.extensions import db
from courses.scheduling.models import Course, Speaker, Topic
from tests.factories import make_organization, make_user
from tests.scheduling.helpers import PDF_BYTES

TOPICS = [
    ("TC", "Công tác tổ chức", "Nguyễn Đức Minh", "Trưởng ban Tổ chức Đảng ủy Khối"),
    ("KTGS", "Công tác kiểm tra, giám sát", "Lê Thị Hồng Vân", "Phó Chủ nhiệm Ủy ban Kiểm tra Đảng ủy Khối"),
    ("TT", "Công tác tư tưởng", "Phạm Quang Huy", "Phó Trưởng ban Tuyên giáo Đảng ủy Khối"),
    ("DV", "Công tác dân vận", "Hoàng Thị Thu Hà", "Phó Trưởng ban Dân vận Đảng ủy Khối"),
    ("VP", "Công tác văn phòng", "Đỗ Minh Tuấn", "Phó Chánh Văn phòng Đảng ủy Khối"),
]
SLOTS = [("08:15", "09:30"), ("09:45", "11:00"), ("13:30", "14:30"), ("14:30", "15:30"), ("15:45", "16:45")]


@pytest.fixture(autouse=True)
def _request_context():
    yield


def test_organizer_builds_publishes_and_the_public_sees_the_model_course(as_user, client):
    bloc = make_organization("Đảng ủy Khối các cơ quan Trung ương", kind=OrganizationKind.BLOC)
    browser = as_user(make_user(role=Role.ORGANIZER))

    for code, name, _speaker, _title in TOPICS:
        response = browser.post("/organize/topics", data={"code": code, "name": name, "description": "",
                                                          "default_duration_minutes": "75"})
        assert response.status_code == 302, response.get_data(as_text=True)
    for _code, _name, speaker, title in TOPICS + [("", "", "Nguyễn Văn Thể", "Bí thư Đảng ủy Khối")]:
        response = browser.post("/organize/speakers/new", data={
            "full_name": speaker, "title": title, "organization_name": bloc.name, "bio": ""})
        assert response.status_code == 302

    response = browser.post("/organize/courses/new", data={
        "code": "BDNV-2030-01",
        "title": "Lớp bồi dưỡng nghiệp vụ công tác Đảng cho bí thư chi bộ và cấp ủy viên cơ sở",
        "description": "Lớp bồi dưỡng một ngày.", "organizing_unit_id": bloc.id,
        "venue": "Hội trường Đảng ủy Khối, Hà Nội", "starts_on": "2030-12-02", "ends_on": "2030-12-02",
        "registration_opens_at": "2030-11-14T08:00", "registration_closes_at": "2030-11-28T17:00",
        "capacity": "80", "target_positions": ["secretary", "committee_member"],
        "completion_rule": "all_topics",
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    course = db.session.scalars(select(Course)).one()
    assert course.status == CourseStatus.DRAFT

    opener = db.session.scalars(select(Speaker).where(Speaker.full_name == "Nguyễn Văn Thể")).one()
    response = browser.post(f"/organize/courses/{course.id}/sessions/new", data={
        "kind": "opening", "title": "Lễ khai giảng", "speaker_id": opener.id, "day": "2030-12-02",
        "start_time": "07:30", "end_time": "08:15", "room": "Hội trường A",
        "presided_by": "Ban Thường vụ Đảng ủy Khối",
        "guiding_speech_by": "Đồng chí Nguyễn Văn Thể, Bí thư Đảng ủy Khối"})
    assert response.status_code == 302, response.get_data(as_text=True)
    for (code, _name, speaker_name, _title), (start, end) in zip(TOPICS, SLOTS):
        topic = db.session.scalars(select(Topic).where(Topic.code == code)).one()
        speaker = db.session.scalars(select(Speaker).where(Speaker.full_name == speaker_name)).one()
        response = browser.post(f"/organize/courses/{course.id}/sessions/new", data={
            "kind": "topic", "topic_id": topic.id, "speaker_id": speaker.id, "day": "2030-12-02",
            "start_time": start, "end_time": end, "room": "Hội trường A"})
        assert response.status_code == 302, response.get_data(as_text=True)
    response = browser.post(f"/organize/courses/{course.id}/materials/new", data={
        "kind": "file", "title": "Bồi dưỡng bí thư chi bộ và cấp ủy viên cơ sở", "visibility": "public",
        "session_id": "0", "description": "Nhà xuất bản Chính trị quốc gia Sự thật, 2022",
        "file": (io.BytesIO(PDF_BYTES), "so-tay-boi-duong.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    response = browser.post(f"/organize/courses/{course.id}/status/publish")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Course, course.id).status == CourseStatus.PUBLISHED
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"course.create", "session.create", "material.create", "course.publish"} <= actions
    browser.post("/auth/logout")

    # The public catalogue and course page.
    catalogue = client.get("/courses?q=bí thư chi bộ").get_data(as_text=True)
    assert "Lớp bồi dưỡng nghiệp vụ công tác Đảng cho bí thư chi bộ" in catalogue
    page = client.get(f"/courses/{course.id}").get_data(as_text=True)
    for expected in ["Công tác tổ chức", "Công tác văn phòng", "Nguyễn Đức Minh", "07:30–08:15",
                     "Bồi dưỡng bí thư chi bộ và cấp ủy viên cơ sở", "Còn 80/80 chỗ"]:
        assert expected in page, expected
    material_url = re.search(r'href="(/materials/\d+)"', page).group(1)
    handbook = client.get(material_url)
    assert handbook.data == PDF_BYTES and "so-tay-boi-duong.pdf" in handbook.headers["Content-Disposition"]
    events = list(Calendar.from_ical(client.get(f"/courses/{course.id}.ics").data).walk("VEVENT"))
    assert len(events) == 6
    assert min(e.decoded("dtstart") for e in events).strftime("%H:%M %z") == "07:30 +0700"
