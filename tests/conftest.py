"""Fixtures: an app on a freshly migrated database per test, a client, a CLI runner.

SQLite (the default): the schema is migrated once into a template file, and each
test gets its own copy. PostgreSQL (TEST_DATABASE_URL set): the schema is
migrated once into a schema private to this run, and every table is emptied
after each test. An unreachable PostgreSQL stops the run: it is never skipped.
"""
from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from config import TestingConfig, normalize_database_url
from courses import create_app
from courses.extensions import db

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
# The `world` and `fast_password_hashing` fixtures of the route walks (permission matrix, fuzzing).
pytest_plugins = ("tests.route_walk",)


def with_search_path(url: str, schema: str) -> str:
    """The URL of a connection whose search_path is schema."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(f'-csearch_path={schema}')}"


def migrate_to_head(url: str) -> None:
    """Build the schema from the committed migrations only."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations():
    """The English catalogue compiled, even when pytest runs without `make`."""
    from courses.i18n.catalogs import compile_stale

    compile_stale()


@pytest.fixture(scope="session")
def database(tmp_path_factory):
    """A description of the test database: ('sqlite', template path) or ('postgresql', url, schema)."""
    if POSTGRES_URL:
        base_url = normalize_database_url(POSTGRES_URL)
        try:
            engine = sa.create_engine(base_url)
            with engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
        except Exception as error:  # any failure to connect ends the run loudly
            pytest.exit(f"TEST_DATABASE_URL is set but PostgreSQL is unreachable: {error}", returncode=3)
        schema = f"test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with engine.begin() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = with_search_path(base_url, schema)
        migrate_to_head(url)
        yield {"kind": "postgresql", "url": url, "base_url": base_url, "schema": schema}
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()
    else:
        template = tmp_path_factory.mktemp("db") / "template.sqlite3"
        migrate_to_head(f"sqlite:///{template}")
        yield {"kind": "sqlite", "template": template}


@pytest.fixture
def database_url(database, tmp_path) -> str:
    """The URL of an empty, migrated database for this test."""
    if database["kind"] == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(database["template"], path)
        return f"sqlite:///{path}"
    return database["url"]


def empty_all_tables(database) -> None:
    """Delete every row (PostgreSQL), keeping the migrated schema for the next test."""
    engine = sa.create_engine(database["url"])
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with engine.begin() as connection:
        connection.execute(sa.text(
            "TRUNCATE " + ", ".join(f'"{name}"' for name in tables) + " RESTART IDENTITY CASCADE"
        ))
    engine.dispose()


@pytest.fixture(scope="session")
def certificate_key_dir(tmp_path_factory):
    """One demo signing key for the run: made once, not per test (an RSA key takes ~0.1 s)."""
    return str(tmp_path_factory.mktemp("certificate-keys"))


@pytest.fixture
def make_app(database, database_url, tmp_path, certificate_key_dir):
    """Build apps on this test's database; settings may be overridden per app."""
    apps = []

    def factory(**overrides):
        settings = {"SQLALCHEMY_DATABASE_URI": database_url, "UPLOAD_DIR": str(tmp_path / "uploads"),
                    "JOB_RESULTS_DIR": str(tmp_path / "job-results"),  # never the work tree's instance/
                    "CERT_KEY_DIR": certificate_key_dir}
        settings.update(overrides)
        app = create_app(TestingConfig, **settings)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    if database["kind"] == "postgresql":
        empty_all_tables(database)


@pytest.fixture
def app(make_app):
    """The application, with an app context pushed for the whole test."""
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    """A test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner."""
    return app.test_cli_runner()


def login(client, email: str, password: str = "Matkhau123"):
    """Log in through the form; returns the response."""
    return client.post("/auth/login", data={"email": email, "password": password})


@pytest.fixture
def as_user(client):
    """Log the test client in as a given user (password from the factories)."""
    def log_in(user, password: str = "Matkhau123"):
        response = login(client, user.email, password)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client
    return log_in


@pytest.fixture(autouse=True)
def _artifacts_dir():
    Path("test-artifacts").mkdir(exist_ok=True)
