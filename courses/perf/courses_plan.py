"""The large set's courses, timetables, enrollments, attendance and certificates."""
from __future__ import annotations

import base64
from datetime import date, time, timedelta

from courses.attendance.models import Attendance
from courses.certificates.models import Certificate
from courses.demo import DAY_PLAN, TOPICS
from courses.enrollment.models import Enrollment
from courses.enums import (
    AttendanceMethod,
    AttendanceStatus,
    CompletionRule,
    CourseStatus,
    EnrollmentSource,
    EnrollmentStatus,
    MaterialKind,
    SessionKind,
    Visibility,
)
from courses.perf.common import COURSE_TITLES, ISSUING_UNIT_CODE, ROOMS, VENUES, Load, bulk_insert, local_at
from courses.scheduling.models import Course, CourseSession, Material


def _course_day_and_status(load: Load, index: int) -> tuple[date, CourseStatus]:
    """The two big finished courses first, then an upcoming one, the rest from 18 months ago
    to 6 months ahead, on weekdays."""
    rng, anchor = load.rng, load.anchor
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
    return day, status


def add_courses(load: Load, courses: int, certificate_course_size: int) -> None:
    """Courses with a one-day timetable and a link material each."""
    rng, now, ids = load.rng, load.now, load.ids
    course_rows, session_rows, material_rows = [], [], []
    topic_codes = [t[0] for t in TOPICS]
    for index in range(courses):
        course_id = ids.take(Course)
        day, status = _course_day_and_status(load, index)
        capacity = {0: 600, 1: max(certificate_course_size, 1) + 100}.get(index, rng.randrange(40, 160))
        course_rows.append(dict(
            id=course_id, code=f"LG-{index + 1:04d}",
            title=f"{COURSE_TITLES[index % len(COURSE_TITLES)]} (đợt {index + 1}, dữ liệu thử tải)",
            description="Lớp bồi dưỡng trong bộ dữ liệu thử tải; nội dung gồm 5 chuyên đề nghiệp vụ.",
            organizing_unit_id=load.bloc_id, venue=rng.choice(VENUES), starts_on=day, ends_on=day,
            registration_opens_at=local_at(day - timedelta(days=30), time(8, 0)),
            registration_closes_at=local_at(day - timedelta(days=3), time(17, 0)), capacity=capacity,
            target_positions=[], requires_approval=index % 3 == 0, status=status,
            cancel_reason="Trùng lịch công tác (dữ liệu thử tải)" if status == CourseStatus.CANCELLED else None,
            completion_rule=CompletionRule.ALL_TOPICS, completion_min_topics=None, is_demo=True,
            created_by_id=load.organizer_ids[index % len(load.organizer_ids)], created_at=now, updated_at=now,
        ))
        attended, topic_sessions = [], []
        room = rng.choice(ROOMS)
        for kind, topic_code, start, end, title in DAY_PLAN:
            session_id = ids.take(CourseSession)
            topic_id = speaker_id = None
            if topic_code:
                topic_id = load.topic_ids[topic_codes.index(topic_code)]
                speaker_id = rng.choice(load.speaker_ids)
                topic_sessions.append(session_id)
            if kind in (SessionKind.OPENING, SessionKind.TOPIC):
                attended.append(session_id)
            opening = kind == SessionKind.OPENING
            session_rows.append(dict(
                id=session_id, course_id=course_id, kind=kind, title=title, topic_id=topic_id,
                speaker_id=speaker_id, starts_at=local_at(day, start), ends_at=local_at(day, end), room=room,
                presided_by="Ban Thường vụ Đảng ủy Khối" if opening else "",
                guiding_speech_by="Đồng chí Phó Bí thư Đảng ủy Khối" if opening else "",
            ))
        material_rows.append(dict(
            id=ids.take(Material), course_id=course_id, session_id=None,
            title="Tài liệu bồi dưỡng (liên kết)", description="", kind=MaterialKind.LINK,
            url=f"https://tailieu.example.vn/lop/{index + 1}", stored_name=None, original_filename=None,
            content_type=None, size_bytes=None, visibility=Visibility.ENROLLED,
            uploaded_by_id=load.organizer_ids[0], created_at=now,
        ))
        load.course_plan.append((course_id, day, status, capacity, attended, topic_sessions))
    bulk_insert(Course, course_rows)
    bulk_insert(CourseSession, session_rows)
    bulk_insert(Material, material_rows)
    load.rows.update(courses=course_rows, sessions=session_rows, materials=material_rows)


