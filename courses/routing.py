"""Numbers from addresses (path parts, query strings) kept within what the database columns hold."""
from __future__ import annotations

from flask import request
from werkzeug.routing import IntegerConverter

# Primary keys are 32-bit INTEGER columns on PostgreSQL: a larger number in an address
# would reach the database and fail there ("integer out of range") instead of being a 404.
MAX_ID = 2**31 - 1


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
