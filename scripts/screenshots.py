"""Screenshots of the main pages in Vietnamese and English, into docs/screenshots/.

    make screenshots        (or: .venv/bin/python scripts/screenshots.py [OUT_DIR])

Builds a throw-away SQLite database with the demo data, serves the app on a free
127.0.0.1 port in a thread, and drives Debian's Chromium (/usr/bin/chromium, or
CHROMIUM_PATH) with Playwright. Nothing is downloaded.
"""
from __future__ import annotations

import os
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from flask_migrate import upgrade  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from sqlalchemy import select  # noqa: E402
from werkzeug.serving import WSGIRequestHandler, make_server  # noqa: E402

from config import TestingConfig  # noqa: E402
from courses import create_app  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PASSWORD = "Demo@2022"
ORGANIZER = "organizer@demo.local"
ADMIN = "admin@demo.local"
MAX_HEIGHT = 1500


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


@dataclass
class Demo:
    """The ids the pages of the demo need."""

    course_id: int          # the model course (finished, with attendance)
    upcoming_id: int        # the published course a month ahead
    session_id: int         # the model course's first topic (its roll call)
    verification_code: str  # a certificate issued for the model course


def build_app(database: Path):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}",
                     WTF_CSRF_ENABLED=True, UPLOAD_DIR=str(database.parent / "uploads"))
    with app.app_context():
        from courses.auth.models import User
        from courses.certificates.issuing import issue_all
        from courses.demo import MODEL_COURSE_CODE, seed_demo
        from courses.enums import Role, SessionKind
        from courses.extensions import db
        from courses.scheduling.models import Course, CourseSession

        upgrade()
        seed_demo(password=PASSWORD)
        course = db.session.scalar(select(Course).where(Course.code == MODEL_COURSE_CODE))
        upcoming_id = db.session.scalar(select(Course.id).where(Course.id != course.id).order_by(Course.starts_on.desc()))
        session_id = db.session.scalar(select(CourseSession.id).where(
            CourseSession.course_id == course.id, CourseSession.kind == SessionKind.TOPIC)
            .order_by(CourseSession.starts_at))
        # The register and the verification page need certificates: issued as the admin would.
        admin = db.session.scalar(select(User).where(User.role == Role.ADMIN))
        certificates = issue_all(admin, course)
        demo = Demo(course.id, upcoming_id, session_id, certificates[0].verification_code)
    return app, demo


def choose_language(page, base: str, language: str) -> None:
    page.goto(base + "/")
    button = page.locator(f"form.language-switcher button[value={language}]")
    with page.expect_navigation():
        button.evaluate("b => b.click()")  # also when the phone menu hides it


def log_in(page, base: str, email: str) -> None:
    page.goto(base + "/auth/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main input[type=submit]").click()
    page.wait_for_load_state()


def pages(demo: Demo) -> list[tuple[str, str, str | None]]:
    """(name, path, who) of each page shown; who: None (a visitor) or the account's email."""
    return [
        ("home", "/", None),
        ("catalogue", "/courses", None),
        ("course", f"/courses/{demo.course_id}", None),
        ("verify", f"/verify/{demo.verification_code}", None),
        ("login", "/auth/login", None),
        ("course-editor", f"/organize/courses/{demo.upcoming_id}", ORGANIZER),
        ("roster", f"/enrollment/courses/{demo.course_id}/roster", ORGANIZER),
        ("roll-call", f"/attendance/sessions/{demo.session_id}/roll-call", ORGANIZER),
        ("attendance", f"/attendance/courses/{demo.course_id}", ORGANIZER),
        ("dashboard", "/dashboard/", ORGANIZER),
        ("certificate-register", "/certificates/register", ADMIN),
        ("admin-users", "/admin/users", ADMIN),
    ]


def overflows(page) -> bool:
    """Whether the page is wider than the screen (a sideways scroll on a phone)."""
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")


def main(out_dir: Path) -> tuple[list[Path], list[str]]:
    """Write the screenshots; return them and the pages that overflow a phone's width."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    too_wide: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        app, demo = build_app(Path(tmp) / "screens.sqlite3")
        server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{server.server_port}"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

                def shoot(page, name: str, full_page: bool = True) -> None:
                    path = out_dir / f"{name}.png"
                    # Long pages are cut at MAX_HEIGHT: the top tells the story, the file stays small.
                    height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_HEIGHT)
                    if full_page:
                        page.screenshot(path=str(path), full_page=True,
                                        clip={"x": 0, "y": 0, "width": page.viewport_size["width"], "height": height})
                    else:
                        page.screenshot(path=str(path))
                    written.append(path)

                for language in ("vi", "en"):
                    contexts = {}  # one browser (cookie jar) per account, in this language
                    phones = {}
                    for name, path, who in pages(demo):
                        if who not in contexts:
                            contexts[who] = browser.new_context(viewport=DESKTOP)
                            phones[who] = browser.new_context(viewport=PHONE, device_scale_factor=1,
                                                              is_mobile=True, has_touch=True)
                            for context in (contexts[who], phones[who]):
                                page = context.new_page()
                                if who:
                                    log_in(page, base, who)
                                choose_language(page, base, language)
                        page = contexts[who].pages[0]
                        page.goto(base + path)
                        shoot(page, f"{name}-{language}")
                        phone = phones[who].pages[0]
                        phone.goto(base + path)
                        if overflows(phone):
                            too_wide.append(f"{name}-{language}")

                    # A visitor's sign-up errors; the course and the menu on a phone (2x, sharp).
                    page = contexts[None].pages[0]
                    page.goto(base + "/auth/register")
                    page.locator("main input[type=submit]").click()  # shows the errors beside the fields
                    page.wait_for_load_state()
                    shoot(page, f"register-errors-{language}")
                    for context in [*contexts.values(), *phones.values()]:
                        context.close()
                    phone = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
                    page = phone.new_page()
                    choose_language(page, base, language)
                    page.goto(f"{base}/courses/{demo.course_id}")
                    shoot(page, f"course-phone-{language}", full_page=False)
                    page.get_by_role("button", name="Mở menu" if language == "vi" else "Open menu").click()
                    page.wait_for_timeout(400)  # the menu's opening animation
                    shoot(page, f"menu-phone-{language}", full_page=False)
                    phone.close()
                browser.close()
        finally:
            server.shutdown()
            thread.join(timeout=10)
            server.server_close()
    return written, too_wide


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else PROJECT_DIR / "docs" / "screenshots"
    files, too_wide = main(target)
    for path in files:
        size = path.stat().st_size // 1024
        shown = path.relative_to(PROJECT_DIR) if path.is_relative_to(PROJECT_DIR) else path
        print(f"{shown}  {size} KB")
    if too_wide:
        print("wider than a phone's screen (390 px):", ", ".join(too_wide), file=sys.stderr)
        sys.exit(1)
