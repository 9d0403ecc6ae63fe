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


UNIT_SEPARATOR = " – "


def unit_display_name(org: Organization | None, parent: Organization | None = None) -> str:
    """A unit's name as every list and choice shows it: a cell (chi bộ) with its organization,
    «Chi bộ Văn phòng – Đảng bộ Ban Tuyên giáo Trung ương», since a dozen organizations each
    have a «Chi bộ Văn phòng». Other organizations by their own name; "" for none.

    parent may be passed when the caller has it; else the relationship is read (a lookup in
    the session once the tree is loaded, as organizations_by_id() does).
    """
    if org is None:
        return ""
    if org.kind != OrganizationKind.CELL or org.parent_id is None:
        return org.name
    parent = parent if parent is not None else org.parent
    if parent is None or parent.name in org.name:
        return org.name
    return f"{org.name}{UNIT_SEPARATOR}{parent.name}"


def organization_choices() -> list[tuple[int, str]]:
    """(id, indented display name) pairs for a select field, in tree order."""
    ordered = tree_order()
    orgs = {org.id: org for org, _depth in ordered}
    return [(org.id, "\u2003" * depth + unit_display_name(org, orgs.get(org.parent_id)))
            for org, depth in ordered]


def get_organization(organization_id: int | None) -> Organization | None:
    """The organization with this id, or None."""
    return db.session.get(Organization, organization_id) if organization_id is not None else None


def grassroots_organizations() -> list[Organization]:
    """The grassroots organizations (those quotas are given to and rosters are filtered by), in list order."""
    return list(db.session.scalars(select(Organization).where(Organization.kind == OrganizationKind.GRASSROOTS)
                                   .order_by(Organization.sort_order, Organization.name)))


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
