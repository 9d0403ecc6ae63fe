"""Queries over the organization tree."""
from __future__ import annotations

from sqlalchemy import select

from courses.extensions import db
from courses.organizations.models import Organization


def tree_order() -> list[tuple[Organization, int]]:
    """Every organization with its depth, parents before children (one query)."""
    rows = db.session.scalars(
        select(Organization).order_by(Organization.sort_order, Organization.name)
    ).all()
    children: dict[int | None, list[Organization]] = {}
    for org in rows:
        children.setdefault(org.parent_id, []).append(org)
    ordered: list[tuple[Organization, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for org in children.get(parent_id, []):
            ordered.append((org, depth))
            walk(org.id, depth + 1)

    walk(None, 0)
    return ordered


def organization_choices() -> list[tuple[int, str]]:
    """(id, indented name) pairs for a select field, in tree order."""
    return [(org.id, "\u2003" * depth + org.name) for org, depth in tree_order()]
