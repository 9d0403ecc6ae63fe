"""Rate limits stay strict with Redis down (counted in the database), and failed log-ins lock
an (account, address) pair, never the account for everyone."""
from __future__ import annotations

import logging
import random
import uuid

import pytest
import sqlalchemy as sa

from courses.extensions import db
from tests.factories import PASSWORD, make_user

CLOSED_REDIS = "redis://:hunter2-secret@127.0.0.1:1/0"  # a closed port, with a password not to log
REDIS_URL = "redis://127.0.0.1:6379/0"
GENERIC_FAILURE = "Email hoặc mật khẩu không đúng."
TOO_MANY = "Bạn đã thử quá nhiều lần"


def _address() -> str:
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


def _post_login(app, email, password, address):
    return app.test_client().post("/auth/login", data={"email": email, "password": password},
                                  environ_base={"REMOTE_ADDR": address})


def _apps(make_app, count=2, **config):
    settings = {"RATELIMIT_ENABLED": True, "LOGIN_FAILURES_PER_EMAIL": "5 per 15 minutes",
                "LOGIN_FAILURES_PER_ACCOUNT": "20 per 15 minutes", "LOGIN_RATE_LIMIT": "100 per minute",
                "RATELIMIT_STORAGE_URI": CLOSED_REDIS}
    settings.update(config)
    return [make_app(**settings) for _ in range(count)]


def _redis_or_skip():
    redis = pytest.importorskip("redis")
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not running at {REDIS_URL}")
    return connection


def _admin(app):
    with app.app_context():
        from courses.enums import Role

        # Unique, since runs in parallel may share Redis.
        email = make_user(role=Role.ADMIN, email=f"quan-tri-{uuid.uuid4().hex[:10]}@example.vn").email
        db.session.remove()
    return email


def test_with_redis_down_two_processes_together_lock_at_the_sixth_failure(make_app, caplog):
    first, second = _apps(make_app)
    email = _admin(first)
    attacker = _address()
    caplog.set_level(logging.WARNING)
    statuses = []
    for attempt in range(5):  # alternately through each "process"
        app = (first, second)[attempt % 2]
        response = _post_login(app, email, "Sai123456", attacker)
        statuses.append(response.status_code)
        assert GENERIC_FAILURE in response.get_data(as_text=True)
    assert statuses == [200] * 5
    # The 6th attempt, even with the right password, through either server: locked.
    for app in (first, second):
        blocked = _post_login(app, email, PASSWORD, attacker)
        assert blocked.status_code == 429 and TOO_MANY in blocked.get_data(as_text=True)
        assert int(blocked.headers["Retry-After"]) > 0
    with first.app_context():
        rows = db.session.execute(sa.text("SELECT count(*) FROM rate_limit_counters")).scalar_one()
        assert rows > 0, "the counters were kept in the database"
        db.session.remove()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING
                and "rate limit storage" in r.getMessage()]
    assert warnings and "127.0.0.1:1" in warnings[0]
    assert "hunter2-secret" not in caplog.text


SECOND_PROCESS = """
import json, sys
from config import TestingConfig
from courses import create_app
settings = json.loads(sys.argv[1])
app = create_app(TestingConfig, **settings)
client = app.test_client()
for _ in range(int(sys.argv[4])):
    response = client.post("/auth/login", data={"email": sys.argv[2], "password": "Sai123456"},
                           environ_base={"REMOTE_ADDR": sys.argv[3]})
    assert response.status_code == 200, response.status_code
"""


