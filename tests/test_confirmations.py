"""Confirm first (issue 17): what cannot be undone asks, saying what will happen, before it is done.

Without scripts the first POST answers the confirmation page and changes nothing; the
page's «Xác nhận» re-posts the same fields with confirmed=1. With scripts the forms carry
data-confirm for static/js/confirm.js (tests/browser/test_confirmations.py clicks them).
Also: the issued list names holder and unit, staff copies of revoked certificates are
overprinted, and the verification page names the issuer, the dates and a sample.
"""
import html
import io
import re
from datetime import date, time, timedelta

import pypdfium2
from sqlalchemy import func, select

from courses.certificates import issuing, lookups
from courses.certificates import settings as certificate_settings
from courses.certificates.models import Certificate, SerialCounter
from courses.enrollment import registration
from courses.enums import AttendanceStatus, EnrollmentStatus, Role
from courses.extensions import db
from courses.scheduling.models import CourseSession, Material
from tests.factories import (
    make_attendance,
    make_course,
    make_enrollment,
    make_finished_course,
    make_material,
    make_organization,
    make_session,
    make_user,
)


def text_of(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


def hidden_fields(response) -> dict:
    """The fields the confirmation page re-posts."""
    page = response.get_data(as_text=True)
    form = page[page.index('id="confirm-consequences"'):]
    return {html.unescape(name): html.unescape(value)
            for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form)}


def assert_confirmation_page(response, *expected: str):
    assert response.status_code == 200
    text = text_of(response)
    assert "không thể hoàn tác" in text and "Xác nhận" in text and "Quay lại" in text
    for line in expected:
        assert line in text, line
    assert hidden_fields(response)["confirmed"] == "1"


def certificate_count(course_id: int) -> int:
    from courses.enrollment.models import Enrollment

    return db.session.scalar(select(func.count(Certificate.id)).join(Enrollment, Certificate.enrollment_id == Enrollment.id)
                             .where(Enrollment.course_id == course_id))


# --- cancelling one's registration ---------------------------------------------------------

def test_cancelling_a_registration_asks_first_and_changes_nothing(client, as_user):
    course = make_course(title="Lớp bồi dưỡng cấp ủy viên")
    user = make_user()
    enrollment = make_enrollment(user, course)
    as_user(user)
    button = client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert 'data-confirm="Hủy đăng ký lớp «Lớp bồi dưỡng cấp ủy viên»' in button
    first = client.post(f"/enrollment/courses/{course.id}/cancel", data={"next": "dashboard"})
    assert_confirmation_page(first, "Hủy đăng ký lớp Lớp bồi dưỡng cấp ủy viên?",
                             "người kế tiếp trong danh sách chờ")
    db.session.refresh(enrollment)
    assert enrollment.status == EnrollmentStatus.CONFIRMED
    assert hidden_fields(first)["next"] == "dashboard"  # the same form data goes back
    assert 'href="/enrollment/me"' in first.get_data(as_text=True)  # «Quay lại»
    done = client.post(f"/enrollment/courses/{course.id}/cancel", data=hidden_fields(first))
    assert done.status_code == 302 and done.headers["Location"].endswith("/enrollment/me")
    assert registration.find_enrollment(user.id, course.id).status == EnrollmentStatus.CANCELLED


# --- deleting a session or a material --------------------------------------------------

def test_deleting_a_session_asks_first_and_changes_nothing(client, as_user):
    course = make_course()
    item = make_session(course, start=time(14, 0))
    make_material(course, session=item, title="Đề cương chuyên đề")
    as_user(make_user(Role.ORGANIZER))
    assert 'data-confirm="Xóa buổi' in client.get(f"/organize/courses/{course.id}").get_data(as_text=True)
    first = client.post(f"/organize/sessions/{item.id}/delete")
    assert_confirmation_page(first, f"Xóa buổi «{item.display_title}» (14:00–15:00",
                             "Tài liệu gắn với buổi này cũng bị xóa: Đề cương chuyên đề")
    assert db.session.get(CourseSession, item.id) is not None
    done = client.post(f"/organize/sessions/{item.id}/delete", data={"confirmed": "1"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(CourseSession, item.id) is None


def test_deleting_a_material_asks_first_and_keeps_its_file(app, client, as_user):
    from courses.scheduling import materials

    course = make_course()
    material = make_material(course, title="Nghị quyết 21")
    path = materials.material_path(material)
    as_user(make_user(Role.ORGANIZER))
    first = client.post(f"/organize/materials/{material.id}/delete")
    assert_confirmation_page(first, "Xóa tài liệu «Nghị quyết 21»")
    assert db.session.get(Material, material.id) is not None and path.exists()
    client.post(f"/organize/materials/{material.id}/delete", data={"confirmed": "1"})
    db.session.expire_all()
    assert db.session.get(Material, material.id) is None and not path.exists()


# --- issuing -------------------------------------------------------------------------------

def test_issue_all_says_how_many_and_which_serials_without_taking_them(client, as_user):
    course, _sessions, _enrollments = make_finished_course(topics=1, participants=3)
    as_user(make_user(Role.ORGANIZER))
    page = client.get(f"/certificates/courses/{course.id}").get_data(as_text=True)
    year = date.today().year
    assert "Cấp 3 giấy chứng nhận, số 0001/GCN-ĐUK–0003/GCN-ĐUK." in html.unescape(page)
    first = client.post(f"/certificates/courses/{course.id}/issue")
    assert_confirmation_page(first, "Cấp 3 giấy chứng nhận, số 0001/GCN-ĐUK–0003/GCN-ĐUK.")
    assert "Lớp chưa kết thúc" not in text_of(first)
    assert certificate_count(course.id) == 0
    # No number was taken: the counter does not exist yet, so the serials announced are the ones given.
    assert db.session.scalar(select(SerialCounter).where(SerialCounter.serial_year == year)) is None
    client.post(f"/certificates/courses/{course.id}/issue", data=hidden_fields(first))
    assert sorted(c.serial for c in lookups.course_certificates(course.id)) == [
        "0001/GCN-ĐUK", "0002/GCN-ĐUK", "0003/GCN-ĐUK"]


def test_a_confirmation_no_longer_true_is_asked_again(client, as_user):
    course, _sessions, (first, _second) = make_finished_course(topics=1, participants=2)
    as_user(make_user(Role.ORGANIZER))
    page = client.get(f"/certificates/courses/{course.id}").get_data(as_text=True)
    token = re.search(r'name="plan" value="([^"]*)"', page).group(1)
    assert token == "2:0001/GCN-ĐUK:0002/GCN-ĐUK"
    # Someone else issues one in the meantime: the dialog's «2, 0001–0002» no longer holds.
    issuing.issue_one(make_user(Role.ORGANIZER), lookups.load_course(course.id), first.id, None)
    again = client.post(f"/certificates/courses/{course.id}/issue", data={"plan": token, "confirmed": "1"})
    assert_confirmation_page(again, "Tình hình đã thay đổi", "Cấp 1 giấy chứng nhận, số 0002/GCN-ĐUK.")
    assert certificate_count(course.id) == 1
    assert hidden_fields(again)["plan"] == "1:0002/GCN-ĐUK:0002/GCN-ĐUK"
    client.post(f"/certificates/courses/{course.id}/issue", data=hidden_fields(again))
    assert certificate_count(course.id) == 2


def test_the_announced_serials_follow_the_counter(app):
    from courses.certificates import confirmations

    first_course, _s, _e = make_finished_course(topics=1, participants=2)
    issuing.issue_all(None, lookups.load_course(first_course.id))
    course, _s, _e = make_finished_course(topics=1, participants=4)
    course = lookups.load_course(course.id)
    plan = confirmations.issue_plan(course)
    assert (plan.count, plan.first_serial, plan.last_serial) == (4, "0003/GCN-ĐUK", "0006/GCN-ĐUK")
    assert confirmations.issue_plan(course) == plan  # asking again takes nothing
    assert sorted(c.serial for c in issuing.issue_all(None, course)) == [
        "0003/GCN-ĐUK", "0004/GCN-ĐUK", "0005/GCN-ĐUK", "0006/GCN-ĐUK"]


def _course_not_over():
    """A course whose last session is still to come, with one participant present at its topic."""
    course = make_course(starts_on=date.today() + timedelta(days=2))
    item = make_session(course, start=time(8, 0))
    enrollment = make_enrollment(make_user(), course)
    make_attendance(enrollment, item, AttendanceStatus.PRESENT)
    return course, enrollment


def test_issuing_before_the_course_ends_warns_and_asks(client, as_user):
    course, enrollment = _course_not_over()
    as_user(make_user(Role.ORGANIZER))
    assert "Lớp chưa kết thúc" in text_of(client.get(f"/certificates/courses/{course.id}"))
    first = client.post(f"/certificates/courses/{course.id}/issue")
    assert_confirmation_page(first, "Cấp 1 giấy chứng nhận, số", "Lớp chưa kết thúc (buổi cuối kết thúc")
    one = client.post(f"/certificates/courses/{course.id}/issue/{enrollment.id}", data={"reason": ""})
    assert_confirmation_page(one, "Lớp chưa kết thúc (buổi cuối kết thúc")
    assert certificate_count(course.id) == 0
    client.post(f"/certificates/courses/{course.id}/issue/{enrollment.id}", data=hidden_fields(one))
    assert certificate_count(course.id) == 1


def test_issuing_one_after_the_course_ended_needs_no_confirmation(client, as_user):
    course, _sessions, (enrollment,) = make_finished_course(topics=1, participants=1)
    as_user(make_user(Role.ORGANIZER))
    response = client.post(f"/certificates/courses/{course.id}/issue/{enrollment.id}", data={"reason": ""})
    assert response.status_code == 302 and certificate_count(course.id) == 1


# --- revoking --------------------------------------------------------------------------------

def test_revoking_asks_first_naming_the_certificate_and_holder(client, as_user):
    unit = make_organization("Chi bộ Phòng Tổ chức")
    course, _s, (enrollment,) = make_finished_course(topics=1, participants=1)
    enrollment.user.organization = unit
    enrollment.user.full_name = "Phạm Thị Hoa"
    db.session.commit()
    (certificate,) = issuing.issue_all(None, lookups.load_course(course.id))
    as_user(make_user(Role.ADMIN))
    page = client.get(f"/certificates/courses/{course.id}").get_data(as_text=True)
    assert f'data-confirm="Thu hồi giấy chứng nhận số {certificate.serial} của Phạm Thị Hoa' in page
    first = client.post(f"/certificates/{certificate.id}/revoke", data={"reason": 'Cấp nhầm "người khác" <b>'})
    assert_confirmation_page(first, f"Thu hồi giấy chứng nhận số {certificate.serial} của Phạm Thị Hoa "
                                    "(Chi bộ Phòng Tổ chức).", 'Lý do: Cấp nhầm "người khác" <b>')
    assert "<b>" not in first.get_data(as_text=True).split('id="confirm-consequences"')[1]  # escaped
    db.session.refresh(certificate)
    assert certificate.revoked_at is None
    assert hidden_fields(first)["reason"] == 'Cấp nhầm "người khác" <b>'
    client.post(f"/certificates/{certificate.id}/revoke", data=hidden_fields(first))
    db.session.refresh(certificate)
    assert certificate.revoked_at is not None and certificate.revoke_reason == 'Cấp nhầm "người khác" <b>'


def test_reissuing_asks_first_and_takes_no_serial(client, as_user):
    course, _s, (enrollment,) = make_finished_course(topics=1, participants=1)
    (certificate,) = issuing.issue_all(None, lookups.load_course(course.id))
    as_user(make_user(Role.ADMIN))
    first = client.post(f"/certificates/{certificate.id}/reissue", data={"reason": "Sai ngày sinh"})
    assert_confirmation_page(first, f"Cấp lại giấy chứng nhận số {certificate.serial} của {enrollment.user.full_name}",
                             "Lý do: Sai ngày sinh")
    db.session.refresh(certificate)
    assert certificate.revoked_at is None and certificate_count(course.id) == 1
    client.post(f"/certificates/{certificate.id}/reissue", data=hidden_fields(first))
    db.session.refresh(certificate)
    assert certificate.replaced_by is not None and certificate_count(course.id) == 2


# --- the serial format mid-year ----------------------------------------------------------

SETTINGS = {"issuing_unit_name": "Đảng ủy Khối các cơ quan Trung ương", "issuing_unit_code": "ĐUK",
            "serial_format": "{number:04d}/GCN-{unit}", "starting_number": "1", "place": "Hà Nội",
            "signer_capacity": "T/M Ban Thường vụ", "signer_title": "Phó Bí thư", "signer_name": "Lê Văn Ký",
            "form_offset_x_mm": "0", "form_offset_y_mm": "0", "form_positions": ""}


def test_changing_the_serial_format_mid_year_asks_first(client, as_user):
    course, _s, _e = make_finished_course(topics=1, participants=2)
    issuing.issue_all(None, lookups.load_course(course.id))
    as_user(make_user(Role.ADMIN))
    assert 'data-confirm-field="serial_format"' in client.get("/certificates/settings").get_data(as_text=True)
    new = {**SETTINGS, "serial_format": "{number:05d}/{year}/GCN"}
    first = client.post("/certificates/settings", data=new)
    year = date.today().year
    assert_confirmation_page(first, f"năm {year} đã cấp 2 giấy chứng nhận theo mẫu «{{number:04d}}/GCN-{{unit}}» "
                                    "(số gần nhất 0002/GCN-ĐUK)", f"00003/{year}/GCN")
    assert certificate_settings.get_settings().serial_format == "{number:04d}/GCN-{unit}"
    client.post("/certificates/settings", data=hidden_fields(first))
    db.session.expire_all()
    assert certificate_settings.get_settings().serial_format == "{number:05d}/{year}/GCN"


def test_the_serial_format_changes_at_once_when_nothing_was_issued_this_year(client, as_user):
    as_user(make_user(Role.ADMIN))
    response = client.post("/certificates/settings", data={**SETTINGS, "serial_format": "{number:05d}/{year}/GCN"})
    assert response.status_code == 302
    assert certificate_settings.get_settings().serial_format == "{number:05d}/{year}/GCN"


# --- the issued list ---------------------------------------------------------------------

def test_the_issued_list_names_holder_unit_and_marks_exceptions(client, as_user):
    from courses.enums import OrganizationKind

    grassroots = make_organization("Đảng bộ Bộ Tư pháp", kind=OrganizationKind.GRASSROOTS)
    cell = make_organization("Chi bộ Vụ Pháp chế", parent=grassroots)
    course, (item,), (present, absent) = make_finished_course(topics=1, participants=2)
    present.user.organization, present.user.full_name = cell, "Vũ Văn Đạt"
    absent.user.full_name = "Đỗ Thị Vắng"
    db.session.commit()
    from courses.attendance.models import Attendance

    db.session.execute(Attendance.__table__.delete().where(Attendance.enrollment_id == absent.id))
    db.session.commit()
    organizer = make_user(Role.ORGANIZER)
    loaded = lookups.load_course(course.id)
    issuing.issue_all(organizer, loaded)
    issuing.issue_one(organizer, loaded, absent.id, "Đi công tác theo quyết định của Ban Thường vụ")
    as_user(organizer)
    page = client.get(f"/certificates/courses/{course.id}").get_data(as_text=True)
    issued = text_of_section(page, "Các giấy chứng nhận đã cấp")
    assert "Vũ Văn Đạt" in issued and "Chi bộ Vụ Pháp chế, Đảng bộ Bộ Tư pháp" in issued
    assert "Đỗ Thị Vắng" in issued
    assert "Ngoại lệ: cấp khi chưa đạt điều kiện" in issued
    assert "Đi công tác theo quyết định của Ban Thường vụ" in issued
    assert issued.count("Ngoại lệ") == 1


def text_of_section(page: str, heading: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.split(heading, 1)[1])))


