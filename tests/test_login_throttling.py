"""Log-in throttling (Flask-Limiter, in memory or in Redis) and generic failure messages."""
from __future__ import annotations

import random
import uuid

import pytest

from courses.extensions import db
from tests.factories import PASSWORD, make_user

REDIS_URL = "redis://127.0.0.1:6379/0"
TOO_MANY = "Quá nhiều yêu cầu"
GENERIC_FAILURE = "Email hoặc mật khẩu không đúng."


def _address() -> str:
    """A client address of its own, so parallel runs sharing Redis never share a counter."""
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


def _post_login(client, email, password, address):
    return client.post("/auth/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def _throttled_app(make_app, **config):
    settings = {"RATELIMIT_ENABLED": True, "LOGIN_FAILURES_PER_EMAIL": "3 per minute",
                "LOGIN_RATE_LIMIT": "100 per minute"}
    settings.update(config)
    return make_app(**settings)


def _check_failures_per_email_are_throttled(app):
    with app.app_context():
        email = f"nan-nhan-{uuid.uuid4().hex[:8]}@example.vn"
        bystander = f"nguoi-khac-{uuid.uuid4().hex[:8]}@example.vn"
        make_user(email=email)
        make_user(email=bystander)
        client = app.test_client()
        attacker = _address()
        for _attempt in range(3):
            response = _post_login(client, email, "Sai123456", attacker)
            assert response.status_code == 200 and GENERIC_FAILURE in response.get_data(as_text=True)
        blocked = _post_login(client, email, PASSWORD, attacker)  # even the right password, from there
        assert blocked.status_code == 429
        body = blocked.get_data(as_text=True)
        assert TOO_MANY in body and "Vui lòng đợi một lát" in body and "<nav" in body
        assert "Retry-After" in blocked.headers
        # Another account is not locked by this one's failures, even from that address.
        assert _post_login(app.test_client(), bystander, PASSWORD, attacker).status_code == 302
        # Nor is the account itself for its owner at another address (tests/test_limits_strict.py).
        assert _post_login(app.test_client(), email, PASSWORD, _address()).status_code == 302
        db.session.remove()


def test_failed_log_ins_are_throttled_per_account_in_memory(make_app):
    _check_failures_per_email_are_throttled(_throttled_app(make_app))


def test_failed_log_ins_are_throttled_in_redis(make_app):
    redis = pytest.importorskip("redis")
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not running at {REDIS_URL}")
    app = _throttled_app(make_app, RATELIMIT_STORAGE_URI=REDIS_URL)
    _check_failures_per_email_are_throttled(app)
    assert connection.keys("*login-fail/nan-nhan-*"), "the counters are kept in Redis"


def test_successful_log_ins_do_not_count_against_the_account(make_app):
    app = _throttled_app(make_app)
    with app.app_context():
        user = make_user()
        for _ in range(5):
            client = app.test_client()
            assert _post_login(client, user.email, PASSWORD, _address()).status_code == 302


def test_log_in_posts_are_throttled_per_address(make_app):
    app = _throttled_app(make_app, LOGIN_RATE_LIMIT="4 per minute", LOGIN_FAILURES_PER_EMAIL="100 per minute")
    with app.app_context():
        client = app.test_client()
        address = _address()
        statuses = [_post_login(client, f"u{i}@example.vn", "x", address).status_code for i in range(5)]
        assert statuses == [200, 200, 200, 200, 429]
        assert _post_login(client, "u@example.vn", "x", _address()).status_code == 200  # another address
        assert client.get("/auth/login", environ_base={"REMOTE_ADDR": address}).status_code == 200  # GET is free


def test_sign_up_posts_are_throttled_per_address(make_app):
    app = _throttled_app(make_app, LOGIN_RATE_LIMIT="2 per minute")
    with app.app_context():
        client = app.test_client()
        address = _address()
        statuses = [client.post("/auth/register", data={}, environ_base={"REMOTE_ADDR": address}).status_code
                    for _ in range(3)]
        assert statuses == [200, 200, 429]


def test_failure_message_is_the_same_whatever_was_wrong(client):
    make_user(email="co-that@example.vn")
    inactive = make_user(email="da-khoa@example.vn")
    inactive.is_active_account = False
    db.session.commit()
    answers = [
        client.post("/auth/login", data={"email": "khong-co@example.vn", "password": PASSWORD}),
        client.post("/auth/login", data={"email": "co-that@example.vn", "password": "Sai123456"}),
        client.post("/auth/login", data={"email": "da-khoa@example.vn", "password": PASSWORD}),
    ]
    for response in answers:
        body = response.get_data(as_text=True)
        assert response.status_code == 200 and GENERIC_FAILURE in body
        assert "không tồn tại" not in body and "bị khóa" not in body
