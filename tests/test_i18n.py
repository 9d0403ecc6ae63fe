"""English beside Vietnamese: a complete catalogue, the switcher, remembered choices."""
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from courses.auth.models import User
from courses.enums import CourseStatus, LabeledEnum
from courses.extensions import db
from courses.i18n.catalogs import TRANSLATIONS_DIR, read_catalog
from tests.factories import PASSWORD, make_course, make_organization, make_user

PROJECT_DIR = Path(__file__).resolve().parent.parent
EN_PO = TRANSLATIONS_DIR / "en" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def marked_strings() -> set[str]:
    """Every string marked for translation in courses/ and templates/, as `make messages` finds them."""
    with (PROJECT_DIR / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = dict(DEFAULT_KEYWORDS, _l=None)

    def directory_filter(path: str) -> bool:
        name = Path(path).name
        return not name.startswith(".") and name not in {"__pycache__", "instance", "test-artifacts"}

    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(PROJECT_DIR), method_map, options_map, keywords=keywords, directory_filter=directory_filter
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_marked_string_has_an_english_translation():
    catalog = read_catalog(EN_PO)
    translated = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(marked_strings() - set(translated))
    assert missing == [], (
        "Untranslated strings: run `make messages` and fill in their msgstr in "
        f"{EN_PO.relative_to(PROJECT_DIR)}: {missing}"
    )


def test_translations_keep_every_placeholder():
    for message in read_catalog(EN_PO):
        if message.id and message.string:
            assert set(PLACEHOLDER.findall(message.id)) == set(PLACEHOLDER.findall(message.string)), message.id


def test_every_enum_label_reads_in_english(app):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("en"):
        for enum_class in LabeledEnum.__subclasses__():
            for member in enum_class:
                label = member.label
                assert label and not re.search(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]",
                                                label, re.IGNORECASE), (member, label)


def switch(client, lang, next_url="/"):
    return client.post("/language", data={"lang": lang, "next": next_url})


def test_pages_are_vietnamese_until_a_visitor_chooses_english(client):
    assert '<html lang="vi">' in client.get("/").get_data(as_text=True)
    response = switch(client, "en", "/auth/login")
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    page = client.get("/auth/login").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Log in" in page and "Keep me logged in" in page and "Đăng nhập" not in page
    switch(client, "vi")
    assert "Đăng nhập" in client.get("/auth/login").get_data(as_text=True)


def test_the_switcher_is_a_post_form_with_a_csrf_token_on_every_page(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        page = app.test_client().get("/").get_data(as_text=True)
    form = re.search(r'<form class="language-switcher[^>]*>(.*?)</form>', page, re.S)
    assert form and 'method="post"' in form.group(0) and 'action="/language"' in form.group(0)
    assert 'name="csrf_token"' in form.group(1)
    assert 'value="en" lang="en"' in form.group(1)


def test_switching_without_the_csrf_token_changes_nothing(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        client = app.test_client()
        assert switch(client, "en").status_code == 400
        assert '<html lang="vi">' in client.get("/").get_data(as_text=True)


def test_an_unknown_language_is_refused_and_nothing_changes(client):
    response = switch(client, "fr")
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="vi">' in page and "Ngôn ngữ không được hỗ trợ." in page


def test_the_switch_never_redirects_off_site(client):
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = switch(client, "en", target)
        assert response.headers["Location"] == "/"


def test_a_users_language_is_saved_on_the_account_and_follows_them(app, make_app, as_user):
    user = make_user(email="lan@example.vn")
    client = as_user(user)
    switch(client, "en")
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"
    client.post("/auth/logout")
    # Another browser: anonymous pages are Vietnamese, the account's pages English again.
    other = app.test_client()
    assert '<html lang="vi">' in other.get("/").get_data(as_text=True)
    response = other.post("/auth/login", data={"email": "lan@example.vn", "password": PASSWORD},
                          follow_redirects=True)
    page = response.get_data(as_text=True)
    assert '<html lang="en">' in page and "Hello, " in page and "Log out" in page


def test_the_browsers_language_survives_log_out(client, as_user):
    switch(client, "en")
    as_user(make_user())
    client.post("/auth/logout")
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page and "You have logged out." in page


def test_a_language_chosen_before_signing_up_becomes_the_accounts(client):
    unit = make_organization()
    switch(client, "en")
    response = client.post("/auth/register", data={
        "full_name": "Lê Thị Hoa", "email": "hoa@example.vn", "organization_id": unit.id,
        "party_position": "member", "password": "Matkhau123", "password_confirm": "Matkhau123",
    }, follow_redirects=True)
    assert "Welcome, comrade Lê Thị Hoa!" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(User.locale).where(User.email == "hoa@example.vn")) == "en"


def test_course_page_in_english_shows_english_labels_and_dates(client):
    from datetime import date

    course = make_course(status=CourseStatus.PUBLISHED, starts_on=date(2030, 12, 6), capacity=5000)
    switch(client, "en")
    page = client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert "Open for registration" in page
    assert "Friday, 6 December 2030" in page
    assert "5,000 of 5,000 seats left" in page
    assert "Programme" in page


@pytest.mark.parametrize("lang, expected", [
    ("vi", ["Vui lòng nhập email.", "Không được dài quá 255 ký tự."]),
    ("en", ["Please enter your email.", "Field cannot be longer than 255 characters."]),
])
def test_form_errors_speak_the_page_language(client, lang, expected):
    switch(client, lang)
    page = client.post("/auth/register", data={"full_name": "x" * 300, "email": ""}).get_data(as_text=True)
    for message in expected:
        assert message in page


def test_error_pages_speak_english_too(client):
    switch(client, "en")
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404 and "Page not found" in response.get_data(as_text=True)


def test_login_message_for_protected_pages_is_translated(client):
    switch(client, "en")
    page = client.get("/auth/password", follow_redirects=True).get_data(as_text=True)
    assert "Please log in to continue." in page


def test_select_options_of_forms_defined_at_import_speak_the_page_language(client, as_user):
    from courses.enums import Role

    switch(client, "en")
    page = client.get("/auth/register").get_data(as_text=True)
    assert ">Party cell secretary</option>" in page and "Bí thư chi bộ" not in page
    as_user(make_user(role=Role.ADMIN))
    switch(client, "en")
    page = client.get("/admin/users").get_data(as_text=True)
    assert ">Administrator</option>" in page and ">Course organizer</option>" in page


@pytest.mark.parametrize("lang, expected", [("vi", "Xin chào &lt;b&gt;Lan&lt;/b&gt;!"), ("en", "Hello, &lt;b&gt;Lan&lt;/b&gt;!")])
def test_template_texts_are_translated_and_their_values_escaped(app, lang, expected):
    from flask import render_template_string, session

    with app.test_request_context("/"):
        session["lang"] = lang
        app.preprocess_request()
        assert render_template_string("{{ _('Xin chào %(name)s!', name=who) }}", who="<b>Lan</b>") == expected
        # A text is formatted only when it holds a "%", as Jinja's own gettext would: "%%" reads "%".
        assert render_template_string("{{ _('%(done)s / %(total)s (%(percent)s%%)', done=1, total=4, "
                                      "percent=25) }}") == "1 / 4 (25%)"
        assert render_template_string("{{ _('Không có đăng ký nào.') }}") == (
            "Không có đăng ký nào." if lang == "vi" else "No registrations.")
