"""Certificates benchmark: the application's bulk print against the bare-canvas floor, in one run.

    .venv/bin/python benchmarks/certificates.py [--database-url URL] [--pages 100 2000] [--rounds 3]

Ours: prints the first N certificates of the large set's certificate course (LG-0002,
2,000 certificates) through the application's own path, from the database to the
finished file: courses.certificates.printing.print_course (the course page's bulk print
and `flask certificates print` call it), which reads the rows, maps them to certificate
data and draws them with courses/certificates/pdf.py into a temporary file, as the view
does. The floor: benchmarks/certificates_floor.py draws the same page from in-memory
records with the bare reportlab canvas into a temporary file.

Every measurement runs in a fresh process (its peak RSS is its own), warmed up as a
running server is: ours creates the app and prints one certificate before the clock
starts (fonts registered, queries compiled, code loaded), the floor draws one page. Each round measures floor and ours at every N, back to back, so a busy
neighbour on a shared machine skews both alike; medians over the rounds are reported.
The database is the SQLite file of benchmarks/.data (created with seed-large on first
use, as benchmarks/pages.py does) or --database-url / BENCHMARK_DATABASE_URL.

The last line reads

    certificates ours=<pages/s> floor=<pages/s> ratio=<ours/floor> mem_2000_over_100=<ratio>

(pages per second at the largest N; the memory ratio is ours: peak RSS at the largest N
over peak RSS at the smallest). Targets: ratio ≥ 0.8, memory ratio ≤ 1.3, and 2,000
certificates in under 5 s. The line before it, `signing signed=… unsigned=… ratio=…`,
compares ours with and without the PDF's one signature at the largest N (target ≥ 0.9).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from benchmarks import certificates_floor  # noqa: E402
from benchmarks.pages import DEFAULT_SQLITE  # noqa: E402

PUBLIC_BASE_URL = certificates_floor.VERIFY_BASE.removesuffix("/verify/")


def measure_ours(database_url: str, count: int, sign: bool = True) -> dict:
    """Print the first count certificates of the certificate course; time and peak RSS.

    sign=False leaves out the PDF's signature (not the QR codes' statements): the
    signed-against-unsigned ratio is what one signature per file costs.
    """
    from config import DevelopmentConfig
    from courses import create_app
    from courses.certificates import lookups, printing
    from courses.certificates import settings as certificate_settings
    from courses.extensions import db
    from courses.pdf_fonts import register_fonts
    from courses.perf.data import CERTIFICATE_COURSE_CODE

    app = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=database_url, DEBUG=False,
                     PUBLIC_BASE_URL=PUBLIC_BASE_URL, CERT_KEY_DIR=str(DEFAULT_SQLITE.parent / "certificate-keys"))
    with app.app_context():
        register_fonts()
        course = lookups.course_by_code(CERTIFICATE_COURSE_CODE)
        if course is None:
            raise SystemExit(f"no course {CERTIFICATE_COURSE_CODE}: load the large set (seed-large)")
        certificate_settings.get_settings()  # created with the defaults the first time; not part of printing
        db.session.commit()
        # One certificate first, as a running server has printed before (compiled queries,
        # loaded code); then a new session, so the timed print reads everything again.
        with tempfile.TemporaryFile() as out:
            printing.print_course(course, out, limit=1, sign=sign)
        db.session.remove()
        with tempfile.TemporaryFile() as out:
            started = time.perf_counter()
            cpu_started = time.process_time()
            course = lookups.course_by_code(CERTIFICATE_COURSE_CODE)
            printed = printing.print_course(course, out, limit=count, sign=sign)
            out.flush()
            elapsed = time.perf_counter() - started
            out.seek(0, os.SEEK_END)  # the signer leaves the file at its start
            cpu = time.process_time() - cpu_started
            size = out.tell()
        db.session.remove()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"pages": printed, "seconds": elapsed, "cpu_seconds": cpu, "pages_per_s": printed / elapsed,
            "peak_rss_mb": peak_kb / 1024, "bytes": size}


def ours_in_fresh_process(database_url: str, count: int, sign: bool = True) -> dict:
    command = [sys.executable, __file__, "--child", str(count), "--database-url", database_url]
    if not sign:
        command.append("--unsigned")
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def line(kind: str, result: dict) -> str:
    return (f"{kind:<5} pages={result['pages']} seconds={result['seconds']:.2f} "
            f"cpu_seconds={result['cpu_seconds']:.2f} pages_per_s={result['pages_per_s']:.0f} "
            f"peak_rss_mb={result['peak_rss_mb']:.1f} pdf_kb={result['bytes'] / 1024:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCHMARK_DATABASE_URL")
                        or f"sqlite:///{DEFAULT_SQLITE}")
    parser.add_argument("--pages", type=int, nargs=2, default=[100, 2000], metavar=("SMALL", "LARGE"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--participants", type=int, default=20_000, help="seed-large, when the set is missing")
    parser.add_argument("--courses", type=int, default=200, help="seed-large, when the set is missing")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--unsigned", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    from config import normalize_database_url

    database_url = normalize_database_url(args.database_url)
    if args.child:
        print(json.dumps(measure_ours(database_url, args.child, sign=not args.unsigned)))
        return

    from benchmarks.pages import prepare

    if database_url.startswith("sqlite:///"):
        Path(database_url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    prepare(database_url, args.participants, args.courses)
    small, large = args.pages
    results: dict[tuple[str, int], list[dict]] = {}
    ratios, cpu_ratios, signing_ratios = [], [], []
    for _ in range(args.rounds):
        for count in (small, large):
            # The floor prints as many pages as ours did (the course may hold fewer than asked).
            ours = ours_in_fresh_process(database_url, count)
            floor = certificates_floor.measure_in_fresh_process(ours["pages"])
            results.setdefault(("floor", count), []).append(floor)
            results.setdefault(("ours", count), []).append(ours)
            print(line("floor", floor), flush=True)
            print(line("ours", ours), flush=True)
        unsigned = ours_in_fresh_process(database_url, large, sign=False)
        results.setdefault(("unsigned", large), []).append(unsigned)
        print(line("unsig", unsigned), flush=True)
        floor, ours = results[("floor", large)][-1], results[("ours", large)][-1]
        ratios.append(ours["pages_per_s"] / floor["pages_per_s"])
        signing_ratios.append(ours["pages_per_s"] / unsigned["pages_per_s"])
        cpu_ratios.append(floor["cpu_seconds"] / ours["cpu_seconds"])

    def typical(kind: str, count: int, key: str) -> float:
        return median(r[key] for r in results[(kind, count)])

    print(f"database: {database_url.split('://')[0]}; {args.rounds} rounds; load average "
          f"{' '.join(f'{load:.1f}' for load in os.getloadavg())}; medians:")
    for kind in ("floor", "ours"):
        for count in (small, large):
            print(f"  {kind:<5} N={count:<5} pages/s={typical(kind, count, 'pages_per_s'):.0f} "
                  f"seconds={typical(kind, count, 'seconds'):.2f} cpu_seconds={typical(kind, count, 'cpu_seconds'):.2f} "
                  f"peak_rss_mb={typical(kind, count, 'peak_rss_mb'):.1f}")
    floor_memory = typical("floor", large, "peak_rss_mb") / typical("floor", small, "peak_rss_mb")
    # CPU time of this process only (on PostgreSQL the server's share is left out): steadier
    # than the clock when neighbours compete for the cores.
    print(f"  floor mem_{large}_over_{small}={floor_memory:.2f}; "
          f"ratio by CPU time (floor CPU s / ours CPU s)={median(cpu_ratios):.2f}")
    print(f"signing signed={typical('ours', large, 'pages_per_s'):.0f} "
          f"unsigned={typical('unsigned', large, 'pages_per_s'):.0f} ratio={median(signing_ratios):.2f}")
    ours_memory = typical("ours", large, "peak_rss_mb") / typical("ours", small, "peak_rss_mb")
    print(f"certificates ours={typical('ours', large, 'pages_per_s'):.0f} "
          f"floor={typical('floor', large, 'pages_per_s'):.0f} ratio={median(ratios):.2f} "
          f"mem_{large}_over_{small}={ours_memory:.2f}")

if __name__ == "__main__":
    main()
