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
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy import func, insert, select
from werkzeug.security import generate_password_hash

from courses.attendance.models import Attendance
from courses.auth.models import User
from courses.certificates.models import Certificate
from courses.db_types import utcnow
from courses.demo import DAY_PLAN, FEMALE, JOB_TITLES, MALE, SURNAMES, TOPICS
from courses.enrollment.models import Enrollment
from courses.enums import (
    AttendanceMethod,
    AttendanceStatus,
    CompletionRule,
    CourseStatus,
    EnrollmentSource,
    EnrollmentStatus,
    MaterialKind,
    OrganizationKind,
    PartyPosition,
    Role,
    SessionKind,
    Visibility,
)
from courses.extensions import db
from courses.formatting import LOCAL_TZ
from courses.organizations.models import Organization
from courses.scheduling.models import Course, CourseSession, Material, Speaker, Topic

BATCH = 10_000
BLOC_CODE = "LG"
EMAIL_DOMAIN = "large.example.vn"
# Stable handles the benchmarks and tests look up.
ROSTER_COURSE_CODE = "LG-0001"       # finished, 500 confirmed participants (roster, attendance)
CERTIFICATE_COURSE_CODE = "LG-0002"  # finished, 2,000 participants all with certificates (printing)
ADMIN_EMAIL = f"admin@{EMAIL_DOMAIN}"
ORGANIZER_EMAIL = f"organizer@{EMAIL_DOMAIN}"
BUSY_PARTICIPANT_EMAIL = f"hv00001@{EMAIL_DOMAIN}"  # enrolled in many courses (dashboard)
DEFAULT_PASSWORD = "Matkhau@2022"
ISSUING_UNIT_CODE = "GCN-LG"

GRASSROOTS_PREFIXES = ["Đảng bộ Bộ", "Đảng bộ Cơ quan", "Đảng bộ Ban", "Đảng bộ Viện", "Đảng bộ Báo"]
GRASSROOTS_SUBJECTS = ["Kế hoạch", "Tư pháp", "Văn hóa", "Giáo dục", "Khoa học", "Y tế", "Nội vụ",
                       "Xây dựng", "Nông nghiệp", "Công thương", "Tài nguyên", "Giao thông"]
CELL_NAMES = ["Chi bộ Văn phòng", "Chi bộ Vụ Tổng hợp", "Chi bộ Vụ Địa phương",
              "Chi bộ Vụ Tổ chức cán bộ", "Chi bộ Vụ Kế hoạch - Tài chính"]
ROOMS = ["Hội trường A", "Hội trường B", "Phòng họp số 3", "Phòng họp số 5"]
VENUES = ["Hội trường Đảng ủy Khối, Hà Nội", "Trung tâm Hội nghị, Hà Nội", "Trường Chính trị, Hà Nội"]
COURSE_TITLES = [
    "Bồi dưỡng nghiệp vụ công tác Đảng cho cấp ủy viên cơ sở",
    "Bồi dưỡng bí thư chi bộ trực thuộc",
    "Bồi dưỡng nghiệp vụ công tác kiểm tra, giám sát",
    "Bồi dưỡng nghiệp vụ công tác tư tưởng, tuyên truyền",
    "Bồi dưỡng nghiệp vụ công tác văn phòng cấp ủy",
]


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


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=LOCAL_TZ)


class _Ids:
    """Hands out primary keys after the largest one already in each table."""

    def __init__(self, models):
        self.next = {}
        for model in models:
            self.next[model] = (db.session.scalar(select(func.max(model.id))) or 0) + 1

    def take(self, model) -> int:
        value = self.next[model]
        self.next[model] = value + 1
        return value


def _bulk(model, rows: list[dict]) -> None:
    """executemany in large batches through Core."""
    table = model.__table__
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(table), rows[start:start + BATCH])


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


def _person(rng: random.Random) -> str:
    middles, givens = rng.choice([MALE, FEMALE])
    return f"{rng.choice(SURNAMES)} {rng.choice(middles)} {rng.choice(givens)}"


def is_loaded() -> bool:
    """True when the large set's bloc organization exists."""
    return db.session.scalar(select(Organization.id).where(Organization.code == BLOC_CODE)) is not None


