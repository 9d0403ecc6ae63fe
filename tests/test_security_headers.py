"""Security headers, a CSP that needs no inline code (templates audited), session cookies."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from config import ProductionConfig
from courses import create_app
from courses.extensions import db
from tests.factories import PASSWORD, make_user

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

# What a strict CSP (no 'unsafe-inline') would block in a template.
INLINE_CODE = {
    "inline <script>": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "<style> block": re.compile(r"<style\b", re.IGNORECASE),
    "style= attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "event handler attribute (on…=)": re.compile(r"\son[a-z]+\s*=\s*[\"'{]", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def test_every_page_gets_the_security_headers(client):
    for path in ("/", "/auth/login", "/khong-co"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_have_no_inline_scripts_styles_or_handlers(template):
    source = template.read_text(encoding="utf-8")
    found = [f"{what} at line {source[:m.start()].count(chr(10)) + 1}"
             for what, pattern in INLINE_CODE.items() for m in pattern.finditer(source)]
    assert not found, f"{template.relative_to(TEMPLATES)}: the CSP blocks " + ", ".join(found) + \
        " — move the code to static/js or static/css"


def test_the_template_audit_catches_inline_code():
    samples = ['<script>alert(1)</script>', '<div style="color:red">', '<a onclick="x()">',
               '<style>p{}</style>', '<a href="javascript:void(0)">']
    for sample in samples:
        assert any(pattern.search(sample) for pattern in INLINE_CODE.values()), sample
    assert not any(p.search('<script src="/static/x.js"></script>') for p in INLINE_CODE.values())


def _session_cookie(response) -> str:
    cookies = [value for value in response.headers.getlist("Set-Cookie") if value.startswith("session=")]
    assert cookies, "the log-in sets the session cookie"
    return cookies[-1]


def test_session_cookie_is_httponly_and_samesite_lax(client):
    make_user(email="a@example.vn")
    response = client.post("/auth/login", data={"email": "a@example.vn", "password": PASSWORD})
    cookie = _session_cookie(response)
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # development and tests run over plain HTTP


def test_session_cookie_is_secure_in_production(monkeypatch, database_url, app):
    make_user(email="p@example.vn")
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("DATABASE_URL", database_url)
    production = create_app(ProductionConfig, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    with production.app_context():
        response = production.test_client().post(
            "/auth/login", data={"email": "p@example.vn", "password": PASSWORD}, base_url="https://localhost")
        cookie = _session_cookie(response)
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        db.session.remove()
        db.engine.dispose()


def test_log_in_starts_a_new_session(client):
    """Session fixation: what was in the session before log-in is gone after it."""
    make_user(email="f@example.vn")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    client.post("/auth/login", data={"email": "f@example.vn", "password": PASSWORD})
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("_user_id")


def test_hsts_is_sent_over_https_only(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_static_files_may_be_cached(client):
    response = client.get("/static/css/app.css")
    assert response.headers.get("Cache-Control") != "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()
