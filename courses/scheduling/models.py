"""Models of a course and its timetable: Topic, Speaker, Course, CourseSession, Material."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courses.db_types import UTCDateTime, enum_column_type, utcnow
from courses.enums import (
    CompletionRule,
    CourseState,
    CourseStatus,
    MaterialKind,
    SessionKind,
    Visibility,
)
from courses.extensions import db
from courses.formatting import LOCAL_TZ
from courses.scheduling.codes import CourseCodeFormat

if TYPE_CHECKING:
    from courses.auth.models import User
    from courses.organizations.models import Organization


class Topic(db.Model):
    """A teaching topic (chuyên đề) of the catalogue."""

    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(255), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    default_duration_minutes: Mapped[int] = mapped_column(default=90)
    is_standard: Mapped[bool] = mapped_column(default=False)
    sort_order: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("default_duration_minutes > 0", name="duration_positive"),
    )


class Speaker(db.Model):
    """A speaker (báo cáo viên), optionally linked to a user account."""

    __tablename__ = "speakers"

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(sa.String(255))
    title: Mapped[str] = mapped_column(sa.String(500), default="")
    organization_name: Mapped[str] = mapped_column(sa.String(255), default="")
    bio: Mapped[str] = mapped_column(sa.Text, default="")
    photo_stored_name: Mapped[Optional[str]] = mapped_column(sa.String(80))
    user_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True, unique=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[Optional["User"]] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("full_name", "title", name="uq_speakers_full_name_title"),
    )


class Course(db.Model):
    """A refresher course (lớp bồi dưỡng): its dates, seats, status and completion rule."""

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    title: Mapped[str] = mapped_column(sa.String(500))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    organizing_unit_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    venue: Mapped[str] = mapped_column(sa.String(500), default="")
    starts_on: Mapped[date] = mapped_column(sa.Date, index=True)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    registration_opens_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    registration_closes_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    capacity: Mapped[int] = mapped_column()
    # Party positions (PartyPosition values) allowed to register; empty means everyone.
    target_positions: Mapped[list] = mapped_column(sa.JSON, default=list)
    requires_approval: Mapped[bool] = mapped_column(default=False)
    status: Mapped[CourseStatus] = mapped_column(
        enum_column_type(CourseStatus, "course_status"), default=CourseStatus.DRAFT, index=True
    )
    cancel_reason: Mapped[Optional[str]] = mapped_column(sa.Text)
    completion_rule: Mapped[CompletionRule] = mapped_column(
        enum_column_type(CompletionRule, "completion_rule"), default=CompletionRule.ALL_TOPICS
    )
    completion_min_topics: Mapped[Optional[int]] = mapped_column()
    # Demo data prints certificates with a visible specimen mark.
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    organizing_unit: Mapped["Organization"] = relationship()
    created_by: Mapped[Optional["User"]] = relationship()
    sessions: Mapped[list["CourseSession"]] = relationship(
        back_populates="course",
        order_by="CourseSession.starts_at, CourseSession.id",
        cascade="all, delete-orphan",
    )
    materials: Mapped[list["Material"]] = relationship(
        back_populates="course", cascade="all, delete-orphan", order_by="Material.id"
    )

    __table_args__ = (
        # Letters, digits, «-», «/», «.» only: the code names downloaded files (0013_course_code_format).
        sa.CheckConstraint(CourseCodeFormat(), name="code_format"),
        sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        sa.CheckConstraint("capacity >= 1", name="capacity_positive"),
        sa.CheckConstraint(
            "registration_opens_at IS NULL OR registration_closes_at IS NULL "
            "OR registration_closes_at > registration_opens_at",
            name="registration_window_ordered",
        ),
        sa.CheckConstraint(
            "(completion_rule = 'min_topics' AND completion_min_topics IS NOT NULL "
            "AND completion_min_topics >= 1) "
            "OR (completion_rule = 'all_topics' AND completion_min_topics IS NULL)",
            name="completion_rule_consistent",
        ),
        sa.CheckConstraint(
            "(status = 'cancelled') = (cancel_reason IS NOT NULL)", name="cancel_reason_iff_cancelled"
        ),
    )

    def __repr__(self) -> str:
        return f"<Course {self.code}>"

    @property
    def topic_session_count(self) -> int:
        """How many topic sessions the timetable has: the most a completion rule may ask for."""
        return sum(1 for item in self.sessions if item.kind == SessionKind.TOPIC)

    @property
    def display_state(self) -> CourseState:
        """The course's state as every page shows it now (see course_state)."""
        sessions = self.sessions
        return course_state(self.status, self.starts_on, self.ends_on,
                            min((s.starts_at for s in sessions), default=None),
                            max((s.ends_at for s in sessions), default=None))


