"""The large synthetic data set for benchmarks and query-budget tests (`flask seed-large`).

Deterministic: the same arguments and anchor date give the same rows (names,
enrollments, attendance, serials, verification codes all come from one seeded
random generator). Courses are placed around the anchor date (today by default)
so that the set always has courses of the past and of the future.

Everything is written with Core ``insert()`` and lists of dicts (executemany), in
large batches, inside one transaction; primary keys are assigned here so rows can
reference each other without reading them back. Every person is fictional.

The set refuses to load twice: it is recognised by its bloc organization (code
``LG``). Load it into an empty database (or one holding only the demo).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from courses.auth.models import User
from courses.db_types import utcnow
from courses.demo import JOB_TITLES, TOPICS
from courses.enums import (
    OrganizationKind,
    PartyPosition,
    Role,
)
from courses.extensions import db
from courses.formatting import LOCAL_TZ
from courses.organizations.models import Organization
from courses.perf.common import (  # noqa: F401  (the set's handles, imported from here by benchmarks)
    ADMIN_EMAIL,
    BLOC_CODE,
    BUSY_PARTICIPANT_EMAIL,
    CELL_NAMES,
    CERTIFICATE_COURSE_CODE,
    DEFAULT_PASSWORD,
    EMAIL_DOMAIN,
    GRASSROOTS_PREFIXES,
    GRASSROOTS_SUBJECTS,
    MODELS,
    ORGANIZER_EMAIL,
    ROSTER_COURSE_CODE,
    IdPool,
    Load,
    bulk_insert,
    fictional_name,
)
from courses.perf.courses_plan import add_courses, add_enrollments
from courses.scheduling.models import Course, Speaker, Topic


@dataclass
class LargeSetSummary:
    """What was loaded, and the handles benchmarks need."""

    counts: dict[str, int] = field(default_factory=dict)
    roster_course_id: int | None = None
    certificate_course_id: int | None = None
    upcoming_course_id: int | None = None
    busy_participant_id: int | None = None
    admin_id: int | None = None
    organizer_id: int | None = None


class AlreadyLoaded(Exception):
    """The large set is already in this database."""


def _reset_sequences(models) -> None:
    """PostgreSQL: move each id sequence past the ids given explicitly here."""
    if db.engine.dialect.name != "postgresql":
        return
    for model in models:
        name = model.__tablename__
        db.session.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"
        ))


def is_loaded() -> bool:
    """True when the large set's bloc organization exists."""
    return db.session.scalar(select(Organization.id).where(Organization.code == BLOC_CODE)) is not None


def seed_large(participants: int = 20_000, courses: int = 200, *, seed: int = 7,
               anchor: date | None = None, password: str = DEFAULT_PASSWORD,
               roster_size: int = 500, certificate_course_size: int = 2_000,
               busy_courses: int = 60) -> LargeSetSummary:
    """Load the synthetic set in one transaction and return its summary.

    Raises AlreadyLoaded when the set is already present (nothing is written). The steps
    run in a fixed order from one generator, so the same arguments give the same rows.
    """
    if participants < 1 or courses < 3:
        raise ValueError("need at least 1 participant and 3 courses")
    if is_loaded():
        raise AlreadyLoaded(BLOC_CODE)
    load = Load(rng=random.Random(seed), ids=IdPool(MODELS),
                 anchor=anchor or datetime.now(LOCAL_TZ).date(), now=utcnow())
    _organizations(load)
    _users(load, participants, password)
    _topics_and_speakers(load)
    add_courses(load, courses, certificate_course_size)
    add_enrollments(load, participants, roster_size, certificate_course_size, busy_courses)
    _reset_sequences(MODELS)
    db.session.commit()
    return _summary(load)


def _organizations(load: Load) -> None:
    """The bloc, 40 grassroots organizations, 5 cells each."""
    load.bloc_id = load.ids.take(Organization)
    rows = [dict(id=load.bloc_id, parent_id=None, kind=OrganizationKind.BLOC, code=BLOC_CODE,
                 name="Đảng ủy Khối (dữ liệu thử tải)", sort_order=0, created_at=load.now)]
    for g in range(40):
        g_id = load.ids.take(Organization)
        subject = GRASSROOTS_SUBJECTS[g % len(GRASSROOTS_SUBJECTS)]
        prefix = GRASSROOTS_PREFIXES[g % len(GRASSROOTS_PREFIXES)]
        rows.append(dict(id=g_id, parent_id=load.bloc_id, kind=OrganizationKind.GRASSROOTS,
                         code=f"LG-DB{g + 1:02d}", name=f"{prefix} {subject} {g + 1}",
                         sort_order=g, created_at=load.now))
        for c, cell_name in enumerate(CELL_NAMES):
            c_id = load.ids.take(Organization)
            load.cell_ids.append(c_id)
            load.grassroots_of[c_id] = g_id
            rows.append(dict(id=c_id, parent_id=g_id, kind=OrganizationKind.CELL,
                             code=f"LG-DB{g + 1:02d}-CB{c + 1}", name=cell_name,
                             sort_order=c, created_at=load.now))
    bulk_insert(Organization, rows)
    load.rows["organizations"] = rows


