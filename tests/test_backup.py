"""Backup and restore of the SQLite database (online backup API), and the PostgreSQL message.

These tests make SQLite databases of their own, also when the suite runs on PostgreSQL:
the commands back up SQLite files.
"""
from __future__ import annotations

import sqlite3

import sqlalchemy as sa
from click.testing import CliRunner

from config import TestingConfig
from courses import create_app
from courses.enums import AttendanceStatus
from courses.extensions import db
from courses.security.backup import backup_sqlite
from tests.conftest import migrate_to_head
from tests.route_walk import build_world


def sqlite_app(path):
    """An app on a migrated SQLite file at path."""
    url = f"sqlite:///{path}"
    migrate_to_head(url)
    return create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)


def all_rows(app) -> dict[str, list[tuple]]:
    """Every row of every table (and the migration revision), ordered by primary key."""
    with app.app_context():
        engine = db.engine
        content = {}
        with engine.connect() as connection:
            for table in db.metadata.sorted_tables:
                rows = connection.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
                content[table.name] = [tuple(row) for row in rows]
            content["alembic_version"] = connection.execute(sa.text("SELECT version_num FROM alembic_version")).all()
        engine.dispose()
    return content


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=list(args), catch_exceptions=False)


def test_backup_then_restore_into_a_fresh_instance_gives_every_row_back(tmp_path, fast_password_hashing):
    source = sqlite_app(tmp_path / "live.sqlite3")
    with source.app_context():
        world = build_world()  # users, courses, sessions, enrollments, attendance, certificates, audit …
        world.attendance.status = AttendanceStatus.EXCUSED
        db.session.commit()
        db.session.remove()
    expected = all_rows(source)
    assert all(expected[name] for name in ("users", "courses", "enrollments", "certificates", "audit_events"))

    result = invoke(source, "backup", str(tmp_path / "saved.sqlite3"))
    assert result.exit_code == 0, result.output
    assert "Đã sao lưu" in result.output

    fresh = sqlite_app(tmp_path / "fresh.sqlite3")
    assert all_rows(fresh)["users"] == []
    result = invoke(fresh, "restore", str(tmp_path / "saved.sqlite3"), "--yes")
    assert result.exit_code == 0, result.output
    assert all_rows(fresh) == expected


def test_a_backup_taken_during_a_write_is_consistent(tmp_path, fast_password_hashing):
    """The online backup copies committed data only, while another connection is mid-transaction."""
    app = sqlite_app(tmp_path / "busy.sqlite3")
    with app.app_context():
        build_world()
        db.session.remove()
        db.engine.dispose()
    writer = sqlite3.connect(tmp_path / "busy.sqlite3")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO audit_events (action, object_type, created_at) VALUES ('half', 'x', '2026-01-01')")
    try:
        backup_sqlite(f"sqlite:///{tmp_path / 'busy.sqlite3'}", tmp_path / "copy.sqlite3")
    finally:
        writer.rollback()
        writer.close()
    copy = sqlite3.connect(tmp_path / "copy.sqlite3")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT count(*) FROM audit_events WHERE action = 'half'").fetchone()[0] == 0
    assert copy.execute("SELECT count(*) FROM users").fetchone()[0] == 4
    copy.close()


def test_backup_refuses_to_overwrite(tmp_path):
    app = sqlite_app(tmp_path / "a.sqlite3")
    (tmp_path / "exists.sqlite3").write_bytes(b"keep me")
    result = invoke(app, "backup", str(tmp_path / "exists.sqlite3"))
    assert result.exit_code != 0 and "already exists" in result.output
    assert (tmp_path / "exists.sqlite3").read_bytes() == b"keep me"


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, fast_password_hashing):
    app = sqlite_app(tmp_path / "a.sqlite3")
    with app.app_context():
        build_world()
        db.session.remove()
    before = all_rows(app)
    (tmp_path / "junk.sqlite3").write_bytes(b"not a database at all" * 100)
    other = sqlite3.connect(tmp_path / "other.sqlite3")
    other.execute("CREATE TABLE t (x)")
    other.commit()
    other.close()
    for bad in ("junk.sqlite3", "other.sqlite3", "missing.sqlite3"):
        result = invoke(app, "restore", str(tmp_path / bad), "--yes")
        assert result.exit_code != 0, bad
        assert "not a database of this application" in result.output or "does not exist" in result.output
    assert all_rows(app) == before


def test_restore_asks_for_confirmation(tmp_path):
    app = sqlite_app(tmp_path / "a.sqlite3")
    invoke(app, "backup", str(tmp_path / "b.sqlite3"))
    result = app.test_cli_runner().invoke(args=["restore", str(tmp_path / "b.sqlite3")], input="n\n")
    assert result.exit_code != 0 and "Aborted" in result.output


def test_postgresql_is_told_to_use_pg_dump(tmp_path):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="postgresql+psycopg://u@127.0.0.1:1/x")
    for args in (["backup", str(tmp_path / "x.dump")], ["restore", str(tmp_path / "x.dump"), "--yes"]):
        result = app.test_cli_runner().invoke(args=args)
        assert result.exit_code != 0
        assert "pg_dump" in result.output and "pg_restore" in result.output
        assert "Traceback" not in result.output


def test_an_in_memory_database_cannot_be_backed_up(tmp_path):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="sqlite://")
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "x")])
    assert result.exit_code != 0 and "in memory" in result.output


def test_commands_are_listed_in_help(tmp_path):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="sqlite://")
    output = CliRunner().invoke(app.cli, ["--help"]).output
    assert "backup" in output and "restore" in output
