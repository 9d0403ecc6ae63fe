"""Enrollment rules: eligibility, seats, waitlist, approval, quotas, nominations and the roster.

Every function that hands out or frees a seat first locks the course
(courses.enrollment.locking.lock_course), then counts, then writes, then commits:
two requests for the last seat are served one after the other, never both.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from courses.attendance.models import Attendance
from courses.audit.services import record
from courses.auth.models import User
from courses.db_types import utcnow
from courses.enrollment.locking import lock_course
from courses.enrollment.models import CourseQuota, Enrollment
from courses.enums import (
    AttendanceStatus,
    CourseStatus,
    EnrollmentSource,
    EnrollmentStatus,
    OrganizationKind,
    PartyPosition,
    Role,
)
from courses.exceptions import DomainError, NotAllowed
from courses.extensions import db
from courses.formatting import LOCAL_TZ, local_datetime
from courses.organizations.models import Organization
from courses.organizations.services import grassroots_id, organizations_by_id, subtree_ids  # noqa: F401
from courses.pagination import ListPagination
from courses.scheduling.models import Course
from courses.text import name_key, person_key

ACTIVE_STATUSES = (EnrollmentStatus.PENDING, EnrollmentStatus.CONFIRMED, EnrollmentStatus.WAITLISTED)


def coordinator_scope(user: User) -> int:
    """The grassroots organization a unit coordinator acts for; refuses users without one."""
    if user.role != Role.COORDINATOR:
        raise NotAllowed(_("Chỉ cán bộ phụ trách đơn vị mới cử học viên."))
    scope = grassroots_id(user.organization_id)
    if scope is None:
        raise NotAllowed(_("Tài khoản của đồng chí chưa gắn với một đảng bộ cơ sở."))
    return scope


# ---------------------------------------------------------------- seats

COURSE_FULL, QUOTA_FULL, SHARED_FULL = "course", "quota", "shared"


@dataclass
class SeatCounts:
    """Confirmed seats of a course, in total and per quota organization, and its quotas."""

    capacity: int
    confirmed_by_org: dict[int | None, int]
    quotas: dict[int, int]

    @property
    def confirmed(self) -> int:
        return sum(self.confirmed_by_org.values())

    def full_limit(self, org_id: int | None, use_quotas: bool = True) -> str | None:
        """Which limit keeps one more participant of org_id out: COURSE_FULL, QUOTA_FULL,
        SHARED_FULL (the seats no quota allocates), or None when there is a seat."""
        if self.confirmed >= self.capacity:
            return COURSE_FULL
        if not use_quotas or not self.quotas:
            return None
        if org_id in self.quotas:
            return QUOTA_FULL if self.confirmed_by_org.get(org_id, 0) >= self.quotas[org_id] else None
        # Organizations without a quota share the seats no quota allocates.
        return SHARED_FULL if self.shared_used >= self.shared_seats else None

    @property
    def shared_seats(self) -> int:
        return self.capacity - sum(self.quotas.values())

    @property
    def shared_used(self) -> int:
        return sum(n for org, n in self.confirmed_by_org.items() if org not in self.quotas)

    def has_seat(self, org_id: int | None, use_quotas: bool = True) -> bool:
        """Whether one more participant of org_id can be confirmed."""
        return self.full_limit(org_id, use_quotas) is None

    def take(self, org_id: int | None) -> None:
        self.confirmed_by_org[org_id] = self.confirmed_by_org.get(org_id, 0) + 1


def seat_counts(course: Course) -> SeatCounts:
    """Count confirmed seats (call after lock_course when about to allocate)."""
    rows = db.session.execute(
        select(Enrollment.quota_organization_id, func.count())
        .where(Enrollment.course_id == course.id, Enrollment.status == EnrollmentStatus.CONFIRMED)
        .group_by(Enrollment.quota_organization_id)
    ).all()
    quotas = dict(db.session.execute(
        select(CourseQuota.organization_id, CourseQuota.seats).where(CourseQuota.course_id == course.id)
    ).all())
    return SeatCounts(course.capacity, {org: n for org, n in rows}, quotas)


def promote_waitlist(actor, course: Course, exclude: tuple[int, ...] = (),
                     counts: SeatCounts | None = None) -> list[Enrollment]:
    """Confirm waitlisted participants in order of request while seats (and quotas) allow.

    The one rule for every freed or added seat: a cancellation, an organizer's change of
    status, a raised capacity or quota. `counts` (taken under the lock) is updated in place.
    """
    counts = counts or seat_counts(course)
    promoted = []
    if counts.confirmed >= counts.capacity:
        return promoted
    waiting = db.session.scalars(
        select(Enrollment)
        .where(Enrollment.course_id == course.id, Enrollment.status == EnrollmentStatus.WAITLISTED)
        .order_by(Enrollment.requested_at, Enrollment.id)
    ).all()
    now = utcnow()
    for enrollment in waiting:
        if counts.confirmed >= counts.capacity:
            break
        if enrollment.id in exclude or not counts.has_seat(enrollment.quota_organization_id):
            continue
        enrollment.status = EnrollmentStatus.CONFIRMED
        enrollment.decided_at = now
        enrollment.promoted_at = now
        enrollment.status_reason = None
        counts.take(enrollment.quota_organization_id)
        record(actor, "enrollment.promote", enrollment, before={"status": "waitlisted"},
               after={"status": "confirmed"})
        promoted.append(enrollment)
    return promoted


def refuse_capacity_below_confirmed(course: Course, capacity: int) -> None:
    """A course's capacity may not drop below its confirmed seats or its quotas' total
    (call after lock_course, before changing course.capacity)."""
    counts = seat_counts(course)
    if capacity < counts.confirmed:
        raise DomainError(_("Lớp đã có %(confirmed)s học viên được xác nhận; số chỗ không thể ít hơn "
                            "%(confirmed)s.", confirmed=counts.confirmed), field="capacity")
    allocated = sum(counts.quotas.values())
    if capacity < allocated:
        raise DomainError(_("Các đơn vị đã được giao %(allocated)s chỉ tiêu; số chỗ không thể ít hơn "
                            "%(allocated)s.", allocated=allocated), field="capacity")


# ---------------------------------------------------------------- self-registration

def ineligibility_reason(user: User | None, course: Course, now: datetime | None = None) -> str | None:
    """Why user may not register for course now, or None when they may."""
    now = now or utcnow()
    today = now.astimezone(LOCAL_TZ).date()
    if user is None or not getattr(user, "is_authenticated", False):
        return _("Vui lòng đăng nhập để đăng ký.")
    if course.status != CourseStatus.PUBLISHED:
        if course.status == CourseStatus.CLOSED:
            return _("Lớp đã đóng đăng ký.")
        return _("Lớp không nhận đăng ký.")
    if course.starts_on <= today:
        return _("Lớp đã bắt đầu, không nhận đăng ký thêm.")
    if course.registration_opens_at and now < course.registration_opens_at:
        return _("Đăng ký mở từ %(when)s.", when=local_datetime(course.registration_opens_at))
    if course.registration_closes_at and now >= course.registration_closes_at:
        return _("Đã hết hạn đăng ký (%(when)s).", when=local_datetime(course.registration_closes_at))
    targets = [PartyPosition(value) for value in (course.target_positions or [])]
    if targets:
        wanted = ", ".join(str(p.label) for p in targets)
        if user.party_position is None:
            return _("Lớp này dành cho: %(wanted)s. Hồ sơ của đồng chí chưa có chức vụ Đảng.", wanted=wanted)
        if user.party_position not in targets:
            return _("Lớp này dành cho: %(wanted)s; chức vụ Đảng của đồng chí là %(mine)s.",
                     wanted=wanted, mine=user.party_position.label)
    return None


def find_enrollment(user_id: int, course_id: int) -> Enrollment | None:
    """The user's enrollment in the course, read fresh from the database."""
    return db.session.scalar(
        select(Enrollment).where(Enrollment.user_id == user_id, Enrollment.course_id == course_id)
        .execution_options(populate_existing=True)
    )


