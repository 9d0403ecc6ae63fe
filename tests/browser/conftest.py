"""Browser tests: the real app served on 127.0.0.1, driven by Debian's Chromium via Playwright.

Chromium is never downloaded: Playwright drives /usr/bin/chromium (CHROMIUM_PATH to change).
Without it the tests are skipped with a message saying how to install it; with
BROWSER_TESTS=required (set by .ci/run) they fail instead, so CI can't pass without them.
Screenshots go to test-artifacts/browser/ (git-ignored); a failing test leaves one too.
"""
from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
REQUIRED = os.environ.get("BROWSER_TESTS", "").lower() == "required"
INSTALL_HINT = (
    "install Debian's Chromium with `sudo apt-get install -y chromium` to run them "
    "(set BROWSER_TESTS=required to make a missing browser fail the run)"
)
ARTIFACTS = Path("test-artifacts") / "browser"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in item.nodeid.replace("\\", "/"):
            item.add_marker(pytest.mark.browser)


def playwright_expect():
    """Playwright's `expect`, for a test module to call at import: without Playwright the
    module is skipped, or with BROWSER_TESTS=required the import error stands."""
    try:
        from playwright.sync_api import expect
    except ImportError:
        if REQUIRED:
            raise
        pytest.skip(f"browser tests skipped: playwright is not installed; {INSTALL_HINT}",
                    allow_module_level=True)
    return expect


def browser_unavailable(reason: str):
    """Skip (or, with BROWSER_TESTS=required, fail) because the browser can't start."""
    if REQUIRED:
        pytest.fail(f"BROWSER_TESTS=required, but {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}; {INSTALL_HINT}")


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        browser_unavailable("the playwright package is not installed (`make test` installs it)")
    if not os.path.exists(CHROMIUM):
        browser_unavailable(f"there is no Chromium at {CHROMIUM}")
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    except Exception as error:  # any launch failure: skip or fail as configured
        playwright.stop()
        browser_unavailable(f"Chromium at {CHROMIUM} could not start ({error})")
    yield chromium
    chromium.close()
    playwright.stop()


class QuietHandler(WSGIRequestHandler):
    """No access log lines in the test output."""

    def log_request(self, *args, **kwargs):
        pass


@dataclass
class LiveServer:
    url: str
    app: Flask

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@pytest.fixture
def live_server(browser, make_app):
    """The app, with CSRF on, served by werkzeug in a thread on a free 127.0.0.1 port.

    The test's own app context is pushed, so factories write to the same database.
    """
    app = make_app(WTF_CSRF_ENABLED=True)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        with app.app_context():
            yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


class BrowserSession:
    """Opens pages in fresh browser contexts (separate cookie jars) and takes screenshots."""

    def __init__(self, browser, test_name: str):
        self.browser = browser
        self.test_name = test_name
        self.contexts = []
        self.pages = []
        self.console_errors: list[str] = []

    def new_page(self, viewport=DESKTOP):
        context = self.browser.new_context(viewport=viewport, locale="vi-VN")
        context.set_default_timeout(10_000)
        page = context.new_page()
        # Failed loads are judged by the response handler below (an error *page* is no fault).
        page.on("console", lambda message: message.type == "error"
                and not message.text.startswith("Failed to load resource")
                and self.console_errors.append(message.text))
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        page.on("response", lambda response: response.status >= 400 and response.request.resource_type != "document"
                and self.console_errors.append(f"{response.status} {response.url}"))
        self.contexts.append(context)
        self.pages.append(page)
        return page

    def shot(self, page, step: str) -> Path:
        """A full-page screenshot: test-artifacts/browser/<test>-<step>.png."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.test_name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsing(browser, live_server, request):
    """A BrowserSession; a failing test leaves a screenshot of each open page.

    Console errors (a script error, a refused inline script or style) fail the test.
    """
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    session = BrowserSession(browser, name)
    yield session
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        for index, page in enumerate(session.pages):
            try:
                session.shot(page, f"failure-{index}")
            except Exception:  # a closed page has nothing to show
                pass
    errors = list(session.console_errors)
    session.close()
    if report is not None and report.passed and errors:
        pytest.fail(f"the browser console reported errors: {errors}", pytrace=False)