# --- staff copies of revoked and replaced certificates ----------------------------------

def _pdf_words(data: bytes) -> str:
    """Every glyph of the first page (the overprint is drawn rotated), without spaces."""
    page = pypdfium2.PdfDocument(io.BytesIO(data))[0]
    return re.sub(r"\s+", "", page.get_textpage().get_text_range())


def test_revoked_and_replaced_copies_are_overprinted_for_staff(client, as_user):
    course, _s, (first, second) = make_finished_course(topics=1, participants=2)
    valid, revoked = issuing.issue_all(None, lookups.load_course(course.id))
    admin = make_user(Role.ADMIN)
    issuing.revoke(admin, revoked, "Cấp nhầm")
    new = issuing.reissue(admin, valid, "Sai tên")
    as_user(make_user(Role.ORGANIZER))
    replaced_pdf = _pdf_words(client.get(f"/certificates/{valid.id}.pdf").get_data())
    assert "ĐÃĐƯỢCTHAYTHẾBẰNGSỐ" + new.serial.replace(" ", "") in replaced_pdf
    revoked_pdf = _pdf_words(client.get(f"/certificates/{revoked.id}.pdf").get_data())
    assert "ĐÃTHUHỒI" in revoked_pdf and "THAYTHẾ" not in revoked_pdf
    new_pdf = _pdf_words(client.get(f"/certificates/{new.id}.pdf").get_data())
    assert "THUHỒI" not in new_pdf and "THAYTHẾ" not in new_pdf


