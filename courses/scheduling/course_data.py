"""What a course's editor sets, listed once: the form is read into CourseData by field name,
the course takes its values, a clone copies them, and the audit snapshot names them.

A new editable field of Course is one line here (besides the model, its migration, the
form field and the template).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Mapping

from courses.enums import CompletionRule
from courses.formatting import LOCAL_TZ


@dataclass
class CourseData:
    """What the course editor sends."""

    code: str
    title: str
    organizing_unit_id: int
    starts_on: date
    ends_on: date
    capacity: int
    description: str = ""
    venue: str = ""
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    target_positions: list | None = None
    requires_approval: bool = False
    completion_rule: CompletionRule = CompletionRule.ALL_TOPICS
    completion_min_topics: int | None = None

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(item.name for item in dataclasses.fields(cls))

    @classmethod
    def from_form(cls, values: Mapping[str, Any]) -> CourseData:
        """The editor's posted values (a form's .data): text stripped to «» when empty, the
        registration times read as Hà Nội's wall clock, the rule as its enum."""
        data = {name: values.get(name) for name in cls.names()}
        for name in ("description", "venue"):
            data[name] = data[name] or ""
        for name in ("registration_opens_at", "registration_closes_at"):
            if data[name] is not None:
                data[name] = data[name].replace(tzinfo=LOCAL_TZ)
        data["target_positions"] = list(data["target_positions"] or [])
        data["completion_rule"] = CompletionRule(data["completion_rule"] or CompletionRule.ALL_TOPICS.value)
        return cls(**data)

    @classmethod
    def of(cls, course) -> CourseData:
        """A course's current values (a clone starts from them)."""
        return cls(**{name: getattr(course, name) for name in cls.names()})

    def apply_to(self, course) -> None:
        for name in self.names():
            setattr(course, name, getattr(self, name))
        course.target_positions = list(self.target_positions or [])


# The audit snapshot of a course: what the editor sets, and its state.
COURSE_FIELDS = (*CourseData.names(), "status", "cancel_reason")