def seed_large(participants: int = 20_000, courses: int = 200, *, seed: int = 7,
               anchor: date | None = None, password: str = DEFAULT_PASSWORD,
               roster_size: int = 500, certificate_course_size: int = 2_000,
               busy_courses: int = 60) -> LargeSetSummary:
    """Load the synthetic set in one transaction and return its summary.

    Raises AlreadyLoaded when the set is already present (nothing is written).
    """
    if participants < 1 or courses < 3:
        raise ValueError("need at least 1 participant and 3 courses")
    if is_loaded():
        raise AlreadyLoaded(BLOC_CODE)
    rng = random.Random(seed)
    anchor = anchor or datetime.now(LOCAL_TZ).date()
    now = utcnow()
    models = (Organization, User, Topic, Speaker, Course, CourseSession, Material, Enrollment,
              Attendance, Certificate)
    ids = _Ids(models)
    summary = LargeSetSummary()

    # Organizations: the bloc, 40 grassroots organizations, 5 cells each.
    bloc_id = ids.take(Organization)
    org_rows = [dict(id=bloc_id, parent_id=None, kind=OrganizationKind.BLOC, code=BLOC_CODE,
                     name="Đảng ủy Khối (dữ liệu thử tải)", sort_order=0, created_at=now)]
    cell_ids: list[int] = []
    grassroots_count = 40
    for g in range(grassroots_count):
        g_id = ids.take(Organization)
        subject = GRASSROOTS_SUBJECTS[g % len(GRASSROOTS_SUBJECTS)]
        prefix = GRASSROOTS_PREFIXES[g % len(GRASSROOTS_PREFIXES)]
        org_rows.append(dict(id=g_id, parent_id=bloc_id, kind=OrganizationKind.GRASSROOTS,
                             code=f"LG-DB{g + 1:02d}", name=f"{prefix} {subject} {g + 1}",
                             sort_order=g, created_at=now))
        for c, cell_name in enumerate(CELL_NAMES):
            c_id = ids.take(Organization)
            cell_ids.append(c_id)
            org_rows.append(dict(id=c_id, parent_id=g_id, kind=OrganizationKind.CELL,
                                 code=f"LG-DB{g + 1:02d}-CB{c + 1}", name=cell_name,
                                 sort_order=c, created_at=now))
    _bulk(Organization, org_rows)

    # Users: one admin, five organizers, then the participants (hv00001 is the busy one).
    password_hash = generate_password_hash(password)  # one hash shared by every synthetic account
    user_rows = []
    admin_id = ids.take(User)
    user_rows.append(dict(id=admin_id, email=ADMIN_EMAIL, full_name="Quản trị Thử tải", role=Role.ADMIN,
                          password_hash=password_hash, organization_id=None, party_position=None,
                          job_title=None, phone=None, party_card_number=None, locale=None,
                          is_active_account=True, created_at=now, last_login_at=None))
    organizer_ids = []
    for index in range(5):
        user_id = ids.take(User)
        organizer_ids.append(user_id)
        email = ORGANIZER_EMAIL if index == 0 else f"organizer{index + 1}@{EMAIL_DOMAIN}"
        user_rows.append(dict(id=user_id, email=email, full_name=_person(rng), role=Role.ORGANIZER,
                              password_hash=password_hash, organization_id=None,
                              party_position=PartyPosition.MEMBER,
                              job_title="Chuyên viên Ban Tổ chức", phone=None, party_card_number=None,
                              locale=None, is_active_account=True, created_at=now, last_login_at=None))
    positions = ([PartyPosition.SECRETARY] * 4 + [PartyPosition.DEPUTY_SECRETARY] * 2
                 + [PartyPosition.COMMITTEE_MEMBER] * 3 + [PartyPosition.MEMBER])
    participant_ids = []
    for index in range(1, participants + 1):
        user_id = ids.take(User)
        participant_ids.append(user_id)
        user_rows.append(dict(
            id=user_id, email=f"hv{index:05d}@{EMAIL_DOMAIN}", full_name=_person(rng),
            role=Role.PARTICIPANT, password_hash=password_hash, organization_id=rng.choice(cell_ids),
            party_position=rng.choice(positions), job_title=rng.choice(JOB_TITLES),
            phone=f"09{rng.randrange(10**8):08d}", party_card_number=f"{rng.randrange(10**8):08d}",
            locale=None, is_active_account=True, created_at=now, last_login_at=None,
        ))
    _bulk(User, user_rows)

    # Topics (the five standard ones, shared with the demo if it is loaded) and fictional speakers.
    existing_topics = dict(db.session.execute(select(Topic.code, Topic.id)).all())
    topic_rows, topic_ids = [], []
    for order, (code, name, description) in enumerate(TOPICS):
        if code in existing_topics:
            topic_ids.append(existing_topics[code])
            continue
        topic_id = ids.take(Topic)
        topic_ids.append(topic_id)
        topic_rows.append(dict(id=topic_id, code=code, name=name, description=description,
                               default_duration_minutes=75, is_standard=True, sort_order=order,
                               created_at=now))
    _bulk(Topic, topic_rows)
    speaker_rows, speaker_ids = [], []
    for index in range(30):
        speaker_id = ids.take(Speaker)
        speaker_ids.append(speaker_id)
        speaker_rows.append(dict(id=speaker_id, full_name=_person(rng),
                                 title=f"Báo cáo viên kiêm nhiệm số {index + 1} (dữ liệu thử tải)",
                                 organization_name="Đảng ủy Khối (dữ liệu thử tải)", bio="",
                                 photo_stored_name=None, user_id=None, created_at=now))
    _bulk(Speaker, speaker_rows)

    # Courses: the two big finished ones first, the rest spread from 18 months ago to 6 months ahead.
    course_rows, session_rows, material_rows = [], [], []
    course_plan = []  # (course_id, day, status, capacity, attended session ids, topic session ids)
    for index in range(courses):
        course_id = ids.take(Course)
        if index < 2:
            day = anchor - timedelta(days=60 + 30 * index)
        elif index == 2:
            day = anchor + timedelta(days=30)
        else:
            day = anchor + timedelta(days=rng.randrange(-540, 180))
        while day.weekday() >= 5:
            day += timedelta(days=1)
        if index == 2 or day > anchor:
            status = CourseStatus.PUBLISHED if index == 2 or rng.random() < 0.7 else rng.choice(
                [CourseStatus.CLOSED, CourseStatus.DRAFT])
        else:
            status = CourseStatus.CANCELLED if index >= 2 and rng.random() < 0.05 else CourseStatus.FINISHED
        capacity = {0: 600, 1: max(certificate_course_size, 1) + 100}.get(index, rng.randrange(40, 160))
        opens = _local(day - timedelta(days=30), time(8, 0))
        closes = _local(day - timedelta(days=3), time(17, 0))
        course_rows.append(dict(
            id=course_id, code=f"LG-{index + 1:04d}",
            title=f"{COURSE_TITLES[index % len(COURSE_TITLES)]} (đợt {index + 1}, dữ liệu thử tải)",
            description="Lớp bồi dưỡng trong bộ dữ liệu thử tải; nội dung gồm 5 chuyên đề nghiệp vụ.",
            organizing_unit_id=bloc_id, venue=rng.choice(VENUES), starts_on=day, ends_on=day,
            registration_opens_at=opens, registration_closes_at=closes, capacity=capacity,
            target_positions=[], requires_approval=index % 3 == 0, status=status,
            cancel_reason="Trùng lịch công tác (dữ liệu thử tải)" if status == CourseStatus.CANCELLED else None,
            completion_rule=CompletionRule.ALL_TOPICS, completion_min_topics=None, is_demo=True,
            created_by_id=organizer_ids[index % len(organizer_ids)], created_at=now, updated_at=now,
        ))
        attended, topic_sessions = [], []
        room = rng.choice(ROOMS)
        for kind, topic_code, start, end, title in DAY_PLAN:
            session_id = ids.take(CourseSession)
            topic_id = speaker_id = None
            if topic_code:
                topic_id = topic_ids[[t[0] for t in TOPICS].index(topic_code)]
                speaker_id = rng.choice(speaker_ids)
                topic_sessions.append(session_id)
            if kind in (SessionKind.OPENING, SessionKind.TOPIC):
                attended.append(session_id)
            session_rows.append(dict(
                id=session_id, course_id=course_id, kind=kind, title=title, topic_id=topic_id,
                speaker_id=speaker_id, starts_at=_local(day, start), ends_at=_local(day, end), room=room,
                presided_by="Ban Thường vụ Đảng ủy Khối" if kind == SessionKind.OPENING else "",
                guiding_speech_by="Đồng chí Phó Bí thư Đảng ủy Khối" if kind == SessionKind.OPENING else "",
            ))
        material_rows.append(dict(
            id=ids.take(Material), course_id=course_id, session_id=None,
            title="Tài liệu bồi dưỡng (liên kết)", description="", kind=MaterialKind.LINK,
            url=f"https://tailieu.example.vn/lop/{index + 1}", stored_name=None, original_filename=None,
            content_type=None, size_bytes=None, visibility=Visibility.ENROLLED,
            uploaded_by_id=organizer_ids[0], created_at=now,
        ))
        course_plan.append((course_id, day, status, capacity, attended, topic_sessions))
    _bulk(Course, course_rows)
    _bulk(CourseSession, session_rows)
    _bulk(Material, material_rows)

    # Enrollments: the two big courses, then a random crowd per course; hv00001 joins many courses.
    busy_id = participant_ids[0]
    enrollment_rows, attendance_rows, certificate_rows = [], [], []
    serial_numbers: dict[int, int] = {}
    codes: set[str] = set()
    for index, (course_id, day, status, capacity, attended, topic_sessions) in enumerate(course_plan):
        if index == 0:
            size = min(roster_size, participants)
        elif index == 1:
            size = min(certificate_course_size, participants)
        else:
            size = min(rng.randrange(20, capacity), participants)
        members = rng.sample(participant_ids, size)
        if index < busy_courses and busy_id not in members:
            members[-1] = busy_id  # keeps the size; busy_id was not in the sample
        past = status in (CourseStatus.FINISHED, CourseStatus.CANCELLED)
        requested = _local(day - timedelta(days=20), time(9, 0))
        decided = _local(day - timedelta(days=10), time(9, 0))
        for position, user_id in enumerate(members):
            if index < 2 or position < capacity * 0.9:
                state = EnrollmentStatus.CONFIRMED
                if index >= 2:
                    roll = rng.random()
                    if roll < 0.04:
                        state = EnrollmentStatus.CANCELLED
                    elif roll < 0.07 and not past:
                        state = EnrollmentStatus.PENDING
                    elif roll < 0.08:
                        state = EnrollmentStatus.REJECTED
            else:
                state = EnrollmentStatus.WAITLISTED if not past else EnrollmentStatus.CANCELLED
            if user_id == busy_id:
                state = EnrollmentStatus.CONFIRMED
            enrollment_id = ids.take(Enrollment)
            enrollment_rows.append(dict(
                id=enrollment_id, user_id=user_id, course_id=course_id, status=state,
                source=EnrollmentSource.IMPORT if position % 2 else EnrollmentSource.SELF,
                status_reason="Không đúng đối tượng" if state == EnrollmentStatus.REJECTED else None,
                requested_at=requested,
                decided_at=None if state in (EnrollmentStatus.PENDING, EnrollmentStatus.WAITLISTED) else decided,
                updated_at=decided,
            ))
            if status != CourseStatus.FINISHED or state != EnrollmentStatus.CONFIRMED:
                continue
            complete = True
            for session_id in attended:
                roll = rng.random()
                # Everyone attends all of the certificate course, so it has a certificate per
                # participant (2,000 for benchmarks/certificates.py).
                mark = (AttendanceStatus.PRESENT if roll < 0.96 or user_id == busy_id or index == 1
                        else AttendanceStatus.ABSENT if roll < 0.99 else AttendanceStatus.EXCUSED)
                if mark != AttendanceStatus.PRESENT and session_id in topic_sessions:
                    complete = False
                attendance_rows.append(dict(
                    id=ids.take(Attendance), enrollment_id=enrollment_id, session_id=session_id,
                    status=mark, method=AttendanceMethod.ROLL_CALL,
                    recorded_at=_local(day, time(7, 35)), recorded_by_id=organizer_ids[0],
                ))
            if complete:
                year = day.year
                number = serial_numbers.get(year, 0) + 1
                serial_numbers[year] = number
                code = f"{rng.getrandbits(128):032x}"
                while code in codes:
                    code = f"{rng.getrandbits(128):032x}"
                codes.add(code)
                certificate_rows.append(dict(
                    id=ids.take(Certificate), enrollment_id=enrollment_id,
                    issuing_unit_code=ISSUING_UNIT_CODE, serial_year=year, serial_number=number,
                    serial=f"{number:04d}/{year}/GCN-ĐUK-LG", verification_code=code,
                    issued_at=_local(day + timedelta(days=3), time(9, 0)), issued_by_id=admin_id,
                    manual_reason=None, revoked_at=None, revoked_by_id=None, revoke_reason=None,
                    replaced_by_id=None,
                ))
    _bulk(Enrollment, enrollment_rows)
    _bulk(Attendance, attendance_rows)
    _bulk(Certificate, certificate_rows)
    _reset_sequences(models)
    db.session.commit()

    summary.roster_course_id = course_plan[0][0]
    summary.certificate_course_id = course_plan[1][0]
    summary.upcoming_course_id = course_plan[2][0]
    summary.busy_participant_id = busy_id
    summary.admin_id = admin_id
    summary.organizer_id = organizer_ids[0]
    summary.counts = {
        "organizations": len(org_rows), "users": len(user_rows), "topics": len(topic_rows),
        "speakers": len(speaker_rows), "courses": len(course_rows), "sessions": len(session_rows),
        "materials": len(material_rows), "enrollments": len(enrollment_rows),
        "attendances": len(attendance_rows), "certificates": len(certificate_rows),
    }
    return summary


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
