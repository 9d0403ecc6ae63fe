"""The one idiom for a refused action.

Services check, write and commit; when a rule refuses, they raise DomainError and leave
the rollback to their caller. Views call them through `attempt` (flash the message) or
`BaseForm.call_service` (show it beside the form's field); commands and jobs through
`run_service`. Each of these rolls back first, so nothing a service changed before
refusing is flushed later.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from flask import flash

from courses.exceptions import DomainError
from courses.extensions import db


@dataclass
class Outcome:
    """What a service call gave: its result, or the error that refused it."""

    result: Any = None
    error: DomainError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def __bool__(self) -> bool:
        return self.ok


def run_service(action: Callable[[], Any]) -> Outcome:
    """Run action; on DomainError roll back and return the error instead of raising it."""
    try:
        return Outcome(result=action())
    except DomainError as error:
        db.session.rollback()
        return Outcome(error=error)


def attempt(action: Callable[[], Any], success: str | Callable[[Any], str] | None = None,
            category: str = "success") -> Outcome:
    """run_service, then flash the refusal («danger») or the success message (category)."""
    outcome = run_service(action)
    if not outcome.ok:
        flash(outcome.error.message, "danger")
    elif success is not None:
        flash(success(outcome.result) if callable(success) else success, category)
    return outcome
