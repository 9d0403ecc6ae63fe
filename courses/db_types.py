"""Column types shared by the models: aware UTC datetimes and checked enums."""
from __future__ import annotations

import enum
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC; used as a callable column default."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Stores UTC and always hands back aware UTC datetimes, also on SQLite."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        # SQLite has no time zone type: keep a naive UTC value there.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None or value.tzinfo is timezone.utc:  # PostgreSQL in a UTC session
            return value
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def enum_column_type(enum_cls: type[enum.Enum], name: str) -> sa.Enum:
    """A portable enum column: a VARCHAR with a named CHECK constraint on its values."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls) + 4,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def among_ids(column, ids: list[int]):
    """`column IN ids`, sent to PostgreSQL as one array parameter (`= ANY(:ids)`).

    An IN list is rendered afresh with one parameter per id for every query, and its text
    changes with the list's length, so PostgreSQL cannot keep it prepared; one array
    parameter cost a third less for a page of a hundred. Elsewhere (SQLite): a plain IN.
    """
    from courses.extensions import db

    if db.engine.dialect.name != "postgresql":
        return column.in_(ids)
    from sqlalchemy.dialects.postgresql import ARRAY

    return column == sa.any_(sa.bindparam(None, list(ids), type_=ARRAY(sa.Integer)))


def among_ids_parameter(column, name: str, dialect_name: str):
    """among_ids for a statement built once and run many times: the ids are the parameter
    `name`, given when it runs (a list; PostgreSQL gets one array, SQLite an expanded IN)."""
    if dialect_name != "postgresql":
        return column.in_(sa.bindparam(name, expanding=True))
    from sqlalchemy.dialects.postgresql import ARRAY

    return column == sa.any_(sa.bindparam(name, type_=ARRAY(sa.Integer)))
