"""The demo data set: the model course of 2 December 2022 and an upcoming course.

Every person here is fictional except the two speakers the news report names
(Nguyễn Văn Thể and Nguyễn Đức Minh). Loading is idempotent: records are found
by their natural keys (codes, emails) and created only when missing.
"""
from __future__ import annotations

import io
import random
import secrets
from datetime import date, datetime, time, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from courses.attendance.models import Attendance
from courses.auth.models import User
from courses.enrollment.models import Enrollment
from courses.enums import (
    AttendanceStatus,
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

BLOC = ("DUK", "Đảng ủy Khối các cơ quan Trung ương")

GRASSROOTS = [
    ("VPTW", "Đảng bộ Văn phòng Trung ương Đảng"),
    ("BTCTW", "Đảng bộ Ban Tổ chức Trung ương"),
    ("BTGTW", "Đảng bộ Ban Tuyên giáo Trung ương"),
    ("UBKTTW", "Đảng bộ Cơ quan Ủy ban Kiểm tra Trung ương"),
    ("BDVTW", "Đảng bộ Ban Dân vận Trung ương"),
    ("BKTTW", "Đảng bộ Ban Kinh tế Trung ương"),
    ("BDNTW", "Đảng bộ Ban Đối ngoại Trung ương"),
    ("BNCTW", "Đảng bộ Ban Nội chính Trung ương"),
    ("BND", "Đảng bộ Báo Nhân Dân"),
    ("TCCS", "Đảng bộ Tạp chí Cộng sản"),
    ("NXBCTQG", "Đảng bộ Nhà xuất bản Chính trị quốc gia Sự thật"),
    ("MTTQ", "Đảng bộ Cơ quan Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam"),
]

CELLS = ["Chi bộ Văn phòng", "Chi bộ Vụ Tổng hợp", "Chi bộ Vụ Địa phương"]

TOPICS = [
    ("TC", "Công tác tổ chức", "Công tác tổ chức, cán bộ và đảng viên ở tổ chức cơ sở đảng."),
    ("KTGS", "Công tác kiểm tra, giám sát", "Nghiệp vụ kiểm tra, giám sát và thi hành kỷ luật đảng."),
    ("TT", "Công tác tư tưởng", "Công tác tư tưởng, tuyên truyền trong chi bộ."),
    ("DV", "Công tác dân vận", "Công tác dân vận trong cơ quan, đơn vị."),
    ("VP", "Công tác văn phòng", "Thể thức văn bản, lưu trữ hồ sơ và công tác văn phòng cấp ủy."),
]

# Real people named by the news report, then fictional speakers with plausible titles.
SPEAKERS = {
    "OPEN": ("Nguyễn Văn Thể", "Ủy viên Ban Chấp hành Trung ương Đảng, Bí thư Đảng ủy Khối các cơ quan Trung ương"),
    "TC": ("Nguyễn Đức Minh", "Trưởng ban Tổ chức Đảng ủy Khối các cơ quan Trung ương"),
    "KTGS": ("Lê Thị Thu Hà", "Phó Chủ nhiệm Ủy ban Kiểm tra Đảng ủy Khối các cơ quan Trung ương"),
    "TT": ("Trần Quang Huy", "Phó Trưởng ban Tuyên giáo Đảng ủy Khối các cơ quan Trung ương"),
    "DV": ("Phạm Thị Lan Anh", "Phó Trưởng ban Dân vận Đảng ủy Khối các cơ quan Trung ương"),
    "VP": ("Hoàng Minh Tuấn", "Chánh Văn phòng Đảng ủy Khối các cơ quan Trung ương"),
}

# (kind, topic code or None, start, end, title)
DAY_PLAN = [
    (SessionKind.OPENING, None, time(7, 30), time(8, 15), "Lễ khai giảng"),
    (SessionKind.TOPIC, "TC", time(8, 15), time(9, 30), ""),
    (SessionKind.BREAK, None, time(9, 30), time(9, 45), "Giải lao"),
    (SessionKind.TOPIC, "KTGS", time(9, 45), time(11, 0), ""),
    (SessionKind.TOPIC, "TT", time(13, 30), time(14, 30), ""),
    (SessionKind.TOPIC, "DV", time(14, 30), time(15, 30), ""),
    (SessionKind.TOPIC, "VP", time(15, 45), time(16, 45), ""),
    (SessionKind.CLOSING, None, time(16, 45), time(17, 0), "Bế giảng"),
]

MODEL_COURSE_CODE = "BDNV-2022-01"
MODEL_COURSE_DAY = date(2022, 12, 2)
COURSE_TITLE = ("Bồi dưỡng nghiệp vụ công tác Đảng cho cấp ủy viên và bí thư chi bộ "
                "các đảng bộ cơ sở trực thuộc")
VENUE = "Hội trường Đảng ủy Khối các cơ quan Trung ương, Hà Nội"
HANDBOOK_TITLE = ("Bồi dưỡng bí thư chi bộ và cấp ủy viên cơ sở trong Đảng bộ Khối "
                  "các cơ quan Trung ương")

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
            "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh", "Lương"]