def register(user: User, course_id: int, now: datetime | None = None) -> Enrollment:
    """Self-registration: confirmed while seats and the unit's quota last, else waitlisted.

    With approval required, the registration waits (pending) for an organizer.
    """
    course = lock_course(course_id)
    if course is None:
        raise DomainError(_("Không tìm thấy lớp học."))
    reason = ineligibility_reason(user, course, now)
    if reason:
        db.session.rollback()
        raise DomainError(reason)
    enrollment = find_enrollment(user.id, course.id)
    if enrollment is not None and enrollment.status in ACTIVE_STATUSES:
        db.session.rollback()
        raise DomainError(_("Đồng chí đã đăng ký lớp này (%(status)s).", status=enrollment.status.label))
    if enrollment is not None and enrollment.status == EnrollmentStatus.REJECTED:
        db.session.rollback()
        raise DomainError(_("Đăng ký của đồng chí đã bị từ chối: %(reason)s",
                            reason=enrollment.status_reason or "—"))
    org_id = grassroots_id(user.organization_id)
    counts = seat_counts(course)
    # Whoever already waits is served first: a newcomer never takes a seat the queue could use.
    promote_waitlist(None, course, counts=counts)
    if course.requires_approval:
        status = EnrollmentStatus.PENDING
    elif counts.has_seat(org_id):
        status = EnrollmentStatus.CONFIRMED
    else:
        status = EnrollmentStatus.WAITLISTED
    stamp = utcnow()
    if enrollment is None:
        enrollment = Enrollment(user_id=user.id, course_id=course.id)
        db.session.add(enrollment)
    enrollment.status = status
    enrollment.source = EnrollmentSource.SELF
    enrollment.quota_organization_id = org_id
    enrollment.requested_at = stamp
    enrollment.decided_at = stamp if status != EnrollmentStatus.PENDING else None
    enrollment.status_reason = None
    enrollment.promoted_at = None
    enrollment.nominated_by_id = None
    record(user, "enrollment.register", enrollment, after={"status": status.value})
    db.session.commit()
    return enrollment


