"""Two app servers, one PostgreSQL schema, one Redis, one worker: scale-out, end to end.

Runs only on PostgreSQL (TEST_DATABASE_URL) with Redis reachable (TEST_REDIS_URL, default
redis://127.0.0.1:6379/13). Under CI=true an unreachable Redis fails the run instead of
skipping. Every Redis key this module makes carries a random prefix and is deleted after.
"""
from __future__ import annotations

import io
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from openpyxl import load_workbook

from courses.enums import Role
from tests.conftest import POSTGRES_URL
from tests.factories import make_user

pytestmark = pytest.mark.multiprocess

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
IN_CI = os.environ.get("CI", "").lower() == "true"
LOGIN_LIMIT = 4


def redis_or_skip():
    """A client of the test Redis; skips (or, in CI, fails) when it cannot be reached."""
    from redis import Redis
    from redis.exceptions import RedisError

    client = Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except RedisError as error:
        message = f"Redis at {REDIS_URL} is unreachable: {error}"
        if IN_CI:
            pytest.fail(message + " (CI=true: the multi-process tests must run)", pytrace=False)
        pytest.skip(message)
    return client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """A minimal HTTP client with its own cookie jar (also for Secure cookies over plain HTTP)."""

    def __init__(self):
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(NoRedirect)

    def request(self, base: str, path: str, data: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(base + path, data=body)
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response.status, response.headers, response.read()

    def csrf_token(self, base: str, path: str) -> str:
        status, _, body = self.request(base, path)
        assert status == 200, (path, status)
        return re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', body).group(1).decode()

    def log_in(self, base: str, email: str, password: str = "Matkhau123"):
        token = self.csrf_token(base, "/auth/login")
        return self.request(base, "/auth/login", {"email": email, "password": password, "csrf_token": token})


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def wait_until_serving(base: str, process: subprocess.Popen, log: Path, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(base + "/auth/login", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    pytest.fail(f"server at {base} did not answer:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def cluster(database, tmp_path_factory):
    """Two gunicorn app servers and one RQ worker on one schema and one Redis."""
    if database["kind"] != "postgresql":
        pytest.skip("multi-process tests need TEST_DATABASE_URL (PostgreSQL)")
    redis = redis_or_skip()
    prefix = f"courses-test-{secrets.token_hex(4)}"
    shared = tmp_path_factory.mktemp("shared")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN_", "FLASK_"))}
    env.update(
        APP_CONFIG="production", SECRET_KEY=secrets.token_hex(32), DATABASE_URL=database["url"],
        REDIS_URL=REDIS_URL, JOB_QUEUE=prefix, RATELIMIT_KEY_PREFIX=prefix,
        LOGIN_RATE_LIMIT=f"{LOGIN_LIMIT} per minute",
        JOB_RESULTS_DIR=str(shared / "job-results"), UPLOAD_DIR=str(shared / "uploads"),
        HOST="127.0.0.1", WEB_CONCURRENCY="1", GUNICORN_THREADS="2", PYTHONUNBUFFERED="1",
    )
    env.pop("RATELIMIT_STORAGE_URI", None)  # REDIS_URL alone must move the limits to Redis
    processes, logs, bases = [], {}, []
    try:
        for name in ("app-a", "app-b"):
            port = free_port()
            log = shared / f"{name}.log"
            process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"], cwd=ROOT,
                env={**env, "PORT": str(port)}, stdout=log.open("w"), stderr=subprocess.STDOUT)
            processes.append(process)
            logs[name] = log
            bases.append(f"http://127.0.0.1:{port}")
        worker_log = shared / "worker.log"
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "run", "worker"], cwd=ROOT, env=env,
            stdout=worker_log.open("w"), stderr=subprocess.STDOUT))
        logs["worker"] = worker_log
        for base, process, name in zip(bases, processes, ("app-a", "app-b")):
            wait_until_serving(base, process, logs[name])
        yield {"a": bases[0], "b": bases[1], "logs": logs, "prefix": prefix, "redis": redis,
               "worker": processes[2]}
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        for key in redis.scan_iter(match=f"*{prefix}*", count=500):
            redis.delete(key)
        for registry_key in ("rq:queues", "rq:workers"):
            stale = [m for m in redis.smembers(registry_key) if prefix.encode() in m]
            if stale:
                redis.srem(registry_key, *stale)
        redis.close()


