"""Error pages: Vietnamese, in the site's layout, never a stack trace outside debug mode."""
from __future__ import annotations

import io

import pytest
from flask import abort

from courses.permissions import public
from tests.conftest import login
from tests.factories import make_user

TITLES = {
    400: "Yêu cầu không hợp lệ", 403: "Không có quyền truy cập", 404: "Không tìm thấy trang",
    405: "Thao tác không được phép", 413: "Tệp quá lớn", 429: "Quá nhiều yêu cầu", 500: "Lỗi hệ thống",
}


def assert_error_page(response, code):
    body = response.get_data(as_text=True)
    assert response.status_code == code
    assert TITLES[code] in body
    assert '<html lang="vi">' in body and 'class="navbar' in body  # the site's layout
    assert "Traceback" not in body and "File \"" not in body and "Werkzeug" not in body
    return body


@pytest.mark.parametrize("code", sorted(TITLES))
def test_each_error_page_is_vietnamese_in_the_layout(app, client, code):
    @app.route(f"/abort-{code}")
    @public
    def aborting():
        abort(code)

    assert_error_page(client.get(f"/abort-{code}"), code)


def test_real_404_405_and_403(client, as_user):
    assert_error_page(client.get("/khong-co-trang-nay"), 404)
    response = client.get("/auth/logout")  # POST only
    assert_error_page(response, 405)
    assert "POST" in response.headers["Allow"]
    as_user(make_user())
    assert_error_page(client.get("/admin/users"), 403)


def test_a_crashing_view_gives_the_500_page_with_a_request_id_and_no_trace(app, client, caplog):
    @app.route("/boom")
    @public
    def boom():
        raise RuntimeError("secret detail: password=hunter2")

    response = client.get("/boom", headers={"X-Request-ID": "req-500-test"})
    body = assert_error_page(response, 500)
    assert "secret detail" not in body and "RuntimeError" not in body
    assert "req-500-test" in body  # the user can quote it when reporting
    errors = [r for r in caplog.records if r.levelname == "ERROR" and r.getMessage() == "unhandled error"]
    assert errors and errors[0].request_id == "req-500-test"
    assert "secret detail" in caplog.text  # the trace goes to the log, not to the page


def test_a_crash_rolls_back_what_the_view_wrote(app, client):
    from sqlalchemy import func, select

    from courses.audit.models import AuditEvent
    from courses.audit.services import record
    from courses.extensions import db

    @app.route("/half-done", methods=["GET"])
    @public
    def half_done():
        record(None, "half.done")
        db.session.flush()
        raise RuntimeError("after a write")

    assert client.get("/half-done").status_code == 500
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_an_error_page_that_fails_itself_still_answers(app, client, monkeypatch):
    import courses.errors

    @app.route("/boom-twice")
    @public
    def boom_twice():
        raise RuntimeError("first")

    def broken_render(*args, **kwargs):
        raise RuntimeError("the layout failed too")

    monkeypatch.setattr(courses.errors, "render_error", broken_render)
    response = client.get("/boom-twice")
    assert response.status_code == 500
    assert "Lỗi hệ thống" in response.get_data(as_text=True)


def test_debug_mode_keeps_the_debugger(make_app):
    app = make_app(DEBUG=True)

    @app.route("/boom")
    @public
    def boom():
        raise RuntimeError("for the developer")

    app.debug = True
    app.config["PROPAGATE_EXCEPTIONS"] = True
    with pytest.raises(RuntimeError, match="for the developer"):
        app.test_client().get("/boom")


def test_bad_csrf_gives_the_vietnamese_400(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        assert_error_page(app.test_client().post("/auth/login", data={}), 400)


def test_a_body_over_the_limit_gives_the_413_page(make_app):
    app = make_app(MAX_CONTENT_LENGTH=1024)
    with app.app_context():
        response = app.test_client().post("/auth/register", data={"file": (io.BytesIO(b"x" * 4096), "a.pdf")})
        assert_error_page(response, 413)


def test_a_write_that_waits_too_long_for_the_lock_gets_the_busy_page_and_changes_nothing(make_app, database):
    """A job (or another server) holding SQLite's write lock makes a request's write wait; past
    the wait the user reads «try again» (503, Retry-After), not the 500 page, and nothing is saved."""
    if database["kind"] != "sqlite":
        pytest.skip("the file-level write lock is SQLite's; PostgreSQL locks rows and waits")
    import sqlite3

    from sqlalchemy import select

    from courses.auth.models import User
    from courses.extensions import db

    app = make_app(SQLITE_BUSY_TIMEOUT_SECONDS=0.2)
    client = app.test_client()
    with app.app_context():
        user = make_user()
        db.session.commit()
        assert user.locale is None
        assert login(client, user.email).status_code == 302
        holder = sqlite3.connect(db.engine.url.database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # what a job's write transaction holds until it commits
        try:
            response = client.post("/language", data={"lang": "en", "next": "/"})
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        body = response.get_data(as_text=True)
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "5"
        assert "Hệ thống đang bận ghi dữ liệu khác" in body and '<html lang="vi">' in body
        assert "OperationalError" not in body and "database is locked" not in body
        db.session.expire_all()
        assert db.session.scalar(select(User.locale).where(User.id == user.id)) is None  # as it was
        # Once the lock is gone the same request goes through.
        assert client.post("/language", data={"lang": "en", "next": "/"}).status_code == 302
        db.session.expire_all()
        assert db.session.scalar(select(User.locale).where(User.id == user.id)) == "en"
