"""Queries over the organization tree."""
from __future__ import annotations

from sqlalchemy import select

from courses.enums import OrganizationKind
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


def organizations_by_id() -> dict[int, Organization]:
    """Every organization, by id (the tree is small: one query)."""
    return {org.id: org for org in db.session.scalars(select(Organization))}


def grassroots_id(organization_id: int | None, orgs: dict[int, Organization] | None = None) -> int | None:
    """The grassroots organization (đảng bộ cơ sở) an organization belongs to, or None."""
    if organization_id is None:
        return None
    orgs = orgs if orgs is not None else organizations_by_id()
    org = orgs.get(organization_id)
    seen = set()
    while org is not None and org.id not in seen:
        seen.add(org.id)
        if org.kind == OrganizationKind.GRASSROOTS:
            return org.id
        org = orgs.get(org.parent_id) if org.parent_id else None
    return None


def subtree_ids(root_id: int, orgs: dict[int, Organization] | None = None) -> set[int]:
    """root_id and every organization under it."""
    orgs = orgs if orgs is not None else organizations_by_id()
    children: dict[int | None, list[int]] = {}
    for org in orgs.values():
        children.setdefault(org.parent_id, []).append(org.id)
    result, stack = set(), [root_id]
    while stack:
        current = stack.pop()
        if current in result:
            continue
        result.add(current)
        stack.extend(children.get(current, []))
    return result
