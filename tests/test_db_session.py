"""PostgreSQL connections: reads outside transactions, checked without a round trip.

(courses/db_session.py.) What a user notices is speed: PostgreSQL keeps the pages'
prepared statements from one request to the next, and a page pays no BEGIN, ROLLBACK or
ping. What must not change: writes are one transaction, rolled back whole; row locks
hold until the end of their transaction; a connection the server ended is replaced
without the user seeing an error.
"""
import pytest
import sqlalchemy as sa

from courses.db_session import is_read_only
from courses.enums import OrganizationKind
from courses.extensions import db
from courses.organizations.models import Organization
from tests.factories import make_course, make_organization, make_session


def _postgresql_only(database) -> None:
    if database["kind"] != "postgresql":
        pytest.skip("PostgreSQL's connections (SQLite's driver already begins only before a write)")


@pytest.mark.parametrize(("statement", "read_only"), [
    ("SELECT courses.id FROM courses WHERE courses.id = %(id)s", True),
    ("  select 1", True),
    ("SELECT courses.id FROM courses WHERE courses.id = %(id)s FOR UPDATE", False),
    ("SELECT id FROM courses FOR NO KEY UPDATE", False),
    ("SELECT id FROM courses FOR SHARE", False),
    ("SELECT id INTO copy_of_courses FROM courses", False),
    ("INSERT INTO organizations (name) VALUES (%(name)s)", False),
    ("UPDATE courses SET capacity = 1", False),
    ("WITH gone AS (DELETE FROM courses RETURNING id) SELECT count(*) FROM gone", False),
    ("SAVEPOINT sa_savepoint_1", False),
    ("SET TimeZone = 'UTC'", False),
])
def test_only_plain_selects_run_outside_a_transaction(statement, read_only):
    assert is_read_only(statement) is read_only


def test_an_insert_of_many_rows_is_a_write():
    assert is_read_only("SELECT 1", executemany=True) is False


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


def _backend_state(pid: int) -> str:
    """The state PostgreSQL reports for a backend, read on a connection of its own."""
    with db.engine.connect() as other:
        return other.execute(sa.text("SELECT state FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}).scalar_one()


def test_a_read_holds_no_transaction_open_and_a_write_does(app, database):
    _postgresql_only(database)
    pid = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
    db.session.scalars(sa.select(Organization.name)).all()
    assert _backend_state(pid) == "idle"  # not "idle in transaction": nothing held, nothing to vacuum around
    db.session.add(Organization(name="Chi bộ mới", code="ORG-NEW", kind=OrganizationKind.CELL))
    db.session.flush()
    assert _backend_state(pid) == "idle in transaction"
    db.session.commit()
    assert db.session.scalar(sa.select(Organization.code).where(Organization.name == "Chi bộ mới")) == "ORG-NEW"


def test_a_row_locked_for_update_stays_locked_until_the_transaction_ends(app, database):
    _postgresql_only(database)
    from courses.enrollment.locking import lock_course

    course = make_course()
    lock_course(course.id)  # what registration does before it counts the seats
    with db.engine.connect() as other:
        with pytest.raises(sa.exc.OperationalError, match="could not obtain lock"):
            other.execute(sa.text("SELECT id FROM courses WHERE id = :id FOR UPDATE NOWAIT"), {"id": course.id})
        other.rollback()
        db.session.rollback()
        assert other.execute(sa.text("SELECT id FROM courses WHERE id = :id FOR UPDATE NOWAIT"),
                             {"id": course.id}).scalar_one() == course.id


def test_autocommit_asked_for_is_kept(app, database):
    _postgresql_only(database)
    db.session.scalars(sa.select(Organization.name)).all()  # a read first, on the pooled connection
    db.session.remove()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("VACUUM organizations"))  # refused inside a transaction


def test_a_connection_the_server_ended_is_replaced_unseen(make_app, database):
    _postgresql_only(database)
    app = make_app()
    with app.app_context():
        course_id = make_course().id
        pid = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
        db.session.remove()  # the connection goes back to the pool
        administrator = sa.create_engine(db.engine.url, poolclass=sa.pool.NullPool)
        with administrator.connect() as other:
            assert other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
        administrator.dispose()
    client = app.test_client()
    assert client.get(f"/courses/{course_id}").status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT pg_backend_pid()")) != pid
