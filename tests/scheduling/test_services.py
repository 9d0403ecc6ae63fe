"""Service rules of scheduling: conflicts, course validation, status transitions, clone, audit."""
from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from courses.audit.models import AuditEvent
from courses.enums import CourseStatus, MaterialKind, Role, SessionKind, Visibility
from courses.exceptions import DomainError
from courses.extensions import db
from courses.formatting import LOCAL_TZ
from courses.scheduling import directory, lifecycle, materials, timetable
from courses.scheduling.course_data import CourseData
from courses.scheduling.models import Course, CourseSession, Material
from tests.factories import (
    make_course,
    make_material,
    make_organization,
    make_session,
    make_speaker,
    make_topic,
    make_user,
)
from tests.scheduling.helpers import PDF_BYTES

DAY = date(2030, 12, 2)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ)


@pytest.fixture
def organizer(app):
    return make_user(role=Role.ORGANIZER)


def topic_data(start: datetime, minutes: int = 60, **values) -> timetable.SessionData:
    values.setdefault("topic_id", make_topic().id)
    return timetable.SessionData(kind=SessionKind.TOPIC, starts_at=start,
                                 ends_at=start + timedelta(minutes=minutes), **values)


def course_data(**values) -> CourseData:
    base = dict(code="BD-1", title="Lớp bồi dưỡng", organizing_unit_id=make_organization().id,
                starts_on=DAY, ends_on=DAY, capacity=50)
    base.update(values)
    return CourseData(**base)


# ------------------------------------------------------------ timetable conflicts

def test_overlapping_sessions_in_the_same_room_are_refused_naming_the_other(organizer):
    course = make_course(starts_on=DAY, status=CourseStatus.DRAFT)
    timetable.add_session(organizer, course, topic_data(at(DAY, 8), 60, room="Hội trường A", title="Buổi một"))
    with pytest.raises(DomainError) as error:
        timetable.add_session(organizer, course, topic_data(at(DAY, 8, 30), 60, room=" HỘI TRƯỜNG  A "))
    assert "Hội trường A" in error.value.message and "Buổi một" in error.value.message
    assert error.value.field == "room"
    assert len(db.session.scalars(select(CourseSession)).all()) == 1


def test_back_to_back_sessions_and_other_rooms_are_fine(organizer):
    course = make_course(starts_on=DAY, status=CourseStatus.DRAFT)
    timetable.add_session(organizer, course, topic_data(at(DAY, 8), 60, room="A"))
    timetable.add_session(organizer, course, topic_data(at(DAY, 9), 60, room="A"))
    timetable.add_session(organizer, course, topic_data(at(DAY, 8), 60, room="B"))
    assert len(course.sessions) == 3


def test_a_speaker_cannot_be_in_two_courses_at_once(organizer):
    speaker = make_speaker("Nguyễn Đức Minh")
    first = make_course(starts_on=DAY)
    other = make_course(starts_on=DAY, status=CourseStatus.DRAFT)
    make_session(first, start=time(8, 0), minutes=75, speaker=speaker, title="Công tác tổ chức")
    with pytest.raises(DomainError) as error:
        timetable.add_session(organizer, other, topic_data(at(DAY, 9), 30, speaker_id=speaker.id))
    assert "Nguyễn Đức Minh" in error.value.message and first.code in error.value.message
    assert error.value.field == "speaker_id"


def test_a_cancelled_course_does_not_block_its_speaker(organizer):
    speaker = make_speaker()
    cancelled = make_course(starts_on=DAY, status=CourseStatus.CANCELLED)
    make_session(cancelled, start=time(8, 0), speaker=speaker)
    course = make_course(starts_on=DAY, status=CourseStatus.DRAFT)
    timetable.add_session(organizer, course, topic_data(at(DAY, 8), speaker_id=speaker.id))
    assert course.sessions[0].speaker_id == speaker.id


def test_sessions_outside_the_course_dates_are_refused(organizer):
    course = make_course(starts_on=DAY, status=CourseStatus.DRAFT)
    for start in (at(DAY - timedelta(days=1), 8), at(DAY + timedelta(days=1), 8), at(DAY, 23, 30)):
        with pytest.raises(DomainError) as error:
            timetable.add_session(organizer, course, topic_data(start, 60))
        assert "trong thời gian của lớp" in error.value.message
    assert course.sessions == []