@pytest.fixture
def setup_app(make_app):
    """An app on the same schema, to create the test's rows (emptied after the test)."""
    app = make_app()
    with app.app_context():
        yield app


def test_a_job_started_on_one_server_is_run_by_the_worker_and_downloaded_from_the_other(cluster, setup_app):
    admin = make_user(role=Role.ADMIN, full_name="Nguyễn Thị Quản Trị")
    for n in range(30):
        make_user(full_name=f"Học Viên Số {n:02d}")
    browser = Browser()
    status, _, _ = browser.log_in(cluster["a"], admin.email)
    assert status == 302
    token = browser.csrf_token(cluster["a"], "/jobs/")
    status, headers, _ = browser.request(cluster["a"], "/jobs/new",
                                         {"kind": "users.export_xlsx", "q": "", "role": "", "csrf_token": token})
    assert status == 302, headers
    job_path = urllib.parse.urlsplit(headers["Location"]).path
    job_id = int(job_path.rsplit("/", 1)[1])

    import json
    deadline = time.monotonic() + 90
    while True:
        status, _, body = browser.request(cluster["b"], f"{job_path}/status")
        assert status == 200
        state = json.loads(body)
        if state["status"] in ("finished", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert state["status"] == "finished", (state, cluster["logs"]["worker"].read_text()[-3000:])
    assert (state["done"], state["total"], state["percent"]) == (31, 31, 100)
    # The worker ran it (not a thread in app server A): its log names the RQ job.
    assert f"{cluster['prefix']}-job-{job_id}-try-1" in cluster["logs"]["worker"].read_text()

    status, _, page = browser.request(cluster["b"], job_path)
    assert status == 200 and "Tải tệp kết quả".encode() in page
    status, headers, data = browser.request(cluster["b"], f"{job_path}/download")
    assert status == 200 and "attachment" in headers["Content-Disposition"]
    names = [row[1] for row in load_workbook(io.BytesIO(data)).active.iter_rows(min_row=2, values_only=True)]
    assert len(names) == 31 and "Nguyễn Thị Quản Trị" in names and "Học Viên Số 29" in names

    # Another user, on either server, is refused the file.
    stranger = make_user()
    other = Browser()
    assert other.log_in(cluster["b"], stranger.email)[0] == 302
    assert other.request(cluster["a"], f"{job_path}/download")[0] == 403


def test_log_in_throttling_is_shared_by_both_servers(cluster, setup_app):
    make_user(email="throttled@example.vn")
    redis = cluster["redis"]
    for key in redis.scan_iter(match=f"*{cluster['prefix']}*"):  # earlier tests' log-ins start no count
        if not key.startswith(b"rq:"):
            redis.delete(key)
    browser = Browser()
    servers = [cluster["a"], cluster["b"]]
    codes = []
    for attempt in range(LOGIN_LIMIT + 2):
        base = servers[attempt % 2]
        token = browser.csrf_token(base, "/auth/login")
        status, _, body = browser.request(base, "/auth/login",
                                          {"email": "throttled@example.vn", "password": "sai-mat-khau1",
                                           "csrf_token": token})
        codes.append(status)
    # Each server alone saw at most LOGIN_LIMIT/2 + 1 attempts; only a shared count reaches the limit.
    assert codes == [200] * LOGIN_LIMIT + [429, 429], codes
    assert "Bạn đã thử quá nhiều lần".encode() in body
    assert any(not key.startswith(b"rq:") for key in redis.scan_iter(match=f"*{cluster['prefix']}*"))


def test_registration_race_across_two_processes_never_exceeds_capacity(cluster):
    """Fire registrations for one course at both servers at once: confirmed ≤ capacity.

    To be written against the enrollment service (issue 4): 2 servers × 25 concurrent
    registrations for a 10-seat course → exactly 10 confirmed, the rest waitlisted.
    """
    pytest.skip("enrollment service not merged yet")
