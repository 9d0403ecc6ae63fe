"""A forged Host header never reaches a link: absolute links are built on PUBLIC_BASE_URL,
and production refuses hosts it does not serve (TRUSTED_HOSTS)."""
from __future__ import annotations

import re
from datetime import date, time

from config import ProductionConfig
from courses import create_app
from courses.enums import EnrollmentStatus, Role, SessionKind
from courses.extensions import db
from tests.factories import PASSWORD, make_course, make_enrollment, make_session, make_user

PUBLIC = "https://boiduong.example.vn"
FORGED = "attacker.example"


def _log_in(client, user):
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD},
                           headers={"Host": FORGED})
    assert response.status_code == 302


def test_course_ics_links_to_the_public_address_whatever_the_host_header(make_app):
    app = make_app(PUBLIC_BASE_URL=PUBLIC)
    with app.app_context():
        course = make_course(starts_on=date(2030, 12, 2))
        make_session(course, kind=SessionKind.OPENING, start=time(7, 30))
        body = app.test_client().get(f"/courses/{course.id}.ics", headers={"Host": FORGED}).get_data(as_text=True)
        assert f"{PUBLIC}/courses/{course.id}" in body
        assert FORGED not in body
        db.session.remove()


def test_calendar_feed_address_and_feed_use_the_public_address(make_app):
    app = make_app(PUBLIC_BASE_URL=PUBLIC)
    with app.app_context():
        course = make_course(starts_on=date(2030, 12, 2))
        make_session(course, start=time(8, 0))
        user = make_user()
        make_enrollment(user, course, EnrollmentStatus.CONFIRMED)
        client = app.test_client()
        _log_in(client, user)
        page = client.get("/my/calendar", headers={"Host": FORGED}).get_data(as_text=True)
        feed_url = re.search(r'id="feed-url" readonly value="([^"]+)"', page).group(1)
        assert feed_url.startswith(PUBLIC + "/calendar/") and FORGED not in page
        feed = client.get(feed_url.removeprefix(PUBLIC), headers={"Host": FORGED}).get_data(as_text=True)
        assert f"{PUBLIC}/courses/{course.id}" in feed and FORGED not in feed
        db.session.remove()


def url_for_screen(session) -> str:
    from flask import url_for

    with_ctx = url_for("attendance.check_in_screen", session_id=session.id)
    return with_ctx


def test_check_in_screen_shows_the_public_address(make_app):
    from tests.factories import make_check_in_code

    app = make_app(PUBLIC_BASE_URL=PUBLIC)
    with app.app_context():
        course = make_course(starts_on=date(2030, 12, 2))
        session = make_session(course, start=time(8, 0))
        make_check_in_code(session)
        staff = make_user(role=Role.ADMIN)
        client = app.test_client()
        _log_in(client, staff)
        with app.test_request_context():
            screen = url_for_screen(session)
        page = client.get(screen, headers={"Host": FORGED})
        assert page.status_code == 200
        body = page.get_data(as_text=True)
        assert PUBLIC + "/" in body and FORGED not in body
        db.session.remove()


def test_trusted_hosts_default_to_the_public_address_host():
    from config import trusted_hosts

    assert trusted_hosts({}, PUBLIC) == ["boiduong.example.vn", "localhost", "127.0.0.1"]
    assert trusted_hosts({"TRUSTED_HOSTS": "a.example.vn, .b.example.vn"}, PUBLIC) == ["a.example.vn",
                                                                                      ".b.example.vn"]
    assert trusted_hosts({}, "") is None


def test_production_refuses_a_forged_host_header(monkeypatch, database_url):
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("PUBLIC_BASE_URL", PUBLIC)
    monkeypatch.setenv("TRUSTED_HOSTS", "boiduong.example.vn,10.0.0.5")
    production = default = create_app(ProductionConfig, RATELIMIT_ENABLED=False)
    try:
        client = production.test_client()
        refused = client.get("/auth/login", headers={"Host": FORGED})
        assert refused.status_code == 400 and FORGED not in refused.get_data(as_text=True)
        assert "không được phục vụ" in refused.get_data(as_text=True)
        assert client.get("/auth/login", headers={"Host": "boiduong.example.vn"}).status_code == 200
        assert client.get("/auth/login", headers={"Host": "10.0.0.5:8000"}).status_code == 200
        monkeypatch.delenv("TRUSTED_HOSTS")
        default = create_app(ProductionConfig, RATELIMIT_ENABLED=False)  # the host of PUBLIC_BASE_URL
        assert default.test_client().get("/auth/login", headers={"Host": FORGED}).status_code == 400
        assert default.test_client().get("/auth/login", headers={"Host": "boiduong.example.vn"}).status_code == 200
        assert default.test_client().get("/healthz", headers={"Host": "127.0.0.1:8000"}).status_code == 200
    finally:
        for app in (production, default):
            with app.app_context():
                db.engine.dispose()
