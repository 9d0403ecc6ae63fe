"""Running jobs: on RQ when REDIS_URL is set, else in a thread of the app process.

Either way the same `run_job(job_id)` does the work inside an app context and writes
its progress and outcome to the job's row.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from flask_babel import force_locale
from flask_babel import gettext as _

from courses.db_types import utcnow
from courses.enums import JobStatus
from courses.exceptions import DomainError
from courses.extensions import db
from courses.jobs import storage
from courses.jobs.models import Job
from courses.jobs.registry import ResultFile, get_kind

log = logging.getLogger(__name__)

# Progress is written at most this often (seconds), and always at the end.
PROGRESS_INTERVAL = 0.5

_threads: list[threading.Thread] = []


def uses_rq(app: Flask) -> bool:
    """Jobs go to RQ when the app has a REDIS_URL."""
    return bool(app.config.get("REDIS_URL"))


def redis_connection(app: Flask):
    """A Redis client for app's REDIS_URL."""
    from redis import Redis

    return Redis.from_url(app.config["REDIS_URL"])


def queue(app: Flask, connection=None):
    """The RQ queue jobs are sent to (JOB_QUEUE)."""
    from rq import Queue

    return Queue(app.config["JOB_QUEUE"], connection=connection or redis_connection(app))


def dispatch(job_id: int, attempt: int) -> None:
    """Hand job_id to RQ or to a new thread; raises when the queue cannot be reached."""
    app = current_app._get_current_object()
    if uses_rq(app):
        queue(app).enqueue_call(
            "courses.jobs.runner.run_job_in_worker",
            args=(job_id,),
            job_id=f"{app.config['JOB_QUEUE']}-job-{job_id}-try-{attempt}",
            timeout=app.config["JOB_TIMEOUT_SECONDS"],
            result_ttl=3600,
            failure_ttl=7 * 24 * 3600,
            description=f"courses job {job_id}",
        )
        return
    thread = threading.Thread(target=_run_in_thread, args=(app, job_id), name=f"job-{job_id}", daemon=True)
    _threads[:] = [t for t in _threads if t.is_alive()]
    _threads.append(thread)
    thread.start()


def _run_in_thread(app: Flask, job_id: int) -> None:
    with app.app_context():
        run_job(job_id)


def wait_for_threads(timeout: float = 30) -> None:
    """Wait for the in-process jobs of this process to end (tests, orderly shutdown)."""
    deadline = time.monotonic() + timeout
    for thread in list(_threads):
        thread.join(max(0.0, deadline - time.monotonic()))


def run_job_in_worker(job_id: int) -> None:
    """The function RQ runs: inside the worker's app context, or a new app's."""
    if has_app_context():
        run_job(job_id)
        return
    from courses import create_app

    with create_app().app_context():
        run_job(job_id)


class ProgressWriter:
    """report_progress(done, total=None): writes to the job row on a connection of its own,
    at most every PROGRESS_INTERVAL seconds, so the job's own transaction is untouched."""

    def __init__(self, job_id: int, total: int | None = None):
        self.job_id = job_id
        self.done = 0
        self.total = total
        self._written_at = 0.0

    def __call__(self, done: int, total: int | None = None, *, force: bool = False) -> None:
        if total is not None:
            self.total = max(0, int(total))
        self.done = max(0, int(done))
        if self.total is not None:
            self.done = min(self.done, self.total)
        now = time.monotonic()
        if not force and now - self._written_at < PROGRESS_INTERVAL and self.done != self.total:
            return
        self._written_at = now
        try:
            with db.engine.begin() as connection:
                connection.execute(
                    sa.update(Job.__table__)
                    .where(Job.__table__.c.id == self.job_id)
                    .values(progress_done=self.done, progress_total=self.total, updated_at=utcnow())
                )
        except sa.exc.OperationalError:
            # Progress is advisory: a busy SQLite file must not fail the job itself.
            log.warning("job %s: progress not written (database busy)", self.job_id)


def claim(job_id: int) -> bool:
    """Move a queued job to running; False when it is not queued (taken, finished, gone)."""
    now = utcnow()
    with db.engine.begin() as connection:
        result = connection.execute(
            sa.update(Job.__table__)
            .where(Job.__table__.c.id == job_id, Job.__table__.c.status == JobStatus.QUEUED.value)
            .values(status=JobStatus.RUNNING.value, started_at=now, updated_at=now,
                    attempts=Job.__table__.c.attempts + 1)
        )
    return result.rowcount == 1