def test_a_session_must_end_after_it_starts(organizer):
    course = make_course(starts_on=DAY, status=CourseStatus.DRAFT)
    with pytest.raises(DomainError):
        timetable.add_session(organizer, course, topic_data(at(DAY, 9), 0))


def test_moving_a_session_onto_another_keeps_the_old_time(organizer):
    course = make_course(starts_on=DAY, status=CourseStatus.DRAFT)
    first = timetable.add_session(organizer, course, topic_data(at(DAY, 8), room="A"))
    second = timetable.add_session(organizer, course, topic_data(at(DAY, 10), room="A"))
    moved = topic_data(at(DAY, 8, 30), topic_id=second.topic_id, room="A")
    with pytest.raises(DomainError):
        timetable.update_session(organizer, second, moved)
    db.session.expire_all()
    assert db.session.get(CourseSession, second.id).starts_at == at(DAY, 10)
    # Editing a session in place does not clash with itself.
    timetable.update_session(organizer, first, topic_data(at(DAY, 8, 15), topic_id=first.topic_id, room="A"))
    assert db.session.get(CourseSession, first.id).starts_at == at(DAY, 8, 15)


def test_timetable_changes_are_audited(organizer):
    course = make_course(starts_on=DAY, status=CourseStatus.DRAFT)
    item = timetable.add_session(organizer, course, topic_data(at(DAY, 8), room="A"))
    timetable.update_session(organizer, item, topic_data(at(DAY, 9), topic_id=item.topic_id, room="A"))
    timetable.delete_session(organizer, item)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "CourseSession")
                                .order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["session.create", "session.update", "session.delete"]
    assert all(e.actor_id == organizer.id for e in events)
    assert events[1].before["starts_at"].startswith("2030-12-02T01:00")  # 08:00 in Hà Nội is 01:00 UTC
    assert events[1].after["starts_at"].startswith("2030-12-02T02:00")


# ------------------------------------------------------------ course validation and transitions

def test_course_validation_messages(organizer):
    with pytest.raises(DomainError, match="Ngày kết thúc"):
        lifecycle.create_course(organizer, course_data(ends_on=DAY - timedelta(days=1)))
    with pytest.raises(DomainError, match="ít nhất là 1"):
        lifecycle.create_course(organizer, course_data(capacity=0))
    with pytest.raises(DomainError, match="trước ngày khai giảng"):
        lifecycle.create_course(organizer, course_data(registration_closes_at=at(DAY, 7)))
    course = lifecycle.create_course(organizer, course_data(registration_closes_at=at(DAY - timedelta(days=1), 17)))
    assert course.status == CourseStatus.DRAFT
    with pytest.raises(DomainError, match="đã được dùng"):
        lifecycle.create_course(organizer, course_data(code="bd-1"))


def test_participants_cannot_use_the_services(app):
    with pytest.raises(DomainError):
        lifecycle.create_course(make_user(role=Role.PARTICIPANT), course_data())


def test_publish_needs_a_timetable(organizer):
    course = make_course(status=CourseStatus.DRAFT)
    with pytest.raises(DomainError, match="thời khóa biểu"):
        lifecycle.change_status(organizer, course, "publish")
    assert course.status == CourseStatus.DRAFT


@pytest.mark.parametrize("start, action, end", [
    (CourseStatus.DRAFT, "publish", CourseStatus.PUBLISHED),
    (CourseStatus.PUBLISHED, "close", CourseStatus.CLOSED),
    (CourseStatus.CLOSED, "reopen", CourseStatus.PUBLISHED),
    (CourseStatus.PUBLISHED, "finish", CourseStatus.FINISHED),
    (CourseStatus.CLOSED, "finish", CourseStatus.FINISHED),
    (CourseStatus.DRAFT, "cancel", CourseStatus.CANCELLED),
    (CourseStatus.PUBLISHED, "cancel", CourseStatus.CANCELLED),
    (CourseStatus.CLOSED, "cancel", CourseStatus.CANCELLED),
])
def test_allowed_transitions(organizer, start, action, end):
    course = make_course(status=start, starts_on=DAY)
    make_session(course)
    lifecycle.change_status(organizer, course, action, reason="Trùng lịch hội nghị", today=DAY)
    assert course.status == end
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == f"course.{action}")).one()
    assert event.before["status"] == start.value and event.after["status"] == end.value


