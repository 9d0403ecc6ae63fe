"""Configuration: production refuses to start insecurely; development defaults to SQLite."""
import pytest

from config import DevelopmentConfig, ProductionConfig, normalize_database_url
from courses import create_app


def test_production_refuses_without_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)


def test_production_refuses_without_database_url(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app(ProductionConfig)


def test_production_refuses_a_short_secret_key(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "short")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    with pytest.raises(RuntimeError, match="shorter"):
        create_app(ProductionConfig)


def test_production_starts_with_its_secrets_and_secure_cookies(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql://db.example/courses")
    app = create_app(ProductionConfig)
    assert app.config["SECRET_KEY"] == "k" * 40
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://db.example/courses"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert not app.debug


def test_development_is_the_default_and_uses_sqlite_under_instance(monkeypatch):
    monkeypatch.delenv("APP_CONFIG", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["DEBUG"] is True
    assert DevelopmentConfig.SQLALCHEMY_DATABASE_URI.startswith("sqlite:///")
    assert "/instance/" in DevelopmentConfig.SQLALCHEMY_DATABASE_URI


def test_unknown_config_name_is_refused(monkeypatch):
    monkeypatch.setenv("APP_CONFIG", "staging")
    with pytest.raises(RuntimeError, match="APP_CONFIG"):
        create_app()


@pytest.mark.parametrize("given, expected", [
    ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ("sqlite:///x.db", "sqlite:///x.db"),
])
def test_database_urls_use_psycopg3(given, expected):
    assert normalize_database_url(given) == expected


def test_postgresql_sessions_get_utc_and_ssd_planner_costs_keeping_the_urls_own_options():
    from config import engine_options

    url = "postgresql+psycopg://db.example/courses?options=-csearch_path%3Dcourses"
    options = engine_options(url, {"pool_pre_ping": True}, "1.1")
    assert options["pool_pre_ping"] is False  # courses/db_session.py checks connections instead
    assert options["connect_args"]["options"] == "-csearch_path=courses -c TimeZone=UTC -c random_page_cost=1.1"
    assert engine_options(url, {}, "")["connect_args"]["options"] == "-csearch_path=courses -c TimeZone=UTC"
    assert engine_options("sqlite:///x.sqlite3", {"pool_pre_ping": True}, "1.1") == {"pool_pre_ping": True}


@pytest.mark.parametrize("value", ["fast", "0", "-2"])
def test_a_meaningless_random_page_cost_refuses_to_start(monkeypatch, value):
    from config import TestingConfig

    with pytest.raises(RuntimeError, match="POSTGRES_RANDOM_PAGE_COST"):
        create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="postgresql://db.example/courses",
                   POSTGRES_RANDOM_PAGE_COST=value)


def test_the_database_session_runs_in_utc_with_the_configured_planner_cost(app, database):
    import sqlalchemy as sa

    from courses.extensions import db

    if database["kind"] != "postgresql":
        pytest.skip("session settings are PostgreSQL's")
    assert db.session.scalar(sa.text("SHOW TimeZone")) == "UTC"
    assert db.session.scalar(sa.text("SHOW random_page_cost")) == "1.1"
    assert db.session.scalar(sa.text("SELECT current_schema()")) == database["schema"]  # URL options kept
