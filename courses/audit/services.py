"""Recording audit events; callers commit with the change they describe."""
from __future__ import annotations

from typing import Any, Optional

from courses.audit.models import AuditEvent
from courses.extensions import db


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
