"""Connections that survive a database restart (courses/db_session.py, retry_reads).

What a user notices when PostgreSQL restarts or an administrator ends the app's
connections: a page they open answers as usual, not with the error page, even when the
connection drops after the pool handed it out. What must not change: a form they send
(a POST) whose connection drops is not sent twice; they see the error page, nothing
changed, and can send it again. PostgreSQL only: SQLite has no server to end connections.
"""
import uuid
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from courses.auth.models import User
from courses.extensions import db
from tests.conftest import login
from tests.factories import make_course, make_enrollment, make_session, make_user

# The app's connections to this database (named, so the test run's own connections and
# anyone else's on the same server are left alone).
APP_NAME = f"courses-reconnect-{uuid.uuid4().hex[:8]}"
TERMINATE = ("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
             " AND pid <> pg_backend_pid() AND application_name = :name")
STILL_THERE = ("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
               " AND pid <> pg_backend_pid() AND application_name = :name")


@pytest.fixture
def end_connections(database):
    """end_connections(): the server ends every connection of the app, as a restart would."""
    if database["kind"] != "postgresql":
        pytest.skip("PostgreSQL's connections (SQLite has no server to end them)")
    administrator = sa.create_engine(database["url"], poolclass=sa.pool.NullPool)

    def end() -> int:
        with administrator.connect().execution_options(isolation_level="AUTOCOMMIT") as other:
            ended = len(other.execute(sa.text(TERMINATE), {"name": APP_NAME}).all())
            for _ in range(100_000):  # until the backends have exited (a condition, not a clock)
                if not other.execute(sa.text(STILL_THERE), {"name": APP_NAME}).scalar_one():
                    break
        return ended

    yield end
    administrator.dispose()


@pytest.fixture
def world(database, make_app):
    """An app (no app context kept between requests, as in production) and its data."""
    if database["kind"] != "postgresql":
        pytest.skip("PostgreSQL's connections (SQLite has no server to end them)")
    app = make_app(SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"application_name": APP_NAME}})
    with app.app_context():
        course = make_course()
        make_session(course)
        user = make_user()
        make_enrollment(user, course)
        handles = {"course_id": course.id, "email": user.email, "user_id": user.id}
        db.session.remove()
    return app, handles


def _pages(handles):
    return ["/", "/courses", f"/courses/{handles['course_id']}", "/my/calendar"]


@contextmanager
def ends_connections(app, kind: str, end, when=lambda *args: True):
    """Within the block, once, at the engine event kind (when it matches), the server ends
    the app's connections; yields the list that records it."""
    ended = []

    def fire(*args):
        if not ended and when(*args):
            ended.append(end())

    with app.app_context():
        engine = db.engine
    event.listen(engine, kind, fire)
    try:
        yield ended
    finally:
        event.remove(engine, kind, fire)


def test_pages_answer_after_the_server_ends_every_connection(world, end_connections):
    app, handles = world
    client = app.test_client()
    login(client, handles["email"])
    for url in _pages(handles):
        assert client.get(url).status_code == 200, url
    assert end_connections() >= 1
    for url in _pages(handles):
        assert client.get(url).status_code == 200, url


def test_a_page_whose_connection_is_ended_after_checkout_still_answers(world, end_connections):
    # The race of a restart: the pool hands out a connection whose goodbye has not arrived.
    app, handles = world
    client = app.test_client()
    login(client, handles["email"])
    for url in _pages(handles):
        with ends_connections(app, "checkout", end_connections) as ended:
            response = client.get(url)
        assert ended, url
        assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])


def test_a_page_whose_connection_drops_mid_request_still_answers(world, end_connections):
    app, handles = world
    client = app.test_client()
    login(client, handles["email"])
    statements = []

    def second_statement(*args):  # after the page has read something on the connection
        statements.append(args[2])
        return len(statements) == 2

    for url in _pages(handles):
        statements.clear()
        with ends_connections(app, "before_cursor_execute", end_connections, second_statement) as ended:
            response = client.get(url)
        assert ended, url
        assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])
    assert client.head(f"/courses/{handles['course_id']}").status_code == 200


def test_a_page_is_answered_again_only_once(world, end_connections):
    # A database that stays unreachable: the second attempt's error page, not a loop.
    app, handles = world
    client = app.test_client()
    attempts = []

    def every_select(*args):
        if args[2].lstrip().upper().startswith("SELECT"):
            attempts.append(1)
            end_connections()
        return False

    with ends_connections(app, "before_cursor_execute", end_connections, every_select):
        response = client.get(f"/courses/{handles['course_id']}")
    assert response.status_code == 500
    assert "không bị thay đổi" in response.get_data(as_text=True)
    assert len(attempts) == 2


def test_a_form_whose_connection_drops_is_not_sent_twice(world, end_connections):
    app, handles = world
    client = app.test_client()
    login(client, handles["email"])
    updates = []

    def the_update(*args):
        if args[2].lstrip().upper().startswith("UPDATE USERS"):
            updates.append(args[2])
            return True
        return False

    with ends_connections(app, "before_cursor_execute", end_connections, the_update) as ended:
        response = client.post("/language", data={"lang": "en", "next": "/"})
    assert ended
    assert response.status_code == 500
    assert "không bị thay đổi" in response.get_data(as_text=True)
    assert len(updates) == 1  # sent once: never repeated behind the user's back
    with app.app_context():
        assert db.session.get(User, handles["user_id"]).locale != "en"
    # The user sends it again, on a fresh connection, and it is applied.
    assert client.post("/language", data={"lang": "en", "next": "/"}).status_code == 302
    with app.app_context():
        assert db.session.get(User, handles["user_id"]).locale == "en"