def run_job(job_id: int) -> None:
    """Run one queued job to its end: finished with a stored file, or failed with a message.

    Texts the job writes (sheet headers, messages) are in its owner's language.
    """
    with force_locale(_owner_locale(job_id)):
        _run_job(job_id)


def _owner_locale(job_id: int) -> str:
    from courses.auth.models import User

    locale = db.session.scalar(
        sa.select(User.locale).join(Job, Job.created_by_id == User.id).where(Job.id == job_id)
    )
    db.session.rollback()
    languages = current_app.config["LANGUAGES"]
    return locale if locale in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def _run_job(job_id: int) -> None:
    if not claim(job_id):
        log.info("job %s is not queued any more; nothing to do", job_id)
        return
    try:
        job = db.session.get(Job, job_id)
        kind = get_kind(job.kind)
        if kind is None:
            raise DomainError(_("Loại tác vụ «%(kind)s» không còn được hỗ trợ.", kind=job.kind))
        reporter = ProgressWriter(job_id, job.progress_total)
        result = kind.run(job, reporter)
        if not isinstance(result, ResultFile):
            raise TypeError(f"job kind {kind.name} returned {type(result).__name__}, not ResultFile")
        db.session.rollback()  # the job's own work was committed by itself, or not at all
        stored_name, size = _store(result)
        job = db.session.get(Job, job_id)
        job.status = JobStatus.FINISHED
        job.result_stored_name = stored_name
        job.result_filename = result.filename
        job.result_content_type = result.content_type
        job.result_size_bytes = size
        if job.progress_total is None or reporter.total is not None:
            job.progress_total = reporter.total if reporter.total is not None else reporter.done
        job.progress_done = job.progress_total
        job.error_message = None
        job.finished_at = utcnow()
        db.session.commit()
        log.info("job %s (%s) finished: %s bytes", job_id, job.kind, size)
    except Exception as error:  # every failure ends as a message the user can read
        db.session.rollback()
        _fail(job_id, error)
    finally:
        db.session.remove()


def failure_message(error: BaseException) -> str:
    """The user-facing text for an error that ended a job."""
    if isinstance(error, DomainError):
        return error.message
    if type(error).__name__ == "JobTimeoutException":
        return _("Tác vụ chạy quá thời gian cho phép và đã bị dừng. Vui lòng thử lại.")
    return _("Đã xảy ra lỗi không mong đợi (%(kind)s). Vui lòng thử lại hoặc báo cho quản trị hệ thống.",
             kind=type(error).__name__)


def _fail(job_id: int, error: BaseException) -> None:
    if isinstance(error, DomainError):
        log.info("job %s failed: %s", job_id, error.message)
    else:
        log.exception("job %s failed", job_id)
    job = db.session.get(Job, job_id)
    if job is None:
        return
    job.status = JobStatus.FAILED
    job.error_message = failure_message(error)
    job.finished_at = utcnow()
    db.session.commit()


def _store(result: ResultFile) -> tuple[str, int]:
    """Move or write the result into the results directory under a random name."""
    stored_name = storage.new_stored_name(result.filename)
    target = storage.stored_path(stored_name)
    if result.path is not None:
        os.replace(result.path, target)
    elif result.data is not None:
        partial = storage.scratch_path()
        partial.write_bytes(result.data)
        os.replace(partial, target)
    else:
        raise TypeError("a ResultFile needs data or a path")
    return stored_name, target.stat().st_size


def run_worker(app: Flask, burst: bool = False) -> bool:
    """Process RQ jobs from JOB_QUEUE until stopped (or, with burst, until the queue is empty)."""
    from rq import Worker

    connection = redis_connection(app)
    # The worker forks a work horse per job: it must inherit no open database connection.
    with app.app_context():
        db.engine.dispose()
    worker = Worker([queue(app, connection)], connection=connection, name=f"{app.config['JOB_QUEUE']}-{socket.gethostname()}-{os.getpid()}")
    with app.app_context():
        return worker.work(burst=burst, logging_level="INFO")
