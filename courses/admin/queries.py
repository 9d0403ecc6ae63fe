"""The admin pages' reads: the user list, searchable and paginated."""
from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from courses.auth.models import User
from courses.enums import Role
from courses.extensions import db
from courses.organizations.models import Organization
from courses.pagination import NameOrderPagination
from courses.text import name_key


def _user_filters(query: str, role: str) -> list:
    """The user list's search: name or email contains query; role, when it is one."""
    filters = []
    if query:
        filters.append(or_(User.email.like(f"%{query.lower()}%"), User.full_name.ilike(f"%{query}%")))
    if role in {r.value for r in Role}:
        filters.append(User.role == Role(role))
    return filters


def ordered_user_ids(query: str, role: str) -> list[int]:
    """The ids of the matching users in the one Vietnamese order of lists of people."""
    id_names = db.session.execute(select(User.id, User.full_name).where(*_user_filters(query, role))).all()
    return [row_id for row_id, name in sorted(id_names, key=lambda row: name_key(row[1], row[0]))]


def users_page(query: str, role: str, page: int, per_page: int) -> NameOrderPagination:
    """A page of the matching users, in that order."""
    id_names = db.session.execute(select(User.id, User.full_name).where(*_user_filters(query, role))).all()
    return NameOrderPagination(id_names, load_users, page, per_page)


def load_users(ids: list[int]) -> list[User]:
    """The users of ids with their organizations, in any order."""
    return db.session.scalars(
        select(User).options(joinedload(User.organization).joinedload(Organization.parent))
        .where(User.id.in_(ids))).unique().all()


def load_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)
