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
        # At most one valid certificate per enrollment.
        sa.Index(
            "uq_certificates_valid_enrollment", "enrollment_id", unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"), postgresql_where=sa.text("revoked_at IS NULL"),
        ),
    )

    @property
    def is_valid(self) -> bool:
        """A certificate is valid until it is revoked."""
        return self.revoked_at is None


class CertificateSettings(db.Model):
    """The admin's certificate settings: issuing unit, numbering, place, signer, printing offsets.

    One row (id 1); certificates/settings.py creates it with defaults when it is missing.
    """

    __tablename__ = "certificate_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    issuing_unit_name: Mapped[str] = mapped_column(sa.String(255))
    issuing_unit_code: Mapped[str] = mapped_column(sa.String(40))
    # Python format: {number} (with e.g. :04d), {unit} and {year}.
    serial_format: Mapped[str] = mapped_column(sa.String(80), default="{number:04d}/GCN-{unit}")
    starting_number: Mapped[int] = mapped_column(default=1)
    place: Mapped[str] = mapped_column(sa.String(120))
    signer_capacity: Mapped[str] = mapped_column(sa.String(120))
    signer_title: Mapped[str] = mapped_column(sa.String(255))
    signer_name: Mapped[str] = mapped_column(sa.String(255))
    signature_stored_name: Mapped[Optional[str]] = mapped_column(sa.String(80))
    # Print-on-preprinted-forms: a global shift and per-field positions (mm from the top left).
    form_offset_x_mm: Mapped[float] = mapped_column(sa.Float, default=0.0)
    form_offset_y_mm: Mapped[float] = mapped_column(sa.Float, default=0.0)
    form_positions: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    __table_args__ = (
        sa.CheckConstraint("starting_number >= 1", name="starting_number_positive"),
    )


class SerialCounter(db.Model):
    """The last serial number given per issuing unit and year (locked while issuing)."""

    __tablename__ = "certificate_serial_counters"

    issuing_unit_code: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    serial_year: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column()

    __table_args__ = (sa.CheckConstraint("last_number >= 0", name="last_number_not_negative"),)
