"""The large synthetic data set (seed-large) and the benchmark floor route."""
from datetime import date

from sqlalchemy import func, select

from courses.attendance.models import Attendance
from courses.auth.models import User
from courses.certificates.models import Certificate
from courses.enrollment.models import Enrollment
from courses.enums import AttendanceStatus, CourseStatus, EnrollmentStatus, Role, SessionKind
from courses.extensions import db
from courses.organizations.models import Organization
from courses.perf.data import BUSY_PARTICIPANT_EMAIL, large_set_handles, seed_large
from courses.scheduling.models import Course, CourseSession
from tests.pages_under_load import scaled_app

ANCHOR = date(2026, 3, 2)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_seed_large_command_loads_the_asked_numbers(app, runner):
    result = runner.invoke(args=["seed-large", "--participants", "300", "--courses", "5",
                                 "--anchor-date", "2026-03-02"])
    assert result.exit_code == 0, result.output
    assert "users=306" in result.output
    assert count(User, User.role == Role.PARTICIPANT) == 300
    assert count(User, User.role == Role.ADMIN) == 1
    assert count(Course) == 5
    assert count(CourseSession) == 5 * 8
    assert count(Organization) == 1 + 40 + 40 * 5
    handles = large_set_handles()
    # The roster course takes everyone there is (500 with the full set), all confirmed.
    assert count(Enrollment, Enrollment.course_id == handles.roster_course_id,
                 Enrollment.status == EnrollmentStatus.CONFIRMED) == 300
    busy = db.session.scalar(select(User).where(User.email == BUSY_PARTICIPANT_EMAIL))
    assert count(Enrollment, Enrollment.user_id == busy.id) == 5
    starts = [c.starts_on for c in db.session.scalars(select(Course))]
    assert min(starts) < ANCHOR < max(starts), "courses of the past and of the future"


def test_seed_large_refuses_to_load_twice_and_changes_nothing(app, runner):
    first = runner.invoke(args=["seed-large", "--participants", "50", "--courses", "3"])
    assert first.exit_code == 0, first.output
    users, enrollments = count(User), count(Enrollment)
    second = runner.invoke(args=["seed-large", "--participants", "50", "--courses", "3"])
    assert second.exit_code != 0
    assert "đã có" in second.output
    assert (count(User), count(Enrollment)) == (users, enrollments)


def test_seeded_data_keeps_the_rules_of_the_domain(app):
    seed_large(participants=300, courses=6, anchor=ANCHOR)
    # Certificates only for confirmed participants of finished courses present at every topic.
    rows = db.session.execute(
        select(Certificate, Enrollment, Course).join(Enrollment, Certificate.enrollment_id == Enrollment.id)
        .join(Course, Enrollment.course_id == Course.id)
    ).all()
    assert rows
    for certificate, enrollment, course in rows:
        assert course.status == CourseStatus.FINISHED
        assert enrollment.status == EnrollmentStatus.CONFIRMED
        missed = db.session.scalar(
            select(func.count()).select_from(Attendance).join(CourseSession)
            .where(Attendance.enrollment_id == enrollment.id, CourseSession.kind == SessionKind.TOPIC,
                   Attendance.status != AttendanceStatus.PRESENT))
        assert missed == 0
        assert certificate.serial.startswith(f"{certificate.serial_number:04d}/{certificate.serial_year}/")
    assert len({c.verification_code for c, _, _ in rows}) == len(rows)
    assert len({c.enrollment_id for c, _, _ in rows}) == len(rows)
    # No confirmed seats beyond capacity.
    for course in db.session.scalars(select(Course)):
        assert count(Enrollment, Enrollment.course_id == course.id,
                     Enrollment.status == EnrollmentStatus.CONFIRMED) <= course.capacity
    # Ids given by the loader leave the sequences usable for the application's own inserts.
    extra = User(email="after-seed@example.vn", full_name="Người Dùng Sau")
    db.session.add(extra)
    db.session.commit()
    assert extra.id > large_set_handles().admin_id


def snapshot():
    return (
        db.session.execute(select(User.email, User.full_name, User.organization_id).order_by(User.id)).all(),
        db.session.execute(select(Enrollment.user_id, Enrollment.course_id, Enrollment.status)
                           .order_by(Enrollment.id)).all(),
        db.session.execute(select(Certificate.serial, Certificate.verification_code).order_by(Certificate.id)).all(),
    )


def test_seed_large_is_deterministic(make_app, database, tmp_path, monkeypatch):
    import tests.pages_under_load as helpers

    taken = []
    monkeypatch.setattr(helpers, "load_scaled_set", lambda rows: seed_large(rows, 4, anchor=ANCHOR))
    for attempt in (1, 2):
        (tmp_path / str(attempt)).mkdir()
        with scaled_app(make_app, database, tmp_path / str(attempt), 120):
            taken.append(snapshot())
    assert taken[0] == taken[1]
    assert len(taken[0][2]) > 0


def test_floor_route_exists_only_in_benchmark_runs(make_app):
    normal = make_app()
    assert normal.test_client().get("/_benchmark/floor").status_code == 404
    bench = make_app(BENCHMARK=True)
    response = bench.test_client().get("/_benchmark/floor")
    assert response.status_code == 200
    assert "Sắp diễn ra" in response.get_data(as_text=True)


def test_seeded_certificates_verify_and_seats_count_against_their_unit(app, client):
    """Every verification code of the set is one /verify finds, and each seat belongs to the
    grassroots organization of its participant (the roster's by-unit table)."""
    seed_large(participants=120, courses=3, anchor=ANCHOR, roster_size=60, certificate_course_size=40)
    codes = db.session.execute(select(Certificate.verification_code, Certificate.serial)).all()
    assert len(codes) >= 40
    for code, serial in codes[:5] + codes[-5:]:
        page = client.get(f"/verify/{code}")
        assert page.status_code == 200, code
        assert serial in page.get_data(as_text=True)
    rows = db.session.execute(
        select(Enrollment.quota_organization_id, Organization.parent_id)
        .join(User, Enrollment.user_id == User.id).join(Organization, User.organization_id == Organization.id)
    ).all()
    assert rows and all(quota == parent for quota, parent in rows)
