"""Helpers for the query-budget and EXPLAIN tests: the main pages and data sets of any size.

A page is one line of PAGES: a name, a URL template whose fields are the handles
of the large set (courses.perf.data.LargeSetSummary), and who is logged in.
"""
from __future__ import annotations

import shutil
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import insert, select

from courses.enums import SessionKind
from courses.extensions import db
from courses.perf.data import LargeSetSummary, seed_large
from courses.scheduling.models import Course, CourseSession, Speaker, Topic
from tests.conftest import empty_all_tables, login
from tests.factories import PASSWORD


@dataclass(frozen=True)
class Page:
    """A main page: its name, its URL (fields of LargeSetSummary in braces), who views it."""

    name: str
    url: str
    as_user: str | None = None  # None (anonymous) or a LargeSetSummary field ending in _id

    def resolve(self, handles: LargeSetSummary) -> str:
        return self.url.format(**{f.name: getattr(handles, f.name) for f in fields(handles)})


# The main pages; adding one is one line. The attendance summary shows the certificate
# course (participants × its 8 sessions): the roster course's timetable grows with the rows
# here, which would make its grid rows².
PAGES = [
    Page("catalogue", "/"),
    Page("course page", "/courses/{roster_course_id}"),
    Page("admin users", "/admin/users", "admin_id"),
    Page("roster", "/enrollment/courses/{roster_course_id}/roster", "organizer_id"),
    Page("dashboard", "/enrollment/me", "busy_participant_id"),
    Page("attendance summary", "/attendance/courses/{certificate_course_id}", "organizer_id"),
    Page("certificate register", "/certificates/register", "organizer_id"),
]


def load_scaled_set(rows: int) -> LargeSetSummary:
    """A large-set copy where every list a page shows has about `rows` rows.

    rows participants (all in the roster course and in the certificate course), rows // 50
    courses (at least 3) that the busy participant all joins, and `rows` extra timetable
    sessions, each with its own topic and speaker, in the roster course.
    """
    courses = max(3, rows // 50)
    handles = seed_large(participants=rows, courses=courses, password=PASSWORD,
                         roster_size=rows, certificate_course_size=rows, busy_courses=courses)
    grow_timetable(handles.roster_course_id, rows)
    return handles


def grow_timetable(course_id: int, count: int) -> None:
    """Add count topic sessions, each with a new topic and speaker, to a course (bulk)."""
    course = db.session.get(Course, course_id)
    next_topic = (db.session.scalar(select(sa.func.max(Topic.id))) or 0) + 1
    next_speaker = (db.session.scalar(select(sa.func.max(Speaker.id))) or 0) + 1
    start = datetime.combine(course.starts_on, datetime.min.time()).replace(tzinfo=course.sessions[0].starts_at.tzinfo)
    topics, speakers, sessions = [], [], []
    for index in range(count):
        topics.append({"id": next_topic + index, "code": f"X{next_topic + index}",
                       "name": f"Chuyên đề bổ sung {index + 1}", "description": "",
                       "default_duration_minutes": 60, "is_standard": False, "sort_order": 100 + index,
                       "created_at": start})
        speakers.append({"id": next_speaker + index, "full_name": f"Báo cáo viên bổ sung {index + 1}",
                         "title": "Giảng viên", "organization_name": "", "bio": "",
                         "created_at": start})
        sessions.append({"course_id": course_id, "kind": SessionKind.TOPIC, "title": "",
                         "topic_id": next_topic + index, "speaker_id": next_speaker + index,
                         "starts_at": start + timedelta(minutes=index),
                         "ends_at": start + timedelta(minutes=index + 1), "room": "Phòng 1",
                         "presided_by": "", "guiding_speech_by": ""})
    db.session.execute(insert(Topic.__table__), topics)
    db.session.execute(insert(Speaker.__table__), speakers)
    db.session.execute(insert(CourseSession.__table__), sessions)
    if db.engine.dialect.name == "postgresql":
        for table in ("topics", "speakers"):
            db.session.execute(sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"))
    db.session.commit()


@contextmanager
def recorded_statements(engine, on_statement=None):
    """Collect every SQL statement the engine sends while the block runs."""
    statements: list[str] = []

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)
        if on_statement is not None:
            on_statement(cursor, statement, parameters)

    sa.event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before_cursor_execute)


def client_for(app, page: Page, handles: LargeSetSummary):
    """A test client, logged in as the page's viewer when it has one."""
    client = app.test_client()
    if page.as_user:
        from courses.auth.models import User

        user = db.session.get(User, getattr(handles, page.as_user))
        response = login(client, user.email, PASSWORD)
        assert response.status_code == 302, page.name
    return client


@contextmanager
def scaled_app(make_app, database, tmp_path, rows: int):
    """An app (context pushed) on a database of its own holding the set at this size."""
    if database["kind"] == "sqlite":
        path = tmp_path / f"rows{rows}.sqlite3"
        shutil.copyfile(database["template"], path)
        app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    else:
        empty_all_tables(database)
        app = make_app()
    with app.app_context():
        handles = load_scaled_set(rows)
        yield app, handles
        db.session.remove()
