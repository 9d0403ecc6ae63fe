"""Enrollment pages over HTTP: course-page buttons, dashboard, roster, quotas, import, exports, access."""
import io
import re
from datetime import date, time, timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from courses.attendance.models import Attendance
from courses.auth.models import User
from courses.certificates.models import Certificate
from courses.enrollment import registration
from courses.enrollment.models import Enrollment
from courses.enums import AttendanceStatus, EnrollmentStatus, MaterialKind, PartyPosition, Role, SessionKind, Visibility
from courses.extensions import db
from courses.scheduling.models import Material
from tests.enrollment.helpers import csv_text, people_rows, xlsx_bytes
from tests.factories import (
    make_course,
    make_enrollment,
    make_party_tree,
    make_quota,
    make_session,
    make_speaker,
    make_topic,
    make_user,
    make_users_fast,
)


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


# ---------------------------------------------------------------- participant in the browser

def test_participant_registers_and_cancels_from_the_course_page(as_user):
    course = make_course(capacity=1)
    user = make_user()
    client = as_user(user)
    page = text_of(client.get(f"/courses/{course.id}"))
    assert "Đăng ký học" in page
    response = client.post(f"/enrollment/courses/{course.id}/register", follow_redirects=True)
    assert "Đăng ký thành công" in text_of(response)
    assert "Đã xác nhận" in text_of(response) and "Hủy đăng ký" in text_of(response)
    response = client.post(f"/enrollment/courses/{course.id}/cancel", data={"confirmed": "1"}, follow_redirects=True)
    assert "Đã hủy đăng ký" in text_of(response)
    assert registration.find_enrollment(user.id, course.id).status == EnrollmentStatus.CANCELLED


def test_waitlisted_participant_is_promoted_and_sees_it_on_the_dashboard(client, as_user):
    course = make_course(capacity=1)
    first, second = make_user(), make_user()
    as_user(first).post(f"/enrollment/courses/{course.id}/register")
    client.post("/auth/logout")
    response = as_user(second).post(f"/enrollment/courses/{course.id}/register", follow_redirects=True)
    assert "danh sách chờ" in text_of(response)
    client.post("/auth/logout")
    as_user(first).post(f"/enrollment/courses/{course.id}/cancel", data={"confirmed": "1"})
    client.post("/auth/logout")
    dashboard = text_of(as_user(second).get("/enrollment/me"))
    assert "Đã xác nhận" in dashboard and "chuyển từ danh sách chờ" in dashboard


def test_ineligible_participant_sees_why_on_the_course_page(as_user):
    course = make_course(target_positions=[PartyPosition.SECRETARY.value])
    client = as_user(make_user(party_position=PartyPosition.MEMBER))
    page = text_of(client.get(f"/courses/{course.id}"))
    assert "Lớp này dành cho: Bí thư chi bộ; chức vụ Đảng của đồng chí là Đảng viên." in page
    assert 'action="/enrollment/courses/%d/register"' % course.id not in client.get(f"/courses/{course.id}").get_data(as_text=True)
    response = client.post(f"/enrollment/courses/{course.id}/register", follow_redirects=True)
    assert "Lớp này dành cho" in text_of(response)
    assert db.session.scalar(select(func.count()).select_from(Enrollment)) == 0


def test_anonymous_visitor_is_asked_to_log_in(client):
    course = make_course()
    assert "Vui lòng đăng nhập để đăng ký." in text_of(client.get(f"/courses/{course.id}"))


def test_rejected_participant_sees_the_reason(as_user):
    course = make_course(requires_approval=True)
    user = make_user()
    enrollment = make_enrollment(user, course, status=EnrollmentStatus.REJECTED)
    enrollment.status_reason = "Đã học lớp tương tự năm trước"
    db.session.commit()
    client = as_user(user)
    assert "Đã học lớp tương tự năm trước" in text_of(client.get(f"/courses/{course.id}"))
    assert "Đã học lớp tương tự năm trước" in text_of(client.get("/enrollment/me"))