MALE = (["Văn", "Đức", "Quang", "Hữu", "Công", "Xuân", "Mạnh", "Tiến"],
        ["An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Nam", "Phong", "Quân",
         "Sơn", "Thắng", "Việt", "Kiên", "Toàn"])
FEMALE = (["Thị", "Thu", "Ngọc", "Hồng", "Thanh", "Kim"],
          ["Chi", "Dung", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Ngân", "Phương", "Thảo",
           "Trang", "Yến", "Nhung", "Vân"])
JOB_TITLES = ["Vụ trưởng", "Phó Vụ trưởng", "Trưởng phòng", "Phó Trưởng phòng",
              "Chuyên viên cao cấp", "Chuyên viên chính"]
DEMO_PARTICIPANTS = 60


def _get_or_create(model, lookup: dict, **values):
    instance = db.session.scalar(select(model).filter_by(**lookup))
    if instance is None:
        instance = model(**lookup, **values)
        db.session.add(instance)
        db.session.flush()
    return instance


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=LOCAL_TZ)


def fictional_people(count: int, seed: int = 2022) -> list[tuple[str, PartyPosition, str]]:
    """Deterministic fictional (full name, party position, job title) triples, names unique."""
    rng = random.Random(seed)
    people, seen = [], set()
    positions = [PartyPosition.SECRETARY] * 5 + [PartyPosition.DEPUTY_SECRETARY] * 2 + \
        [PartyPosition.COMMITTEE_MEMBER] * 3
    while len(people) < count:
        middles, givens = rng.choice([MALE, FEMALE])
        name = f"{rng.choice(SURNAMES)} {rng.choice(middles)} {rng.choice(givens)}"
        if name in seen:
            continue
        seen.add(name)
        people.append((name, rng.choice(positions), rng.choice(JOB_TITLES)))
    return people


def seed_organizations() -> tuple[Organization, list[Organization]]:
    """The bloc, twelve grassroots organizations and three cells in each; returns (bloc, cells)."""
    bloc = _get_or_create(Organization, {"code": BLOC[0]}, name=BLOC[1], kind=OrganizationKind.BLOC)
    cells = []
    for order, (code, name) in enumerate(GRASSROOTS):
        grassroots = _get_or_create(Organization, {"code": code}, name=name, parent=bloc,
                                    kind=OrganizationKind.GRASSROOTS, sort_order=order)
        for cell_order, cell_name in enumerate(CELLS):
            cells.append(_get_or_create(Organization, {"code": f"{code}-CB{cell_order + 1}"},
                                        name=cell_name, parent=grassroots,
                                        kind=OrganizationKind.CELL, sort_order=cell_order))
    return bloc, cells


def seed_topics_and_speakers() -> tuple[dict[str, Topic], dict[str, Speaker]]:
    """The five standard topics and a speaker for each, plus the opening speaker."""
    topics = {}
    for order, (code, name, description) in enumerate(TOPICS):
        topics[code] = _get_or_create(Topic, {"code": code}, name=name, description=description,
                                      is_standard=True, sort_order=order,
                                      default_duration_minutes=75)
    speakers = {}
    for key, (name, title) in SPEAKERS.items():
        speakers[key] = _get_or_create(Speaker, {"full_name": name, "title": title},
                                       organization_name=BLOC[1])
    return topics, speakers


def _seed_timetable(course: Course, day: date, topics, speakers, guiding_speech: str) -> None:
    if course.sessions:
        return
    for kind, topic_code, start, end, title in DAY_PLAN:
        session = CourseSession(
            course=course, kind=kind, title=title, starts_at=_local(day, start),
            ends_at=_local(day, end), room="Hội trường A",
        )
        if topic_code:
            session.topic = topics[topic_code]
            session.speaker = speakers[topic_code]
        if kind == SessionKind.OPENING:
            session.presided_by = "Ban Thường vụ Đảng ủy Khối"
            session.guiding_speech_by = guiding_speech
            session.speaker = speakers["OPEN"] if "Nguyễn Văn Thể" in guiding_speech else None
        if kind == SessionKind.CLOSING:
            session.presided_by = "Ban Tổ chức Đảng ủy Khối"
        db.session.add(session)
    db.session.flush()


