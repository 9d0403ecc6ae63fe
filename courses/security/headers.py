"""Security headers on every response: CSP without inline code, no sniffing, no framing."""
from __future__ import annotations

from flask import Flask, request

# No 'unsafe-inline' anywhere: templates load every script and style from /static
# (tests/test_security_headers.py audits them for inline code).
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "img-src 'self' data:",
    "style-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'self'",
])

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate CSP 2
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def set_security_headers(response):
    """after_request hook: add the headers a view did not set itself."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if not (request.endpoint or "").endswith("static"):
        # Pages carry personal data: no copy in shared caches or the back/forward cache.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    """Add the headers to every response of app."""
    app.after_request(set_security_headers)