ILLEGAL = [(status, action) for status in CourseStatus for action in lifecycle.TRANSITIONS
           if status not in lifecycle.TRANSITIONS[action][0]]


@pytest.mark.parametrize("start, action", ILLEGAL)
def test_illegal_transitions_are_refused_with_a_message(organizer, start, action):
    course = make_course(status=start, starts_on=DAY)
    make_session(course)
    with pytest.raises(DomainError) as error:
        lifecycle.change_status(organizer, course, action, reason="x", today=DAY)
    assert start.label in error.value.message
    assert course.status == start


def test_cancel_needs_a_reason_and_keeps_it(organizer):
    course = make_course(status=CourseStatus.PUBLISHED)
    with pytest.raises(DomainError, match="lý do"):
        lifecycle.change_status(organizer, course, "cancel", reason="  ")
    lifecycle.change_status(organizer, course, "cancel", reason="Hoãn do bão")
    assert course.cancel_reason == "Hoãn do bão"


def test_a_course_cannot_be_finished_before_it_starts(organizer):
    course = make_course(status=CourseStatus.PUBLISHED, starts_on=DAY)
    with pytest.raises(DomainError, match="chưa diễn ra"):
        lifecycle.change_status(organizer, course, "finish", today=DAY - timedelta(days=1))


def test_moving_course_dates_away_from_its_sessions_is_refused(organizer):
    course = make_course(status=CourseStatus.DRAFT, starts_on=DAY)
    make_session(course, title="Khai giảng", kind=SessionKind.OPENING)
    data = course_data(code=course.code, organizing_unit_id=course.organizing_unit_id,
                       starts_on=DAY + timedelta(days=7), ends_on=DAY + timedelta(days=7))
    with pytest.raises(DomainError, match="Khai giảng"):
        lifecycle.update_course(organizer, course, data)


# ------------------------------------------------------------ clone

def test_clone_copies_timetable_speakers_materials_and_settings(organizer, app):
    speaker = make_speaker()
    source = make_course(status=CourseStatus.FINISHED, starts_on=date(2022, 12, 2), capacity=80,
                         requires_approval=True, target_positions=["secretary"],
                         registration_closes_at=at(date(2022, 11, 28), 17))
    opening = make_session(source, kind=SessionKind.OPENING, start=time(7, 30), minutes=45,
                           presided_by="Ban Thường vụ", guiding_speech_by="Đồng chí Bí thư", room="A")
    topic_session = make_session(source, start=time(8, 15), minutes=75, speaker=speaker, room="A")
    handbook = make_material(source, visibility=Visibility.ENROLLED, content=PDF_BYTES)
    make_material(source, session=topic_session, title="Slide")

    clone = lifecycle.clone_course(organizer, source, "BD-2023", date(2023, 12, 1))

    assert clone.status == CourseStatus.DRAFT and clone.code == "BD-2023"
    assert (clone.starts_on, clone.ends_on) == (date(2023, 12, 1), date(2023, 12, 1))
    assert (clone.capacity, clone.requires_approval, clone.target_positions) == (80, True, ["secretary"])
    assert clone.registration_closes_at == at(date(2023, 11, 27), 17)
    assert clone.title == source.title and clone.venue == source.venue
    assert [(s.kind, s.starts_at, s.ends_at, s.speaker_id, s.topic_id, s.room, s.presided_by) for s in clone.sessions] == [
        (SessionKind.OPENING, at(date(2023, 12, 1), 7, 30), at(date(2023, 12, 1), 8, 15), None, None, "A",
         "Ban Thường vụ"),
        (SessionKind.TOPIC, at(date(2023, 12, 1), 8, 15), at(date(2023, 12, 1), 9, 30), speaker.id,
         topic_session.topic_id, "A", ""),
    ]
    assert len(source.sessions) == 2  # the original keeps its own
    copied = {m.title: m for m in clone.materials}
    assert set(copied) == {"Tài liệu", "Slide"}
    assert copied["Slide"].session_id == clone.sessions[1].id
    assert copied["Tài liệu"].stored_name != handbook.stored_name
    # Deleting the original's file leaves the copy readable.
    materials.delete_material(organizer, handbook)
    assert materials.material_path(copied["Tài liệu"]).read_bytes() == PDF_BYTES
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "course.clone")).one().after[
        "cloned_from"] == source.id
    assert opening.course_id == source.id