def test_dashboard_shows_timetable_materials_attendance_and_certificate(as_user):
    user = make_user()
    past = make_course(starts_on=date.today() - timedelta(days=10), title="Lớp đã học xong")
    upcoming = make_course(title="Lớp sắp học")
    topic = make_session(past, title="Công tác tư tưởng")
    make_session(upcoming, title="Công tác dân vận")
    done = make_enrollment(user, past)
    make_enrollment(user, upcoming, status=EnrollmentStatus.WAITLISTED)
    db.session.add_all([
        Attendance(enrollment_id=done.id, session_id=topic.id, status=AttendanceStatus.EXCUSED),
        Material(course=past, title="Tài liệu cho học viên", kind=MaterialKind.LINK, url="https://example.vn/a",
                 visibility=Visibility.ENROLLED),
        Material(course=past, title="Ghi chú nội bộ ban tổ chức", kind=MaterialKind.LINK,
                 url="https://example.vn/b", visibility=Visibility.ORGANIZERS),
        Material(course=upcoming, title="Tài liệu riêng học viên chính thức", kind=MaterialKind.LINK,
                 url="https://example.vn/c", visibility=Visibility.ENROLLED),
        Certificate(enrollment_id=done.id, issuing_unit_code="DUK", serial_year=2026, serial_number=42,
                    serial="0042/GCN-ĐUK", verification_code="x" * 20),
    ])
    db.session.commit()
    page = text_of(as_user(user).get("/enrollment/me"))
    assert page.index("Lớp sắp học") < page.index("Đã học") < page.index("Lớp đã học xong")
    assert "Công tác tư tưởng" in page and "Vắng có phép" in page
    assert "Tài liệu cho học viên" in page
    assert "Ghi chú nội bộ ban tổ chức" not in page
    assert "Tài liệu riêng học viên chính thức" not in page  # waitlisted: not yet
    assert "0042/GCN-ĐUK" in page and "Danh sách chờ" in page


def test_dashboard_timetable_in_time_order_with_topic_titles_and_speakers(as_user):
    user = make_user()
    course = make_course(title="Lớp có thời khóa biểu")
    other = make_course(title="Lớp khác cùng ngày")
    # Added out of order, and interleaved with another course's sessions.
    make_session(course, kind=SessionKind.BREAK, start=time(9, 30), minutes=15)
    make_session(other, title="Buổi của lớp khác", start=time(8, 0))
    make_session(course, topic=make_topic("Công tác kiểm tra, giám sát"), speaker=make_speaker("Trần Văn Báo Cáo"),
                 start=time(8, 0), minutes=90)
    make_session(course, kind=SessionKind.OPENING, title="Khai mạc lớp", start=time(7, 30), minutes=30,
                 speaker=make_speaker("Người Không Hiện"))
    make_enrollment(user, course)
    make_enrollment(user, other)
    page = text_of(as_user(user).get("/enrollment/me"))
    # The topic's name stands for a session without its own title; a speaker is named only
    # under a topic; each course's card shows its own sessions, earliest first (same day:
    # the course created first comes first).
    assert page.index("Lớp có thời khóa biểu") < page.index("Khai mạc lớp") \
        < page.index("Công tác kiểm tra, giám sát") < page.index("Trần Văn Báo Cáo") \
        < page.index(SessionKind.BREAK.label) < page.index("Lớp khác cùng ngày") < page.index("Buổi của lớp khác")
    assert "Người Không Hiện" not in page


