"""Quotas and nominations: seats a course gives each grassroots organization, their use,
and the unit coordinator nominating or substituting members of their organization within them.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from courses.attendance.models import Attendance
from courses.audit.services import record
from courses.auth.models import User
from courses.db_types import utcnow
from courses.enrollment.locking import lock_course
from courses.enrollment.models import ACTIVE_STATUSES, CourseQuota, Enrollment
from courses.enrollment.registration import course_enrollment, find_enrollment
from courses.enrollment.seats import promote_waitlist, seat_counts
from courses.enums import AttendanceStatus, CourseStatus, EnrollmentSource, EnrollmentStatus, OrganizationKind, Role
from courses.exceptions import DomainError, NotAllowed
from courses.extensions import db
from courses.formatting import LOCAL_TZ
from courses.organizations.models import Organization
from courses.organizations.services import grassroots_id, subtree_ids
from courses.scheduling.models import Course
from courses.text import person_key


def coordinator_scope(user: User) -> int:
    """The grassroots organization a unit coordinator acts for; refuses users without one."""
    if user.role != Role.COORDINATOR:
        raise NotAllowed(_("Chỉ cán bộ phụ trách đơn vị mới cử học viên."))
    scope = grassroots_id(user.organization_id)
    if scope is None:
        raise NotAllowed(_("Tài khoản của đồng chí chưa gắn với một đảng bộ cơ sở."))
    return scope



# ---------------------------------------------------------------- quotas

def set_quota(actor: User, course_id: int, organization_id: int, seats: int) -> CourseQuota | None:
    """Give a grassroots organization seats in a course (0 removes the quota)."""
    if seats < 0:
        raise DomainError(_("Chỉ tiêu không được âm."), field="seats")
    organization = db.session.get(Organization, organization_id)
    if organization is None or organization.kind != OrganizationKind.GRASSROOTS:
        raise DomainError(_("Chỉ tiêu chỉ giao cho đảng bộ cơ sở."), field="organization_id")
    course = lock_course(course_id)
    if course is None:
        raise DomainError(_("Không tìm thấy lớp học."))
    quota = db.session.scalar(select(CourseQuota).where(
        CourseQuota.course_id == course.id, CourseQuota.organization_id == organization_id))
    others = db.session.scalar(select(func.coalesce(func.sum(CourseQuota.seats), 0)).where(
        CourseQuota.course_id == course.id, CourseQuota.organization_id != organization_id)) or 0
    if others + seats > course.capacity:
        raise DomainError(_("Tổng chỉ tiêu (%(total)s) vượt quá sĩ số của lớp (%(capacity)s).",
                            total=others + seats, capacity=course.capacity), field="seats")
    before = {"seats": quota.seats} if quota else None
    if seats == 0:
        if quota is not None:
            db.session.delete(quota)
        quota = None
    else:
        if quota is None:
            quota = CourseQuota(course_id=course.id, organization_id=organization_id, seats=seats)
            db.session.add(quota)
        quota.seats = seats
    record(actor, "course.set_quota", course, before=before,
           after={"organization_id": organization_id, "seats": seats})
    db.session.flush()
    promote_waitlist(actor, course)  # a raised (or removed) quota lets the unit's waiting people in
    db.session.commit()
    return quota


@dataclass
class QuotaRow:
    """One line of the quota usage table."""

    organization: Organization | None
    allocated: int | None
    nominated: int
    confirmed: int
    attended: int


def quota_usage(course: Course, only_org_id: int | None = None) -> list[QuotaRow]:
    """Per grassroots organization: seats allocated, nominated, confirmed and attended."""
    quotas = {q.organization_id: q.seats for q in db.session.scalars(
        select(CourseQuota).where(CourseQuota.course_id == course.id))}
    nominated = dict(db.session.execute(
        select(Enrollment.quota_organization_id, func.count())
        .where(Enrollment.course_id == course.id, Enrollment.source == EnrollmentSource.NOMINATION,
               Enrollment.status.in_(ACTIVE_STATUSES))
        .group_by(Enrollment.quota_organization_id)).all())
    confirmed = dict(db.session.execute(
        select(Enrollment.quota_organization_id, func.count())
        .where(Enrollment.course_id == course.id, Enrollment.status == EnrollmentStatus.CONFIRMED)
        .group_by(Enrollment.quota_organization_id)).all())
    present = (select(Attendance.enrollment_id)
               .where(Attendance.status == AttendanceStatus.PRESENT).distinct().scalar_subquery())
    attended = dict(db.session.execute(
        select(Enrollment.quota_organization_id, func.count())
        .where(Enrollment.course_id == course.id, Enrollment.status == EnrollmentStatus.CONFIRMED,
               Enrollment.id.in_(present))
        .group_by(Enrollment.quota_organization_id)).all())
    org_ids = set(quotas) | {k for k in confirmed if k is not None} | {k for k in nominated if k is not None}
    if only_org_id is not None:
        org_ids = {only_org_id}
    orgs = {o.id: o for o in db.session.scalars(select(Organization).where(Organization.id.in_(org_ids or [-1])))}
    rows = [QuotaRow(orgs.get(oid), quotas.get(oid), nominated.get(oid, 0), confirmed.get(oid, 0),
                     attended.get(oid, 0)) for oid in org_ids]
    rows.sort(key=lambda r: (r.organization.sort_order, r.organization.name) if r.organization else (0, ""))
    if only_org_id is None and (confirmed.get(None) or nominated.get(None)):
        rows.append(QuotaRow(None, None, nominated.get(None, 0), confirmed.get(None, 0), attended.get(None, 0)))
    return rows



def allocated_seats(course_id: int) -> int:
    """How many of the course's seats its quotas give out in all."""
    return db.session.scalar(select(func.coalesce(func.sum(CourseQuota.seats), 0))
                             .where(CourseQuota.course_id == course_id)) or 0


