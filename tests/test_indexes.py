"""Indexes: every query the main pages send is planned without a full scan of a big table.

PostgreSQL only (SQLite plans are not what production runs). The session runs with
enable_seqscan=off, so a sequential scan in a plan means no usable index exists; an
index scan without an index condition counts as a full scan too, unless it streams
rows in order into a LIMIT or feeds a count over the whole table.
"""
import json

import pytest
import sqlalchemy as sa

from courses.extensions import db
from tests.pages_under_load import PAGES, client_for, recorded_statements, scaled_app

BIG_TABLES = {"users", "courses", "course_sessions", "enrollments", "attendances", "certificates",
              "materials", "audit_events"}


def full_scans(node, ancestors=()) -> list[str]:
    """Descriptions of the scans of big tables in a JSON plan that read the whole table."""
    found = []
    kind = node.get("Node Type", "")
    table = node.get("Relation Name")
    if table in BIG_TABLES:
        if kind == "Seq Scan":
            found.append(f"Seq Scan on {table}")
        elif kind in ("Index Scan", "Index Only Scan") and "Index Cond" not in node:
            streamed = False
            for ancestor in reversed(ancestors):
                if ancestor in ("Sort", "Incremental Sort", "Hash"):
                    break
                if ancestor in ("Limit", "Aggregate"):
                    streamed = True
                    break
            if not streamed:
                found.append(f"{kind} without condition on {table} ({node.get('Index Name')})")
    for child in node.get("Plans", []):
        found.extend(full_scans(child, ancestors + (kind,)))
    return found


def forget_statistics() -> None:
    """Drop the planner's statistics of the big tables: plans then depend on the indexes.

    This check asks whether an index exists for every filter and sort, under the planner's
    default estimates. Statistics left by an ANALYZE of other data (the test database is
    shared and outlives the run) made it judge the plans for that data instead: a
    1,000-row set where everyone is in one course reads whole tables by design.
    """
    with db.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM pg_statistic WHERE starelid = ANY(CAST(:tables AS regclass[]))"),
                           {"tables": sorted(BIG_TABLES)})


@pytest.fixture
def postgresql_only(database):
    if database["kind"] != "postgresql":
        pytest.skip("EXPLAIN plans are checked on PostgreSQL (set TEST_DATABASE_URL)")


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_page_queries_use_indexes(page, postgresql_only, make_app, database, tmp_path):
    plans = []

    def explain(cursor, statement, parameters):
        if statement.lstrip().upper().startswith("SELECT"):
            cursor.execute("EXPLAIN (FORMAT JSON) " + statement, parameters)
            plans.append((statement, cursor.fetchone()[0]))

    with scaled_app(make_app, database, tmp_path, 1000) as (app, handles):
        client = client_for(app, page, handles)
        url = page.resolve(handles)
        client.get(url)
        forget_statistics()
        db.session.remove()
        db.engine.dispose()  # the request below opens a new connection, with the setting

        def no_seqscan(dbapi_connection, record):
            cursor = dbapi_connection.cursor()
            cursor.execute("SET enable_seqscan = off")
            cursor.close()

        db.event.listen(db.engine, "connect", no_seqscan)
        try:
            with recorded_statements(db.engine, on_statement=explain):
                response = client.get(url)
        finally:
            db.event.remove(db.engine, "connect", no_seqscan)
        assert response.status_code == 200
    assert plans, "the page sends SELECTs"
    problems = []
    for statement, plan in plans:
        plan = plan if isinstance(plan, list) else json.loads(plan)
        for scan in full_scans(plan[0]["Plan"]):
            problems.append(f"{scan}\n  in: {statement}")
    assert problems == [], "\n".join(problems)