def test_dashboard_shows_past_courses_ten_to_a_page_newest_first(as_user):
    user = make_user()
    for weeks in range(1, 13):  # «Lớp cũ 1» is the newest past course, «Lớp cũ 12» the oldest
        make_enrollment(user, make_course(starts_on=date.today() - timedelta(weeks=weeks), title=f"Lớp cũ {weeks}"))
    make_enrollment(user, make_course(title="Lớp sắp học"))
    client = as_user(user)
    first_html = client.get("/enrollment/me").get_data(as_text=True)
    assert 'href="/enrollment/me?page=2#past-heading"' in first_html
    first = text_of(client.get("/enrollment/me"))
    assert "Lớp sắp học" in first and "Lớp 1–10 trong 12 lớp đã học" in first
    assert first.index("Lớp cũ 1 ") < first.index("Lớp cũ 10") and "Lớp cũ 11" not in first
    second = text_of(client.get("/enrollment/me?page=2"))
    assert "Lớp sắp học" in second and "Lớp cũ 11" in second and "Lớp cũ 12" in second
    assert "Lớp cũ 10" not in second
    # A page past the end shows the last one, not an empty list.
    assert "Lớp cũ 12" in text_of(client.get("/enrollment/me?page=99"))


def test_dashboard_shows_only_own_courses(as_user):
    other = make_user()
    make_enrollment(other, make_course(title="Lớp của người khác"))
    page = text_of(as_user(make_user()).get("/enrollment/me"))
    assert "Lớp của người khác" not in page and "chưa đăng ký lớp nào" in page


# ---------------------------------------------------------------- access

STAFF_PAGES = ["/enrollment/courses", "/enrollment/courses/{id}/roster", "/enrollment/courses/{id}/quotas",
               "/enrollment/courses/{id}/import", "/enrollment/courses/{id}/import/template.xlsx",
               "/enrollment/courses/{id}/roster.xlsx", "/enrollment/courses/{id}/roster.csv",
               "/enrollment/courses/{id}/sign-in-sheet.pdf"]


@pytest.mark.parametrize("url", STAFF_PAGES)
@pytest.mark.parametrize("role", [Role.PARTICIPANT, Role.COORDINATOR])
def test_roster_pages_are_for_staff_only(as_user, url, role):
    course = make_course()
    assert as_user(make_user(role=role)).get(url.format(id=course.id)).status_code == 403


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_organizers_open_roster_pages(as_user, url):
    course = make_course()
    make_enrollment(make_user(full_name="Phạm Thị Hồng Nhung"), course)
    assert as_user(make_user(role=Role.ORGANIZER)).get(url.format(id=course.id)).status_code == 200


def test_participant_cannot_change_statuses_or_approve(as_user):
    course = make_course(requires_approval=True)
    victim = make_enrollment(make_user(), course, status=EnrollmentStatus.PENDING)
    client = as_user(make_user())
    assert client.post(f"/enrollment/courses/{course.id}/enrollments/{victim.id}/status",
                       data={"status": "rejected", "reason": "x"}).status_code == 403
    assert client.post(f"/enrollment/courses/{course.id}/approve",
                       data={"enrollment_ids": [victim.id]}).status_code == 403
    assert db.session.get(Enrollment, victim.id).status == EnrollmentStatus.PENDING


def test_unit_pages_are_for_coordinators(as_user):
    course = make_course()
    assert as_user(make_user()).get(f"/enrollment/unit/courses/{course.id}").status_code == 403


# ---------------------------------------------------------------- organizer roster

def test_roster_filters_searches_and_counts(as_user):
    unit, cells = make_party_tree(name="Đảng bộ Báo Nhân Dân")
    course = make_course(capacity=1)
    make_enrollment(make_user(full_name="Trương Văn Lục", organization=cells[0]), course)
    make_enrollment(make_user(full_name="Đoàn Thị Mười", organization=cells[1]), course,
                    status=EnrollmentStatus.WAITLISTED)
    for e in db.session.scalars(select(Enrollment)):
        e.quota_organization_id = unit.id
    db.session.commit()
    client = as_user(make_user(role=Role.ORGANIZER))
    page = text_of(client.get(f"/enrollment/courses/{course.id}/roster"))
    assert re.search(r"Đã xác nhận\s*:\s*1 ", page) and re.search(r"Danh sách chờ\s*:\s*1 ", page)
    assert "Đảng bộ Báo Nhân Dân 2 1" in page
    searched = text_of(client.get(f"/enrollment/courses/{course.id}/roster?q=mười"))
    assert "Đoàn Thị Mười" in searched and "Trương Văn Lục" not in searched
    filtered = text_of(client.get(f"/enrollment/courses/{course.id}/roster?status=confirmed"))
    assert "Trương Văn Lục" in filtered and "Đoàn Thị Mười" not in filtered


