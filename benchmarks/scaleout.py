"""Scale-out figures for docs/DEPLOY.md, measured against running app servers.

    registrations  N participants, logged in on the given servers (round robin), press
                   «Đăng ký học» for one fresh course at the same moment; prints
                   registrations per second and the outcome (confirmed / waitlisted).
    print          an organizer starts «In giấy chứng nhận của một lớp (PDF)» for a course
                   and polls its status like the job page does; prints the seconds until
                   the PDF is ready, the progress seen on the way and the page count.

Run with the deployment's environment loaded (DATABASE_URL, …) from the app folder, on a
database holding the large data set (`flask --app run seed-large`):

    .venv/bin/python benchmarks/scaleout.py registrations --server http://127.0.0.1:8391 \
        --server http://127.0.0.1:8392 --participants 300
    .venv/bin/python benchmarks/scaleout.py print --server http://127.0.0.1:8391 --course LG-0002

The servers must trust one proxy (PROXY_COUNT=1): each simulated participant sends an
X-Forwarded-For of its own, as nginx would, so the per-address log-in limit counts them
apart. Not a test: figures, on whatever machine it runs.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from http.cookies import SimpleCookie
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PASSWORD = "Matkhau@2022"  # every account of the large data set
PARTICIPANT = "hv{n:05d}@large.example.vn"
ORGANIZER = "organizer@large.example.vn"
TOKEN = re.compile(rb'name="csrf_token"[^>]*? value="([^"]+)"')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Cookies, a client address of its own, no redirects followed."""

    def __init__(self, base: str, address: str):
        self.base = base
        self.cookies: dict[str, str] = {}
        self.headers = {"X-Forwarded-For": address}
        self.opener = urllib.request.build_opener(NoRedirect)

    def request(self, path: str, data: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers=self.headers)
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response = self.opener.open(request, timeout=120)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response.status, response.headers, response.read()

    def token(self, path: str) -> str:
        status, _, body = self.request(path)
        match = TOKEN.search(body)
        if status != 200 or match is None:
            raise SystemExit(f"{self.base}{path}: {status}, no form token")
        return match.group(1).decode()

    def log_in(self, email: str) -> None:
        status, _, _ = self.request("/auth/login", {"email": email, "password": PASSWORD,
                                                    "csrf_token": self.token("/auth/login")})
        if status != 302:
            raise SystemExit(f"log-in of {email} on {self.base} answered {status}")


def fresh_course(capacity: int) -> int:
    """A published course starting in 30 days, for this run only."""
    from sqlalchemy import select

    from courses import create_app
    from courses.enums import CourseStatus, OrganizationKind
    from courses.extensions import db
    from courses.organizations.models import Organization
    from courses.scheduling.models import Course

    with create_app().app_context():
        unit = db.session.scalar(select(Organization).where(Organization.kind == OrganizationKind.BLOC).limit(1))
        starts = date.today() + timedelta(days=30)
        course = Course(code=f"SCALE-{int(time.time())}", title="Lớp đo tải đăng ký", organizing_unit=unit,
                        starts_on=starts, ends_on=starts, capacity=capacity, status=CourseStatus.PUBLISHED,
                        venue="Hội trường đo tải")
        db.session.add(course)
        db.session.commit()
        return course.id


def confirmed_seats(course_id: int) -> int:
    """Confirmed enrollments of the course, counted in the database."""
    from sqlalchemy import func, select

    from courses import create_app
    from courses.enrollment.models import Enrollment
    from courses.enums import EnrollmentStatus
    from courses.extensions import db

    with create_app().app_context():
        return db.session.scalar(select(func.count()).select_from(Enrollment).where(
            Enrollment.course_id == course_id, Enrollment.status == EnrollmentStatus.CONFIRMED))


def registrations(servers: list[str], participants: int, first: int) -> None:
    course_id = fresh_course(capacity=participants // 2)
    browsers = [Browser(servers[n % len(servers)], f"10.{50 + n // 60000}.{n // 250 % 240}.{n % 250 + 1}")
                for n in range(participants)]
    tokens: list[str] = [""] * participants

    def prepare(n: int) -> None:
        browsers[n].log_in(PARTICIPANT.format(n=first + n))
        tokens[n] = browsers[n].token(f"/courses/{course_id}")

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(prepare, range(participants)))
    print(f"{participants} log-ins and course pages in {time.monotonic() - started:.1f} s")

    threads = min(participants, 32)
    gate = threading.Barrier(threads)

    def press(n: int):
        if n < threads:
            gate.wait()
        status, _, _ = browsers[n].request(f"/enrollment/courses/{course_id}/register", {"csrf_token": tokens[n]})
        return status

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        statuses = list(pool.map(press, range(participants)))
    seconds = time.monotonic() - started
    counts = {}
    for browser in browsers[:1]:
        _, _, page = browser.request(f"/courses/{course_id}")
        counts["seats"] = re.search(r"Còn (\d+/\d+) chỗ", page.decode()).group(1)
    bad = [s for s in statuses if s != 302]
    print(f"registrations: {participants} in {seconds:.2f} s = {participants / seconds:.0f}/s "
          f"through {len(servers)} server(s), {threads} clients at once; non-302 answers: {len(bad)}; "
          f"seats left {counts['seats']}; confirmed {confirmed_seats(course_id)} of {participants // 2} seats")


def print_job(server: str, course_code: str) -> None:
    browser = Browser(server, "10.49.0.1")
    browser.log_in(ORGANIZER)
    token = browser.token("/jobs/")
    started = time.monotonic()
    status, headers, _ = browser.request("/jobs/new", {"kind": "certificates.print_course",
                                                       "course_code": course_code, "csrf_token": token})
    if status != 302:
        raise SystemExit(f"starting the job answered {status}")
    job_path = urllib.parse.urlsplit(headers["Location"]).path
    seen = []
    while True:
        _, _, body = browser.request(f"{job_path}/status")
        state = json.loads(body)
        if not seen or seen[-1] != (state["done"], state["total"]):
            seen.append((state["done"], state["total"]))
        if state["status"] in ("finished", "failed"):
            break
        time.sleep(0.5)
    seconds = time.monotonic() - started
    if state["status"] != "finished":
        raise SystemExit(f"job failed: {state['error']}")
    status, _, data = browser.request(f"{job_path}/download")
    pages = len(re.findall(rb"/Type /Page\b", data))
    steps = ", ".join(f"{done}/{total}" for done, total in seen[:4])
    print(f"print job {job_path}: {state['total']} certificates ready in {seconds:.1f} s "
          f"({state['total'] / seconds:.0f}/s); progress seen: {steps}, … ({len(seen)} steps); "
          f"PDF {len(data) / 1e6:.1f} MB, {pages} pages")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["registrations", "print"])
    parser.add_argument("--server", action="append", required=True, help="an app server's base URL (repeat)")
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--first", type=int, default=10001, help="number of the first hvNNNNN account used")
    parser.add_argument("--course", default="LG-0002", help="course code to print")
    args = parser.parse_args()
    if args.what == "registrations":
        registrations(args.server, args.participants, args.first)
    else:
        print_job(args.server[0], args.course)


if __name__ == "__main__":
    main()
