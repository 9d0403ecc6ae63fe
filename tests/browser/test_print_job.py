"""A course's certificates printed as a background job: the bar moves without a reload."""
from __future__ import annotations

import re
import time

import pytest

from courses.certificates import issuing, lookups
from courses.certificates import pdf as certificate_pdf
from courses.enums import Role
from courses.jobs import runner
from tests.browser.conftest import playwright_expect
from tests.browser.test_ui import log_in
from tests.factories import make_finished_course, make_user

expect = playwright_expect()

pytestmark = pytest.mark.browser
CERTIFICATES = 40


def test_the_job_page_shows_the_print_progress_live_then_offers_the_pdf(
        live_server, browsing, tmp_path, monkeypatch, fast_password_hashing):
    live_server.app.config["JOB_RESULTS_DIR"] = str(tmp_path / "job-results")
    course, _sessions, _enrollments = make_finished_course(topics=1, participants=CERTIFICATES)
    issuing.issue_all(None, lookups.load_course(course.id))
    organizer = make_user(Role.ORGANIZER)
    # Drawing a page takes a few milliseconds here; slow it so the bar has moments to show.
    draw = certificate_pdf.CertificateWriter.add

    def slow_draw(writer, item):
        time.sleep(0.1)
        draw(writer, item)

    monkeypatch.setattr(certificate_pdf.CertificateWriter, "add", slow_draw)
    monkeypatch.setattr(runner, "PROGRESS_INTERVAL", 0.2)

    page = browsing.new_page()
    page.goto(live_server("/auth/login"))
    log_in(page, organizer.email)
    page.goto(live_server(f"/certificates/courses/{course.id}"))
    page.get_by_role("button", name="In tất cả như tác vụ nền").click()
    expect(page).to_have_url(re.compile(r"/jobs/\d+$"))
    page.evaluate("window.loadedOnce = true")  # gone if the page reloads

    # Part-way: the count and the bar move while the page stays the same page.
    progress = page.locator("#job-progress-text")
    expect(progress).to_have_text(re.compile(rf"^\s*([1-9]|[1-3]\d) / {CERTIFICATES} \((\d|[1-9]\d)%\)\s*$"),
                                  timeout=15_000)
    assert page.evaluate("window.loadedOnce === true")
    value = int(page.locator("#job-progress").evaluate("bar => bar.value"))
    assert 0 < value < CERTIFICATES
    assert page.locator("#job-reload-hint").is_hidden()  # the no-script reload link is not needed

    # Finished: the script reloads once and the server's page offers the file.
    link = page.get_by_role("link", name=re.compile("Tải tệp kết quả"))
    expect(link).to_be_visible(timeout=30_000)
    expect(progress).to_have_text(re.compile(rf"{CERTIFICATES} / {CERTIFICATES} \(100%\)"))
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == f"giay-chung-nhan-{course.code}.pdf"
    runner.wait_for_threads()