# ---------------------------------------------------------------- nominations

def nominatable_courses() -> list[Course]:
    """The courses a unit may nominate into or see its nominees of (published or closed), by date."""
    return list(db.session.scalars(
        select(Course).where(Course.status.in_((CourseStatus.PUBLISHED, CourseStatus.CLOSED)))
        .order_by(Course.starts_on, Course.id)))


def unit_quotas(scope: int) -> dict[int, int]:
    """course id → the seats the unit's quota gives it there."""
    return dict(db.session.execute(select(CourseQuota.course_id, CourseQuota.seats)
                                   .where(CourseQuota.organization_id == scope)).all())


def unit_nominees(course_id: int, scope: int) -> list[Enrollment]:
    """Everyone holding or having held one of the unit's seats in the course, in order of request."""
    return list(db.session.scalars(
        select(Enrollment).options(joinedload(Enrollment.user).joinedload(User.organization))
        .where(Enrollment.course_id == course_id, Enrollment.quota_organization_id == scope)
        .order_by(Enrollment.requested_at, Enrollment.id)))



def _nominatable_course(course: Course | None) -> Course:
    if course is None:
        raise DomainError(_("Không tìm thấy lớp học."))
    if course.status not in (CourseStatus.PUBLISHED, CourseStatus.CLOSED):
        raise DomainError(_("Lớp không nhận cử học viên."))
    if course.starts_on <= utcnow().astimezone(LOCAL_TZ).date():
        raise DomainError(_("Lớp đã bắt đầu; không thể cử thêm hoặc thay người."))
    return course


