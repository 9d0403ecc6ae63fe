"""What a person does in the browser today: sign up, log in, read a course, switch language."""
from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from courses.auth.models import User
from courses.enums import OrganizationKind, SessionKind
from courses.extensions import db
from tests.browser.conftest import PHONE, playwright_expect
from tests.factories import PASSWORD, make_course, make_organization, make_session, make_topic, make_user

expect = playwright_expect()

pytestmark = pytest.mark.browser


def log_in(page, email: str, password: str = PASSWORD, button: str = "Đăng nhập"):
    page.get_by_label("Email").fill(email)
    page.get_by_label(re.compile(r"^(Mật khẩu|Password)")).fill(password)
    page.locator("main").get_by_role("button", name=button).click()


def log_out(page, user_name: str, button: str = "Đăng xuất"):
    # The account menu opens by script: a click before the page's scripts ran opened nothing
    # (seen once in a full PostgreSQL run, right after a language switch reloaded the page).
    page.wait_for_load_state("load")
    page.get_by_role("button", name=re.compile(re.escape(user_name))).click()
    page.get_by_role("button", name=button).click()


def test_sign_up_log_in_read_a_course_switch_language_and_log_out(live_server, browsing):
    make_organization("Chi bộ Vụ Tổng hợp", kind=OrganizationKind.CELL)
    course = make_course(title="Lớp bồi dưỡng cấp ủy viên 2030", starts_on=date(2030, 12, 6))
    make_session(course, SessionKind.TOPIC, topic=make_topic("Công tác tổ chức"), start=time(8, 0), minutes=90)
    page = browsing.new_page()

    # Sign up from the home page.
    page.goto(live_server("/"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Đăng ký").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký tài khoản học viên")
    page.get_by_label("Họ và tên").fill("Phạm Thu Trang")
    page.get_by_label("Email").fill("trang@example.vn")
    page.get_by_label("Đơn vị (đảng bộ, chi bộ)").select_option(label="Chi bộ Vụ Tổng hợp")
    page.get_by_label("Chức vụ Đảng").select_option(label="Cấp ủy viên")
    page.get_by_label("Mật khẩu", exact=False).first.fill("Matkhau2030")
    page.get_by_label("Nhập lại mật khẩu").fill("Matkhau2030")
    browsing.shot(page, "1-sign-up-form")
    page.get_by_role("button", name="Đăng ký tài khoản").click()
    expect(page.get_by_role("status")).to_contain_text("Đăng ký thành công. Chào mừng đồng chí Phạm Thu Trang!")
    browsing.shot(page, "2-signed-up")

    # Log out, then log in again.
    log_out(page, "Phạm Thu Trang")
    expect(page.get_by_role("status")).to_contain_text("Bạn đã đăng xuất.")
    page.get_by_role("link", name="Đăng nhập").first.click()
    log_in(page, "trang@example.vn", "Matkhau2030")
    expect(page.get_by_role("status")).to_contain_text("Xin chào Phạm Thu Trang!")

    # The course page, from the home page's card.
    page.get_by_role("link", name="Lớp bồi dưỡng cấp ủy viên 2030").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lớp bồi dưỡng cấp ủy viên 2030")
    expect(page.locator("main")).to_contain_text("Thứ Sáu, 6/12/2030")
    browsing.shot(page, "3-course-vi")

    # Switch to English on the course page: the same page, in English, saved on the account.
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(live_server(f"/courses/{course.id}"))
    expect(page.get_by_role("heading", name="Programme")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Friday, 6 December 2030")
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")
    browsing.shot(page, "4-course-en")
    db.session.expire_all()
    assert db.session.scalar(select(User.locale).where(User.email == "trang@example.vn")) == "en"
    log_out(page, "Phạm Thu Trang", button="Log out")
    expect(page.get_by_role("status")).to_contain_text("You have logged out.")

    # Another browser: Vietnamese for a visitor, English again once she logs in.
    other = browsing.new_page()
    other.goto(live_server("/auth/login"))
    expect(other.locator("html")).to_have_attribute("lang", "vi")
    log_in(other, "trang@example.vn", "Matkhau2030")
    expect(other.locator("html")).to_have_attribute("lang", "en")
    expect(other.get_by_role("status")).to_contain_text("Hello, Phạm Thu Trang!")
    browsing.shot(other, "5-logged-in-en")

    # And back to Vietnamese, then log out.
    other.get_by_role("button", name="Tiếng Việt").click()
    expect(other.locator("html")).to_have_attribute("lang", "vi")
    expect(other.get_by_role("heading", level=1)).to_have_text("Lớp bồi dưỡng nghiệp vụ công tác Đảng")
    log_out(other, "Phạm Thu Trang")
    expect(other.get_by_role("status")).to_contain_text("Bạn đã đăng xuất.")
    db.session.expire_all()
    assert db.session.scalar(select(User.locale).where(User.email == "trang@example.vn")) == "vi"


def test_sign_up_errors_show_beside_their_fields(live_server, browsing):
    make_organization("Chi bộ Vụ Tổng hợp")
    make_user(email="taken@example.vn")
    page = browsing.new_page()
    page.goto(live_server("/auth/register"))
    page.get_by_label("Họ và tên").fill("Phạm Thu Trang")
    page.get_by_label("Email").fill("taken@example.vn")
    page.get_by_label("Đơn vị (đảng bộ, chi bộ)").select_option(label="Chi bộ Vụ Tổng hợp")
    page.get_by_label("Mật khẩu", exact=False).first.fill("ngan")
    page.get_by_label("Nhập lại mật khẩu").fill("khac")
    page.get_by_role("button", name="Đăng ký tài khoản").click()
    password = page.locator("#password")
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#password-error")).to_have_text("Mật khẩu cần ít nhất 8 ký tự, gồm cả chữ và số.")
    assert "password-error" in password.get_attribute("aria-describedby")
    expect(page.locator("#password_confirm-error")).to_have_text("Hai mật khẩu không khớp.")
    expect(page.get_by_label("Họ và tên")).to_have_value("Phạm Thu Trang")  # what was typed stays
    browsing.shot(page, "errors")


def test_demo_course_page_shows_the_opening_and_five_topics(live_server, browsing):
    from courses.demo import MODEL_COURSE_CODE, TOPICS, seed_demo
    from courses.scheduling.models import Course

    seed_demo(today=date(2022, 11, 1))
    course = db.session.scalar(select(Course).where(Course.code == MODEL_COURSE_CODE))
    page = browsing.new_page()
    page.goto(live_server(f"/courses/{course.id}"))
    main = page.locator("main")
    expect(main).to_contain_text("Thứ Sáu, 2/12/2022")
    expect(page.locator(".agenda-row.kind-opening")).to_have_count(1)
    expect(page.locator(".agenda-row.kind-opening")).to_contain_text("Nguyễn Văn Thể")
    topics = page.locator(".agenda-row.kind-topic")
    expect(topics).to_have_count(5)
    for index, (_code, name, _description) in enumerate(TOPICS):
        expect(topics.nth(index)).to_contain_text(name)
    expect(topics.first).to_contain_text("Nguyễn Đức Minh")
    browsing.shot(page, "demo-course-vi")

    page.get_by_role("button", name="English").click()
    expect(main).to_contain_text("Friday, 2 December 2022")
    expect(page.locator(".agenda-row.kind-topic").first).to_contain_text("Topic:")
    browsing.shot(page, "demo-course-en")

    # On a phone: the page fits the screen, the timetable scrolls inside its own box.
    phone = browsing.new_page(viewport=PHONE)
    phone.goto(live_server(f"/courses/{course.id}"))
    expect(phone.locator(".agenda-row.kind-topic")).to_have_count(5)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    browsing.shot(phone, "demo-course-phone")


def test_keyboard_only_log_in(live_server, browsing):
    make_user(email="phim@example.vn", full_name="Đỗ Văn Phím")
    page = browsing.new_page()
    page.goto(live_server("/auth/login"))

    # The first Tab reaches the skip link, which shows itself and jumps to the content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Bỏ qua, đến nội dung chính")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    email = page.get_by_label("Email")
    expect(email).to_be_focused()
    outline = email.evaluate("el => getComputedStyle(el).boxShadow + ' ' + getComputedStyle(el).outlineStyle")
    assert outline.strip() not in ("none none", ""), "the focused field must show it has the focus"
    page.keyboard.type("phim@example.vn")
    page.keyboard.press("Tab")
    expect(page.locator("#password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Ghi nhớ đăng nhập")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.get_by_label("Ghi nhớ đăng nhập")).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.locator("main").get_by_role("button", name="Đăng nhập")).to_be_focused()
    browsing.shot(page, "focus-on-submit")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Xin chào Đỗ Văn Phím!")
    browsing.shot(page, "logged-in")


def test_phone_menu_opens_and_the_language_switcher_is_in_it(live_server, browsing):
    page = browsing.new_page(viewport=PHONE)
    page.goto(live_server("/"))
    login_link = page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Đăng nhập")
    expect(login_link).to_be_hidden()
    page.get_by_role("button", name="Mở menu").click()
    expect(login_link).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    browsing.shot(page, "phone-home-en")


def test_printing_a_course_page_leaves_out_the_site_chrome(live_server, browsing):
    course = make_course(title="Lớp in chương trình", starts_on=date.today() + timedelta(days=10))
    page = browsing.new_page()
    page.goto(live_server(f"/courses/{course.id}"))
    expect(page.locator("header")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator("header")).to_be_hidden()
    expect(page.locator("footer")).to_be_hidden()
    expect(page.locator(".language-switcher")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lớp in chương trình")
    page.pdf(path=str(browsing.shot(page, "print").with_suffix(".pdf")))
