"""Enrollment rules without HTTP: eligibility, window, capacity, waitlist, approval, transitions, quotas."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from courses.attendance.models import Attendance
from courses.enrollment import registration, roster
from courses.enrollment.models import Enrollment
from courses.enums import AttendanceStatus, CourseStatus, EnrollmentSource, EnrollmentStatus, PartyPosition, Role
from courses.exceptions import DomainError, NotAllowed
from courses.extensions import db
from courses.quotas import services as quotas
from tests.factories import (
    make_course,
    make_enrollment,
    make_party_tree,
    make_quota,
    make_session,
    make_user,
    make_users_fast,
)

NOW = datetime.now(timezone.utc)


def status_of(user, course):
    return registration.find_enrollment(user.id, course.id).status


# ---------------------------------------------------------------- eligibility and window

def test_eligible_participant_registers_and_is_confirmed(app):
    course = make_course(capacity=2)
    user = make_user()
    enrollment = registration.register(user, course.id)
    assert enrollment.status == EnrollmentStatus.CONFIRMED
    assert enrollment.source == EnrollmentSource.SELF


@pytest.mark.parametrize("status,expected", [
    (CourseStatus.DRAFT, "không nhận đăng ký"), (CourseStatus.CLOSED, "đã đóng đăng ký"),
    (CourseStatus.FINISHED, "không nhận đăng ký"), (CourseStatus.CANCELLED, "không nhận đăng ký"),
])
def test_only_published_courses_take_registrations(app, status, expected):
    course = make_course(status=status)
    with pytest.raises(DomainError) as error:
        registration.register(make_user(), course.id)
    assert expected in error.value.message
    assert db.session.scalar(select(Enrollment)) is None


def test_registration_window_not_yet_open_says_when(app):
    opens = NOW + timedelta(days=2)
    course = make_course(registration_opens_at=opens)
    reason = registration.ineligibility_reason(make_user(), course)
    assert reason.startswith("Đăng ký mở từ")
    with pytest.raises(DomainError):
        registration.register(make_user(), course.id)


def test_registration_window_closed(app):
    course = make_course(registration_opens_at=NOW - timedelta(days=5),
                         registration_closes_at=NOW - timedelta(minutes=1))
    with pytest.raises(DomainError) as error:
        registration.register(make_user(), course.id)
    assert "hết hạn đăng ký" in error.value.message


def test_registration_within_window_works(app):
    course = make_course(registration_opens_at=NOW - timedelta(days=1),
                         registration_closes_at=NOW + timedelta(days=1))
    assert registration.register(make_user(), course.id).status == EnrollmentStatus.CONFIRMED


def test_course_already_started_takes_no_registration(app):
    course = make_course(starts_on=date.today() - timedelta(days=1))
    with pytest.raises(DomainError) as error:
        registration.register(make_user(), course.id)
    assert "đã bắt đầu" in error.value.message


def test_ineligible_position_is_told_why(app):
    course = make_course(target_positions=[PartyPosition.SECRETARY.value, PartyPosition.DEPUTY_SECRETARY.value])
    member = make_user(party_position=PartyPosition.MEMBER)
    with pytest.raises(DomainError) as error:
        registration.register(member, course.id)
    assert "Bí thư chi bộ" in error.value.message and "Đảng viên" in error.value.message
    assert registration.register(make_user(party_position=PartyPosition.DEPUTY_SECRETARY), course.id)


def test_registering_twice_is_refused(app):
    course = make_course()
    user = make_user()
    registration.register(user, course.id)
    with pytest.raises(DomainError) as error:
        registration.register(user, course.id)
    assert "đã đăng ký" in error.value.message


# ---------------------------------------------------------------- capacity, waitlist, cancel

def test_full_course_waitlists_and_cancel_promotes_in_order(app):
    course = make_course(capacity=2)
    a, b, c, d = (make_user() for _ in range(4))
    for user in (a, b, c, d):
        registration.register(user, course.id)
    assert [status_of(u, course) for u in (a, b, c, d)] == [
        EnrollmentStatus.CONFIRMED, EnrollmentStatus.CONFIRMED, EnrollmentStatus.WAITLISTED, EnrollmentStatus.WAITLISTED]
    registration.cancel_own(a, course.id)
    assert status_of(a, course) == EnrollmentStatus.CANCELLED
    assert status_of(c, course) == EnrollmentStatus.CONFIRMED  # first in line
    assert registration.find_enrollment(c.id, course.id).promoted_at is not None
    assert status_of(d, course) == EnrollmentStatus.WAITLISTED


def test_cancelling_a_waitlisted_place_promotes_nobody(app):
    course = make_course(capacity=1)
    a, b, c = (make_user() for _ in range(3))
    for user in (a, b, c):
        registration.register(user, course.id)
    registration.cancel_own(b, course.id)
    assert status_of(a, course) == EnrollmentStatus.CONFIRMED
    assert status_of(c, course) == EnrollmentStatus.WAITLISTED


def test_cancel_after_start_is_refused(app):
    course = make_course(starts_on=date.today())
    user = make_user()
    make_enrollment(user, course)
    with pytest.raises(DomainError):
        registration.cancel_own(user, course.id)
    assert status_of(user, course) == EnrollmentStatus.CONFIRMED


def test_cancelled_participant_may_register_again_at_the_back(app):
    course = make_course(capacity=1)
    a, b = make_user(), make_user()
    registration.register(a, course.id)
    registration.cancel_own(a, course.id)
    registration.register(b, course.id)
    assert registration.register(a, course.id).status == EnrollmentStatus.WAITLISTED


def test_organizer_removing_a_confirmed_participant_promotes_the_waitlist(app):
    organizer = make_user(role=Role.ORGANIZER)
    course = make_course(capacity=1)
    a, b = make_user(), make_user()
    registration.register(a, course.id)
    registration.register(b, course.id)
    registration.change_status(organizer, course.id, registration.find_enrollment(a.id, course.id).id, "cancelled")
    assert status_of(b, course) == EnrollmentStatus.CONFIRMED


# ---------------------------------------------------------------- approval

def test_approval_course_keeps_registrations_pending_until_approved(app):
    organizer = make_user(role=Role.ORGANIZER)
    course = make_course(capacity=2, requires_approval=True)
    users = [make_user() for _ in range(3)]
    enrollments = [registration.register(u, course.id) for u in users]
    assert {e.status for e in enrollments} == {EnrollmentStatus.PENDING}
    confirmed, waitlisted = registration.approve(organizer, course.id, [e.id for e in enrollments])
    assert (confirmed, waitlisted) == (2, 1)
    assert [status_of(u, course) for u in users] == [
        EnrollmentStatus.CONFIRMED, EnrollmentStatus.CONFIRMED, EnrollmentStatus.WAITLISTED]


def test_rejection_needs_a_reason_the_participant_sees(app):
    organizer = make_user(role=Role.ORGANIZER)
    course = make_course(requires_approval=True)
    user = make_user()
    enrollment = registration.register(user, course.id)
    with pytest.raises(DomainError) as error:
        registration.change_status(organizer, course.id, enrollment.id, "rejected", "  ")
    assert error.value.field == "reason"
    registration.change_status(organizer, course.id, enrollment.id, "rejected", "Không đúng đối tượng")
    enrollment = registration.find_enrollment(user.id, course.id)
    assert enrollment.status == EnrollmentStatus.REJECTED
    assert enrollment.status_reason == "Không đúng đối tượng"
    with pytest.raises(DomainError) as error:
        registration.register(user, course.id)
    assert "Không đúng đối tượng" in error.value.message


def test_bulk_approve_ignores_other_courses_enrollments(app):
    organizer = make_user(role=Role.ORGANIZER)
    course, other = make_course(requires_approval=True), make_course(requires_approval=True)
    mine = registration.register(make_user(), course.id)
    foreign = registration.register(make_user(), other.id)
    assert registration.approve(organizer, course.id, [mine.id, foreign.id]) == (1, 0)
    assert db.session.get(Enrollment, foreign.id).status == EnrollmentStatus.PENDING


ALL = list(EnrollmentStatus)


@pytest.mark.parametrize("before", ALL)
@pytest.mark.parametrize("after", ALL)
def test_every_status_transition(app, before, after):
    organizer = make_user(role=Role.ORGANIZER)
    course = make_course(capacity=5)
    enrollment = make_enrollment(make_user(), course, status=before)
    reason = "Lý do" if after == EnrollmentStatus.REJECTED else None
    if before == after:
        with pytest.raises(DomainError):
            registration.change_status(organizer, course.id, enrollment.id, after, reason)
        return
    registration.change_status(organizer, course.id, enrollment.id, after, reason)
    assert db.session.get(Enrollment, enrollment.id).status == after


def test_confirming_beyond_capacity_is_refused(app):
    organizer = make_user(role=Role.ORGANIZER)
    course = make_course(capacity=1)
    make_enrollment(make_user(), course)
    waiting = make_enrollment(make_user(), course, status=EnrollmentStatus.WAITLISTED)
    with pytest.raises(DomainError) as error:
        registration.change_status(organizer, course.id, waiting.id, "confirmed")
    assert "đủ 1 chỗ" in error.value.message


def test_add_by_hand(app):
    organizer = make_user(role=Role.ORGANIZER)
    course = make_course(capacity=1)
    a, b = make_user(), make_user()
    assert registration.add_by_hand(organizer, course.id, a.email.upper()).status == EnrollmentStatus.CONFIRMED
    assert registration.add_by_hand(organizer, course.id, b.email).status == EnrollmentStatus.WAITLISTED
    with pytest.raises(DomainError):
        registration.add_by_hand(organizer, course.id, a.email)
    with pytest.raises(DomainError):
        registration.add_by_hand(organizer, course.id, "khongco@example.vn")


# ---------------------------------------------------------------- quotas and nominations

def test_self_registration_beyond_the_units_quota_waits(app):
    unit_a, cells_a = make_party_tree()
    unit_b, cells_b = make_party_tree()
    course = make_course(capacity=10)
    make_quota(course, unit_a, 1)
    first, second = make_user(organization=cells_a[0]), make_user(organization=cells_a[1])
    registration.register(first, course.id)
    registration.register(second, course.id)
    assert status_of(first, course) == EnrollmentStatus.CONFIRMED
    assert status_of(second, course) == EnrollmentStatus.WAITLISTED
    # Units without a quota share the 9 seats not allocated.
    outsiders = make_users_fast(10, organization=cells_b[0])
    for user in outsiders:
        registration.register(user, course.id)
    statuses = [status_of(u, course) for u in outsiders]
    assert statuses.count(EnrollmentStatus.CONFIRMED) == 9
    assert statuses[-1] == EnrollmentStatus.WAITLISTED


def test_promotion_skips_people_whose_unit_quota_is_used(app):
    unit_a, cells_a = make_party_tree()
    unit_b, cells_b = make_party_tree()
    course = make_course(capacity=2)
    make_quota(course, unit_a, 1)
    make_quota(course, unit_b, 1)
    a1, a2 = make_user(organization=cells_a[0]), make_user(organization=cells_a[0])
    b1, b2 = make_user(organization=cells_b[0]), make_user(organization=cells_b[0])
    for user in (a1, b1, a2, b2):
        registration.register(user, course.id)
    registration.cancel_own(b1, course.id)
    assert status_of(a2, course) == EnrollmentStatus.WAITLISTED  # unit A's quota is full
    assert status_of(b2, course) == EnrollmentStatus.CONFIRMED


def test_quota_total_cannot_exceed_capacity(app):
    organizer = make_user(role=Role.ORGANIZER)
    unit_a, _ = make_party_tree()
    unit_b, _ = make_party_tree()
    course = make_course(capacity=5)
    quotas.set_quota(organizer, course.id, unit_a.id, 3)
    with pytest.raises(DomainError) as error:
        quotas.set_quota(organizer, course.id, unit_b.id, 3)
    assert error.value.field == "seats"
    quotas.set_quota(organizer, course.id, unit_a.id, 0)
    quotas.set_quota(organizer, course.id, unit_b.id, 5)


def test_quota_only_for_grassroots_organizations(app):
    organizer = make_user(role=Role.ORGANIZER)
    _, cells = make_party_tree()
    with pytest.raises(DomainError):
        quotas.set_quota(organizer, make_course().id, cells[0].id, 2)


def test_coordinator_nominates_within_quota_and_only_own_members(app):
    unit, cells = make_party_tree()
    other_unit, other_cells = make_party_tree()
    coordinator = make_user(role=Role.COORDINATOR, organization=unit)
    course = make_course(capacity=10)
    make_quota(course, unit, 2)
    members = [make_user(organization=cells[i % 2]) for i in range(3)]
    stranger = make_user(organization=other_cells[0])
    quotas.nominate(coordinator, course.id, members[0].id)
    quotas.nominate(coordinator, course.id, members[1].id)
    assert status_of(members[0], course) == EnrollmentStatus.CONFIRMED
    with pytest.raises(DomainError) as error:
        quotas.nominate(coordinator, course.id, members[2].id)
    assert "hết chỉ tiêu" in error.value.message
    with pytest.raises(NotAllowed):
        quotas.nominate(coordinator, course.id, stranger.id)
    assert registration.find_enrollment(stranger.id, course.id) is None
    assert {u.id for u in quotas.unit_members(coordinator)} == {coordinator.id, *(m.id for m in members)}


def test_substitution_keeps_the_seat(app):
    unit, cells = make_party_tree()
    coordinator = make_user(role=Role.COORDINATOR, organization=cells[0])
    course = make_course(capacity=1)
    make_quota(course, unit, 1)
    first, replacement = make_user(organization=cells[0]), make_user(organization=cells[1])
    waiting = make_user()
    enrollment = quotas.nominate(coordinator, course.id, first.id)
    registration.register(waiting, course.id)
    assert status_of(waiting, course) == EnrollmentStatus.WAITLISTED
    quotas.substitute(coordinator, course.id, enrollment.id, replacement.id)
    assert status_of(first, course) == EnrollmentStatus.CANCELLED
    assert replacement.full_name in registration.find_enrollment(first.id, course.id).status_reason
    assert status_of(replacement, course) == EnrollmentStatus.CONFIRMED
    assert status_of(waiting, course) == EnrollmentStatus.WAITLISTED  # the seat stayed with the unit


def test_coordinator_cannot_substitute_another_units_nominee(app):
    unit, cells = make_party_tree()
    other, other_cells = make_party_tree()
    mine = make_user(role=Role.COORDINATOR, organization=unit)
    theirs = make_user(role=Role.COORDINATOR, organization=other)
    course = make_course()
    make_quota(course, other, 1)
    enrollment = quotas.nominate(theirs, course.id, make_user(organization=other_cells[0]).id)
    with pytest.raises(NotAllowed):
        quotas.substitute(mine, course.id, enrollment.id, make_user(organization=cells[0]).id)


def test_quota_usage_table(app):
    unit, cells = make_party_tree()
    coordinator = make_user(role=Role.COORDINATOR, organization=unit)
    course = make_course(capacity=10)
    topic = make_session(course)
    make_quota(course, unit, 3)
    a = quotas.nominate(coordinator, course.id, make_user(organization=cells[0]).id)
    quotas.nominate(coordinator, course.id, make_user(organization=cells[1]).id)
    registration.register(make_user(organization=cells[0]), course.id)
    db.session.add(Attendance(enrollment_id=a.id, session_id=topic.id, status=AttendanceStatus.PRESENT))
    db.session.commit()
    [row] = quotas.quota_usage(course)
    assert (row.organization.id, row.allocated, row.nominated, row.confirmed, row.attended) == (unit.id, 3, 2, 3, 1)


def test_counts_by_status_and_organization(app):
    unit, cells = make_party_tree()
    course = make_course(capacity=1)
    registration.register(make_user(organization=cells[0]), course.id)
    registration.register(make_user(organization=cells[1]), course.id)
    counts = roster.counts_by_status(course.id)
    assert counts[EnrollmentStatus.CONFIRMED] == 1 and counts[EnrollmentStatus.WAITLISTED] == 1
    assert roster.counts_by_organization(course.id) == [(unit, 2, 1)]