def cancel_own(user: User, course_id: int) -> Enrollment:
    """A participant withdraws before the course starts; a freed seat goes to the waitlist."""
    course = lock_course(course_id)
    enrollment = find_enrollment(user.id, course_id) if course else None
    if enrollment is None or enrollment.status not in ACTIVE_STATUSES:
        db.session.rollback()
        raise DomainError(_("Đồng chí không có đăng ký nào đang hiệu lực ở lớp này."))
    if course.starts_on <= utcnow().astimezone(LOCAL_TZ).date():
        db.session.rollback()
        raise DomainError(_("Lớp đã bắt đầu; không thể hủy đăng ký."))
    before = enrollment.status
    enrollment.status = EnrollmentStatus.CANCELLED
    enrollment.status_reason = None
    enrollment.decided_at = utcnow()
    record(user, "enrollment.cancel", enrollment, before={"status": before.value},
           after={"status": "cancelled"})
    if before == EnrollmentStatus.CONFIRMED:
        db.session.flush()
        promote_waitlist(user, course)
    db.session.commit()
    return enrollment


# ---------------------------------------------------------------- organizer actions

def _course_enrollment(course: Course, enrollment_id: int) -> Enrollment:
    enrollment = db.session.get(Enrollment, enrollment_id, populate_existing=True)
    if enrollment is None or enrollment.course_id != course.id:
        db.session.rollback()
        raise DomainError(_("Không tìm thấy đăng ký này trong lớp."))
    return enrollment


def change_status(actor: User, course_id: int, enrollment_id: int, status: EnrollmentStatus | str,
                  reason: str | None = None) -> Enrollment:
    """Organizer sets a registration's status; confirming needs a free seat, rejecting a reason."""
    status = EnrollmentStatus(status)
    reason = (reason or "").strip() or None
    course = lock_course(course_id)
    if course is None:
        raise DomainError(_("Không tìm thấy lớp học."))
    enrollment = _course_enrollment(course, enrollment_id)
    before = enrollment.status
    if before == status:
        db.session.rollback()
        raise DomainError(_("Đăng ký đã ở trạng thái «%(status)s».", status=status.label))
    if status == EnrollmentStatus.REJECTED and not reason:
        db.session.rollback()
        raise DomainError(_("Vui lòng ghi lý do từ chối; học viên sẽ thấy lý do này."), field="reason")
    if status == EnrollmentStatus.CONFIRMED and not seat_counts(course).has_seat(None, use_quotas=False):
        db.session.rollback()
        raise DomainError(_("Lớp đã đủ %(capacity)s chỗ; hãy đưa vào danh sách chờ.", capacity=course.capacity))
    enrollment.status = status
    enrollment.status_reason = reason if status in (EnrollmentStatus.REJECTED, EnrollmentStatus.CANCELLED) else None
    enrollment.decided_at = utcnow()
    if status == EnrollmentStatus.WAITLISTED:
        enrollment.requested_at = utcnow()  # joins the back of the line
    record(actor, "enrollment.set_status", enrollment, before={"status": before.value},
           after={"status": status.value, "reason": reason})
    if before == EnrollmentStatus.CONFIRMED:
        db.session.flush()
        # Someone the organizer just moved to the waitlist is not handed the seat straight back.
        promote_waitlist(actor, course, exclude=(enrollment.id,))
    db.session.commit()
    return enrollment


