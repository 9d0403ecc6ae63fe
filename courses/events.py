"""What happens in a course's life, announced to whoever listens (e-mail, webhooks).

Services call emit() inside their own transaction, before they commit. Listeners only add
rows to that same session (an outbox message, a webhook delivery), never send anything
themselves: a change that rolls back announces nothing, and a committed change cannot lose
its announcement. Delivery happens later, from the rows.
"""
from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any


class Event(StrEnum):
    """Names are stable: webhook subscribers and stored rows refer to them."""

    # payload: enrollment, actor (the user who acted, None for the system)
    ENROLLMENT_PENDING = "enrollment.pending"  # registered, waits for approval
    ENROLLMENT_CONFIRMED = "enrollment.confirmed"  # registered straight into a seat
    ENROLLMENT_WAITLISTED = "enrollment.waitlisted"
    ENROLLMENT_PROMOTED = "enrollment.promoted"  # from the waitlist into a seat
    ENROLLMENT_APPROVED = "enrollment.approved"
    ENROLLMENT_REJECTED = "enrollment.rejected"  # + reason
    ENROLLMENT_NOMINATED = "enrollment.nominated"  # by the unit's coordinator
    ENROLLMENT_SUBSTITUTED = "enrollment.substituted"  # + replaced (the enrollment given up)
    ENROLLMENT_CANCELLED = "enrollment.cancelled"
    # payload: course, actor
    COURSE_PUBLISHED = "course.published"
    COURSE_CHANGED = "course.changed"  # + changes: {field: (old, new)} of date, time or venue
    COURSE_CANCELLED = "course.cancelled"  # + reason
    # payload: session (a CourseSession), enrollments (those whose mark changed), actor
    ATTENDANCE_MARKED = "attendance.marked"
    # payload: certificate, actor
    CERTIFICATE_ISSUED = "certificate.issued"
    CERTIFICATE_REVOKED = "certificate.revoked"  # + reason


Listener = Callable[..., None]
_listeners: dict[Event, list[Listener]] = {}


def listen(*events: Event) -> Callable[[Listener], Listener]:
    """Register a function called as listener(event, **payload); registering twice is harmless."""

    def register(listener: Listener) -> Listener:
        for event in events:
            chain = _listeners.setdefault(Event(event), [])
            if listener not in chain:
                chain.append(listener)
        return listener

    return register


def emit(event: Event, **payload: Any) -> None:
    """Call every listener of the event, in registration order, inside the caller's transaction."""
    for listener in _listeners.get(Event(event), ()):
        listener(event, **payload)


def listeners(event: Event) -> list[Listener]:
    """The functions an event reaches (for tests and for the README's list)."""
    return list(_listeners.get(Event(event), ()))
