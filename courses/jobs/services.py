"""Job rules: who may start, see, download and retry a job; starting and retrying."""
from __future__ import annotations

import logging
from typing import Mapping

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from courses.audit.services import record
from courses.db_types import utcnow
from courses.enums import JobStatus, Role
from courses.exceptions import DomainError, NotAllowed
from courses.extensions import db
from courses.jobs import runner, storage
from courses.jobs.models import Job
from courses.jobs.params import read_params
from courses.jobs.registry import JobKind, all_kinds, get_kind

log = logging.getLogger(__name__)


def kinds_for(user) -> list[JobKind]:
    """The kinds of job user may start."""
    return [kind for kind in all_kinds() if kind.allows(user)]


def _kind_or_error(name: str) -> JobKind:
    kind = get_kind(name or "")
    if kind is None:
        raise DomainError(_l("Loại tác vụ không tồn tại."), field="kind")
    return kind


def load_job(job_id: int) -> Job | None:
    return db.session.get(Job, job_id)


def can_view(user, job: Job) -> bool:
    """The owner, or staff allowed to start this kind, may see a job and its file.

    Staff rights are per kind so an organizer never downloads an admin-only export.
    """
    if user is None or not user.is_authenticated:
        return False
    if job.created_by_id == user.id:
        return True
    if not user.has_role(Role.ORGANIZER):  # organizers and admins are staff
        return False
    kind = get_kind(job.kind)
    return user.has_role(Role.ADMIN) if kind is None else kind.allows(user)


def parse_params(kind_name: str, form_data: Mapping[str, str]) -> dict:
    """Parameters of kind_name read from submitted form data by its form (DomainError when invalid)."""
    kind = _kind_or_error(kind_name)
    return read_params(kind.form, form_data) if kind.form else {}


def start_job_from_form(user, kind_name: str, form_data: Mapping[str, str]) -> Job:
    """Start a job of kind_name with the parameters its form reads from form_data.

    Who may run the kind is checked before its parameters are read: a course's code must
    tell a user without the right nothing, not whether a draft course exists.
    """
    kind = get_kind(kind_name or "")
    if kind is not None and not kind.allows(user):
        raise NotAllowed(_l("Bạn không có quyền chạy tác vụ này."))
    return start_job(user, kind_name, parse_params(kind_name, form_data))


def start_job(user, kind_name: str, params: dict | None = None) -> Job:
    """Queue a job of kind_name for user and send it to a worker (or a thread)."""
    kind = _kind_or_error(kind_name)
    params = dict(params or {})
    if not kind.allows(user) or (kind.may_start is not None and not kind.may_start(user, params)):
        raise NotAllowed(_l("Bạn không có quyền chạy tác vụ này."))
    job = Job(kind=kind.name, params=params, status=JobStatus.QUEUED, created_by_id=user.id)
    db.session.add(job)
    record(user, "job.start", job, after={"kind": kind.name, "params": params})
    db.session.commit()
    _dispatch(job)
    return job


def retry_job(user, job: Job) -> Job:
    """Queue a failed (or stalled) job again, from the start."""
    if not can_view(user, job):
        raise NotAllowed(_l("Bạn không có quyền với tác vụ này."))
    if not (job.status == JobStatus.FAILED
            or job.is_stale(current_app.config["JOB_STALE_SECONDS"])):
        raise DomainError(_l("Chỉ chạy lại được tác vụ bị lỗi hoặc bị gián đoạn."))
    old_result = job.result_stored_name
    before = {"status": job.status.value, "error": job.error_message}
    job.status = JobStatus.QUEUED
    job.progress_done = 0
    job.progress_total = None
    job.error_message = None
    job.result_stored_name = job.result_filename = job.result_content_type = None
    job.result_size_bytes = None
    job.started_at = job.finished_at = None
    job.updated_at = utcnow()
    record(user, "job.retry", job, before=before)
    db.session.commit()
    storage.delete_result(old_result)
    _dispatch(job)
    return job


def _dispatch(job: Job) -> None:
    """Send the committed job on; an unreachable queue fails it with a message to retry later."""
    try:
        runner.dispatch(job.id, job.attempts + 1)
    except Exception as error:  # Redis down, refused, timed out: the row must not hang in "queued"
        log.exception("job %s could not be queued", job.id)
        db.session.rollback()
        job = db.session.get(Job, job.id)
        job.status = JobStatus.FAILED
        job.error_message = str(_l("Không gửi được tác vụ tới hàng đợi (%(error)s). Vui lòng thử lại sau.",
                                   error=type(error).__name__))
        job.finished_at = utcnow()
        db.session.commit()


def jobs_for(user, *, everyone: bool = False, limit: int = 50) -> list[Job]:
    """user's recent jobs, newest first; with everyone (admins), all users' jobs."""
    statement = select(Job).options(joinedload(Job.created_by)).order_by(Job.created_at.desc(), Job.id.desc())
    if not (everyone and user.has_role(Role.ADMIN)):
        statement = statement.where(Job.created_by_id == user.id)
    return list(db.session.scalars(statement.limit(limit)))


def result_path(job: Job):
    """The stored result of a finished job, or None when there is none (any more)."""
    if job.status != JobStatus.FINISHED or not job.result_stored_name:
        return None
    path = storage.stored_path(job.result_stored_name)
    return path if path.is_file() else None


def status_of(job: Job) -> dict:
    """The job's state as plain data (the JSON the progress bar polls)."""
    stale = job.is_stale(current_app.config["JOB_STALE_SECONDS"])
    return {
        "id": job.id,
        "status": job.status.value,
        "status_label": str(job.status.label),
        "done": job.progress_done,
        "total": job.progress_total,
        "percent": job.percent,
        "error": job.error_message,
        "stale": stale,
        "finished": job.status == JobStatus.FINISHED,
        "result_filename": job.result_filename,
    }


def purge_jobs(older_than_days: int) -> int:
    """Delete finished and failed jobs (rows and files) that ended more than N days ago,
    and partial files left by interrupted jobs; returns how many jobs went."""
    from datetime import timedelta

    if older_than_days < 0:
        raise DomainError(_l("Số ngày không được âm."))
    cutoff = utcnow() - timedelta(days=older_than_days)
    old = list(db.session.scalars(
        select(Job).where(Job.status.in_([JobStatus.FINISHED, JobStatus.FAILED]), Job.finished_at < cutoff)
    ))
    names = [job.result_stored_name for job in old]
    for job in old:
        db.session.delete(job)
    db.session.commit()
    for name in names:
        storage.delete_result(name)
    for partial in storage.results_dir().glob(".partial-*"):
        if partial.stat().st_mtime < cutoff.timestamp():
            partial.unlink(missing_ok=True)
    return len(old)
