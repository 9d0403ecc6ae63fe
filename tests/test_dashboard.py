"""The organizers' dashboard: figures, charts, access, languages, a bounded number of queries."""
from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa

from courses.dashboard import services
from courses.enums import AttendanceStatus, CourseStatus, EnrollmentStatus, OrganizationKind, Role, SessionKind
from courses.extensions import db
from tests.factories import (
    make_attendance,
    make_course,
    make_enrollment,
    make_organization,
    make_session,
    make_topic,
    make_user,
)

TODAY = date(2030, 6, 1)


def attended_course():
    """A finished course: two topics, three participants from two grassroots organizations."""
    north = make_organization("Đảng bộ Bộ Ngoại giao", kind=OrganizationKind.GRASSROOTS)
    south = make_organization("Đảng bộ Bộ Tư pháp", kind=OrganizationKind.GRASSROOTS)
    north_cell = make_organization("Chi bộ Vụ Lễ tân", parent=north)
    course = make_course(status=CourseStatus.FINISHED, starts_on=TODAY - timedelta(days=30), title="Lớp đã học")
    organization_work = make_session(course, SessionKind.TOPIC, start=time(8), topic=make_topic("Công tác tổ chức"))
    mass_work = make_session(course, SessionKind.TOPIC, start=time(10), topic=make_topic("Công tác dân vận"))
    make_session(course, SessionKind.OPENING, start=time(7), title="Khai giảng")
    people = [make_user(organization=north_cell), make_user(organization=north), make_user(organization=south)]
    enrollments = [make_enrollment(person, course) for person in people]
    # Organization work: all three present. Mass mobilization: one present, one excused, one absent.
    for enrollment in enrollments:
        make_attendance(enrollment, organization_work)
    make_attendance(enrollments[0], mass_work)
    make_attendance(enrollments[1], mass_work, AttendanceStatus.EXCUSED)
    make_attendance(enrollments[2], mass_work, AttendanceStatus.ABSENT)
    return course


def test_attendance_rate_per_topic_counts_present_out_of_recorded(app):
    attended_course()
    rates = {rate.label: (rate.present, rate.recorded, round(rate.rate, 3)) for rate in services.attendance_by_topic()}
    assert rates == {"Công tác tổ chức": (3, 3, 1.0), "Công tác dân vận": (1, 3, 0.333)}


def test_attendance_rate_per_organization_counts_cells_with_their_grassroots_organization(app):
    attended_course()
    rates = [(rate.label, rate.present, rate.recorded) for rate in services.attendance_by_organization()]
    assert rates == [("Đảng bộ Bộ Ngoại giao", 3, 4), ("Đảng bộ Bộ Tư pháp", 1, 2)]


def test_attendance_can_be_counted_for_one_course(app):
    course = attended_course()
    other = make_course(status=CourseStatus.FINISHED, starts_on=TODAY - timedelta(days=60))
    topic_session = make_session(other, SessionKind.TOPIC, topic=make_topic("Công tác văn phòng"))
    make_attendance(make_enrollment(make_user(), other), topic_session, AttendanceStatus.ABSENT)
    assert {rate.label for rate in services.attendance_by_topic()} == {
        "Công tác tổ chức", "Công tác dân vận", "Công tác văn phòng"}
    assert {rate.label for rate in services.attendance_by_topic(course.id)} == {"Công tác tổ chức", "Công tác dân vận"}
    assert [course_id for course_id, _ in services.courses_with_attendance()] == [course.id, other.id]


def test_upcoming_courses_show_seats_and_waiting_registrations(app):
    soon = make_course(status=CourseStatus.PUBLISHED, starts_on=TODAY + timedelta(days=3), capacity=4)
    later = make_course(status=CourseStatus.DRAFT, starts_on=TODAY + timedelta(days=20), capacity=10)
    make_course(status=CourseStatus.CANCELLED, starts_on=TODAY + timedelta(days=5))
    make_course(status=CourseStatus.FINISHED, starts_on=TODAY - timedelta(days=5))
    for status in (EnrollmentStatus.CONFIRMED, EnrollmentStatus.CONFIRMED, EnrollmentStatus.PENDING,
                   EnrollmentStatus.WAITLISTED, EnrollmentStatus.CANCELLED):
        make_enrollment(make_user(), soon, status)
    loads = services.upcoming_courses(TODAY)
    assert [load.course.id for load in loads] == [soon.id, later.id]
    assert (loads[0].confirmed, loads[0].pending, loads[0].waitlisted, loads[0].filled) == (2, 1, 1, 0.5)
    assert (loads[1].confirmed, loads[1].filled) == (0, 0.0)
    assert services.pending_approvals(TODAY) == 1


@pytest.mark.parametrize("role, status", [(Role.ORGANIZER, 200), (Role.ADMIN, 200),
                                          (Role.PARTICIPANT, 403), (Role.COORDINATOR, 403)])
def test_only_organizers_and_admins_see_the_dashboard(client, as_user, role, status):
    as_user(make_user(role=role))
    assert client.get("/dashboard/").status_code == status
    assert ("/dashboard/" in client.get("/").get_data(as_text=True)) == (status == 200)


def test_dashboard_draws_the_charts_in_the_page_language(client, as_user):
    attended_course()
    as_user(make_user(role=Role.ORGANIZER))
    page = client.get("/dashboard/").get_data(as_text=True)
    assert "Theo chuyên đề" in page and "Công tác dân vận" in page and "33%" in page
    assert page.count('class="chart-bar"') == 4  # two topics, two organizations
    assert 'width="560.0"' in page and 'width="186.7"' in page  # 100 % and a third of the track
    client.post("/language", data={"lang": "en", "next": "/dashboard/"})
    page = client.get("/dashboard/").get_data(as_text=True)
    assert "By topic" in page and "Attendance rate" in page and "Upcoming courses" in page


def test_a_bad_filter_shows_every_course_instead_of_failing(client, as_user):
    attended_course()
    as_user(make_user(role=Role.ORGANIZER))
    for value in ("abc", "999999"):
        response = client.get(f"/dashboard/?course={value}")
        assert response.status_code == 200 and "Công tác dân vận" in response.get_data(as_text=True)


def test_dashboard_queries_do_not_grow_with_the_number_of_courses(app, client, as_user):
    as_user(make_user(role=Role.ORGANIZER))
    attended_course()

    def queries_for_page() -> int:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/dashboard/").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    before = queries_for_page()
    for n in range(5):
        course = make_course(status=CourseStatus.PUBLISHED, starts_on=date.today() + timedelta(days=n + 1))
        make_enrollment(make_user(), course, EnrollmentStatus.PENDING)
    assert queries_for_page() == before
