"""Production settings: gunicorn from the environment, Redis for the limits, stateless servers."""
from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from flask.sessions import SecureCookieSessionInterface

from config import install_proxy_fix, ratelimit_storage_uri
from courses.enums import Role
from courses.permissions import AccessRule
from tests.factories import make_user

ROOT = Path(__file__).resolve().parent.parent


def gunicorn_settings(monkeypatch, **env) -> dict:
    for name in ("HOST", "PORT", "WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_reads_workers_threads_and_address_from_the_environment(monkeypatch):
    settings = gunicorn_settings(monkeypatch, HOST="0.0.0.0", PORT="8123", WEB_CONCURRENCY="3",
                                 GUNICORN_THREADS="8", GUNICORN_TIMEOUT="45")
    assert settings["bind"] == ["0.0.0.0:8123"]
    assert (settings["workers"], settings["threads"], settings["worker_class"]) == (3, 8, "gthread")
    assert settings["timeout"] == 45
    assert settings["wsgi_app"] == "run:app" and settings["accesslog"] == "-"
    assert settings["preload_app"] is False  # no database connection crosses a fork


def test_gunicorn_defaults_listen_locally_with_workers_per_core(monkeypatch):
    settings = gunicorn_settings(monkeypatch)
    assert settings["bind"] == ["127.0.0.1:8000"]
    assert 3 <= settings["workers"] <= 12
    assert settings["threads"] == 4 and settings["timeout"] == 60


def test_one_thread_uses_sync_workers(monkeypatch):
    assert gunicorn_settings(monkeypatch, GUNICORN_THREADS="1")["worker_class"] == "sync"


@pytest.mark.parametrize("environ, expected", [
    ({}, "memory://"),
    ({"REDIS_URL": "redis://cache:6379/2"}, "redis://cache:6379/2"),
    ({"REDIS_URL": "redis://cache:6379/2", "RATELIMIT_STORAGE_URI": "memcached://m:11211"}, "memcached://m:11211"),
    ({"RATELIMIT_STORAGE_URI": "redis://other:6379/0"}, "redis://other:6379/0"),
    ({"REDIS_URL": ""}, "memory://"),
])
def test_redis_url_implies_the_rate_limit_storage_unless_set(environ, expected):
    assert ratelimit_storage_uri(environ) == expected


def _config_in_a_fresh_process(**env) -> dict:
    """The production app's settings, as a new process with this environment sees them."""
    code = ("import json; from courses import create_app; from config import ProductionConfig; "
            "app = create_app(ProductionConfig); c = app.config; "
            "print(json.dumps({k: c[k] for k in ('RATELIMIT_STORAGE_URI', 'REDIS_URL', 'JOB_RESULTS_DIR', "
            "'UPLOAD_DIR', 'JOB_QUEUE', 'PROXY_COUNT', 'LOGIN_RATE_LIMIT')}))")
    environ = {k: v for k, v in os.environ.items()
               if k not in ("REDIS_URL", "RATELIMIT_STORAGE_URI", "JOB_RESULTS_DIR", "UPLOAD_DIR", "APP_CONFIG")}
    environ.update(SECRET_KEY="s" * 40, DATABASE_URL="sqlite://", **env)
    output = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environ, check=True,
                            capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def test_a_production_process_takes_redis_and_shared_directories_from_the_environment():
    config = _config_in_a_fresh_process(REDIS_URL="redis://10.0.0.5:6379/1", JOB_RESULTS_DIR="/srv/shared/jobs",
                                        UPLOAD_DIR="/srv/shared/uploads", JOB_QUEUE="bloc", PROXY_COUNT="1")
    assert config["RATELIMIT_STORAGE_URI"] == "redis://10.0.0.5:6379/1"
    assert config["REDIS_URL"] == "redis://10.0.0.5:6379/1"
    assert (config["JOB_RESULTS_DIR"], config["UPLOAD_DIR"]) == ("/srv/shared/jobs", "/srv/shared/uploads")
    assert (config["JOB_QUEUE"], config["PROXY_COUNT"]) == ("bloc", 1)


def test_without_redis_limits_count_in_memory_and_results_stay_under_instance():
    config = _config_in_a_fresh_process()
    assert config["RATELIMIT_STORAGE_URI"] == "memory://" and config["REDIS_URL"] == ""
    assert config["JOB_RESULTS_DIR"].endswith("instance/job-results")


def test_sessions_are_signed_cookies_any_app_server_can_read(make_app):
    """Stateless servers: a log-in made on one app instance is valid on another."""
    first, second = make_app(), make_app()
    assert isinstance(first.session_interface, SecureCookieSessionInterface)
    with first.app_context():
        email = make_user(role=Role.ADMIN).email
    client = first.test_client()
    assert client.post("/auth/login", data={"email": email, "password": "Matkhau123"}).status_code == 302
    cookie = client.get_cookie("session")
    other = second.test_client()
    other.set_cookie(cookie.key, cookie.value)
    assert other.get("/admin/users").status_code == 200


def test_log_in_posts_are_throttled_with_a_vietnamese_page(make_app):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    codes = [client.post("/auth/login", data={"email": "x@example.vn", "password": "sai"}).status_code
             for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = client.post("/auth/login", data={"email": "x@example.vn", "password": "sai"})
    assert "Bạn đã thử quá nhiều lần" in response.get_data(as_text=True)
    assert client.get("/auth/login").status_code == 200  # reading the form is not limited


def test_behind_a_trusted_proxy_the_client_address_is_the_forwarded_one(make_app):
    app = make_app()
    seen = []

    @app.route("/_addr")
    def addr():
        from flask import request
        seen.append((request.remote_addr, request.scheme))
        return ""
    addr.access_rule = AccessRule(public=True)

    headers = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    app.test_client().get("/_addr", headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    install_proxy_fix(app, 1)
    app.test_client().get("/_addr", headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert seen == [("10.0.0.2", "http"), ("203.0.113.9", "https")]


def test_with_redis_down_log_in_still_works_and_is_still_throttled_in_memory(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0",
                   LOGIN_RATE_LIMIT="2 per minute")
    client = app.test_client()
    codes = [client.post("/auth/login", data={"email": "x@example.vn", "password": "sai"}).status_code
             for _ in range(4)]
    assert 500 not in codes and codes[-1] == 429, codes
