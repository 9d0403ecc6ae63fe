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


def make_attendance(enrollment: Enrollment, session: CourseSession, status=None):
    """One attendance record (present by default)."""
    from courses.attendance.models import Attendance
    from courses.enums import AttendanceStatus

    attendance = Attendance(enrollment=enrollment, session=session,
                            status=status or AttendanceStatus.PRESENT)
    db.session.add(attendance)
    db.session.commit()
    return attendance
