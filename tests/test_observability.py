"""Request ids, request and error logging with the user, and the /healthz endpoint."""
from __future__ import annotations

import logging
import re

from courses.permissions import public
from tests.factories import make_user


def test_a_request_id_is_generated_and_echoed(client):
    first = client.get("/").headers["X-Request-ID"]
    second = client.get("/").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second


def test_the_proxy_request_id_is_kept(client):
    assert client.get("/", headers={"X-Request-ID": "lb-1234.abc"}).headers["X-Request-ID"] == "lb-1234.abc"


def test_a_request_id_that_is_not_a_plain_token_is_replaced(client):
    for forged in ("a b", "x" * 200, "id;Set-Cookie: a=b", "<script>", "ạ"):
        echoed = client.get("/", headers={"X-Request-ID": forged}).headers["X-Request-ID"]
        assert echoed != forged and re.fullmatch(r"[0-9a-f]{32}", echoed)


def test_error_responses_carry_the_request_id_too(client):
    response = client.get("/khong-co", headers={"X-Request-ID": "req-404"})
    assert response.status_code == 404 and response.headers["X-Request-ID"] == "req-404"


def test_each_request_is_logged_with_its_id_and_user(client, as_user, caplog):
    user = make_user()
    as_user(user)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="courses"):
        client.get("/auth/password", headers={"X-Request-ID": "req-log-1"})
    lines = [r for r in caplog.records if r.name == "courses" and "GET /auth/password 200" in r.getMessage()]
    assert lines, caplog.text
    assert lines[0].request_id == "req-log-1"
    assert lines[0].user_id == user.id


def test_anonymous_requests_are_logged_without_a_user(client, caplog):
    with caplog.at_level(logging.INFO, logger="courses"):
        client.get("/", headers={"X-Request-ID": "req-anon"})
    line = next(r for r in caplog.records if "GET / 200" in r.getMessage())
    assert line.request_id == "req-anon" and line.user_id == "-"


def test_the_log_format_names_request_and_user():
    from flask.logging import default_handler

    record = logging.LogRecord("courses", logging.INFO, __file__, 1, "hello", None, None)
    for log_filter in default_handler.filters:
        log_filter.filter(record)
    line = default_handler.formatter.format(record)
    assert "request=- user=- courses: hello" in line


def test_errors_are_logged_with_the_user(app, client, as_user, caplog):
    @app.route("/boom-user")
    @public
    def boom():
        raise ValueError("broken")

    user = make_user()
    as_user(user)
    client.get("/boom-user", headers={"X-Request-ID": "req-err"})
    error = next(r for r in caplog.records if r.levelname == "ERROR")
    assert error.request_id == "req-err" and error.user_id == user.id and error.exc_info


def test_healthz_says_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert "session" not in response.headers.get("Set-Cookie", "")


def test_healthz_says_503_when_the_database_is_unreachable(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/no/such/folder/db.sqlite3")
    with app.app_context():
        response = app.test_client().get("/healthz")
        assert response.status_code == 503
        assert response.get_json() == {"status": "error", "database": "unreachable"}


def test_healthz_says_503_when_postgresql_is_unreachable(make_app):
    app = make_app(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2")
    with app.app_context():
        response = app.test_client().get("/healthz")
        assert response.status_code == 503
