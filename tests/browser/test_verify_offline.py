"""The offline check page verifies a certificate's QR text in the browser with the network cut."""
from __future__ import annotations

import pytest

from courses.certificates import issuing, lookups, printing
from courses.certificates import settings as certificate_settings
from courses.certificates.statements import StatementSigner
from courses.enums import Role
from tests.browser.conftest import playwright_expect
from tests.factories import make_finished_course, make_user

expect = playwright_expect()

pytestmark = pytest.mark.browser


def _qr_texts():
    course, _sessions, _enrollments = make_finished_course(topics=1, participants=2)
    course = lookups.load_course(course.id)
    first, second = issuing.issue_all(None, course)
    issuing.revoke(make_user(Role.ADMIN), second, "Cấp nhầm người")
    by_code = {item.verification_code: item for item in printing.course_print_data(course)}
    signer = StatementSigner(certificate_settings.get_settings().issuing_unit_name)
    revoked_text = signer.sign(second.serial, second.enrollment.user.full_name, course.code, course.title,
                               course.starts_on, course.ends_on, course.ends_on)
    return first, by_code[first.verification_code].qr_text, revoked_text


def test_a_scanned_text_is_checked_with_the_network_blocked(live_server, browsing):
    certificate, valid_text, revoked_text = _qr_texts()
    page = browsing.new_page()
    page.goto(live_server("/verify/offline"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("ngoại tuyến")
    # From here on nothing may leave the page: every request is refused, and counted.
    attempts = []
    page.context.route("**/*", lambda route: (attempts.append(route.request.url), route.abort()))
    page.context.set_offline(True)

    page.get_by_label("Nội dung mã QR").fill(valid_text)
    page.get_by_role("button", name="Kiểm tra").click()
    result = page.locator("#offline-result")
    expect(result.locator(".verdict")).to_have_text("Hợp lệ")
    expect(result.locator("[data-field=full_name]")).to_have_text(certificate.enrollment.user.full_name)
    expect(result.locator("[data-field=serial]")).to_have_text(certificate.serial)
    browsing.shot(page, "valid")

    prefix, kid, payload, signature = valid_text.rsplit("#", 1)[1].split(".")
    tampered = ".".join((prefix, kid, payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1], signature))
    page.get_by_label("Nội dung mã QR").fill(tampered)
    page.get_by_role("button", name="Kiểm tra").click()
    expect(result.locator(".verdict")).to_have_text("Không hợp lệ")
    expect(result).to_contain_text("Chữ ký không khớp")

    page.get_by_label("Nội dung mã QR").fill(revoked_text)
    page.get_by_role("button", name="Kiểm tra").click()
    expect(result.locator(".verdict")).to_have_text("Không hợp lệ")
    expect(result).to_contain_text("đã bị thu hồi")

    page.get_by_label("Nội dung mã QR").fill("https://example.vn/verify/ABC")
    page.get_by_role("button", name="Kiểm tra").click()
    expect(result).to_contain_text("không phải mã QR của giấy chứng nhận")
    assert attempts == []
