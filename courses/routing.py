"""Addresses: numbers from paths and query strings kept within what the database holds,
a 404 for a record an address names but nobody stored, return addresses that stay on
this site, and absolute links to it."""
from __future__ import annotations

from typing import TypeVar
from urllib.parse import urlsplit

from flask import abort, current_app, has_request_context, request, url_for
from werkzeug.routing import IntegerConverter

# Primary keys are 32-bit INTEGER columns on PostgreSQL: a larger number in an address
# would reach the database and fail there ("integer out of range") instead of being a 404.
MAX_ID = 2**31 - 1

T = TypeVar("T")


class DatabaseIntegerConverter(IntegerConverter):
    """`<int:…>` in a rule: a non-negative number no larger than an INTEGER column holds."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = None,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=MAX_ID if max is None else max,
                         signed=signed)


def int_arg(name: str, minimum: int, maximum: int) -> int | None:
    """A whole number from the query string; None when absent, malformed or out of range.

    A filter on a number that cannot exist then filters nothing, instead of sending the
    database a number its column cannot hold (an error on PostgreSQL and SQLite alike).
    """
    value = request.args.get(name, type=int)
    return value if value is not None and minimum <= value <= maximum else None


def id_arg(name: str) -> int | None:
    """A record id from the query string (see int_arg)."""
    return int_arg(name, 0, MAX_ID)


def page_arg() -> int:
    """The page number of a paginated list (?page=), from 1 to MAX_ID; 1 when malformed."""
    value = request.args.get("page", type=int)
    return value if value is not None and 1 <= value <= MAX_ID else 1


def found_or_404(record: T | None) -> T:
    """record, or the 404 page when the loader found none: the services' loaders answer None,
    and only a page knows that None means «not found»."""
    if record is None:
        abort(404)
    return record


def safe_next_url(target: str | None) -> str | None:
    """target if it is a path on this site, else None (never an off-site redirect)."""
    # A control character would end up in the Location header, which refuses line breaks.
    if not target or any(ord(char) < 32 or char == "\x7f" for char in target):
        return None
    target = target.replace("\\", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def public_base_url() -> str:
    """The site's address for absolute links (paper, calendars, mail): PUBLIC_BASE_URL when
    set, so a forged Host header never reaches a link; else this request's host."""
    base = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    if base:
        return base
    if has_request_context():
        return request.host_url.rstrip("/")
    return "http://localhost"


def external_url(endpoint: str, **values) -> str:
    """The absolute address of endpoint, on public_base_url()."""
    return public_base_url() + url_for(endpoint, **values)
