"""Hostile text in every user-typed field of a course world, then every PDF the app draws.

Names, units, titles, venues, speakers and reasons are typed by users; reportlab reads
Paragraph text as markup. Each example puts markup fragments (`<b`, `<img src=…>`,
`<font name=…>`, `&amp;`, quotes, `<para>`) and control characters (tab and line breaks
that forms let through, \\x0b and \\x1b that a database may hold) into every such field,
then downloads every PDF through its endpoint as the user who may: each answers 200, is
a PDF, and its text shows the typed text literally where it belongs. An audit hook
proves no image tag makes reportlab open a local file.
"""
from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from datetime import date, time

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from courses.certificates import issuing
from courses.certificates import jobs as certificate_jobs
from courses.certificates import settings as certificate_settings
from courses.enums import CourseStatus, OrganizationKind, Role, SessionKind
from courses.extensions import db
from courses.jobs import runner
from tests import route_walk
from tests.factories import (
    make_attendance,
    make_certificate,
    make_course,
    make_enrollment,
    make_organization,
    make_session,
    make_speaker,
    make_topic,
    make_user,
)

FRAGMENTS = [
    "<b", "</b>", '<img src="/etc/passwd"/>', '<img src="/nonexistent/x.png">', '<font name="x">',
    "&", "&amp;", "&#60;", '"', "'", "<para>", "<br/>", "]]>", "\\", "(", ")",
    "\t", "\n", "\r\n", "\x0b", "\x1b",
]
# Paths an image tag names: opening any of them would be reportlab reading a local file.
FORBIDDEN_PATHS = ("/etc/passwd", "/nonexistent")

_opened: list[str] = []
_watching = False


def _audit(event: str, args) -> None:
    if _watching and event == "open" and isinstance(args[0], str):
        _opened.append(args[0])


sys.addaudithook(_audit)  # audit hooks stay for the process; this one only records while _watching

hostile = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=3).map("".join)


