"""Walking every route of the app: a world of objects, URL builders, log-in by role, snapshots.

Shared by the permission matrix (tests/test_permission_matrix.py, which holds the ONE
table of expected outcomes), the CSRF and GET-safety walks (tests/test_request_safety.py)
and the form fuzzer (tests/test_fuzz_forms.py). Every walk reads `app.url_map`, so
endpoints merged later are covered without editing these files; an endpoint whose URL
argument has no builder fails with a message saying where to add one.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.routing import Rule

from config import TestingConfig
from courses import create_app
from courses.enums import CourseStatus, EnrollmentStatus, Role, SessionKind, Visibility
from courses.extensions import db
from tests import factories

ROLES = ("anonymous", "participant", "other_participant", "organizer", "admin")
STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")
IGNORED_METHODS = {"HEAD", "OPTIONS"}


@dataclass
class World:
    """One of everything, seen from five users.

    `participant` owns `enrollment` (confirmed) in `course`, with an attendance at
    `session`, a certificate and an enrolled-only material; `other_participant` is
    enrolled only in `other_course`. URL arguments point at the participant's objects,
    so "participant" may see them and "other_participant" must not. `speaker` has a
    photo and `job` (the participant's, of an admin-only kind) has finished with a
    result file, so the file downloads are checked for real.
    """

    admin: Any
    organizer: Any
    participant: Any
    other_participant: Any
    organization: Any
    course: Any
    other_course: Any
    topic: Any
    speaker: Any
    session: Any
    enrollment: Any
    other_enrollment: Any
    attendance: Any
    material: Any
    certificate: Any
    audit_event: Any
    quota: Any = None
    check_in_code: Any = None
    job: Any = None

    def user(self, role: str):
        """The user acting as role (None for anonymous)."""
        return None if role == "anonymous" else getattr(self, role)


def build_world() -> World:
    """Create the world through tests/factories.py (inside an app context)."""
    from courses.enums import OrganizationKind

    bloc = factories.make_organization("Đảng ủy Khối Thử", kind=OrganizationKind.BLOC)
    organization = factories.make_organization(parent=bloc)
    admin = factories.make_user(Role.ADMIN, organization=organization)
    organizer = factories.make_user(Role.ORGANIZER, organization=organization)
    participant = factories.make_user(Role.PARTICIPANT, organization=organization)
    other_participant = factories.make_user(Role.PARTICIPANT, organization=organization)
    speaker = factories.give_speaker_photo(factories.make_speaker())
    topic = factories.make_topic()
    course = factories.make_course(CourseStatus.PUBLISHED, unit=bloc, created_by=organizer)
    other_course = factories.make_course(CourseStatus.PUBLISHED, unit=bloc, created_by=organizer)
    session = factories.make_session(course, SessionKind.TOPIC, topic=topic, speaker=speaker)
    factories.make_session(other_course, SessionKind.OPENING)
    enrollment = factories.make_enrollment(participant, course, EnrollmentStatus.CONFIRMED)
    other_enrollment = factories.make_enrollment(other_participant, other_course, EnrollmentStatus.CONFIRMED)
    attendance = factories.make_attendance(enrollment, session, recorded_by=organizer)
    material = factories.make_material(course, visibility=Visibility.ENROLLED)
    from courses.certificates.issuing import new_verification_code

    # A code as the service makes them (upper case): /verify looks codes up that way.
    certificate = factories.make_certificate(enrollment, issued_by=admin)
    certificate.verification_code = new_verification_code()
    db.session.commit()
    audit_event = factories.make_audit_event(organizer, "course.update", course,
                                             before={"title": "Cũ"}, after={"title": "Mới"})
    quota = factories.make_quota(course, organization, seats=5)
    check_in_code = factories.make_check_in_code(session, created_by=organizer)
    job = factories.make_finished_job(participant)
    return World(quota=quota, check_in_code=check_in_code, job=job, admin=admin, organizer=organizer, participant=participant,
                 other_participant=other_participant, organization=organization, course=course,
                 other_course=other_course, topic=topic, speaker=speaker, session=session,
                 enrollment=enrollment, other_enrollment=other_enrollment, attendance=attendance,
                 material=material, certificate=certificate, audit_event=audit_event)


# URL argument name -> its value in the world. Name arguments after the model
# (`course_id`, `session_id`, …) and they are built here; add a line for a new one.
ARG_BUILDERS: dict[str, Callable[[World], Any]] = {
    "course_id": lambda w: w.course.id,
    "session_id": lambda w: w.session.id,
    "enrollment_id": lambda w: w.enrollment.id,
    "attendance_id": lambda w: w.attendance.id,
    "material_id": lambda w: w.material.id,
    "certificate_id": lambda w: w.certificate.id,
    "user_id": lambda w: w.participant.id,
    "organization_id": lambda w: w.organization.id,
    "topic_id": lambda w: w.topic.id,
    "speaker_id": lambda w: w.speaker.id,
    "event_id": lambda w: w.audit_event.id,
    "code": lambda w: w.certificate.verification_code,
    "verification_code": lambda w: w.certificate.verification_code,
    "serial": lambda w: w.certificate.serial,
    "filename": lambda w: "css/app.css",
    "quota_id": lambda w: w.quota.id,
    "job_id": lambda w: w.job.id,
    "token": lambda w: _set_password_token(w.participant),
    "fmt": lambda w: "xlsx",
    "action": lambda w: "close",
}


def _set_password_token(user) -> str:
    from courses.enrollment.tokens import make_token

    return make_token(user)


class MissingBuilder(LookupError):
    """A URL argument that neither the entry nor ARG_BUILDERS knows how to build."""


def url_arguments(rule: Rule, world: World, given: dict | Callable | None = None) -> dict:
    """Values of rule's arguments: the entry's own (dict or callable) first, else ARG_BUILDERS."""
    own = given(world) if callable(given) else dict(given or {})
    values = {}
    for name in sorted(rule.arguments):
        if name in own:
            values[name] = own[name]
        elif name in ARG_BUILDERS:
            values[name] = ARG_BUILDERS[name](world)
        else:
            raise MissingBuilder(
                f"URL argument <{name}> of endpoint {rule.endpoint!r} ({rule.rule}) has no builder: "
                f"add it to ARG_BUILDERS in tests/route_walk.py, or give the endpoint's entry in "
                f"tests/test_permission_matrix.py MATRIX args={{'{name}': …}}."
            )
    return values


def build_path(app: Flask, rule: Rule, values: dict, query: dict | None = None) -> str:
    """The path of rule with values (and a query string)."""
    adapter = app.url_map.bind("localhost")
    return adapter.build(rule.endpoint, {**values, **(query or {})}, method=None, force_external=False)


def rule_methods(rule: Rule) -> list[str]:
    """The methods a rule answers, without HEAD and OPTIONS."""
    return sorted(set(rule.methods or ()) - IGNORED_METHODS)


@functools.cache
def collection_app() -> Flask:
    """An app built at collection time only to read its url_map (no database is opened)."""
    return create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="sqlite://")


def all_routes() -> list[tuple[str, str, Rule]]:
    """(endpoint, method, rule) of every route of the app, sorted."""
    routes = []
    for rule in collection_app().url_map.iter_rules():
        for method in rule_methods(rule):
            routes.append((rule.endpoint, method, rule))
    return sorted(routes, key=lambda item: (item[0], item[1], item[2].rule))


def route_id(route) -> str:
    endpoint, method, rule = route
    return f"{endpoint}:{method}:{rule.rule}"


def log_in(client, user) -> None:
    """Make client act as user (or anonymous for None) without the log-in form's hashing."""
    from flask import g

    from courses.auth.sessions import start_login

    # Flask-Login caches the user in g, which lives as long as the test's app context.
    g.pop("_login_user", None)
    with client.session_transaction() as session:
        session.clear()
        if user is not None:
            # A log-in row, as the form makes; committed without expiring the world's
            # objects (some are detached by then, and could not be loaded again).
            orm = db.session()
            expire, orm.expire_on_commit = orm.expire_on_commit, False
            try:
                # End the open read first: on SQLite a background job writing meanwhile
                # would otherwise deadlock with this write ("database is locked").
                orm.commit()
                session["_user_id"] = start_login(user)
                orm.commit()
            finally:
                orm.expire_on_commit = expire
            session["_fresh"] = True


def flashed_categories(client) -> list[str]:
    """The categories of the messages waiting in client's session."""
    with client.session_transaction() as session:
        return [category for category, _message in session.get("_flashes", [])]


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table, ordered, as plain tuples (the database "as it was")."""
    db.session.expire_all()
    content = {}
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows = connection.execute(sa.select(table).order_by(*order)).all()
            content[table.name] = [tuple(row) for row in rows]
    return content


def describe_difference(before: dict, after: dict) -> str:
    """Which tables changed, and how many rows each gained or lost."""
    changed = []
    for name in before:
        if before[name] != after[name]:
            changed.append(f"{name} ({len(before[name])} -> {len(after[name])} rows)")
    return ", ".join(changed)


@functools.cache
def _real_hash(password: str) -> str:
    from werkzeug.security import generate_password_hash

    return generate_password_hash(password)


@pytest.fixture
def fast_password_hashing(monkeypatch):
    """Hash each distinct password once per run: worlds are built for hundreds of tests.

    The hashes are real (log-in still checks them); only repeated hashing is skipped.
    """
    import courses.auth.models

    monkeypatch.setattr(courses.auth.models, "generate_password_hash", lambda password, *a, **k: _real_hash(password))


def _no_fsync(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA synchronous=OFF")


@pytest.fixture
def world(app, fast_password_hashing) -> World:
    """A fresh world in this test's database."""
    if db.engine.dialect.name == "sqlite":
        # A throw-away copy per test: waiting for the disk on each of the world's commits
        # would make the hundreds of walks slow, and proves nothing.
        sa.event.listen(db.engine, "connect", _no_fsync)
        db.engine.dispose()
    return build_world()
