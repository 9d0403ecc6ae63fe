"""The rules the database itself enforces."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from courses.enrollment.models import Enrollment
from courses.enums import CourseStatus, EnrollmentStatus
from courses.extensions import db
from tests.factories import make_course, make_enrollment, make_session, make_user


def test_one_enrollment_per_user_and_course(app):
    user, course = make_user(), make_course()
    make_enrollment(user, course)
    db.session.add(Enrollment(user=user, course=course, status=EnrollmentStatus.PENDING))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize("assignment", ["capacity = 0", "status = 'flying'", "completion_rule = 'min_topics'"])
def test_the_database_refuses_an_invalid_course(app, assignment):
    """The CHECK constraints hold even for writes that bypass the models."""
    course = make_course()
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            db.session.execute(text(f"UPDATE courses SET {assignment} WHERE id = :id"), {"id": course.id})
    db.session.rollback()


def test_course_cannot_end_before_it_starts(app):
    course = make_course()
    course.ends_on = course.starts_on.replace(year=course.starts_on.year - 1)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_cancelled_course_needs_a_reason(app):
    course = make_course()
    course.status = CourseStatus.CANCELLED
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_times_come_back_aware_in_utc(app):
    session = make_session(make_course())
    db.session.expire_all()
    assert session.starts_at.tzinfo is not None
    assert session.starts_at.utcoffset().total_seconds() == 0
    assert session.ends_at > session.starts_at


def test_naive_datetimes_are_refused(app):
    session = make_session(make_course())
    session.starts_at = datetime(2022, 12, 2, 8, 0)
    with pytest.raises(Exception, match="naive"):
        db.session.commit()
    db.session.rollback()


def test_session_must_end_after_it_starts(app):
    session = make_session(make_course())
    session.ends_at = session.starts_at.astimezone(timezone.utc)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