def approve(actor: User, course_id: int, enrollment_ids: list[int]) -> tuple[int, int]:
    """Approve pending registrations in order of request: confirmed while seats last, then waitlisted.

    Returns (confirmed, waitlisted).
    """
    course = lock_course(course_id)
    if course is None:
        raise DomainError(_("Không tìm thấy lớp học."))
    pending = db.session.scalars(
        select(Enrollment)
        .where(Enrollment.course_id == course.id, Enrollment.id.in_(enrollment_ids or [-1]),
               Enrollment.status == EnrollmentStatus.PENDING)
        .order_by(Enrollment.requested_at, Enrollment.id)
    ).all()
    if not pending:
        db.session.rollback()
        raise DomainError(_("Không có đăng ký chờ duyệt nào được chọn."))
    counts = seat_counts(course)
    confirmed = waitlisted = 0
    now = utcnow()
    for enrollment in pending:
        if counts.has_seat(enrollment.quota_organization_id, use_quotas=False):
            enrollment.status = EnrollmentStatus.CONFIRMED
            counts.take(enrollment.quota_organization_id)
            confirmed += 1
        else:
            enrollment.status = EnrollmentStatus.WAITLISTED
            waitlisted += 1
        enrollment.decided_at = now
        record(actor, "enrollment.approve", enrollment, before={"status": "pending"},
               after={"status": enrollment.status.value})
    db.session.commit()
    return confirmed, waitlisted


def add_by_hand(actor: User, course_id: int, email: str) -> Enrollment:
    """An organizer adds an existing account to the roster (confirmed if a seat is free)."""
    from courses.auth.services import find_user_by_email

    user = find_user_by_email(email)
    if user is None:
        raise DomainError(_("Không có tài khoản nào với email này. Hãy nhập danh sách để tạo tài khoản mới."),
                          field="email")
    course = lock_course(course_id)
    if course is None:
        raise DomainError(_("Không tìm thấy lớp học."))
    enrollment = find_enrollment(user.id, course.id)
    if enrollment is not None and enrollment.status in ACTIVE_STATUSES:
        db.session.rollback()
        raise DomainError(_("%(name)s đã có trong danh sách (%(status)s).", name=user.full_name,
                            status=enrollment.status.label), field="email")
    org_id = grassroots_id(user.organization_id)
    has_seat = seat_counts(course).has_seat(org_id, use_quotas=False)
    if enrollment is None:
        enrollment = Enrollment(user_id=user.id, course_id=course.id)
        db.session.add(enrollment)
    enrollment.status = EnrollmentStatus.CONFIRMED if has_seat else EnrollmentStatus.WAITLISTED
    enrollment.source = EnrollmentSource.ORGANIZER
    enrollment.quota_organization_id = org_id
    enrollment.requested_at = enrollment.decided_at = utcnow()
    enrollment.status_reason = None
    record(actor, "enrollment.add", enrollment, after={"status": enrollment.status.value})
    db.session.commit()
    return enrollment


# ---------------------------------------------------------------- quotas and nominations

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
        db.session.rollback()
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


def _nominatable_course(course: Course | None) -> Course:
    if course is None:
        raise DomainError(_("Không tìm thấy lớp học."))
    if course.status not in (CourseStatus.PUBLISHED, CourseStatus.CLOSED):
        db.session.rollback()
        raise DomainError(_("Lớp không nhận cử học viên."))
    if course.starts_on <= utcnow().astimezone(LOCAL_TZ).date():
        db.session.rollback()
        raise DomainError(_("Lớp đã bắt đầu; không thể cử thêm hoặc thay người."))
    return course