def test_organizer_adds_changes_and_bulk_approves(as_user):
    course = make_course(capacity=5, requires_approval=True)
    client = as_user(make_user(role=Role.ORGANIZER))
    person = make_user(email="them.tay@example.vn")
    response = client.post(f"/enrollment/courses/{course.id}/roster/add", data={"email": "them.tay@example.vn"})
    assert response.status_code == 302
    assert registration.find_enrollment(person.id, course.id).status == EnrollmentStatus.CONFIRMED
    bad = client.post(f"/enrollment/courses/{course.id}/roster/add", data={"email": "khong-co@example.vn"})
    assert bad.status_code == 400 and "Không có tài khoản nào với email này" in text_of(bad)
    pending = [make_enrollment(make_user(), course, status=EnrollmentStatus.PENDING) for _ in range(2)]
    client.post(f"/enrollment/courses/{course.id}/approve", data={"enrollment_ids": [e.id for e in pending]})
    assert {db.session.get(Enrollment, e.id).status for e in pending} == {EnrollmentStatus.CONFIRMED}
    response = client.post(f"/enrollment/courses/{course.id}/enrollments/{pending[0].id}/status",
                           data={"status": "rejected", "reason": ""}, follow_redirects=True)
    assert "Vui lòng ghi lý do từ chối" in text_of(response)
    assert db.session.get(Enrollment, pending[0].id).status == EnrollmentStatus.CONFIRMED


def test_quota_page_sets_quota_and_rejects_bad_input(as_user):
    unit, _ = make_party_tree(name="Đảng bộ Tạp chí Cộng sản")
    course = make_course(capacity=10)
    client = as_user(make_user(role=Role.ORGANIZER))
    assert client.post(f"/enrollment/courses/{course.id}/quotas",
                       data={"organization_id": unit.id, "seats": "4"}).status_code == 302
    page = text_of(client.get(f"/enrollment/courses/{course.id}/quotas"))
    assert "Đảng bộ Tạp chí Cộng sản 4 0 0 0" in page
    response = client.post(f"/enrollment/courses/{course.id}/quotas", data={"organization_id": unit.id, "seats": "99"})
    assert response.status_code == 400 and "vượt quá sĩ số" in text_of(response)
    response = client.post(f"/enrollment/courses/{course.id}/quotas", data={"organization_id": unit.id, "seats": "abc"})
    assert response.status_code == 400


def test_coordinator_nominates_and_sees_only_own_people(as_user):
    unit, cells = make_party_tree()
    other, other_cells = make_party_tree()
    course = make_course()
    make_quota(course, unit, 2)
    member = make_user(full_name="Cao Thị Xuân", organization=cells[0])
    make_user(full_name="Người Đơn Vị Khác", organization=other_cells[0])
    client = as_user(make_user(role=Role.COORDINATOR, organization=unit))
    page = text_of(client.get(f"/enrollment/unit/courses/{course.id}"))
    assert "Cao Thị Xuân" in page and "Người Đơn Vị Khác" not in page
    client.post(f"/enrollment/unit/courses/{course.id}/nominate", data={"user_id": member.id})
    assert registration.find_enrollment(member.id, course.id).status == EnrollmentStatus.CONFIRMED
    assert "Chỉ tiêu: 2 · đã cử: 1 · đã xác nhận: 1" in text_of(client.get(f"/enrollment/unit/courses/{course.id}"))


# ---------------------------------------------------------------- import over HTTP