def course_state(status: CourseStatus, starts_on: date, ends_on: date,
                 first_start: datetime | None = None, last_end: datetime | None = None,
                 now: datetime | None = None) -> CourseState:
    """The one rule of a course's shown state: cancelled or draft whatever the dates; else
    in progress from its first session's start to its last session's end (its first and
    last days, local time, when it has no timetable), past after that (or once finished),
    upcoming before."""
    if status == CourseStatus.CANCELLED:
        return CourseState.CANCELLED
    if status == CourseStatus.DRAFT:
        return CourseState.DRAFT
    now = now or datetime.now(timezone.utc)
    if first_start is None or last_end is None:
        first_start = datetime.combine(starts_on, time.min, LOCAL_TZ)
        last_end = datetime.combine(ends_on, time.max, LOCAL_TZ)
    if status == CourseStatus.FINISHED or now >= last_end:
        return CourseState.PAST
    if now >= first_start:
        return CourseState.IN_PROGRESS
    return CourseState.UPCOMING


def session_title(own_title: str, topic_name: str | None, kind: SessionKind) -> str:
    """A timetable slot's title as the agenda shows it: its own, else its topic's, else its kind."""
    if own_title:
        return own_title
    if topic_name is not None:
        return topic_name
    return kind.label


class CourseSession(db.Model):
    """A timetable slot of a course (named so to stay clear of the database session)."""

    __tablename__ = "course_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(
        sa.ForeignKey("courses.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[SessionKind] = mapped_column(enum_column_type(SessionKind, "session_kind"))
    title: Mapped[str] = mapped_column(sa.String(500), default="")
    topic_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("topics.id", ondelete="RESTRICT"), index=True
    )
    speaker_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("speakers.id", ondelete="RESTRICT"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    room: Mapped[str] = mapped_column(sa.String(255), default="")
    presided_by: Mapped[str] = mapped_column(sa.String(500), default="")
    guiding_speech_by: Mapped[str] = mapped_column(sa.String(500), default="")

    course: Mapped["Course"] = relationship(back_populates="sessions")
    topic: Mapped[Optional["Topic"]] = relationship()
    speaker: Mapped[Optional["Speaker"]] = relationship()

    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("kind <> 'topic' OR topic_id IS NOT NULL", name="topic_session_has_topic"),
        # The double-booking check looks up a speaker's sessions by time, across courses.
        sa.Index("ix_course_sessions_speaker_id_starts_at", "speaker_id", "starts_at"),
    )

    @property
    def display_title(self) -> str:
        """The title shown in the agenda: the session's own, else its topic's."""
        return session_title(self.title, self.topic.name if self.topic is not None else None, self.kind)


class Material(db.Model):
    """A course material: an uploaded file or a link, for a course or one of its sessions."""

    __tablename__ = "materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(
        sa.ForeignKey("courses.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("course_sessions.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(500))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    kind: Mapped[MaterialKind] = mapped_column(enum_column_type(MaterialKind, "material_kind"))
    url: Mapped[Optional[str]] = mapped_column(sa.String(2000))
    stored_name: Mapped[Optional[str]] = mapped_column(sa.String(80), unique=True)
    original_filename: Mapped[Optional[str]] = mapped_column(sa.String(255))
    content_type: Mapped[Optional[str]] = mapped_column(sa.String(255))
    size_bytes: Mapped[Optional[int]] = mapped_column(sa.BigInteger)
    visibility: Mapped[Visibility] = mapped_column(
        enum_column_type(Visibility, "visibility"), default=Visibility.ENROLLED
    )
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    course: Mapped["Course"] = relationship(back_populates="materials")
    session: Mapped[Optional["CourseSession"]] = relationship()

    __table_args__ = (
        sa.CheckConstraint(
            "(kind = 'file' AND stored_name IS NOT NULL AND url IS NULL) "
            "OR (kind = 'link' AND url IS NOT NULL AND stored_name IS NULL)",
            name="file_or_link",
        ),
    )