def _users(load: Load, participants: int, password: str) -> None:
    """One admin, five organizers, then the participants (hv00001 is the busy one)."""
    rng, now = load.rng, load.now
    password_hash = generate_password_hash(password)  # one hash shared by every synthetic account
    common = dict(password_hash=password_hash, phone=None, party_card_number=None, locale=None,
                  is_active_account=True, created_at=now, last_login_at=None)
    load.admin_id = load.ids.take(User)
    rows = [dict(common, id=load.admin_id, email=ADMIN_EMAIL, full_name="Quản trị Thử tải", role=Role.ADMIN,
                 organization_id=None, party_position=None, job_title=None)]
    for index in range(5):
        user_id = load.ids.take(User)
        load.organizer_ids.append(user_id)
        email = ORGANIZER_EMAIL if index == 0 else f"organizer{index + 1}@{EMAIL_DOMAIN}"
        rows.append(dict(common, id=user_id, email=email, full_name=fictional_name(rng), role=Role.ORGANIZER,
                         organization_id=None, party_position=PartyPosition.MEMBER,
                         job_title="Chuyên viên Ban Tổ chức"))
    positions = ([PartyPosition.SECRETARY] * 4 + [PartyPosition.DEPUTY_SECRETARY] * 2
                 + [PartyPosition.COMMITTEE_MEMBER] * 3 + [PartyPosition.MEMBER])
    for index in range(1, participants + 1):
        user_id = load.ids.take(User)
        load.participant_ids.append(user_id)
        full_name = fictional_name(rng)
        cell_id = rng.choice(load.cell_ids)
        load.organization_of[user_id] = cell_id
        rows.append(dict(
            common, id=user_id, email=f"hv{index:05d}@{EMAIL_DOMAIN}", full_name=full_name,
            role=Role.PARTICIPANT, organization_id=cell_id, party_position=rng.choice(positions),
            job_title=rng.choice(JOB_TITLES), phone=f"09{rng.randrange(10**8):08d}",
            party_card_number=f"{rng.randrange(10**8):08d}",
        ))
    bulk_insert(User, rows)
    load.rows["users"] = rows


def _topics_and_speakers(load: Load) -> None:
    """The five standard topics (shared with the demo if it is loaded) and fictional speakers."""
    existing = dict(db.session.execute(select(Topic.code, Topic.id)).all())
    topic_rows = []
    for order, (code, name, description) in enumerate(TOPICS):
        if code in existing:
            load.topic_ids.append(existing[code])
            continue
        topic_id = load.ids.take(Topic)
        load.topic_ids.append(topic_id)
        topic_rows.append(dict(id=topic_id, code=code, name=name, description=description,
                               default_duration_minutes=75, is_standard=True, sort_order=order,
                               created_at=load.now))
    bulk_insert(Topic, topic_rows)
    speaker_rows = []
    for index in range(30):
        speaker_id = load.ids.take(Speaker)
        load.speaker_ids.append(speaker_id)
        speaker_rows.append(dict(id=speaker_id, full_name=fictional_name(load.rng),
                                 title=f"Báo cáo viên kiêm nhiệm số {index + 1} (dữ liệu thử tải)",
                                 organization_name="Đảng ủy Khối (dữ liệu thử tải)", bio="",
                                 photo_stored_name=None, user_id=None, created_at=load.now))
    bulk_insert(Speaker, speaker_rows)
    load.rows["topics"], load.rows["speakers"] = topic_rows, speaker_rows


def _summary(load: Load) -> LargeSetSummary:
    return LargeSetSummary(
        counts={name: len(rows) for name, rows in load.rows.items()},
        roster_course_id=load.course_plan[0][0], certificate_course_id=load.course_plan[1][0],
        upcoming_course_id=load.course_plan[2][0], busy_participant_id=load.participant_ids[0],
        admin_id=load.admin_id, organizer_id=load.organizer_ids[0],
    )


def large_set_handles() -> LargeSetSummary:
    """The handles of a set already loaded (for benchmarks and tests)."""
    summary = LargeSetSummary()
    codes = dict(db.session.execute(
        select(Course.code, Course.id).where(Course.code.in_(("LG-0001", "LG-0002", "LG-0003")))
    ).all())
    summary.roster_course_id = codes.get(ROSTER_COURSE_CODE)
    summary.certificate_course_id = codes.get(CERTIFICATE_COURSE_CODE)
    summary.upcoming_course_id = codes.get("LG-0003")
    emails = dict(db.session.execute(
        select(User.email, User.id).where(User.email.in_((ADMIN_EMAIL, ORGANIZER_EMAIL, BUSY_PARTICIPANT_EMAIL)))
    ).all())
    summary.admin_id = emails.get(ADMIN_EMAIL)
    summary.organizer_id = emails.get(ORGANIZER_EMAIL)
    summary.busy_participant_id = emails.get(BUSY_PARTICIPANT_EMAIL)
    return summary
