"""The admin pages' reads: the user list, searchable and paginated."""
from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from courses.auth.models import User
from courses.enums import Role
from courses.extensions import db
from courses.organizations.models import Organization
from courses.pagination import NameOrderPagination


def users_page(query: str, role: str, page: int, per_page: int) -> NameOrderPagination:
    """Users whose name or email contains query (and of role, when it is one), in the one
    Vietnamese order of lists of people."""
    filters = []
    if query:
        filters.append(or_(User.email.like(f"%{query.lower()}%"), User.full_name.ilike(f"%{query}%")))
    if role in {r.value for r in Role}:
        filters.append(User.role == Role(role))
    id_names = db.session.execute(select(User.id, User.full_name).where(*filters)).all()
    return NameOrderPagination(id_names, _load_users, page, per_page)


def _load_users(ids: list[int]) -> list[User]:
    return db.session.scalars(
        select(User).options(joinedload(User.organization).joinedload(Organization.parent))
        .where(User.id.in_(ids))).unique().all()