def upload(client, course, filename, data):
    return client.post(f"/enrollment/courses/{course.id}/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), filename)})


def test_import_preview_writes_nothing_until_confirmed(as_user):
    _, cells = make_party_tree()
    course = make_course(capacity=10)
    client = as_user(make_user(role=Role.ORGANIZER))
    users_before = db.session.scalar(select(func.count()).select_from(User))
    response = upload(client, course, "ds.xlsx", xlsx_bytes(people_rows(3, cells[0].code)))
    assert response.status_code == 200
    page = text_of(response)
    assert "Tài khoản mới sẽ tạo: 3" in page
    assert db.session.scalar(select(func.count()).select_from(User)) == users_before
    assert db.session.scalar(select(func.count()).select_from(Enrollment)) == 0
    token = re.search(r'name="token"[^>]*value="([0-9a-f]{32})"', response.get_data(as_text=True)) or \
        re.search(r'value="([0-9a-f]{32})"', response.get_data(as_text=True))
    done = client.post(f"/enrollment/courses/{course.id}/import/confirm", data={"token": token.group(1)})
    assert done.status_code == 200
    assert "/enrollment/set-password/" in done.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Enrollment)) == 3
    again = client.post(f"/enrollment/courses/{course.id}/import/confirm", data={"token": token.group(1)})
    assert again.status_code == 302  # the stashed file is gone: no double import


def test_import_report_lists_problems_by_row(as_user):
    _, cells = make_party_tree()
    course = make_course()
    client = as_user(make_user(role=Role.ORGANIZER))
    rows = people_rows(2, cells[0].code) + [["Vô Danh", "sai-email", cells[0].code, "Bí thư chi bộ", "", ""]]
    response = upload(client, course, "ds.csv", csv_text(rows).encode("utf-8-sig"))
    assert response.status_code == 400
    page = text_of(response)
    assert "4 Email Email không hợp lệ" in page
    assert "Xác nhận nhập danh sách" not in page


def test_import_refuses_wrong_encoding_and_other_files_with_a_message(as_user):
    _, cells = make_party_tree()
    course = make_course()
    client = as_user(make_user(role=Role.ORGANIZER))
    response = upload(client, course, "ds.csv", csv_text(people_rows(2, cells[0].code)).encode("cp1258", "replace"))
    assert response.status_code == 400 and "CSV UTF-8" in text_of(response)
    response = upload(client, course, "anh.png", b"\x89PNG\r\n\x1a\n")
    assert response.status_code == 400 and "Chỉ nhận tệp .xlsx hoặc .csv" in text_of(response)
    response = upload(client, course, "gia.xlsx", b"%PDF-1.4 not a workbook")
    assert response.status_code == 400 and "không phải bảng tính" in text_of(response)


# ---------------------------------------------------------------- exports

def test_roster_exports_are_formula_safe_and_in_vietnamese(as_user):
    course = make_course()
    make_enrollment(make_user(full_name="=HYPERLINK(\"http://x\")"), course)
    make_enrollment(make_user(full_name="Huỳnh Thị Ngọc Ánh"), course)
    client = as_user(make_user(role=Role.ORGANIZER))
    workbook = load_workbook(io.BytesIO(client.get(f"/enrollment/courses/{course.id}/roster.xlsx").data))
    names = [row[1] for row in workbook.active.iter_rows(min_row=3, values_only=True)]
    assert "Huỳnh Thị Ngọc Ánh" in names and "'=HYPERLINK(\"http://x\")" in names
    data = client.get(f"/enrollment/courses/{course.id}/roster.csv").data
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "Huỳnh Thị Ngọc Ánh" in text and "'=HYPERLINK" in text


