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

from courses.certificates.signing import DEMO_PASSWORD, make_demo_p12
from courses.enums import Role
from tests.factories import make_user

pytestmark = pytest.mark.multiprocess

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
IN_CI = os.environ.get("CI", "").lower() == "true"
LOGIN_LIMIT = 4
THREADS_PER_SERVER = 8


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

    def __init__(self, client_address: str | None = None):
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(NoRedirect)
        # As nginx would send it: each participant from an address of their own.
        self.headers = {"X-Forwarded-For": client_address} if client_address else {}

    def request(self, base: str, path: str, data: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(base + path, data=body, headers=self.headers)
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
        return re.search(rb'name="csrf_token"[^>]*? value="([^"]+)"', body).group(1).decode()

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
        # One process per server, several threads: requests of both servers overlap in the database.
        HOST="127.0.0.1", WEB_CONCURRENCY="1", GUNICORN_THREADS=str(THREADS_PER_SERVER), PYTHONUNBUFFERED="1",
        # As behind nginx: X-Forwarded-For names the client (the race test's participants each
        # have an address of their own, so the log-in limit of one address does not stop them).
        PROXY_COUNT="1",
        # Production signs certificates with the unit's key; the servers and the worker share
        # it and the QR statements' keys, as a deployment shares its key folder.
        CERT_SIGNING_P12=str(make_demo_p12(shared / "unit-signing.p12")),
        CERT_SIGNING_PASSWORD=DEMO_PASSWORD.decode(), CERT_KEY_DIR=str(shared / "certificate-keys"),
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



def job_state_when_done(browser, server, job_path: str, seconds: float) -> dict:
    """Poll a job's status page on server until it is finished or failed (or seconds pass)."""
    import json

    deadline = time.monotonic() + seconds
    while True:
        status, _, body = browser.request(server, f"{job_path}/status")
        assert status == 200
        state = json.loads(body)
        if state["status"] in ("finished", "failed") or time.monotonic() > deadline:
            return state
        time.sleep(0.3)

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

    state = job_state_when_done(browser, cluster["b"], job_path, seconds=90)
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



SEATS = 10
PER_SERVER = 20
CONFIRMED_MESSAGE = "Đăng ký thành công: đồng chí đã có chỗ trong lớp."
# «Lớp đã đủ 10 chỗ. Đồng chí đang ở vị trí N trong danh sách chờ. Đồng chí sẽ được …»
WAITLISTED_MESSAGE = "Đồng chí sẽ được xác nhận tự động khi có chỗ."


def participants_with_one_password(count: int):
    """count participants who log in with the factories' password (hashed once, not count times)."""
    from werkzeug.security import generate_password_hash

    from courses.extensions import db
    from tests.factories import PASSWORD, make_users_fast

    users = make_users_fast(count)
    password_hash = generate_password_hash(PASSWORD)
    for user in users:
        user.password_hash = password_hash
    db.session.commit()
    return users


def seats_left(page: bytes) -> str:
    return re.search(r"Còn (\d+/\d+) chỗ", page.decode()).group(1)


def test_registration_race_across_two_processes_never_exceeds_capacity(cluster, setup_app):
    """2 × 20 participants, logged in on both servers, press «Đăng ký học» at the same moment
    for a 10-seat course: exactly 10 get a seat, 30 are waitlisted, and everyone is told so."""
    import threading
    from collections import Counter
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import func, select

    from courses.enrollment.models import Enrollment
    from courses.enums import EnrollmentStatus
    from courses.extensions import db
    from tests.factories import make_course

    course = make_course(capacity=SEATS)
    course_id = course.id
    organizer = make_user(role=Role.ORGANIZER)
    users = [(user.id, user.email) for user in participants_with_one_password(2 * PER_SERVER)]
    servers = [cluster["a"], cluster["b"]]
    # Participant n uses server n % 2 for everything: log-in, the course page, the POST.
    browsers = [Browser(client_address=f"10.9.{n // 200}.{n % 200 + 1}") for n in range(len(users))]
    course_path = f"/courses/{course_id}"

    def prepare(n: int) -> str:
        base = servers[n % 2]
        status, _, _ = browsers[n].log_in(base, users[n][1])
        assert status == 302, (users[n][1], status)
        return browsers[n].csrf_token(base, course_path)  # the token of the register form

    with ThreadPoolExecutor(max_workers=2 * THREADS_PER_SERVER) as pool:
        tokens = list(pool.map(prepare, range(len(users))))

    start = threading.Barrier(len(users))

    def press_register(n: int):
        base = servers[n % 2]
        start.wait(timeout=60)
        status, headers, _ = browsers[n].request(base, f"/enrollment/courses/{course_id}/register",
                                                  {"csrf_token": tokens[n]})
        return status, headers.get("Location", "")

    with ThreadPoolExecutor(max_workers=len(users)) as pool:
        answers = list(pool.map(press_register, range(len(users))))
    # No 500, no refused token: every press is answered with the course page.
    assert all(status == 302 and location.endswith(course_path) for status, location in answers), answers
    for name in ("app-a", "app-b"):
        served = cluster["logs"][name].read_text().count(f"POST /enrollment/courses/{course_id}/register 302")
        assert served == PER_SERVER, (name, served)

    # What each participant is told on the page they land on.
    told = {}
    for n, (user_id, _email) in enumerate(users):
        status, _, page = browsers[n].request(servers[n % 2], course_path)
        assert status == 200
        text = page.decode()
        told[user_id] = ("confirmed" if CONFIRMED_MESSAGE in text else
                         "waitlisted" if WAITLISTED_MESSAGE in text else text)
        assert seats_left(page) == f"0/{SEATS}"
    outcome = Counter(v if v in ("confirmed", "waitlisted") else "other" for v in told.values())
    assert outcome == {"confirmed": SEATS, "waitlisted": 2 * PER_SERVER - SEATS}, \
        (outcome, [v[-2000:] for v in told.values() if v not in ("confirmed", "waitlisted")][:1])

    # The database agrees with what they were told, user by user.
    db.session.expire_all()
    stored = dict(db.session.execute(
        select(Enrollment.user_id, Enrollment.status).where(Enrollment.course_id == course_id)).all())
    assert {user_id: status.value for user_id, status in stored.items()} == told
    assert db.session.scalar(select(func.count()).select_from(Enrollment).where(
        Enrollment.course_id == course_id, Enrollment.status == EnrollmentStatus.CONFIRMED)) == SEATS

    # The organizer's roster, on either server, shows the same counts.
    staff = Browser(client_address="10.8.0.1")
    assert staff.log_in(cluster["b"], organizer.email)[0] == 302
    for base in servers:
        status, _, roster = staff.request(base, f"/enrollment/courses/{course_id}/roster")
        assert status == 200
        counts = roster.decode().split('id="counts-by-status"', 1)[1].split("</ul>", 1)[0]
        assert f"Đã xác nhận</a>: <strong>{SEATS}</strong>" in counts
        assert f"Danh sách chờ</a>: <strong>{2 * PER_SERVER - SEATS}</strong>" in counts
        status, _, page = staff.request(base, course_path)
        assert seats_left(page) == f"0/{SEATS}"


def test_certificates_printed_as_a_job_by_the_worker_and_downloaded_from_the_other_server(
        cluster, setup_app, fast_password_hashing):
    from pypdf import PdfReader

    from courses.certificates import issuing, lookups
    from tests.factories import make_finished_course

    course, _sessions, enrollments = make_finished_course(topics=1, participants=40)
    issued = issuing.issue_all(None, lookups.load_course(course.id))
    assert len(issued) == 40
    organizer = make_user(role=Role.ORGANIZER)
    browser = Browser(client_address="10.7.0.1")  # the throttling test used up 127.0.0.1's log-ins
    assert browser.log_in(cluster["a"], organizer.email)[0] == 302
    status, _, page = browser.request(cluster["a"], f"/certificates/courses/{course.id}")
    assert status == 200 and "In tất cả như tác vụ nền".encode() in page
    token = re.search(rb'name="csrf_token"[^>]*? value="([^"]+)"', page).group(1).decode()
    status, headers, _ = browser.request(cluster["a"], "/jobs/new", {
        "kind": "certificates.print_course", "course_id": str(course.id), "csrf_token": token})
    assert status == 302, headers
    job_path = urllib.parse.urlsplit(headers["Location"]).path
    job_id = int(job_path.rsplit("/", 1)[1])

    state = job_state_when_done(browser, cluster["b"], job_path, seconds=120)
    assert state["status"] == "finished", (state, cluster["logs"]["worker"].read_text()[-3000:])
    assert (state["done"], state["total"], state["percent"]) == (40, 40, 100)
    assert f"{cluster['prefix']}-job-{job_id}-try-1" in cluster["logs"]["worker"].read_text()

    status, headers, data = browser.request(cluster["b"], f"{job_path}/download")
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(data)).pages) == 40

    # A participant, even one printed in the file, neither sees the job nor gets the file.
    participant = Browser(client_address="10.7.0.2")
    assert participant.log_in(cluster["b"], enrollments[0].user.email)[0] == 302
    for path in (job_path, f"{job_path}/status", f"{job_path}/download"):
        assert participant.request(cluster["a"], path)[0] == 403, path