def test_clone_needs_a_new_code(organizer):
    source = make_course()
    with pytest.raises(DomainError, match="đã được dùng"):
        lifecycle.clone_course(organizer, source, source.code, source.starts_on + timedelta(days=365))
    assert len(db.session.scalars(select(Course)).all()) == 1


# ------------------------------------------------------------ materials

def test_upload_stores_under_a_random_name_and_audits(organizer, app):
    course = make_course()
    material = materials.upload_material(organizer, course, io.BytesIO(PDF_BYTES), "../../etc/passwd.pdf",
                                         "", Visibility.PUBLIC)
    assert material.original_filename == "passwd.pdf"
    assert material.stored_name not in ("passwd.pdf",) and len(material.stored_name) == 32
    path = materials.material_path(material)
    assert path.parent == Path(app.config["UPLOAD_DIR"]) and path.read_bytes() == PDF_BYTES
    assert material.kind == MaterialKind.FILE and material.content_type == "application/pdf"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "material.create")).one()
    assert event.after["original_filename"] == "passwd.pdf"


def test_refused_upload_stores_nothing(organizer, app):
    course = make_course()
    with pytest.raises(DomainError):
        materials.upload_material(organizer, course, io.BytesIO(b"MZ\x90\x00 not a pdf"), "virus.pdf", "",
                                  Visibility.PUBLIC)
    assert db.session.scalars(select(Material)).all() == []
    upload_dir = Path(app.config["UPLOAD_DIR"])
    assert not upload_dir.exists() or list(upload_dir.iterdir()) == []


def test_material_of_another_courses_session_is_refused(organizer):
    course, other = make_course(), make_course()
    foreign = make_session(other)
    with pytest.raises(DomainError):
        materials.add_link(organizer, course, "https://example.vn/a", "A", Visibility.PUBLIC, session_id=foreign.id)


def test_links_must_be_http(organizer):
    with pytest.raises(DomainError, match="http"):
        materials.add_link(organizer, make_course(), "javascript:alert(1)", "A", Visibility.PUBLIC)


def test_speaker_history_splits_past_and_upcoming(organizer):
    speaker = make_speaker()
    past = make_course(starts_on=date(2022, 12, 2), status=CourseStatus.FINISHED)
    future = make_course(starts_on=DAY)
    make_session(past, speaker=speaker)
    make_session(future, speaker=speaker)
    upcoming, done = directory.speaker_sessions(speaker, now=at(date(2026, 1, 1), 0))
    assert [s.course_id for s in upcoming] == [future.id]
    assert [s.course_id for s in done] == [past.id]


def test_clone_refuses_a_date_where_a_speaker_is_already_booked(organizer, app):
    speaker = make_speaker("Nguyễn Đức Minh")
    source = make_course(starts_on=date(2022, 12, 2), status=CourseStatus.FINISHED)
    make_session(source, start=time(8, 15), speaker=speaker)
    busy = make_course(starts_on=DAY)
    make_session(busy, start=time(8, 0), minutes=120, speaker=speaker)
    with pytest.raises(DomainError, match="Nguyễn Đức Minh"):
        lifecycle.clone_course(organizer, source, "BD-NEW", DAY)
    assert db.session.scalars(select(Course).where(Course.code == "BD-NEW")).all() == []


def test_the_same_room_at_another_venue_is_another_room(organizer):
    elsewhere = make_course(starts_on=DAY)
    elsewhere.venue = "Trường Chính trị tỉnh"
    make_session(elsewhere, start=time(8, 0), room="Hội trường A")
    course = make_course(starts_on=DAY, status=CourseStatus.DRAFT)
    timetable.add_session(organizer, course, topic_data(at(DAY, 8), room="Hội trường A"))
    assert len(course.sessions) == 1


def test_a_session_with_attendance_cannot_be_deleted(organizer):
    from courses.attendance.models import Attendance
    from courses.enums import AttendanceStatus
    from tests.factories import make_enrollment

    course = make_course(starts_on=DAY)
    item = make_session(course, title="Công tác tổ chức")
    enrollment = make_enrollment(make_user(), course)
    db.session.add(Attendance(enrollment=enrollment, session=item, status=AttendanceStatus.PRESENT))
    db.session.commit()
    with pytest.raises(DomainError, match="đã có điểm danh"):
        timetable.delete_session(organizer, item)
    assert db.session.get(CourseSession, item.id) is not None
