"""The Organization tree model."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courses.db_types import UTCDateTime, enum_column_type, utcnow
from courses.enums import OrganizationKind
from courses.extensions import db


class Organization(db.Model):
    """A party organization: the bloc, a grassroots organization or a cell."""

    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[OrganizationKind] = mapped_column(enum_column_type(OrganizationKind, "organization_kind"))
    name: Mapped[str] = mapped_column(sa.String(255))
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    sort_order: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    parent: Mapped[Optional["Organization"]] = relationship(
        remote_side="Organization.id", back_populates="children"
    )
    children: Mapped[list["Organization"]] = relationship(
        back_populates="parent", order_by="Organization.sort_order, Organization.name"
    )

    __table_args__ = (
        sa.UniqueConstraint("parent_id", "name", name="uq_organizations_parent_id_name"),
        sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
    )

    def __repr__(self) -> str:
        return f"<Organization {self.code}>"