def test_sign_in_sheets_per_course_and_per_session(as_user):
    unit, cells = make_party_tree(name="Đảng bộ Ban Dân vận Trung ương")
    course = make_course(title="Lớp bồi dưỡng nghiệp vụ")
    topic = make_session(course, title="Công tác kiểm tra, giám sát")
    for name in ("Nguyễn Thị Ánh Tuyết", "Đặng Quốc Việt"):
        e = make_enrollment(make_user(full_name=name, organization=cells[0]), course)
        e.quota_organization_id = unit.id
    make_enrollment(make_user(full_name="Người Chưa Xác Nhận"), course, status=EnrollmentStatus.WAITLISTED)
    db.session.commit()
    client = as_user(make_user(role=Role.ORGANIZER))
    for url in (f"/enrollment/courses/{course.id}/sign-in-sheet.pdf",
                f"/enrollment/courses/{course.id}/sign-in-sheet.pdf?session_id={topic.id}"):
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
        assert "Nguyễn Thị Ánh Tuyết" in text and "Đặng Quốc Việt" in text
        assert "Đảng bộ Ban Dân vận Trung ương" in text and "Người Chưa Xác Nhận" not in text
    assert "Công tác kiểm tra, giám sát" in text
    assert client.get(f"/enrollment/courses/{course.id}/sign-in-sheet.pdf?session_id=999999").status_code == 404


def test_party_card_number_is_shown_to_organizers_only(as_user, client):
    unit, cells = make_party_tree()
    course = make_course()
    make_quota(course, unit, 2)
    member = make_user(full_name="Kha Văn Thẻ", organization=cells[0])
    member.party_card_number = "93.012345"
    db.session.commit()
    enrollment = make_enrollment(member, course)
    enrollment.quota_organization_id = unit.id
    db.session.commit()
    coordinator = make_user(role=Role.COORDINATOR, organization=unit)
    page = as_user(coordinator).get(f"/enrollment/unit/courses/{course.id}").get_data(as_text=True)
    assert "Kha Văn Thẻ" in page and "93.012345" not in page
    client.post("/auth/logout")
    assert "93.012345" not in as_user(member).get("/enrollment/me").get_data(as_text=True)
    client.post("/auth/logout")
    assert "93.012345" in as_user(make_user(role=Role.ORGANIZER)).get(
        f"/enrollment/courses/{course.id}/roster").get_data(as_text=True)


def test_import_reads_an_optional_party_card_column(app):
    from courses.enrollment import import_files, importer

    _, cells = make_party_tree()
    course = make_course()
    header = ["Họ và tên", "Email", "Đơn vị", "Chức vụ Đảng", "Số thẻ đảng viên"]
    data = xlsx_bytes([["Mai Thị Thẻ", "the@x.vn", cells[0].code, "Đảng viên", "93.000777"]], header=header)
    plan = importer.plan_import(course, import_files.parse_spreadsheet("x.xlsx", data))
    importer.apply_import(None, course.id, plan)
    assert db.session.scalar(select(User.party_card_number).where(User.email == "the@x.vn")) == "93.000777"


def test_roster_totals_and_pages_follow_the_filter(as_user):
    """The total above the list and its pages agree with the filter, on every path that counts."""
    course = make_course(capacity=200)
    for user in make_users_fast(105):
        make_enrollment(user, course)
    for user in make_users_fast(2):
        make_enrollment(user, course, status=EnrollmentStatus.PENDING)
    client = as_user(make_user(role=Role.ORGANIZER))
    roster = f"/enrollment/courses/{course.id}/roster"

    def rows(response) -> int:
        return response.get_data(as_text=True).count('name="reason"')

    everyone = client.get(roster)
    assert "107 đăng ký" in text_of(everyone) and rows(everyone) == 100
    assert rows(client.get(f"{roster}?page=2")) == 7
    pending = client.get(f"{roster}?status=pending")
    assert "2 đăng ký" in text_of(pending) and rows(pending) == 2
    confirmed_page_2 = client.get(f"{roster}?status=confirmed&page=2")
    assert "105 đăng ký" in text_of(confirmed_page_2) and rows(confirmed_page_2) == 5
    searched = client.get(f"{roster}?q=Lê Thị")  # counted by the database, not the status counts
    assert "107 đăng ký" in text_of(searched) and rows(searched) == 100
