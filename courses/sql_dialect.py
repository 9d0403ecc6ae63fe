"""What SQLite and PostgreSQL do differently, in one place: write locks and upserts."""
from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from courses.extensions import db


def is_sqlite() -> bool:
    return db.session.connection().dialect.name == "sqlite"


def begin_write_on_sqlite() -> None:
    """On SQLite, take the database's write lock now (BEGIN IMMEDIATE), before reading what
    the transaction will change; PostgreSQL callers lock rows with FOR UPDATE instead.

    Reads before this point ran outside a transaction (pysqlite begins only on writes).
    """
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.driver_connection
        if not raw.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def insert_ignoring_conflicts(model, index_elements: list[str], **values):
    """INSERT … ON CONFLICT DO NOTHING on either database."""
    insert = postgresql.insert if db.session.connection().dialect.name == "postgresql" else sqlite.insert
    return insert(model).values(**values).on_conflict_do_nothing(index_elements=index_elements)