def _member_of_scope(user_id: int, scope_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.organization_id is None or grassroots_id(user.organization_id) != scope_id:
        raise NotAllowed(_("Người được cử phải là đảng viên của đơn vị đồng chí phụ trách."), field="user_id")
    return user


def quota_used_up(course: Course, scope: int) -> str | None:
    """«Đơn vị đã dùng hết chỉ tiêu (3/3).» when the unit holds every seat of its quota (pending
    and confirmed nominees count), else None."""
    quota = db.session.scalar(select(CourseQuota.seats).where(
        CourseQuota.course_id == course.id, CourseQuota.organization_id == scope)) or 0
    used = db.session.scalar(select(func.count()).select_from(Enrollment).where(
        Enrollment.course_id == course.id, Enrollment.quota_organization_id == scope,
        Enrollment.status.in_((EnrollmentStatus.PENDING, EnrollmentStatus.CONFIRMED)))) or 0
    if used >= quota:
        return _("Đơn vị đã dùng hết chỉ tiêu (%(used)s/%(quota)s).", used=used, quota=quota)
    return None


def nomination_refusal(course: Course, scope: int) -> tuple[str | None, bool]:
    """Why the unit cannot nominate into course now, as nominate() would refuse, or None;
    and whether substitutions are still open (they need no free seat of the quota)."""
    if course.status not in (CourseStatus.PUBLISHED, CourseStatus.CLOSED):
        return _("Lớp không nhận cử học viên."), False
    if course.starts_on <= utcnow().astimezone(LOCAL_TZ).date():
        return _("Lớp đã bắt đầu; không thể cử thêm hoặc thay người."), False
    return quota_used_up(course, scope), True


def nominate(coordinator: User, course_id: int, user_id: int) -> Enrollment:
    """A unit coordinator nominates a member of their organization, within its quota."""
    scope = coordinator_scope(coordinator)
    course = _nominatable_course(lock_course(course_id))
    member = _member_of_scope(user_id, scope)
    used_up = quota_used_up(course, scope)
    if used_up:
        raise DomainError(used_up)
    if not seat_counts(course).has_seat(None, use_quotas=False) and not course.requires_approval:
        raise DomainError(_("Lớp đã đủ chỗ."))
    enrollment = find_enrollment(member.id, course.id)
    if enrollment is not None and enrollment.is_active:
        raise DomainError(_("%(name)s đã có trong danh sách (%(status)s).", name=member.full_name,
                            status=enrollment.status.label))
    if enrollment is None:
        enrollment = Enrollment(user_id=member.id, course_id=course.id)
        db.session.add(enrollment)
    enrollment.status = EnrollmentStatus.PENDING if course.requires_approval else EnrollmentStatus.CONFIRMED
    enrollment.source = EnrollmentSource.NOMINATION
    enrollment.quota_organization_id = scope
    enrollment.nominated_by_id = coordinator.id
    enrollment.requested_at = utcnow()
    enrollment.decided_at = None if course.requires_approval else enrollment.requested_at
    enrollment.status_reason = None
    record(coordinator, "enrollment.nominate", enrollment, after={"status": enrollment.status.value})
    db.session.commit()
    return enrollment


def substitute(coordinator: User, course_id: int, enrollment_id: int, user_id: int) -> Enrollment:
    """Replace a nominee by another member of the unit; the new person keeps the seat and its status."""
    scope = coordinator_scope(coordinator)
    course = _nominatable_course(lock_course(course_id))
    old = course_enrollment(course, enrollment_id)
    if old.quota_organization_id != scope or old.status not in (EnrollmentStatus.PENDING, EnrollmentStatus.CONFIRMED):
        raise NotAllowed(_("Chỉ thay được người đang giữ chỗ của đơn vị đồng chí."))
    member = _member_of_scope(user_id, scope)
    new = find_enrollment(member.id, course.id)
    if new is not None and new.status in (EnrollmentStatus.PENDING, EnrollmentStatus.CONFIRMED):
        raise DomainError(_("%(name)s đã có chỗ trong lớp.", name=member.full_name), field="user_id")
    if new is None:
        new = Enrollment(user_id=member.id, course_id=course.id)
        db.session.add(new)
    new.status, new.source = old.status, EnrollmentSource.NOMINATION
    new.quota_organization_id, new.nominated_by_id = scope, coordinator.id
    new.requested_at, new.decided_at, new.status_reason = old.requested_at, old.decided_at, None
    previous_name = old.user.full_name
    old.status = EnrollmentStatus.CANCELLED
    old.status_reason = _("Đơn vị cử người khác thay: %(name)s.", name=member.full_name)
    old.decided_at = utcnow()
    record(coordinator, "enrollment.substitute", old, before={"user": previous_name},
           after={"user": member.full_name})
    db.session.commit()
    return new


def unit_members(coordinator: User) -> list[User]:
    """Members of the coordinator's organization and its cells, by name."""
    scope = coordinator_scope(coordinator)
    ids = subtree_ids(scope)
    return sorted(db.session.scalars(
        select(User).options(joinedload(User.organization))
        .where(User.organization_id.in_(ids), User.is_active_account.is_(True))), key=person_key)
