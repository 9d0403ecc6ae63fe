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


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


def build_app(database: Path):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}",
                     WTF_CSRF_ENABLED=True, UPLOAD_DIR=str(database.parent / "uploads"))
    with app.app_context():
        from courses.demo import MODEL_COURSE_CODE, seed_demo
        from courses.scheduling.models import Course
        from courses.extensions import db

        upgrade()
        seed_demo(password=PASSWORD)
        course_id = db.session.scalar(select(Course.id).where(Course.code == MODEL_COURSE_CODE))
    return app, course_id


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


def main(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        app, course_id = build_app(Path(tmp) / "screens.sqlite3")
        server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{server.server_port}"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

                def shoot(page, name: str, full_page: bool = True) -> None:
                    path = out_dir / f"{name}.png"
                    page.screenshot(path=str(path), full_page=full_page)
                    written.append(path)

                for language in ("vi", "en"):
                    # A visitor: home, a course's timetable, log-in, sign-up; and on a phone.
                    context = browser.new_context(viewport=DESKTOP)
                    page = context.new_page()
                    choose_language(page, base, language)
                    page.goto(base + "/")
                    shoot(page, f"home-{language}")
                    page.goto(f"{base}/courses/{course_id}")
                    shoot(page, f"course-{language}")
                    page.goto(base + "/auth/login")
                    shoot(page, f"login-{language}")
                    page.goto(base + "/auth/register")
                    page.locator("main input[type=submit]").click()  # shows the errors beside the fields
                    page.wait_for_load_state()
                    shoot(page, f"register-errors-{language}")
                    # The admin's user list (first screen only: it is long).
                    log_in(page, base, "admin@demo.local")
                    page.goto(base + "/admin/users")
                    shoot(page, f"admin-users-{language}", full_page=False)
                    page.goto(base + "/dashboard/")
                    shoot(page, f"dashboard-{language}")
                    context.close()

                    phone = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
                    page = phone.new_page()
                    choose_language(page, base, language)
                    page.goto(f"{base}/courses/{course_id}")
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
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else PROJECT_DIR / "docs" / "screenshots"
    for path in main(target):
        print(path.relative_to(PROJECT_DIR) if path.is_relative_to(PROJECT_DIR) else path)
