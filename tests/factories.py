"""Plain factory functions for test data; each commits and returns the new object."""
from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta

from courses.auth.models import User
from courses.enrollment.models import Enrollment
from courses.enums import (
    CourseStatus,
    EnrollmentStatus,
    OrganizationKind,
    PartyPosition,
    Role,
    SessionKind,
)
from courses.extensions import db
from courses.formatting import LOCAL_TZ
from courses.organizations.models import Organization
from courses.scheduling.models import Course, CourseSession, Speaker, Topic

PASSWORD = "Matkhau123"
_counter = itertools.count(1)


def _n() -> int:
    return next(_counter)


def make_organization(name: str | None = None, kind=OrganizationKind.CELL, parent=None) -> Organization:
    n = _n()
    org = Organization(name=name or f"Chi bộ số {n}", code=f"ORG{n}", kind=kind, parent=parent)
    db.session.add(org)
    db.session.commit()
    return org


def make_user(role: Role = Role.PARTICIPANT, email: str | None = None, full_name: str | None = None,
              organization: Organization | None = None,
              party_position: PartyPosition = PartyPosition.SECRETARY,
              password: str = PASSWORD) -> User:
    n = _n()
    user = User(email=email or f"user{n}@example.vn", full_name=full_name or f"Nguyễn Văn Thử {n}",
                role=role, organization=organization, party_position=party_position)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def make_topic(name: str | None = None) -> Topic:
    n = _n()
    topic = Topic(code=f"T{n}", name=name or f"Chuyên đề {n}")
    db.session.add(topic)
    db.session.commit()
    return topic


def make_speaker(full_name: str | None = None, title: str = "Báo cáo viên") -> Speaker:
    speaker = Speaker(full_name=full_name or f"Trần Thị Giảng {_n()}", title=title)
    db.session.add(speaker)
    db.session.commit()
    return speaker


def make_course(status: CourseStatus = CourseStatus.PUBLISHED, starts_on: date | None = None,
                capacity: int = 50, unit: Organization | None = None, **values) -> Course:
    n = _n()
    starts_on = starts_on or (date.today() + timedelta(days=30))
    unit = unit or make_organization(f"Đảng ủy Khối {n}", kind=OrganizationKind.BLOC)
    course = Course(code=f"C-{n}", title=values.pop("title", f"Lớp bồi dưỡng số {n}"),
                    organizing_unit=unit, starts_on=starts_on, ends_on=values.pop("ends_on", starts_on),
                    capacity=capacity, status=status, venue="Hội trường A",
                    cancel_reason="Lý do hủy" if status == CourseStatus.CANCELLED else None, **values)
    db.session.add(course)
    db.session.commit()
    return course


def make_session(course: Course, kind: SessionKind = SessionKind.TOPIC, start: time = time(8, 0),
                 minutes: int = 60, topic: Topic | None = None, speaker: Speaker | None = None,
                 **values) -> CourseSession:
    starts_at = datetime.combine(course.starts_on, start, tzinfo=LOCAL_TZ)
    if kind == SessionKind.TOPIC and topic is None:
        topic = make_topic()
    session = CourseSession(course=course, kind=kind, topic=topic, speaker=speaker,
                            starts_at=starts_at, ends_at=starts_at + timedelta(minutes=minutes), **values)
    db.session.add(session)
    db.session.commit()
    return session


def make_enrollment(user: User, course: Course,
                    status: EnrollmentStatus = EnrollmentStatus.CONFIRMED) -> Enrollment:
    enrollment = Enrollment(user=user, course=course, status=status)
    db.session.add(enrollment)
    db.session.commit()
    return enrollment


def make_material(course: Course, visibility=None, content: bytes = b"%PDF-1.4\n% test\n", session=None,
                  title: str = "Tài liệu", upload_dir: str | None = None):
    """A file material whose bytes are written to the app's upload folder."""
    from flask import current_app

    from courses.enums import MaterialKind, Visibility
    from courses.scheduling import files
    from courses.scheduling.models import Material

    stored_name = files.save(upload_dir or current_app.config["UPLOAD_DIR"], content)
    material = Material(course=course, session=session, title=title, kind=MaterialKind.FILE,
                        stored_name=stored_name, original_filename="tai-lieu.pdf",
                        content_type="application/pdf", size_bytes=len(content),
                        visibility=visibility or Visibility.ENROLLED)
    db.session.add(material)
    db.session.commit()
    return material
def make_party_tree(cells: int = 2, name: str | None = None) -> tuple[Organization, list[Organization]]:
    """A grassroots organization with its cells; returns (grassroots, cells)."""
    grassroots = make_organization(name or f"Đảng bộ cơ sở {_n()}", kind=OrganizationKind.GRASSROOTS)
    return grassroots, [make_organization(f"Chi bộ {i + 1} – {grassroots.name}", parent=grassroots)
                        for i in range(cells)]