def reading(text: str) -> str:
    """What a reader sees of text: words apart, no control characters (a break is a space)."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(" " if ch.isspace() else ch for ch in text if ch.isspace() or unicodedata.category(ch) != "Cc")
    return " ".join(text.split())


def visible(text: str) -> str:
    """reading() without the spaces: a PDF wraps lines, and splits long words, anywhere."""
    return reading(text).replace(" ", "")


def pdf_reading(data: bytes) -> str:
    """The PDF's text as pdftotext reads it, in drawing order, reduced by reading().

    Text running past the sheet's edge counts too (a long signer title on one line).
    """
    assert data.startswith(b"%PDF-"), data[:40]
    beyond_the_page = ["-x", "-2000", "-y", "-2000", "-W", "6000", "-H", "6000"]
    result = subprocess.run(["pdftotext", "-raw", *beyond_the_page, "-enc", "UTF-8", "-", "-"], input=data,
                            capture_output=True, check=True, timeout=60)
    return reading(result.stdout.decode("utf-8"))


class World:
    """A finished course whose every typed text is rewritten per example."""

    def __init__(self):
        settings_row = certificate_settings.get_settings()
        self.settings = settings_row
        self.bloc = make_organization("Đảng ủy Khối", kind=OrganizationKind.BLOC)
        self.grassroots = make_organization("Đảng bộ cơ sở", kind=OrganizationKind.GRASSROOTS)
        self.cell = make_organization("Chi bộ", parent=self.grassroots)
        self.course = make_course(status=CourseStatus.FINISHED, starts_on=date(2022, 12, 2), unit=self.bloc)
        self.opening = make_session(self.course, kind=SessionKind.OPENING, start=time(7, 30), minutes=30)
        self.speaker = make_speaker()
        self.topic = make_topic()
        self.lecture = make_session(self.course, start=time(8, 0), topic=self.topic, speaker=self.speaker)
        self.holder = make_user(organization=self.cell)
        self.other = make_user(organization=self.cell)
        self.admin = make_user(Role.ADMIN)
        self.enrollments = []
        for user in (self.holder, self.other):
            enrollment = make_enrollment(user, self.course)
            enrollment.quota_organization = self.grassroots
            for session in (self.opening, self.lecture):
                make_attendance(enrollment, session)
            self.enrollments.append(enrollment)
        self.certificate = make_certificate(self.enrollments[0])
        revoked = make_certificate(self.enrollments[1])
        issuing.revoke(self.admin, revoked, "Thu hồi")
        self.revoked = revoked
        db.session.commit()

    def rewrite(self, text: dict[str, str]) -> None:
        s = self.settings
        s.issuing_unit_name, s.place = text["issuer"], text["place"]
        s.signer_capacity, s.signer_title, s.signer_name = text["capacity"], text["signer_title"], text["signer"]
        self.bloc.name, self.grassroots.name, self.cell.name = text["bloc"], text["grassroots"], text["cell"]
        self.course.title, self.course.venue = text["course"], text["venue"]
        self.course.code = COURSE_CODE
        self.opening.presided_by, self.opening.guiding_speech_by = text["presides"], text["speech"]
        self.topic.name, self.lecture.room = text["topic"], text["room"]
        self.speaker.full_name, self.speaker.title = text["speaker"], text["speaker_title"]
        self.holder.full_name, self.holder.job_title = text["holder"], text["job"]
        self.other.full_name = text["other"]
        self.certificate.manual_reason = text["reason"]
        self.revoked.revoke_reason = text["revoke_reason"]
        db.session.commit()


# Codes are typed too: letters with Vietnamese diacritics, digits, «-», «/», «.» (the form, the
# service and the database refuse the rest); the files' names carry them, in headers a WSGI
# server writes in Latin-1.
COURSE_CODE = "ĐUK-Lớp.Đỗ/2026-ưỡ"
FIELDS = ("issuer", "place", "capacity", "signer_title", "signer", "bloc", "grassroots", "cell", "course",
          "venue", "presides", "speech", "topic", "room", "speaker", "speaker_title", "holder", "job",
          "other", "reason", "revoke_reason")
# Where each typed text must show: PDF name -> fields (upper-cased ones in UPPER).
CERTIFICATE = ["ISSUER", "place", "CAPACITY", "SIGNER_TITLE", "signer", "holder", "job", "cell", "grassroots",
               "course"]
PREPRINTED = ["place", "signer", "holder", "job", "cell", "grassroots", "course"]
EXPECTED = {
    "certificate": CERTIFICATE,
    "course file": CERTIFICATE,
    "print job": CERTIFICATE,
    "course file, blanks": PREPRINTED,
    "register": ["ISSUER", "code", "holder", "other", "course", "reason", "revoke_reason"],
    "result report": ["ISSUER", "code", "course", "grassroots", "topic", "speaker"],
    "programme": ["BLOC", "course", "venue", "presides", "speech", "topic", "room", "speaker", "speaker_title"],
    "sign-in sheet": ["BLOC", "code", "course", "venue", "grassroots", "holder", "job", "cell", "other"],
    "session sign-in sheet": ["BLOC", "code", "course", "topic", "speaker", "grassroots", "holder", "cell"],
    "sample": ["ISSUER", "place", "CAPACITY", "SIGNER_TITLE", "signer"],
    "sample, blanks": ["place", "signer"],
}


def log_in(client, user) -> None:
    """Make client act as user (None: anonymous), with a log-in row as the form makes."""
    route_walk.log_in(client, user)


def _print_job_pdf(client, course_id: int) -> bytes:
    response = client.post("/jobs/new", data={"kind": certificate_jobs.KIND, "course_id": str(course_id)})
    assert response.status_code == 302, response.get_data(as_text=True)
    job_id = int(re.search(r"/jobs/(\d+)$", response.headers["Location"]).group(1))
    runner.wait_for_threads(timeout=120)
    download = client.get(f"/jobs/{job_id}/download")
    assert download.status_code == 200, client.get(f"/jobs/{job_id}").get_data(as_text=True)
    return download.data


def download_every_pdf(app, world: World) -> dict[str, bytes]:
    """Every PDF of the world, each through its endpoint as a user allowed to have it."""
    holder, admin, anonymous = world.holder, world.admin, None
    course = world.course.id
    client = app.test_client()
    urls = {
        "certificate": (holder, f"/certificates/{world.certificate.id}.pdf"),
        "course file": (admin, f"/certificates/courses/{course}/certificates.pdf"),
        "course file, blanks": (admin, f"/certificates/courses/{course}/certificates.pdf?preprinted=1"),
        "register": (admin, "/certificates/register.pdf"),
        "result report": (admin, f"/certificates/courses/{course}/report.pdf"),
        "programme": (anonymous, f"/courses/{course}/programme.pdf"),
        "sign-in sheet": (admin, f"/enrollment/courses/{course}/sign-in-sheet.pdf"),
        "session sign-in sheet": (admin, f"/enrollment/courses/{course}/sign-in-sheet.pdf?session_id={world.lecture.id}"),
        "sample": (admin, "/certificates/settings/sample.pdf"),
        "sample, blanks": (admin, "/certificates/settings/sample.pdf?preprinted=1"),
    }
    pdfs = {}
    for name, (user, url) in urls.items():
        log_in(client, user)
        response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        assert response.mimetype == "application/pdf", name
        for header, value in response.headers.items():  # PEP 3333: what gunicorn can send
            assert value.encode("latin-1"), (name, header, value)
        pdfs[name] = response.data
    log_in(client, admin)
    pdfs["print job"] = _print_job_pdf(client, course)
    return pdfs


@pytest.fixture
def app(make_app, tmp_path):
    app = make_app(JOB_RESULTS_DIR=str(tmp_path / "job-results"))
    with app.app_context():
        yield app
        runner.wait_for_threads()


@pytest.fixture
def world(app, fast_password_hashing) -> World:
    return World()


# Every fragment of the brief at once, in every field (within the shortest column, 120 characters).
# Its last words are short, so they never wrap: they must show apart as typed, «x y z».
FIXED = 'Đỗ <b>Văn <img src="/nonexistent/x.png"> <font name="x"> &amp; & " \' <para>\tx\r\ny\x0b\x1bz'


@settings(max_examples=4, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(pieces=st.fixed_dictionaries({field: hostile for field in FIELDS}))
@example(pieces={field: FIXED for field in FIELDS})
def test_every_pdf_shows_hostile_text_literally_and_opens_no_file(app, world, pieces):
    global _watching
    # A marker per field, so each text is looked for where it belongs.
    text = {field: f"{field[:3]}{index} {pieces[field]} {field[-3:]}"
            for index, field in enumerate(FIELDS)}
    world.rewrite(text)
    _opened.clear()
    _watching = True
    try:
        pdfs = download_every_pdf(app, world)
    finally:
        _watching = False
    assert not [path for path in _opened if path.startswith(FORBIDDEN_PATHS)], _opened
    for name, fields in EXPECTED.items():
        shown = pdf_reading(pdfs[name])
        for field in fields:
            typed = COURSE_CODE if field == "code" else text[field.lower()]
            typed = typed.upper() if field.isupper() else typed
            assert visible(typed) in shown.replace(" ", ""), (name, field, visible(typed), shown)
            # Words stay apart where a tab, a line break or \x0b separated them.
            last_words = reading(typed).split()[-4:]
            if all(len(word) <= 8 for word in last_words):
                assert " ".join(last_words) in shown, (name, field, last_words, shown)
