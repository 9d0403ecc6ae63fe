"""The Certificate model: a numbered, verifiable certificate of completion."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courses.db_types import UTCDateTime, utcnow
from courses.extensions import db

if TYPE_CHECKING:
    from courses.auth.models import User
    from courses.enrollment.models import Enrollment


class Certificate(db.Model):
    """A certificate (giấy chứng nhận) with a serial per issuing unit and year."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrollments.id", ondelete="RESTRICT"), index=True
    )
    issuing_unit_code: Mapped[str] = mapped_column(sa.String(40))
    serial_year: Mapped[int] = mapped_column()
    serial_number: Mapped[int] = mapped_column()
    serial: Mapped[str] = mapped_column(sa.String(80), unique=True)
    verification_code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    issued_by_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    manual_reason: Mapped[Optional[str]] = mapped_column(sa.Text)
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    revoke_reason: Mapped[Optional[str]] = mapped_column(sa.Text)
    replaced_by_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("certificates.id", ondelete="RESTRICT"), index=True
    )

    enrollment: Mapped["Enrollment"] = relationship()
    issued_by: Mapped[Optional["User"]] = relationship(foreign_keys=[issued_by_id])
    revoked_by: Mapped[Optional["User"]] = relationship(foreign_keys=[revoked_by_id])
    replaced_by: Mapped[Optional["Certificate"]] = relationship(remote_side="Certificate.id")

    __table_args__ = (
        sa.UniqueConstraint(
            "issuing_unit_code", "serial_year", "serial_number",
            name="uq_certificates_unit_year_number",
        ),
        sa.CheckConstraint("serial_number >= 1", name="serial_number_positive"),
        sa.CheckConstraint("length(verification_code) >= 16", name="verification_code_long"),
        sa.CheckConstraint(
            "(revoked_at IS NULL) = (revoke_reason IS NULL)", name="revocation_has_reason"
        ),
    )

    @property
    def is_valid(self) -> bool:
        """A certificate is valid until it is revoked."""
        return self.revoked_at is None
