"""The Job model: one background job, its progress and its result file.

The row is the source of truth: whichever app server a browser reaches, and
whichever worker runs the job, progress and outcome are read from here.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courses.db_types import UTCDateTime, enum_column_type, utcnow
from courses.enums import JobStatus
from courses.extensions import db

if TYPE_CHECKING:
    from courses.auth.models import User


class Job(db.Model):
    """A piece of long work asked for by a user: its kind, parameters, progress and outcome."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(80))
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    status: Mapped[JobStatus] = mapped_column(
        enum_column_type(JobStatus, "job_status"), default=JobStatus.QUEUED
    )
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[Optional[int]] = mapped_column()
    error_message: Mapped[Optional[str]] = mapped_column(sa.Text)
    attempts: Mapped[int] = mapped_column(default=0)
    # The result file lives under JOB_RESULTS_DIR with a random name; the user sees result_filename.
    result_stored_name: Mapped[Optional[str]] = mapped_column(sa.String(80), unique=True)
    result_filename: Mapped[Optional[str]] = mapped_column(sa.String(255))
    result_content_type: Mapped[Optional[str]] = mapped_column(sa.String(255))
    result_size_bytes: Mapped[Optional[int]] = mapped_column(sa.BigInteger)
    created_by_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    # Moved on every progress report: a row that stops moving belongs to a dead worker.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    created_by: Mapped["User"] = relationship()

    __table_args__ = (
        sa.CheckConstraint("progress_done >= 0", name="progress_done_not_negative"),
        sa.CheckConstraint(
            "progress_total IS NULL OR (progress_total >= 0 AND progress_done <= progress_total)",
            name="progress_within_total",
        ),
        sa.CheckConstraint(
            "status <> 'finished' OR result_stored_name IS NOT NULL", name="finished_has_result"
        ),
        sa.CheckConstraint("status <> 'failed' OR error_message IS NOT NULL", name="failed_has_error"),
        # "My jobs, newest first" and the staff list read by owner and by time.
        sa.Index("ix_jobs_created_by_id_created_at", "created_by_id", "created_at"),
    )

    @property
    def percent(self) -> int:
        """Progress in whole per cent (100 once finished; 0 while the total is unknown)."""
        if self.status == JobStatus.FINISHED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)

    @property
    def is_done(self) -> bool:
        """Finished or failed: nothing will change without a retry."""
        return self.status in (JobStatus.FINISHED, JobStatus.FAILED)

    def is_stale(self, stale_after_seconds: int, now: datetime | None = None) -> bool:
        """Queued or running, but its row has not moved for stale_after_seconds (a lost worker)."""
        if self.is_done:
            return False
        now = now or utcnow()
        return now - self.updated_at > timedelta(seconds=stale_after_seconds)

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.status.value}>"
