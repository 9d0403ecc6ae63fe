"""Recording audit events; callers commit with the change they describe."""
from __future__ import annotations

import enum
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Optional

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import joinedload

from courses.audit.models import AuditEvent
from courses.auth.models import User
from courses.extensions import db
from courses.formatting import LOCAL_TZ


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return list(value)
    return value


def snapshot(obj: Any, fields: tuple[str, ...]) -> dict:
    """The audited fields of obj as JSON-ready values."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def changed(before: dict, after: dict) -> tuple[dict, dict]:
    """The (before, after) pair reduced to the fields that differ."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def record(actor, action: str, obj: Any = None, *, object_type: str | None = None,
           object_id: Optional[int] = None, before: dict | None = None,
           after: dict | None = None) -> AuditEvent:
    """Add an audit event to the session, in the caller's transaction."""
    if obj is not None:
        object_type = object_type or type(obj).__name__
        if object_id is None:
            db.session.flush()
            object_id = getattr(obj, "id", None)
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=object_type or "",
        object_id=object_id,
        before=before,
        after=after,
    )
    db.session.add(event)
    return event


# --- Reading the trail (the admin's audit screen) -------------------------------------------

SYSTEM_ACTOR = "system"  # filter value for events without an actor (command line, scripts)


def _local_day_start(day: date) -> datetime:
    """The UTC instant at which a local (Asia/Ho_Chi_Minh) day starts."""
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ).astimezone(timezone.utc)


def events_query(*, actor: str | None = None, object_type: str | None = None,
                 action: str | None = None, date_from: date | None = None,
                 date_to: date | None = None) -> Select:
    """A select() of audit events, newest first, filtered; dates are local calendar days."""
    statement = (select(AuditEvent).options(joinedload(AuditEvent.actor))
                 .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()))
    if actor == SYSTEM_ACTOR:
        statement = statement.where(AuditEvent.actor_id.is_(None))
    elif actor:
        try:
            statement = statement.where(AuditEvent.actor_id == int(actor))
        except ValueError:
            statement = statement.where(False)
    if object_type:
        statement = statement.where(AuditEvent.object_type == object_type)
    if action:
        escaped = action.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(AuditEvent.action.like(f"%{escaped}%", escape="\\"))
    if date_from:
        statement = statement.where(AuditEvent.created_at >= _local_day_start(date_from))
    if date_to:
        statement = statement.where(AuditEvent.created_at < _local_day_start(date_to + timedelta(days=1)))
    return statement


def events_page(filters: dict, page: int, per_page: int):
    """A page of the events matching filters (the keyword arguments of events_query)."""
    return db.paginate(events_query(**filters), page=page, per_page=per_page, error_out=False)


def events_list(filters: dict) -> list[AuditEvent]:
    """Every event matching filters, for the export."""
    return list(db.session.scalars(events_query(**filters)))


def actor_choices() -> list[tuple[int, str]]:
    """(id, "name <email>") of every user who appears in the trail, by name."""
    rows = db.session.execute(
        select(User.id, User.full_name, User.email)
        .where(User.id.in_(select(AuditEvent.actor_id).where(AuditEvent.actor_id.is_not(None))))
        .order_by(User.full_name, User.id)
    )
    return [(row.id, f"{row.full_name} <{row.email}>") for row in rows]


def object_types() -> list[str]:
    """Every object type recorded, alphabetically."""
    return list(db.session.scalars(
        select(AuditEvent.object_type).distinct().order_by(AuditEvent.object_type)
    ))


def course_history(course, limit: int = 20) -> list[AuditEvent]:
    """The latest events of a course: its own and its sessions' and materials' (README: the
    course's history), newest first. Two queries: the ids of the course's sessions and
    materials ever recorded (a creation or deletion records the course; an update records
    only what changed), then their events."""
    def recorded_for(object_type: str):
        return (select(AuditEvent.object_id)
                .where(AuditEvent.object_type == object_type,
                       or_(AuditEvent.before["course_id"].as_integer() == course.id,
                           AuditEvent.after["course_id"].as_integer() == course.id)))

    session_ids = {s.id for s in course.sessions} | set(db.session.scalars(recorded_for("CourseSession")))
    material_ids = {m.id for m in course.materials} | set(db.session.scalars(recorded_for("Material")))
    return list(db.session.scalars(
        select(AuditEvent).options(joinedload(AuditEvent.actor))
        .where(or_(and_(AuditEvent.object_type == "Course", AuditEvent.object_id == course.id),
                   and_(AuditEvent.object_type == "CourseSession",
                        AuditEvent.object_id.in_(sorted(session_ids) or [-1])),
                   and_(AuditEvent.object_type == "Material",
                        AuditEvent.object_id.in_(sorted(material_ids) or [-1]))))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(limit)
    ))
