"""Capacity under concurrent registrations: 50+ threads, each with its own connection, 10 seats."""
import threading

from sqlalchemy import func, select

from courses.auth.models import User
from courses.enrollment import registration
from courses.enrollment.models import Enrollment
from courses.enums import EnrollmentStatus
from courses.extensions import db
from tests.factories import make_course, make_users_fast

THREADS = 60
SEATS = 10


def test_concurrent_registrations_never_exceed_capacity(app):
    course = make_course(capacity=SEATS)
    course_id = course.id
    user_ids = [u.id for u in make_users_fast(THREADS)]
    db.session.remove()  # the test's own connection goes back to the pool
    barrier = threading.Barrier(THREADS)
    errors, results = [], []
    connections = set()

    def worker(user_id: int) -> None:
        with app.app_context():  # a session (and connection) of its own
            try:
                user = db.session.get(User, user_id)
                connections.add(id(db.session.connection().connection.dbapi_connection))
                db.session.rollback()
                barrier.wait(timeout=60)
                results.append(registration.register(user, course_id).status)
            except Exception as error:  # every failure is reported, none swallowed
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(uid,)) for uid in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert len(results) == THREADS
    assert len(connections) > 1  # really several connections at once
    counts = dict(db.session.execute(
        select(Enrollment.status, func.count()).where(Enrollment.course_id == course_id)
        .group_by(Enrollment.status)).all())
    assert counts == {EnrollmentStatus.CONFIRMED: SEATS, EnrollmentStatus.WAITLISTED: THREADS - SEATS}
    assert results.count(EnrollmentStatus.CONFIRMED) == SEATS