def _handbook_pdf() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from courses.pdf_fonts import register_fonts

    fonts = register_fonts()
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    page.setFont(fonts.bold, 16)
    page.drawCentredString(width / 2, height - 200, "BỒI DƯỠNG BÍ THƯ CHI BỘ VÀ CẤP ỦY VIÊN CƠ SỞ")
    page.drawCentredString(width / 2, height - 224, "TRONG ĐẢNG BỘ KHỐI CÁC CƠ QUAN TRUNG ƯƠNG")
    page.setFont(fonts.regular, 12)
    page.drawCentredString(width / 2, height - 270, "Nhà xuất bản Chính trị quốc gia Sự thật")
    page.drawCentredString(width / 2, height - 288, "Hà Nội, tháng 10 năm 2022")
    page.setFont(fonts.italic, 10)
    page.drawCentredString(width / 2, 80, "Bìa minh họa trong dữ liệu mẫu — không phải bản sách đầy đủ.")
    page.showPage()
    page.save()
    return buffer.getvalue()


def _seed_handbook(course: Course) -> None:
    upload_dir = Path(current_app.config["UPLOAD_DIR"])
    material = db.session.scalar(
        select(Material).where(Material.course_id == course.id, Material.title == HANDBOOK_TITLE)
    )
    if material is not None and (upload_dir / material.stored_name).exists():
        return
    data = _handbook_pdf()
    upload_dir.mkdir(parents=True, exist_ok=True)
    stored_name = material.stored_name if material else secrets.token_hex(16)
    (upload_dir / stored_name).write_bytes(data)
    if material is None:
        db.session.add(Material(
            course=course, title=HANDBOOK_TITLE, kind=MaterialKind.FILE, stored_name=stored_name,
            original_filename="tai-lieu-boi-duong-bi-thu-chi-bo.pdf", content_type="application/pdf",
            size_bytes=len(data), visibility=Visibility.ENROLLED,
            description="Nhà xuất bản Chính trị quốc gia Sự thật, tháng 10/2022.",
        ))


def seed_accounts(password: str, cells: list[Organization]) -> dict[str, User]:
    """The admin, organizer and participant demo accounts."""
    accounts = {}
    for email, name, role, position, title, org in (
        ("admin@demo.local", "Quản trị Hệ thống", Role.ADMIN, None, None, None),
        ("organizer@demo.local", "Đào Thị Minh Nguyệt", Role.ORGANIZER, PartyPosition.MEMBER,
         "Chuyên viên Ban Tổ chức Đảng ủy Khối", None),
        ("participant@demo.local", "Vương Đình Khải", Role.PARTICIPANT, PartyPosition.SECRETARY,
         "Phó Vụ trưởng", cells[0]),
    ):
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, full_name=name, role=role, party_position=position,
                        job_title=title, organization=org)
            user.set_password(password)
            db.session.add(user)
        accounts[role.value] = user
    db.session.flush()
    return accounts