def test_with_redis_down_a_real_second_process_counts_in_the_same_place(make_app, database_url, tmp_path):
    """Two processes, as behind gunicorn: memory counts would lock only at the 9th failure here."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    settings = {"RATELIMIT_ENABLED": True, "LOGIN_FAILURES_PER_EMAIL": "5 per 15 minutes",
                "LOGIN_RATE_LIMIT": "100 per minute", "RATELIMIT_STORAGE_URI": CLOSED_REDIS,
                "SQLALCHEMY_DATABASE_URI": database_url, "UPLOAD_DIR": str(tmp_path / "u"),
                "JOB_RESULTS_DIR": str(tmp_path / "j")}
    (app,) = _apps(make_app, count=1)
    email, attacker = _admin(app), _address()
    for _ in range(3):
        assert _post_login(app, email, "Sai123456", attacker).status_code == 200
    subprocess.run([sys.executable, "-c", SECOND_PROCESS, json.dumps(settings), email, attacker, "2"],
                   cwd=Path(__file__).resolve().parent.parent, check=True, capture_output=True)
    assert _post_login(app, email, PASSWORD, attacker).status_code == 429  # the 6th attempt


def test_with_redis_down_per_address_posts_stop_at_the_limit_across_processes(make_app):
    first, second = _apps(make_app, LOGIN_RATE_LIMIT="6 per minute", LOGIN_FAILURES_PER_EMAIL="100 per minute")
    address = _address()
    statuses = [_post_login((first, second)[i % 2], f"u{i}@example.vn", "x", address).status_code
                for i in range(7)]
    assert statuses == [200] * 6 + [429]


def test_healthz_says_degraded_while_the_rate_limit_store_is_unreachable(make_app, caplog):
    (app,) = _apps(make_app, count=1)
    caplog.set_level(logging.WARNING)
    response = app.test_client().get("/healthz")
    assert response.status_code == 200  # the limits still hold (database): keep serving
    assert response.get_json() == {"status": "degraded", "database": "ok", "rate_limits": "unavailable"}
    assert "hunter2-secret" not in caplog.text and "127.0.0.1:1" in caplog.text


def test_healthz_says_ok_with_redis_answering(make_app):
    _redis_or_skip()
    (app,) = _apps(make_app, count=1, RATELIMIT_STORAGE_URI=REDIS_URL)
    assert app.test_client().get("/healthz").get_json() == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize("store", ["memory", "redis", "redis-down"])
def test_the_owner_gets_in_from_another_address_after_an_attacker_failed_five_times(make_app, store):
    uri = {"memory": "memory://", "redis": REDIS_URL, "redis-down": CLOSED_REDIS}[store]
    if store == "redis":
        _redis_or_skip()
    (app,) = _apps(make_app, count=1, RATELIMIT_STORAGE_URI=uri)
    email = _admin(app)
    attacker, owner = _address(), _address()
    for _ in range(5):
        assert _post_login(app, email, "Sai123456", attacker).status_code == 200
    assert _post_login(app, email, PASSWORD, attacker).status_code == 429  # the attacker's pair is locked
    assert _post_login(app, email, PASSWORD, owner).status_code == 302  # the owner is not
    assert _post_login(app, email, PASSWORD, attacker).status_code == 429  # still locked for the attacker


def test_past_the_account_threshold_every_address_is_slowed_but_a_fresh_one_gets_its_try(make_app):
    (app,) = _apps(make_app, count=1, RATELIMIT_STORAGE_URI="memory://", LOGIN_FAILURES_PER_ACCOUNT="4 per hour",
                   LOGIN_SLOWDOWN="1 per minute")
    email = _admin(app)
    rotating = [_address() for _ in range(6)]
    # Below the account threshold an address may fail several times.
    first = rotating[0]
    assert [_post_login(app, email, "Sai1", first).status_code for _ in range(2)] == [200, 200]
    for address in rotating[1:3]:
        assert _post_login(app, email, "Sai1", address).status_code == 200
    # 4 failures: the threshold is reached; from now on each address gets one failure a minute.
    assert _post_login(app, email, "Sai1", rotating[3]).status_code == 200
    assert _post_login(app, email, "Sai1", rotating[3]).status_code == 429
    assert _post_login(app, email, "Sai1", first).status_code == 429  # it had failed this minute
    # An address that has not failed still gets its try: the right password gets in.
    assert _post_login(app, email, PASSWORD, rotating[5]).status_code == 302


def test_the_lock_looks_the_same_for_an_unknown_email(make_app):
    (app,) = _apps(make_app, count=1, RATELIMIT_STORAGE_URI="memory://")
    email = _admin(app)
    address = _address()
    answers = {}
    for who in (email, f"khong-ton-tai-{uuid.uuid4().hex[:8]}@example.vn"):
        failures = [_post_login(app, who, "Sai123456", address) for _ in range(5)]
        assert all(r.status_code == 200 and GENERIC_FAILURE in r.get_data(as_text=True) for r in failures)
        locked = _post_login(app, who, "Sai123456", address)
        answers[who] = (locked.status_code, locked.get_data(as_text=True).replace(who, ""))
    known, unknown = answers.values()
    assert known[0] == unknown[0] == 429
    assert TOO_MANY in known[1] and TOO_MANY in unknown[1]