def test_participants_still_cannot_download_a_revoked_certificate(client, as_user):
    course, _s, (enrollment,) = make_finished_course(topics=1, participants=1)
    (certificate,) = issuing.issue_all(None, lookups.load_course(course.id))
    issuing.revoke(make_user(Role.ADMIN), certificate, "Cấp nhầm")
    as_user(enrollment.user)
    assert client.get(f"/certificates/{certificate.id}.pdf").status_code == 404


# --- the verification page ---------------------------------------------------------------

def test_verification_page_names_the_issuer_and_the_dates(client):
    course, _s, _e = make_finished_course(topics=1, participants=1, starts_on=date(2022, 12, 2),
                                          ends_on=date(2022, 12, 4))
    (certificate,) = issuing.issue_all(None, lookups.load_course(course.id))
    text = text_of(client.get(f"/verify/{certificate.verification_code}"))
    assert "Đơn vị cấp Đảng ủy Khối các cơ quan Trung ương" in text
    assert "Thời gian tổ chức 2/12/2022 – 4/12/2022" in text
    assert "Giấy chứng nhận mẫu" not in text


def test_verification_page_says_a_demo_certificate_is_a_sample(client):
    course, _s, _e = make_finished_course(topics=1, participants=1, is_demo=True)
    (certificate,) = issuing.issue_all(None, lookups.load_course(course.id))
    text = text_of(client.get(f"/verify/{certificate.verification_code}"))
    assert "Giấy chứng nhận mẫu, không có giá trị." in text
