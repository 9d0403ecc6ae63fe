"""A page of a list already in memory, with the interface of Flask-SQLAlchemy's pages.

Some lists are sorted in Python (Vietnamese name order, dates computed per course) before
they can be cut into pages; templates page through them the same way as through a query.
"""
from __future__ import annotations

from flask_sqlalchemy.pagination import Pagination


class ListPagination(Pagination):
    """Page `page` of `items` (a list), `per_page` at a time; a page past the end shows the last."""

    def __init__(self, items: list, page: int, per_page: int) -> None:
        last_page = max(1, -(-len(items) // per_page))
        super().__init__(page=min(max(page, 1), last_page), per_page=per_page, max_per_page=None,
                         error_out=False, all_items=items)

    def _query_items(self) -> list:
        start = (self.page - 1) * self.per_page
        return self._query_args["all_items"][start:start + self.per_page]

    def _query_count(self) -> int:
        return len(self._query_args["all_items"])
