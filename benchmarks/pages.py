"""Pages benchmark: the main pages against a database-free floor page, in one server run.

    .venv/bin/python benchmarks/pages.py [--database-url URL] [--seconds 3] [--rounds 3]

Serves the app with gunicorn (2 workers) on 127.0.0.1 at a random free port, on the
large data set (an SQLite file under benchmarks/.data/, created with seed-large on first
use; or PostgreSQL given by --database-url / BENCHMARK_DATABASE_URL, loaded when empty),
with BENCHMARK=1 so the floor route /_benchmark/floor exists. A load generator in a
separate process (benchmarks/loadgen.py) drives each page for a few seconds. Prints
requests per second per page and the ratio to a floor of the same size (the floor's
?courses= is chosen so it draws as many bytes as the page; measured before and after the
page in each of a few rounds; the median ratio is reported). The last line reads `pages worst=<page> ratio=<lowest ratio>`.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from statistics import median

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from courses.perf.data import (  # noqa: E402
    ADMIN_EMAIL,
    BUSY_PARTICIPANT_EMAIL,
    DEFAULT_PASSWORD,
    ORGANIZER_EMAIL,
)

DEFAULT_SQLITE = PROJECT_DIR / "benchmarks" / ".data" / "large.sqlite3"
FLOOR = "/_benchmark/floor"


@dataclass(frozen=True)
class BenchPage:
    """A page to drive: name, URL (fields of LargeSetSummary in braces), who is logged in."""

    name: str
    url: str
    email: str | None = None


# The main pages; adding one is one line.
PAGES = [
    BenchPage("catalogue", "/"),
    BenchPage("course page", "/courses/{roster_course_id}"),
    BenchPage("roster", "/enrollment/courses/{roster_course_id}/roster", ORGANIZER_EMAIL),
    BenchPage("dashboard", "/enrollment/me", BUSY_PARTICIPANT_EMAIL),
    BenchPage("attendance summary", "/attendance/courses/{roster_course_id}", ORGANIZER_EMAIL),
    BenchPage("admin users", "/admin/users", ADMIN_EMAIL),
]


def prepare(database_url: str, participants: int, courses: int) -> dict:
    """Migrate and load the large set when missing; return its handles."""
    from dataclasses import asdict

    import sqlalchemy as sa
    from flask_migrate import upgrade

    from config import DevelopmentConfig
    from courses import create_app
    from courses.extensions import db
    from courses.perf.data import is_loaded, large_set_handles, seed_large

    app = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=database_url, DEBUG=False)
    with app.app_context():
        upgrade()
        if not is_loaded():
            started = time.perf_counter()
            summary = seed_large(participants, courses)
            print(f"seed-large: {summary.counts} in {time.perf_counter() - started:.1f} s", flush=True)
        handles = asdict(large_set_handles())
        # A bulk load leaves the planner without statistics, and PostgreSQL's visibility map
        # empty, until autovacuum comes round (PostgreSQL then sorted 2,000 attendance rows
        # for a count that takes a quarter of the time with statistics, and index-only scans
        # still visit the table); a running site has been vacuumed, so the benchmark measures
        # a vacuumed database.
        db.session.remove()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE" if db.engine.dialect.name == "postgresql"
                                       else "ANALYZE"))
        db.engine.dispose()
    return handles


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(database_url: str, port: int, workers: int) -> subprocess.Popen:
    env = dict(os.environ, APP_CONFIG="production", SECRET_KEY=secrets.token_urlsafe(48),
               DATABASE_URL=database_url, BENCHMARK="1")
    server = subprocess.Popen(
        # Not the project's gunicorn.conf.py (threads, access log, worker recycling): plain sync
        # workers, so the figures measure the pages.
        [sys.executable, "-m", "gunicorn", "--config", os.devnull, "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "run:app"],
        cwd=PROJECT_DIR, env=env, start_new_session=True,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited before serving")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", FLOOR)
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise SystemExit("gunicorn did not answer within 30 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def log_in(port: int, email: str, password: str) -> str:
    """Log in through the form (with its CSRF token); return the Cookie header value."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/auth/login")
    response = connection.getresponse()
    body = response.read().decode()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body).group(1)
    from urllib.parse import urlencode

    form = urlencode({"csrf_token": token, "email": email, "password": password})
    connection.request("POST", "/auth/login", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    response = connection.getresponse()
    response.read()
    if response.status != 302:
        raise SystemExit(f"log-in as {email} failed ({response.status})")
    return response.getheader("Set-Cookie").split(";")[0]


def drive(port: int, path: str, seconds: float, connections: int, cookie: str | None) -> dict:
    command = [sys.executable, str(Path(__file__).with_name("loadgen.py")), "--port", str(port),
               "--path", path, "--seconds", str(seconds), "--connections", str(connections)]
    if cookie:
        command += ["--cookie", cookie]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result = json.loads(output)
    result["rps"] = result["requests"] / result["seconds"]
    return result


def body_size(port: int, path: str, cookie: str | None = None) -> int:
    """Bytes of one response body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = connection.getresponse()
    size = len(response.read())
    if response.status != 200:
        raise SystemExit(f"GET {path} answered {response.status}")
    return size


def floor_of_size(port: int, target_bytes: int) -> str:
    """The floor's address drawing about target_bytes (its size grows linearly with ?courses=)."""
    empty = body_size(port, f"{FLOOR}?courses=0")
    hundred = body_size(port, f"{FLOOR}?courses=100")
    per_course = (hundred - empty) / 100
    count = max(0, min(5000, round((target_bytes - empty) / per_course)))
    return f"{FLOOR}?courses={count}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCHMARK_DATABASE_URL")
                        or f"sqlite:///{DEFAULT_SQLITE}")
    parser.add_argument("--participants", type=int, default=20_000)
    parser.add_argument("--courses", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=3.0, help="measuring time per page and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=4, help="concurrent client connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--pages", nargs="+", metavar="NAME", choices=[page.name for page in PAGES],
                        help="only these pages (names as printed, quoted when they have spaces)")
    args = parser.parse_args()
    pages = [page for page in PAGES if not args.pages or page.name in args.pages]

    from config import normalize_database_url

    database_url = normalize_database_url(args.database_url)
    if database_url.startswith("sqlite:///"):
        Path(database_url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    handles = prepare(database_url, args.participants, args.courses)
    port = free_port()
    server = start_server(database_url, port, args.workers)
    try:
        cookies = {page.email: log_in(port, page.email, DEFAULT_PASSWORD)
                   for page in pages if page.email}
        # Each page's floor draws as many bytes as the page: the issue's floor is "a template
        # of similar size without the database", so a long roster is not measured against
        # the short catalogue.
        floor_paths = {}
        for page in pages:
            size = body_size(port, page.url.format(**handles), cookies.get(page.email))
            floor_paths[page.name] = floor_of_size(port, size)
        floors = {page.name: [] for page in pages}
        rates = {page.name: [] for page in pages}
        ratios_by_round = {page.name: [] for page in pages}
        sizes, floor_sizes = {}, {}
        # Rounds of floor, page, floor for each page: a page is compared with its floor
        # measured just before and after it, so a busy neighbour on a shared machine skews
        # both alike; the median over rounds is reported.
        for _ in range(args.rounds):
            for page in pages:
                floor_before = drive(port, floor_paths[page.name], args.seconds, args.connections, None)
                result = drive(port, page.url.format(**handles), args.seconds, args.connections,
                               cookies.get(page.email))
                if result["errors"]:
                    raise SystemExit(f"{page.name}: {result['errors']} failed requests")
                floor_after = drive(port, floor_paths[page.name], args.seconds, args.connections, None)
                floor_rps = (floor_before["rps"] + floor_after["rps"]) / 2
                floors[page.name].append(floor_rps)
                rates[page.name].append(result["rps"])
                sizes[page.name], floor_sizes[page.name] = result["bytes"], floor_after["bytes"]
                ratios_by_round[page.name].append(result["rps"] / floor_rps)
    finally:
        stop_server(server)

    print(f"database: {database_url.split('://')[0]}; gunicorn workers: {args.workers}; "
          f"connections: {args.connections}; {args.rounds} rounds of {args.seconds:g} s per page")
    print(f"{'page':<22}{'req/s':>9}{'bytes':>9}{'floor req/s':>13}{'floor bytes':>13}{'ratio':>8}")
    ratios = {}
    for name in rates:
        ratios[name] = median(ratios_by_round[name])
        print(f"{name:<22}{median(rates[name]):>9.1f}{sizes[name]:>9}{median(floors[name]):>13.1f}"
              f"{floor_sizes[name]:>13}{ratios[name]:>8.2f}")
    worst = min(ratios, key=ratios.get)
    print(f"pages worst={worst.replace(' ', '_')} ratio={ratios[worst]:.2f}")


if __name__ == "__main__":
    main()