def _enrollment_state(load: Load, index: int, position: int, capacity: int, past: bool) -> EnrollmentStatus:
    """The big courses are all confirmed; the others have a few of every state, a waitlist past 90 %."""
    if not (index < 2 or position < capacity * 0.9):
        return EnrollmentStatus.WAITLISTED if not past else EnrollmentStatus.CANCELLED
    if index < 2:
        return EnrollmentStatus.CONFIRMED
    roll = load.rng.random()
    if roll < 0.04:
        return EnrollmentStatus.CANCELLED
    if roll < 0.07 and not past:
        return EnrollmentStatus.PENDING
    if roll < 0.08:
        return EnrollmentStatus.REJECTED
    return EnrollmentStatus.CONFIRMED


def _verification_code(load: Load, codes: set[str]) -> str:
    """A code of the form certificates.issuing.new_verification_code makes (16 base32
    capitals), so /verify/<code> finds it."""
    while True:
        code = base64.b32encode(load.rng.getrandbits(80).to_bytes(10, "big")).decode("ascii")
        if code not in codes:
            codes.add(code)
            return code


def add_enrollments(load: Load, participants: int, roster_size: int, certificate_course_size: int,
                 busy_courses: int) -> None:
    """The two big courses, then a random crowd per course; hv00001 joins many courses.
    Finished courses get their attendance, and a certificate for everyone who completed."""
    rng, ids = load.rng, load.ids
    busy_id = load.participant_ids[0]
    enrollment_rows, attendance_rows, certificate_rows = [], [], []
    serial_numbers: dict[int, int] = {}
    codes: set[str] = set()
    for index, (course_id, day, status, capacity, attended, topic_sessions) in enumerate(load.course_plan):
        size = roster_size if index == 0 else certificate_course_size if index == 1 else rng.randrange(20, capacity)
        members = rng.sample(load.participant_ids, min(size, participants))
        if index < busy_courses and busy_id not in members:
            members[-1] = busy_id  # keeps the size; busy_id was not in the sample
        past = status in (CourseStatus.FINISHED, CourseStatus.CANCELLED)
        requested = local_at(day - timedelta(days=20), time(9, 0))
        decided = local_at(day - timedelta(days=10), time(9, 0))
        for position, user_id in enumerate(members):
            state = _enrollment_state(load, index, position, capacity, past)
            if user_id == busy_id:
                state = EnrollmentStatus.CONFIRMED
            enrollment_id = ids.take(Enrollment)
            enrollment_rows.append(dict(
                id=enrollment_id, user_id=user_id, course_id=course_id, status=state,
                source=EnrollmentSource.IMPORT if position % 2 else EnrollmentSource.SELF,
                status_reason="Không đúng đối tượng" if state == EnrollmentStatus.REJECTED else None,
                quota_organization_id=load.grassroots_of[load.organization_of[user_id]],
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
                    recorded_at=local_at(day, time(7, 35)), recorded_by_id=load.organizer_ids[0],
                ))
            if complete:
                number = serial_numbers[day.year] = serial_numbers.get(day.year, 0) + 1
                certificate_rows.append(dict(
                    id=ids.take(Certificate), enrollment_id=enrollment_id,
                    issuing_unit_code=ISSUING_UNIT_CODE, serial_year=day.year, serial_number=number,
                    serial=f"{number:04d}/{day.year}/GCN-ĐUK-LG", verification_code=_verification_code(load, codes),
                    issued_at=local_at(day + timedelta(days=3), time(9, 0)), issued_by_id=load.admin_id,
                    manual_reason=None, revoked_at=None, revoked_by_id=None, revoke_reason=None,
                    replaced_by_id=None,
                ))
    bulk_insert(Enrollment, enrollment_rows)
    bulk_insert(Attendance, attendance_rows)
    bulk_insert(Certificate, certificate_rows)
    load.rows.update(enrollments=enrollment_rows, attendances=attendance_rows, certificates=certificate_rows)


