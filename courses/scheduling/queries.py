"""The organizer pages' reads: the course list, a course with all its workbench shows, a session,
material, topic or speaker by id (None when there is none), the topic catalogue and the speaker
directory in the order the pages list them."""
from __future__ import annotations

from collections.abc import Sequence

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from courses.enums import CourseStatus
from courses.extensions import db
from courses.scheduling.models import Course, CourseSession, Material, Speaker, Topic


def courses_page(status: str, query: str, page: int, per_page: int) -> Pagination:
    """A page of every course, newest first; status (when it is one) and query (in title or
    code) narrow it."""
    statement = select(Course).options(joinedload(Course.organizing_unit)).order_by(
        Course.starts_on.desc(), Course.id.desc())
    if status in {s.value for s in CourseStatus}:
        statement = statement.where(Course.status == CourseStatus(status))
    if query:
        statement = statement.where(Course.title.ilike(f"%{query}%") | Course.code.ilike(f"%{query}%"))
    return db.paginate(statement, page=page, per_page=per_page, error_out=False)


def load_course(course_id: int) -> Course | None:
    """A course with its unit, sessions (topic, speaker) and materials (session) loaded up front:
    the workbench and the editors read them all."""
    return db.session.scalar(
        select(Course)
        .options(joinedload(Course.organizing_unit),
                 selectinload(Course.sessions).joinedload(CourseSession.topic),
                 selectinload(Course.sessions).joinedload(CourseSession.speaker),
                 selectinload(Course.materials).joinedload(Material.session))
        .where(Course.id == course_id)
    )


def load_session(session_id: int) -> CourseSession | None:
    """A session of a timetable."""
    return db.session.get(CourseSession, session_id)


def load_material(material_id: int) -> Material | None:
    """A course's material."""
    return db.session.get(Material, material_id)


def load_topic(topic_id: int) -> Topic | None:
    """A topic of the catalogue."""
    return db.session.get(Topic, topic_id)


def load_speaker(speaker_id: int) -> Speaker | None:
    """A speaker of the directory."""
    return db.session.get(Speaker, speaker_id)


def topics_in_order() -> Sequence[Topic]:
    """The topic catalogue in its own order, then by name."""
    return db.session.scalars(select(Topic).order_by(Topic.sort_order, Topic.name)).all()


def speakers_by_name() -> Sequence[Speaker]:
    """The speaker directory by full name."""
    return db.session.scalars(select(Speaker).order_by(Speaker.full_name)).all()
