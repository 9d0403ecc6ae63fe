"""Query budget: each main page issues as many SQL statements with 1,000 rows as with 10.

Pages are listed once, in tests/pages_under_load.py (PAGES); adding a page there
adds it here and to the EXPLAIN test.
"""
import pytest

from courses.extensions import db
from tests.pages_under_load import PAGES, client_for, recorded_statements, scaled_app

SCALES = (10, 1000)
MOST_QUERIES_PER_PAGE = 12


def statements_for(app, page, handles) -> tuple[int, list[str]]:
    client = client_for(app, page, handles)
    url = page.resolve(handles)
    client.get(url)  # once to warm up what a running server keeps between requests
    with recorded_statements(db.engine) as statements:
        response = client.get(url)
    assert response.status_code == 200, (page.name, url, response.status_code)
    return len(response.data), statements


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_page_issues_the_same_number_of_queries_with_10_and_1000_rows(page, make_app, database, tmp_path):
    sizes, queries = {}, {}
    for rows in SCALES:
        with scaled_app(make_app, database, tmp_path, rows) as (app, handles):
            sizes[rows], queries[rows] = statements_for(app, page, handles)
    assert sizes[1000] > sizes[10], "the larger data set shows more on the page"
    assert len(queries[10]) == len(queries[1000]), (
        f"{page.name}: {len(queries[10])} queries with 10 rows, {len(queries[1000])} with 1000:\n"
        + "\n".join(queries[1000])
    )
    assert len(queries[1000]) <= MOST_QUERIES_PER_PAGE, "\n".join(queries[1000])