def make_users_fast(count: int, organization: Organization | None = None,
                    party_position: PartyPosition = PartyPosition.SECRETARY) -> list[User]:
    """Many participants at once, without password hashing (they never log in)."""
    users = []
    for _ in range(count):
        n = _n()
        users.append(User(email=f"bulk{n}@example.vn", full_name=f"Lê Thị Đông {n}", role=Role.PARTICIPANT,
                          organization=organization, party_position=party_position))
    db.session.add_all(users)
    db.session.commit()
    return users


def make_quota(course: Course, organization: Organization, seats: int):
    from courses.enrollment.models import CourseQuota

    quota = CourseQuota(course=course, organization=organization, seats=seats)
    db.session.add(quota)
    db.session.commit()
    return quota
def make_attendance(enrollment: Enrollment, session: CourseSession, status=None, **values):
    """The attendance of enrollment at session (present by default)."""
    from courses.attendance.models import Attendance
    from courses.enums import AttendanceStatus

    attendance = Attendance(enrollment=enrollment, session=session,
                            status=status or AttendanceStatus.PRESENT, **values)
    db.session.add(attendance)
    db.session.commit()
    return attendance


def make_finished_course(topics: int = 3, participants: int = 2, **values):
    """A finished course with topics and confirmed participants present at every topic."""
    from courses.enums import AttendanceStatus

    course = make_course(status=CourseStatus.FINISHED, starts_on=values.pop("starts_on", date(2022, 12, 2)), **values)
    sessions = [make_session(course, start=time(8 + i, 0)) for i in range(topics)]
    enrollments = []
    for _i in range(participants):
        enrollment = make_enrollment(make_user(), course)
        for session in sessions:
            make_attendance(enrollment, session, AttendanceStatus.PRESENT)
        enrollments.append(enrollment)
    return course, sessions, enrollments


def make_certificate(enrollment: Enrollment, **values):
    """A certificate of enrollment with a serial of its own (bypasses the numbering service)."""
    import secrets

    from courses.certificates.models import Certificate

    n = _n()
    year = values.pop("serial_year", date.today().year)
    unit = values.pop("issuing_unit_code", "ĐUK")
    certificate = Certificate(
        enrollment=enrollment, issuing_unit_code=unit, serial_year=year, serial_number=n,
        serial=f"{n:04d}/GCN-{unit}-{year}", verification_code=secrets.token_urlsafe(16), **values)
    db.session.add(certificate)
    db.session.commit()
    return certificate


def make_audit_event(actor=None, action: str = "course.update", obj=None, **values):
    """An audit event, committed (services record theirs in their own transaction)."""
    from courses.audit.services import record

    event = record(actor, action, obj, **values)
    db.session.commit()
    return event


def make_job(user, kind: str = "users.export_xlsx", **values):
    """A queued background job owned by user (not dispatched)."""
    from courses.jobs.models import Job

    job = Job(kind=kind, params=values.pop("params", {}), created_by_id=user.id, **values)
    db.session.add(job)
    db.session.commit()
    return job


def make_finished_job(user, kind: str = "users.export_xlsx", content: bytes = b"PK\x03\x04 result"):
    """A finished job owned by user, with its result file stored in JOB_RESULTS_DIR."""
    from courses.db_types import utcnow
    from courses.enums import JobStatus
    from courses.jobs import storage

    name = storage.new_stored_name("ket-qua.xlsx")
    storage.stored_path(name).write_bytes(content)
    return make_job(user, kind, status=JobStatus.FINISHED, result_stored_name=name,
                    result_filename="ket-qua.xlsx", result_size_bytes=len(content),
                    result_content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    progress_done=1, progress_total=1, started_at=utcnow(), finished_at=utcnow())


def give_speaker_photo(speaker: Speaker) -> Speaker:
    """Store a small real PNG as the speaker's photo (in UPLOAD_DIR)."""
    import io

    from flask import current_app
    from PIL import Image

    from courses.scheduling import files

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "PNG")
    speaker.photo_stored_name = files.save(current_app.config["UPLOAD_DIR"], buffer.getvalue())
    db.session.commit()
    return speaker


def make_check_in_code(session: CourseSession, code: str = "ABC123", minutes: int = 30, created_by=None):
    """An open check-in code of session, valid for minutes."""
    from datetime import datetime, timedelta, timezone

    from courses.attendance.models import CheckInCode

    item = CheckInCode(session_id=session.id, code=code,
                       expires_at=datetime.now(timezone.utc) + timedelta(minutes=minutes),
                       created_by_id=created_by.id if created_by else None)
    db.session.add(item)
    db.session.commit()
    return item
