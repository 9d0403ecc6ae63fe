"""Pages with the interface of Flask-SQLAlchemy's, where its own would do more work.

Some lists are sorted in Python (Vietnamese name order, dates computed per course) before
they can be cut into pages; templates page through them the same way as through a query.
And a page whose total the view already counted (the roster shows its counts by status)
need not count again.
"""
from __future__ import annotations

from flask_sqlalchemy.pagination import Pagination, SelectPagination


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


class CountedSelectPagination(SelectPagination):
    """Page `page` of the ORM `select`, whose row count `total` the caller already knows.

    Flask-SQLAlchemy counts by wrapping the whole SELECT, joins included, in a subquery;
    on the 500-person roster that was a fifth of the page's database time.
    """

    def __init__(self, select, session, total: int, page: int, per_page: int) -> None:
        super().__init__(page=page, per_page=per_page, max_per_page=None, error_out=False,
                         select=select, session=session, total=total)

    def _query_count(self) -> int:
        return self._query_args["total"]


class OrderedIdsPagination(Pagination):
    """A page of objects whose ids the caller already put in order: only the page is loaded.

    `load(ids)` returns the objects of ids in any order; the page shows them in the ids' order.
    """

    def __init__(self, ordered_ids: list[int], load, page: int, per_page: int) -> None:
        last_page = max(1, -(-len(ordered_ids) // per_page))
        super().__init__(page=min(max(page, 1), last_page), per_page=per_page, max_per_page=None,
                         error_out=False, ordered_ids=ordered_ids, load=load)

    def _query_items(self) -> list:
        start = (self.page - 1) * self.per_page
        ids = self._query_args["ordered_ids"][start:start + self.per_page]
        by_id = {item.id: item for item in self._query_args["load"](ids)} if ids else {}
        return [by_id[row_id] for row_id in ids if row_id in by_id]

    def _query_count(self) -> int:
        return len(self._query_args["ordered_ids"])


class NameOrderPagination(OrderedIdsPagination):
    """A page of people in the one Vietnamese order (courses.text.name_key), read in two steps.

    SQL cannot sort by given name the Vietnamese way, so the ids and names of every matching
    row are read and sorted here (two short columns), then only the page's objects are loaded
    by `load(ids)`: three queries whatever the number of people.
    """

    def __init__(self, id_names: list[tuple[int, str]], load, page: int, per_page: int) -> None:
        from courses.text import name_key

        ordered = [row_id for row_id, _name in sorted(id_names, key=lambda row: name_key(row[1], row[0]))]
        super().__init__(ordered, load, page, per_page)