def _member_of_scope(user_id: int, scope_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.organization_id is None or grassroots_id(user.organization_id) != scope_id:
        db.session.rollback()
        raise NotAllowed(_("Người được cử phải là đảng viên của đơn vị đồng chí phụ trách."), field="user_id")
    return user


def nomination_refusal(course: Course, scope: int) -> tuple[str | None, bool]:
    """Why the unit cannot nominate into course now, as nominate() would refuse, or None;
    and whether substitutions are still open (they need no free seat of the quota)."""
    if course.status not in (CourseStatus.PUBLISHED, CourseStatus.CLOSED):
        return _("Lớp không nhận cử học viên."), False
    if course.starts_on <= utcnow().astimezone(LOCAL_TZ).date():
        return _("Lớp đã bắt đầu; không thể cử thêm hoặc thay người."), False
    quota = db.session.scalar(select(CourseQuota.seats).where(
        CourseQuota.course_id == course.id, CourseQuota.organization_id == scope)) or 0
    used = db.session.scalar(select(func.count()).select_from(Enrollment).where(
        Enrollment.course_id == course.id, Enrollment.quota_organization_id == scope,
        Enrollment.status.in_((EnrollmentStatus.PENDING, EnrollmentStatus.CONFIRMED)))) or 0
    if used >= quota:
        return _("Đơn vị đã dùng hết chỉ tiêu (%(used)s/%(quota)s).", used=used, quota=quota), True
    return None, True


def nominate(coordinator: User, course_id: int, user_id: int) -> Enrollment:
    """A unit coordinator nominates a member of their organization, within its quota."""
    scope = coordinator_scope(coordinator)
    course = _nominatable_course(lock_course(course_id))
    member = _member_of_scope(user_id, scope)
    quota = db.session.scalar(select(CourseQuota.seats).where(
        CourseQuota.course_id == course.id, CourseQuota.organization_id == scope)) or 0
    used = db.session.scalar(select(func.count()).select_from(Enrollment).where(
        Enrollment.course_id == course.id, Enrollment.quota_organization_id == scope,
        Enrollment.status.in_((EnrollmentStatus.PENDING, EnrollmentStatus.CONFIRMED)))) or 0
    if used >= quota:
        db.session.rollback()
        raise DomainError(_("Đơn vị đã dùng hết chỉ tiêu (%(used)s/%(quota)s).", used=used, quota=quota))
    if not seat_counts(course).has_seat(None, use_quotas=False) and not course.requires_approval:
        db.session.rollback()
        raise DomainError(_("Lớp đã đủ chỗ."))
    enrollment = find_enrollment(member.id, course.id)
    if enrollment is not None and enrollment.status in ACTIVE_STATUSES:
        db.session.rollback()
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
    old = _course_enrollment(course, enrollment_id)
    if old.quota_organization_id != scope or old.status not in (EnrollmentStatus.PENDING, EnrollmentStatus.CONFIRMED):
        db.session.rollback()
        raise NotAllowed(_("Chỉ thay được người đang giữ chỗ của đơn vị đồng chí."))
    member = _member_of_scope(user_id, scope)
    new = find_enrollment(member.id, course.id)
    if new is not None and new.status in (EnrollmentStatus.PENDING, EnrollmentStatus.CONFIRMED):
        db.session.rollback()
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


# ---------------------------------------------------------------- roster queries

def _roster_filters(statement, course_id: int, status: str | None, organization_id: int | None,
                    query: str | None):
    statement = statement.where(Enrollment.course_id == course_id)
    if status in {s.value for s in EnrollmentStatus}:
        statement = statement.where(Enrollment.status == EnrollmentStatus(status))
    if organization_id:
        statement = statement.where(Enrollment.quota_organization_id == organization_id)
    if query:
        like = f"%{query.strip().lower()}%"
        statement = statement.where(or_(User.email.like(like), func.lower(User.full_name).like(like),
                                        User.full_name.ilike(f"%{query.strip()}%")))
    return statement


def roster_statement(course_id: int, *, status: str | None = None, organization_id: int | None = None,
                     query: str | None = None):
    """The roster's SELECT, filtered by status, grassroots organization and a name/email search.

    Unordered: the database's collation cannot put «Đỗ» before «Vương»; read it through
    sorted_roster (or roster_page), which apply courses.text.person_key.
    """
    statement = (
        select(Enrollment)
        .join(Enrollment.user)
        # The user loaded from the join that searches: a joinedload would join the
        # users table a second time (PostgreSQL hashed all 20,000 users for it, 3x the time).
        .options(contains_eager(Enrollment.user).joinedload(User.organization),
                 joinedload(Enrollment.quota_organization))
    )
    return _roster_filters(statement, course_id, status, organization_id, query)


def sorted_roster(course_id: int, **filters) -> list[Enrollment]:
    """Every enrollment the roster selects, in the one order of lists of people (person_key)."""
    return sorted(db.session.scalars(roster_statement(course_id, **filters)), key=lambda e: person_key(e.user))


def roster_page(course_id: int, page: int, per_page: int, **filters) -> ListPagination:
    """One page of the roster in person_key order: names and ids of all to sort, then the
    page's enrollments in full (two queries whatever the size of the course)."""
    names = db.session.execute(_roster_filters(
        select(Enrollment.id, User.full_name, User.id).select_from(Enrollment)
        .join(User, Enrollment.user_id == User.id), course_id, filters.get("status"),
        filters.get("organization_id"), filters.get("query"))).all()
    names.sort(key=lambda row: name_key(row[1], row[2]))
    pagination = ListPagination([row[0] for row in names], page, per_page)
    shown = {e.id: e for e in db.session.scalars(
        roster_statement(course_id).where(Enrollment.id.in_(pagination.items or [-1])))}
    pagination.items = [shown[i] for i in pagination.items if i in shown]
    return pagination


def counts_by_status(course_id: int) -> dict[EnrollmentStatus, int]:
    """How many registrations are in each status."""
    rows = db.session.execute(
        select(Enrollment.status, func.count()).where(Enrollment.course_id == course_id)
        .group_by(Enrollment.status)).all()
    found = dict(rows)
    return {status: found.get(status, 0) for status in EnrollmentStatus}


def counts_by_organization(course_id: int) -> list[tuple[Organization | None, int, int]]:
    """(grassroots organization, active registrations, confirmed) for each organization present."""
    rows = db.session.execute(
        select(Enrollment.quota_organization_id, Enrollment.status, func.count())
        .where(Enrollment.course_id == course_id, Enrollment.status.in_(ACTIVE_STATUSES))
        .group_by(Enrollment.quota_organization_id, Enrollment.status)).all()
    totals: dict[int | None, list[int]] = {}
    for org_id, status, n in rows:
        entry = totals.setdefault(org_id, [0, 0])
        entry[0] += n
        if status == EnrollmentStatus.CONFIRMED:
            entry[1] += n
    orgs = {o.id: o for o in db.session.scalars(
        select(Organization).where(Organization.id.in_([k for k in totals if k] or [-1])))}
    result = [(orgs.get(k), v[0], v[1]) for k, v in totals.items()]
    result.sort(key=lambda r: (r[0] is None, r[0].sort_order if r[0] else 0, r[0].name if r[0] else ""))
    return result


def confirmed_roster(course_id: int) -> list[Enrollment]:
    """Confirmed participants with their user and organizations, for sheets and exports."""
    return sorted_roster(course_id, status=EnrollmentStatus.CONFIRMED.value)


# ---------------------------------------------------------------- printed and exported lists

def course_by_code(code: str) -> Course | None:
    """The course with this code (for the command line)."""
    return db.session.scalar(select(Course).where(Course.code == code.strip()))


def sign_in_sheet_pdf(course: Course, session_id: int | None = None) -> bytes:
    """The sign-in sheet of the course, or of one of its sessions, as PDF bytes."""
    from courses.enrollment.exports import sign_in_groups
    from courses.enrollment.pdf import SignInSheet, render_sign_in_sheet
    from courses.formatting import clock, weekday_date
    from courses.scheduling.models import CourseSession

    if session_id is not None:
        item = db.session.get(CourseSession, session_id)
        if item is None or item.course_id != course.id:
            raise DomainError(_("Không tìm thấy buổi học này trong lớp."))
        subtitle = f"{item.kind.label}: {item.display_title} · {clock(item.starts_at)}–{clock(item.ends_at)}, " \
                   f"{weekday_date(item.starts_at)}"
        if item.speaker is not None:
            subtitle += f" · {_('Báo cáo viên')}: {item.speaker.full_name}"
    else:
        days = weekday_date(course.starts_on)
        if course.ends_on != course.starts_on:
            days += " – " + weekday_date(course.ends_on)
        subtitle = f"{days} · {course.venue}" if course.venue else days
    sheet = SignInSheet(
        organization=course.organizing_unit.name,
        title=_("DANH SÁCH HỌC VIÊN KÝ TÊN"),
        course_title=f"{course.title} ({course.code})",
        subtitle=subtitle,
        groups=sign_in_groups(confirmed_roster(course.id)),
    )
    return render_sign_in_sheet(sheet)
