"""Backup and restore of the SQLite database with SQLite's online backup API.

The backup API copies the database page by page under SQLite's own locks and
restarts when a writer commits meanwhile, so a copy taken while the app serves is
a consistent snapshot. PostgreSQL is backed up with pg_dump / pg_restore
(docs/SECURITY.md); the commands say so instead of failing obscurely.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy.engine import make_url

from courses.extensions import db

POSTGRES_HELP = (
    "This database is PostgreSQL: back it up and restore it with PostgreSQL's own tools "
    "(see docs/SECURITY.md):\n"
    "  pg_dump --format=custom --file=OUT \"$DATABASE_URL\"\n"
    "  pg_restore --clean --if-exists --no-owner --dbname=\"$DATABASE_URL\" OUT"
)


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why and what to do."""


def sqlite_path(url: str) -> Path:
    """The file of a SQLite database URL; refuses other databases and in-memory ones."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        raise BackupError(POSTGRES_HELP)
    if parsed.get_backend_name() != "sqlite":
        raise BackupError(f"Backups are supported for SQLite only, not {parsed.get_backend_name()}.")
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("The database is in memory: there is no file to back up.")
    return Path(parsed.database)


def _check_is_app_database(path: Path) -> str:
    """The migration revision of the SQLite file at path; refuses anything else."""
    if not path.is_file():
        raise BackupError(f"{path} does not exist.")
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if connection.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{path} is damaged (integrity check failed).")
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a database of this application ({error}).") from None
    if row is None:
        raise BackupError(f"{path} is not a database of this application (no migration revision).")
    return row[0]


def _copy(source: Path, target: Path) -> None:
    """Copy the database source into target with the online backup API."""
    source_connection = sqlite3.connect(source)
    target_connection = sqlite3.connect(target)
    try:
        with target_connection:
            source_connection.backup(target_connection)
    finally:
        target_connection.close()
        source_connection.close()


def backup_sqlite(database_url: str, out: Path) -> Path:
    """Write a consistent copy of the live SQLite database to out (refuses to overwrite)."""
    source = sqlite_path(database_url)
    if not source.is_file():
        raise BackupError(f"The database file {source} does not exist.")
    out = Path(out)
    if out.exists():
        raise BackupError(f"{out} already exists; choose a new file name.")
    out.parent.mkdir(parents=True, exist_ok=True)
    _copy(source, out)
    _check_is_app_database(out)
    return out


def restore_sqlite(database_url: str, backup_file: Path) -> str:
    """Replace the SQLite database's content with backup_file's; returns its revision."""
    target = sqlite_path(database_url)
    revision = _check_is_app_database(Path(backup_file))
    target.parent.mkdir(parents=True, exist_ok=True)
    _copy(Path(backup_file), target)
    return revision


def init_app(app: Flask) -> None:
    """Add `flask backup OUT` and `flask restore IN` to app's command line."""

    @app.cli.command("backup")
    @click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
    def backup_command(out: Path) -> None:
        """Copy the SQLite database to OUT while the app keeps serving."""
        db.engine.dispose()
        try:
            backup_sqlite(current_app.config["SQLALCHEMY_DATABASE_URI"], out)
        except BackupError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Đã sao lưu cơ sở dữ liệu vào {out} (backup written).")

    @app.cli.command("restore")
    @click.argument("backup_file", metavar="IN", type=click.Path(dir_okay=False, path_type=Path))
    @click.confirmation_option(prompt="Thay toàn bộ dữ liệu hiện có bằng bản sao lưu? (replace all data?)")
    def restore_command(backup_file: Path) -> None:
        """Replace the SQLite database's content with the backup IN (stop the app first)."""
        db.session.remove()
        db.engine.dispose()  # no pooled connection may hold the old file open
        try:
            revision = restore_sqlite(current_app.config["SQLALCHEMY_DATABASE_URI"], backup_file)
        except BackupError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Đã khôi phục từ {backup_file} (revision {revision}). "
                   "Chạy `flask --app run db upgrade` nếu bản sao lưu cũ hơn mã nguồn.")
