"""Transactions that only read end with COMMIT on PostgreSQL (courses/db_session.py).

What a user notices is speed: PostgreSQL keeps the pages' prepared statements from one
request to the next. What must not change: a transaction that wrote, or failed, is
rolled back as before.
"""
import pytest
import sqlalchemy as sa

from courses.enums import OrganizationKind
from courses.extensions import db
from courses.organizations.models import Organization
from tests.factories import make_course, make_organization, make_session


def _prepared_statements() -> list[str]:
    return list(db.session.scalars(sa.text("SELECT statement FROM pg_prepared_statements")))


def test_pages_keep_their_prepared_statements_between_requests(make_app, database):
    if database["kind"] != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's (psycopg prepares after five runs)")
    app = make_app()
    with app.app_context():
        course = make_course()
        make_session(course)
        course_id = course.id
        db.session.remove()
    client = app.test_client()
    for _ in range(8):  # each request has its own app context, session and transaction
        assert client.get(f"/courses/{course_id}").status_code == 200
    with app.app_context():  # the pool hands back the connection the requests used
        statements = _prepared_statements()
    assert any("FROM courses" in statement for statement in statements), statements


def test_a_transaction_that_wrote_is_still_rolled_back(app):
    make_organization(name="Chi bộ đã lưu")
    db.session.add(Organization(name="Chi bộ chưa lưu", code="ORG-UNSAVED", kind=OrganizationKind.CELL))
    db.session.flush()  # the INSERT has reached the database
    db.session.rollback()
    names = set(db.session.scalars(sa.select(Organization.name)))
    assert "Chi bộ đã lưu" in names and "Chi bộ chưa lưu" not in names


def test_a_failed_statement_is_rolled_back_and_the_session_goes_on(app):
    make_organization(name="Chi bộ có thật")
    with pytest.raises(sa.exc.DBAPIError):
        db.session.execute(sa.text("SELECT no_such_column FROM organizations"))
    db.session.rollback()
    assert db.session.scalar(sa.select(Organization.name).where(Organization.name == "Chi bộ có thật"))
