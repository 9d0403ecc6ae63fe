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