def seed_model_course(bloc, cells, topics, speakers, participant: User) -> Course:
    """The finished course of 2 December 2022 with 60 participants and their attendance."""
    course = _get_or_create(
        Course, {"code": MODEL_COURSE_CODE},
        title=COURSE_TITLE,
        description=("Lớp bồi dưỡng một ngày cho cấp ủy viên và bí thư chi bộ các đảng bộ cơ sở "
                     "trực thuộc Đảng bộ Khối, phổ biến nội dung cuốn tài liệu «" + HANDBOOK_TITLE +
                     "» với 5 chuyên đề: công tác tổ chức, kiểm tra, giám sát, tư tưởng, dân vận "
                     "và văn phòng."),
        organizing_unit=bloc, venue=VENUE, starts_on=MODEL_COURSE_DAY, ends_on=MODEL_COURSE_DAY,
        registration_opens_at=_local(date(2022, 11, 14), time(8, 0)),
        registration_closes_at=_local(date(2022, 11, 28), time(17, 0)),
        capacity=80, status=CourseStatus.FINISHED, is_demo=True,
        target_positions=[PartyPosition.SECRETARY.value, PartyPosition.DEPUTY_SECRETARY.value,
                          PartyPosition.COMMITTEE_MEMBER.value],
    )
    _seed_timetable(course, MODEL_COURSE_DAY, topics, speakers,
                    "Đồng chí Nguyễn Văn Thể, Ủy viên Ban Chấp hành Trung ương Đảng, "
                    "Bí thư Đảng ủy Khối các cơ quan Trung ương")
    _seed_handbook(course)

    already = db.session.scalar(
        select(func.count()).select_from(Enrollment).where(Enrollment.course_id == course.id)
    )
    if already:
        return course
    people = fictional_people(DEMO_PARTICIPANTS - 1)
    users = [participant]
    for index, (name, position, job_title) in enumerate(people, start=1):
        email = f"hv{index:03d}@demo.local"
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, full_name=name, role=Role.PARTICIPANT, party_position=position,
                        job_title=job_title, organization=cells[index % len(cells)])
            db.session.add(user)
        users.append(user)
    enrolled_at = _local(date(2022, 11, 20), time(9, 0))
    enrollments = [
        Enrollment(user=user, course=course, status=EnrollmentStatus.CONFIRMED,
                   source=EnrollmentSource.IMPORT if user is not participant else EnrollmentSource.SELF,
                   requested_at=enrolled_at, decided_at=enrolled_at)
        for user in users
    ]
    db.session.add_all(enrollments)
    db.session.flush()
    # Counted against their grassroots organization, as registrations through the app are.
    from courses.organizations.services import grassroots_id, organizations_by_id

    organizations = organizations_by_id()
    for enrollment in enrollments:
        enrollment.quota_organization_id = grassroots_id(enrollment.user.organization_id, organizations)
    rng = random.Random(1202)
    topic_sessions = [s for s in course.sessions if s.kind == SessionKind.TOPIC]
    attended = [s for s in course.sessions if s.kind in (SessionKind.OPENING, SessionKind.TOPIC)]
    # A few participants missed one topic; one of them had leave (excused).
    missing = {index: rng.choice(topic_sessions) for index in rng.sample(range(1, len(enrollments)), 5)}
    excused_index = min(missing)
    organizer = db.session.scalar(select(User).where(User.email == "organizer@demo.local"))
    for index, enrollment in enumerate(enrollments):
        for session in attended:
            status = AttendanceStatus.PRESENT
            if missing.get(index) is session:
                status = AttendanceStatus.EXCUSED if index == excused_index else AttendanceStatus.ABSENT
            db.session.add(Attendance(enrollment=enrollment, session=session, status=status,
                                      recorded_at=session.starts_at + timedelta(minutes=5),
                                      recorded_by=organizer))
    return course


def seed_upcoming_course(bloc, topics, speakers, today: date) -> Course:
    """A published course a month from today, open for registration now."""
    day = today + timedelta(days=30)
    while day.weekday() >= 5:  # courses run on working days
        day += timedelta(days=1)
    course = _get_or_create(
        Course, {"code": f"BDNV-{day.year}-01"},
        title=COURSE_TITLE + f" (đợt {day.month}/{day.year})",
        description=("Lớp bồi dưỡng định kỳ cho cấp ủy viên mới và bí thư chi bộ các đảng bộ cơ sở. "
                     "Học viên đăng ký trực tuyến; ban tổ chức xác nhận theo chỉ tiêu của từng đơn vị."),
        organizing_unit=bloc, venue=VENUE, starts_on=day, ends_on=day,
        registration_opens_at=_local(today - timedelta(days=1), time(8, 0)),
        registration_closes_at=_local(day - timedelta(days=3), time(17, 0)),
        capacity=100, status=CourseStatus.PUBLISHED, is_demo=True,
        target_positions=[PartyPosition.SECRETARY.value, PartyPosition.DEPUTY_SECRETARY.value,
                          PartyPosition.COMMITTEE_MEMBER.value],
    )
    _seed_timetable(course, day, topics, speakers,
                    "Đồng chí Phó Bí thư Thường trực Đảng ủy Khối các cơ quan Trung ương")
    return course


def seed_demo(password: str = "Demo@2022", today: date | None = None) -> dict[str, int]:
    """Load the whole demo set in one transaction; running it again adds nothing."""
    today = today or datetime.now(LOCAL_TZ).date()
    bloc, cells = seed_organizations()
    topics, speakers = seed_topics_and_speakers()
    accounts = seed_accounts(password, cells)
    seed_model_course(bloc, cells, topics, speakers, accounts["participant"])
    seed_upcoming_course(bloc, topics, speakers, today)
    from courses.certificates.settings import get_settings

    get_settings()  # certificate settings with a fictional signer, found or created
    db.session.commit()
    return {
        name: db.session.scalar(select(func.count()).select_from(model))
        for name, model in (("organizations", Organization), ("users", User), ("courses", Course),
                            ("sessions", CourseSession), ("enrollments", Enrollment),
                            ("attendances", Attendance))
    }
