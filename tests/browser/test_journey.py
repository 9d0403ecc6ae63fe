"""The whole journey in a browser, as people do it, from an empty database plus an admin.

An organizer (signed up, then given the role by the admin) builds a course and its
timetable and publishes it; a participant signs up and registers; the organizer calls
the roll; the admin issues and prints the certificates; a visitor checks one by its
verification link. Every step goes through the forms and buttons a person uses; the
only things written directly are the organization tree (no page edits it) and the
admin, made with `flask create-admin` as on a real installation.
Screenshots of each step: test-artifacts/browser/test_whole_journey-<step>.png.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

import pypdfium2
import pytest
import zxingcpp

from courses.enums import OrganizationKind
from tests.browser.conftest import playwright_expect
from tests.factories import make_organization

expect = playwright_expect()

pytestmark = pytest.mark.browser

ADMIN_EMAIL = "quantri@example.vn"
ADMIN_PASSWORD = "Quantri2030"
ORGANIZER = ("Lê Minh Tổ", "tochuc@example.vn", "Tochuc2030")
PARTICIPANT = ("Phạm Thu Trang", "trang@example.vn", "Hocvien2030")
COURSE_TITLE = "Lớp bồi dưỡng nghiệp vụ công tác Đảng năm 2030"


def nav(page, menu: str, item: str) -> None:
    """Open a menu of the main navigation and follow one of its entries."""
    # The menus open by script: a click before the page's scripts have run (a loaded
    # machine, right after a redirect) opens nothing.
    page.wait_for_load_state("load")
    navigation = page.get_by_role("navigation", name="Điều hướng chính")
    navigation.get_by_role("button", name=menu, exact=True).click()
    navigation.get_by_role("link", name=item).click()


def sign_up(page, base, full_name: str, email: str, password: str, unit: str) -> None:
    page.goto(base("/"))
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Đăng ký").click()
    page.get_by_label("Họ và tên").fill(full_name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Đơn vị (đảng bộ, chi bộ)").select_option(label=unit)
    page.get_by_label("Chức vụ Đảng").select_option(label="Đảng viên")
    page.get_by_label("Mật khẩu", exact=False).first.fill(password)
    page.get_by_label("Nhập lại mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng ký tài khoản").click()
    expect(page.get_by_role("status")).to_contain_text(f"Đăng ký thành công. Chào mừng đồng chí {full_name}!")


def confirm(page) -> None:
    """Answer «Xác nhận»: in static/js/confirm.js's dialog, or on the confirmation page a click
    made before the script was ready gets (tests/browser/test_confirmations.py has the dialog)."""
    page.get_by_role("button", name="Xác nhận", exact=True).click()


def log_in(page, base, email: str, password: str) -> None:
    page.goto(base("/auth/login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Mật khẩu").fill(password)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("status")).to_contain_text("Xin chào")


def test_whole_journey(live_server, browsing):
    base = live_server
    make_organization("Đảng bộ Bộ Nội vụ", kind=OrganizationKind.GRASSROOTS)
    make_organization("Chi bộ Vụ Tổng hợp", kind=OrganizationKind.CELL)
    created = live_server.app.test_cli_runner().invoke(
        args=["create-admin", ADMIN_EMAIL, "--name", "Quản trị hệ thống", "--password", ADMIN_PASSWORD])
    assert created.exit_code == 0, created.output
    starts_on = date.today() + timedelta(days=14)

    # 1. The organizer signs up; the admin gives the account the organizer's role.
    organizer = browsing.new_page()
    sign_up(organizer, base, *ORGANIZER, unit="Đảng bộ Bộ Nội vụ")
    admin = browsing.new_page()
    log_in(admin, base, ADMIN_EMAIL, ADMIN_PASSWORD)
    admin.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Người dùng").click()
    admin.get_by_label(f"Vai trò của {ORGANIZER[0]}").select_option(label="Cán bộ tổ chức lớp")
    admin.get_by_role("row", name=re.compile(ORGANIZER[0])).get_by_role("button", name="Lưu").click()
    expect(admin.get_by_role("status").first).to_contain_text(
        f"Đã đổi vai trò của {ORGANIZER[0]} thành «Cán bộ tổ chức lớp».")
    browsing.shot(admin, "01-admin-makes-organizer")

    # 2. The organizer fills the catalogues: a topic, a speaker. A role change ends the
    # account's sessions, so the organizer logs in again, with the new role.
    organizer.reload()
    expect(organizer.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Đăng nhập")).to_be_visible()
    log_in(organizer, base, ORGANIZER[1], ORGANIZER[2])
    nav(organizer, "Tổ chức lớp", "Danh mục chuyên đề")
    organizer.get_by_label("Mã", exact=False).first.fill("CD01")
    organizer.get_by_label("Tên chuyên đề").fill("Công tác tổ chức xây dựng Đảng")
    organizer.get_by_label("Thời lượng mặc định (phút)").fill("120")
    organizer.get_by_role("button", name="Lưu").click()
    expect(organizer.get_by_role("status")).to_contain_text("Đã thêm chuyên đề «Công tác tổ chức xây dựng Đảng».")
    nav(organizer, "Tổ chức lớp", "Báo cáo viên")
    organizer.get_by_role("link", name="Thêm báo cáo viên").click()
    organizer.get_by_label("Họ và tên").fill("Nguyễn Đức Minh")
    organizer.get_by_label("Chức danh").fill("Phó Trưởng Ban Tổ chức")
    organizer.get_by_role("button", name="Lưu").click()
    expect(organizer.get_by_role("status")).to_contain_text("Đã thêm báo cáo viên Nguyễn Đức Minh.")

    # 3. The course, then its timetable: the opening and a topic with its speaker.
    nav(organizer, "Tổ chức lớp", "Tạo lớp mới")
    organizer.get_by_label("Mã lớp").fill("BDNV-2030-01")
    organizer.get_by_label("Tên lớp").fill(COURSE_TITLE)
    organizer.get_by_label("Đơn vị tổ chức").select_option(label="Đảng bộ Bộ Nội vụ")
    organizer.get_by_label("Địa điểm").fill("Hội trường tầng 3")
    organizer.get_by_label("Ngày bắt đầu").fill(starts_on.isoformat())
    organizer.get_by_label("Ngày kết thúc").fill(starts_on.isoformat())
    organizer.get_by_label("Số chỗ").fill("30")
    browsing.shot(organizer, "02-course-form")
    organizer.get_by_role("button", name="Lưu").click()
    expect(organizer.get_by_role("status")).to_contain_text(f"Đã tạo lớp «{COURSE_TITLE}» (bản nháp).")

    organizer.get_by_role("link", name="Thêm buổi").click()
    organizer.get_by_label("Loại buổi").select_option(label="Khai giảng")
    organizer.get_by_label(re.compile(r"^Ngày( |$)")).fill(starts_on.isoformat())
    organizer.get_by_label("Bắt đầu").fill("07:30")
    organizer.get_by_label("Kết thúc").fill("08:00")
    organizer.get_by_label("Chủ trì (khai giảng, bế giảng)").fill("Nguyễn Văn Thể")
    organizer.get_by_role("button", name="Lưu và thêm buổi khác").click()
    expect(organizer.get_by_role("status")).to_contain_text("Đã thêm buổi học vào thời khóa biểu.")
    organizer.get_by_label("Loại buổi").select_option(label="Chuyên đề")
    organizer.get_by_label("Chuyên đề", exact=True).select_option(label="Công tác tổ chức xây dựng Đảng")
    organizer.get_by_label("Báo cáo viên").select_option(label="Nguyễn Đức Minh — Phó Trưởng Ban Tổ chức")
    organizer.get_by_label(re.compile(r"^Ngày( |$)")).fill(starts_on.isoformat())
    organizer.get_by_label("Bắt đầu").fill("08:00")
    organizer.get_by_role("button", name="Lưu buổi học").click()
    expect(organizer.get_by_role("status")).to_contain_text("Đã thêm buổi học vào thời khóa biểu.")
    timetable = organizer.get_by_role("region", name="Thời khóa biểu")
    expect(timetable.locator(".agenda-row")).to_have_count(2)
    expect(timetable.locator(".agenda-row.kind-opening")).to_contain_text("Nguyễn Văn Thể")
    expect(timetable.locator(".agenda-row.kind-topic")).to_contain_text("08:00–10:00")
    expect(timetable.locator(".agenda-row.kind-topic")).to_contain_text("Nguyễn Đức Minh")

    organizer.get_by_role("button", name="Công bố").click()
    expect(organizer.get_by_role("status")).to_contain_text("Lớp đã chuyển sang trạng thái «Đang mở đăng ký».")
    browsing.shot(organizer, "03-course-published")

    # 4. A participant signs up, finds the course on the home page and registers.
    participant = browsing.new_page()
    sign_up(participant, base, *PARTICIPANT, unit="Chi bộ Vụ Tổng hợp")
    participant.get_by_role("link", name=COURSE_TITLE).first.click()
    expect(participant.get_by_role("heading", level=1)).to_have_text(COURSE_TITLE)
    expect(participant.locator(".agenda-row.kind-topic")).to_contain_text("Nguyễn Đức Minh")
    participant.get_by_role("region", name="Đăng ký học").get_by_role("button", name="Đăng ký học").click()
    expect(participant.get_by_role("region", name="Đăng ký học")).to_contain_text("Đã xác nhận")
    browsing.shot(participant, "04-participant-registered")

    # 5. The organizer sees her on the roster and calls the roll of both sessions.
    organizer.get_by_role("link", name="Xem trang công khai").click()
    organizer.get_by_role("link", name="Danh sách học viên").click()
    expect(organizer.locator("main")).to_contain_text(PARTICIPANT[0])
    browsing.shot(organizer, "05-roster")
    nav(organizer, "Tổ chức lớp", "Điểm danh & GCN")
    organizer.get_by_role("link", name="Điểm danh BDNV-2030-01").click()
    for index in range(2):
        organizer.get_by_role("columnheader").get_by_role("link", name="Điểm danh").nth(index).click()
        organizer.get_by_role("radiogroup", name=PARTICIPANT[0]).get_by_text("Có mặt", exact=True).click()
        if index == 1:
            browsing.shot(organizer, "06-roll-call")
        organizer.get_by_role("button", name="Lưu điểm danh").click()
        expect(organizer.get_by_role("status")).to_contain_text("Đã lưu")
        organizer.get_by_role("link", name="BDNV-2030-01").click()
    row = organizer.get_by_role("row", name=re.compile(PARTICIPANT[0]))
    expect(row).to_contain_text("Đạt")
    browsing.shot(organizer, "07-attendance-summary")

    # 6. The admin issues the certificates, prints them, and finds one in the register.
    nav(admin, "Tổ chức lớp", "Điểm danh & GCN")
    admin.get_by_role("link", name="Giấy chứng nhận BDNV-2030-01").click()
    admin.get_by_role("button", name="Cấp cho tất cả học viên đạt (1)").click()
    confirm(admin)
    expect(admin.get_by_role("status")).to_contain_text("Đã cấp 1 giấy chứng nhận.")
    browsing.shot(admin, "08-certificates-issued")
    issued = admin.get_by_role("table").filter(has_text="Mã xác thực")
    verify_url = issued.get_by_role("link", name=re.compile(r"^[A-Za-z0-9_-]{8,}$")).get_attribute("href")
    # The PDF opens in the browser's viewer (inline), ready to print.
    with admin.expect_response(re.compile(r"/certificates\.pdf$")) as response_info:
        admin.get_by_role("link", name="In tất cả (PDF)").click()
    response = response_info.value
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert "giay-chung-nhan-BDNV-2030-01.pdf" in response.headers["content-disposition"]
    # The viewer stands in for the bytes in the page: fetch them with the admin's cookies.
    pdf = admin.context.request.get(response.url).body()
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 1
    # The QR code printed on the page is what a visitor scans: decode it from the PDF.
    image = pypdfium2.PdfDocument(pdf)[0].render(scale=2).to_pil()
    scanned = [barcode.text for barcode in zxingcpp.read_barcodes(image)]
    assert len(scanned) == 1 and scanned[0].partition("#")[0].endswith(verify_url), (scanned, verify_url)
    admin.go_back()
    nav(admin, "Tổ chức lớp", "Sổ cấp GCN")
    register_row = admin.get_by_role("row", name=re.compile(PARTICIPANT[0]))
    expect(register_row).to_contain_text("BDNV-2030-01")
    expect(register_row).to_contain_text("Còn hiệu lực")
    browsing.shot(admin, "09-certificate-register")

    # 7. A visitor opens the verification link: valid, in Vietnamese and in English.
    visitor = browsing.new_page()
    visitor.goto(scanned[0])
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Xác thực giấy chứng nhận")
    expect(visitor.get_by_role("status")).to_have_text("Giấy chứng nhận còn hiệu lực.")
    expect(visitor.locator("main")).to_contain_text(PARTICIPANT[0])
    expect(visitor.locator("main")).to_contain_text(COURSE_TITLE)
    browsing.shot(visitor, "10-verified-vi")
    visitor.get_by_role("button", name="English").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Verify a certificate")
    expect(visitor.get_by_role("status")).to_have_text("The certificate is valid.")
    browsing.shot(visitor, "11-verified-en")

    # 8. The admin revokes it with a reason; the same link now says so.
    nav(admin, "Tổ chức lớp", "Điểm danh & GCN")
    admin.get_by_role("link", name="Giấy chứng nhận BDNV-2030-01").click()
    admin.get_by_label("Lý do").fill("Cấp nhầm người")
    admin.get_by_role("button", name="Thu hồi").click()
    confirm(admin)
    expect(admin.get_by_role("status").first).to_contain_text("Đã thu hồi giấy chứng nhận số")
    browsing.shot(admin, "12-revoked")
    visitor.reload()
    expect(visitor.get_by_role("status")).to_contain_text("The certificate was revoked on")
    browsing.shot(visitor, "13-revoked-en")
