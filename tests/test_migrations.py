"""Migrations: the schema comes from them, goes from empty to head and back down."""
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from config import TestingConfig
from courses import create_app
from courses.extensions import db
from tests.conftest import with_search_path


@pytest.fixture
def empty_database_url(database, tmp_path):
    """A database with no tables at all, private to this test."""
    if database["kind"] == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    schema = f"mig_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(database["base_url"])
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    yield with_search_path(database["base_url"], schema)
    with engine.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def table_names(engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_to_head_then_downgrade_to_base(empty_database_url):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        assert table_names(db.engine) == set()
        upgrade()
        assert table_names(db.engine) == set(db.metadata.tables)
        downgrade(revision="base")
        assert table_names(db.engine) == set()
        upgrade()  # and up again: downgrade left nothing behind that blocks it
        assert table_names(db.engine) == set(db.metadata.tables)
        db.engine.dispose()


def test_models_and_migrations_agree(app):
    """No model change is missing a migration."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []
