"""The registry of job kinds: each feature registers the long work it offers.

A kind is a function `run(job, report_progress) -> ResultFile` plus who may start it
and the form class that reads its parameters (courses.jobs.params.JobParamsForm). To add one (e.g. bulk certificates),
write `courses/<feature>/jobs.py`:

    from courses.jobs.registry import ResultFile, job_kind

    @job_kind("certificates.print", label=_l("In giấy chứng nhận"), roles=(Role.ADMIN,))
    def print_certificates(job, report_progress):
        ...
        report_progress(done, total)
        return ResultFile("gcn.pdf", "application/pdf", path=written_path)

and start it from a view with `courses.jobs.services.start_job(user, "certificates.print",
{"course_id": course.id})`, then redirect to `url_for("jobs.show", job_id=job.id)`.
and add the module to JOB_MODULES below: create_app() imports each of them, in the app and the
worker alike.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from courses.enums import Role

ProgressReporter = Callable[..., None]
"""report_progress(done, total=None): how far the job got; cheap to call often."""


@dataclass(frozen=True)
class ResultFile:
    """What a job hands back: the file offered for download, as bytes or as a written path.

    A path must come from `courses.jobs.storage.scratch_path()` (same directory, so it
    is moved into place without a copy); large outputs should be written there, not held
    in memory.
    """

    filename: str
    content_type: str
    data: Optional[bytes] = None
    path: Optional[Path] = None


@dataclass(frozen=True)
class JobKind:
    """A kind of background job: its function, its label and who may start it."""

    name: str
    label: Any
    run: Callable[[Any, ProgressReporter], ResultFile]
    roles: tuple[Role, ...] = ()
    # The kind's parameters: a courses.jobs.params.JobParamsForm subclass (none: no parameters).
    form: Optional[type] = None
    # Object-level check (may this user run it on THIS course?); roles are checked first.
    may_start: Optional[Callable[[Any, dict], bool]] = None
    # A partial template with the kind's own form fields, shown on the jobs page.
    form_template: Optional[str] = None
    description: Any = ""
    extra: dict = field(default_factory=dict)

    def allows(self, user) -> bool:
        """True when user's role may start (and so see the results of) this kind."""
        if user is None or not getattr(user, "is_authenticated", False):
            return False
        return not self.roles or user.has_role(*self.roles)


_KINDS: dict[str, JobKind] = {}


def job_kind(name: str, *, label, roles: tuple[Role, ...] = (), form=None,
             may_start=None, form_template: str | None = None, description="") -> Callable:
    """Decorator: register the decorated function as the job kind name."""
    def decorator(function):
        register(JobKind(name=name, label=label, run=function, roles=tuple(roles),
                         form=form, may_start=may_start,
                         form_template=form_template, description=description))
        return function
    return decorator


def register(kind: JobKind) -> JobKind:
    """Add kind; registering the same name twice with another function is an error."""
    existing = _KINDS.get(kind.name)
    if existing is not None and existing.run is not kind.run:
        raise ValueError(f"job kind {kind.name!r} is already registered")
    _KINDS[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    """Remove a kind (tests register throw-away kinds)."""
    _KINDS.pop(name, None)


def get_kind(name: str) -> JobKind | None:
    """The registered kind called name, or None."""
    return _KINDS.get(name)


def all_kinds() -> list[JobKind]:
    """Every registered kind, by name."""
    return [_KINDS[name] for name in sorted(_KINDS)]


# The features that offer background work, imported by the factory (create_app) in the
# app, the worker and commands alike: a new kind's module is added here.
JOB_MODULES = ("courses.admin.user_export", "courses.certificates.jobs")


def register_builtin_kinds() -> None:
    """Import every module of JOB_MODULES, whose @job_kind decorators register the kinds."""
    for name in JOB_MODULES:
        importlib.import_module(name)
