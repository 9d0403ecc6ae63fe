"""Registrations one by one: a participant registering or withdrawing, and an organizer
changing a status, approving pending registrations or adding an account by hand.

Each locks the course (lock_course) before counting seats, so two requests for the
last seat are served one after the other.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from courses.audit.services import record
from courses.auth.models import User
from courses.db_types import utcnow
from courses.enrollment.locking import lock_course
from courses.enrollment.models import Enrollment
from courses.enrollment.seats import promote_waitlist, seat_counts
from courses.enums import CourseStatus, EnrollmentSource, EnrollmentStatus, PartyPosition
from courses.exceptions import DomainError
from courses.extensions import db
from courses.formatting import LOCAL_TZ, local_datetime
from courses.organizations.services import grassroots_id
from courses.scheduling.models import Course

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


def find_course(course_id: int) -> Course | None:
    """The course with this id, or None (the withdrawal dialog names it before anything is locked)."""
    return db.session.get(Course, course_id)


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
        raise DomainError(reason)
    enrollment = find_enrollment(user.id, course.id)
    if enrollment is not None and enrollment.is_active:
        raise DomainError(_("Đồng chí đã đăng ký lớp này (%(status)s).", status=enrollment.status.label))
    if enrollment is not None and enrollment.status == EnrollmentStatus.REJECTED:
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
    if enrollment is None or not enrollment.is_active:
        raise DomainError(_("Đồng chí không có đăng ký nào đang hiệu lực ở lớp này."))
    if not enrollment.can_be_cancelled(utcnow().astimezone(LOCAL_TZ).date()):
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

def course_enrollment(course: Course, enrollment_id: int) -> Enrollment:
    """The enrollment enrollment_id of course, read fresh; refuses (and rolls back) any other."""
    enrollment = db.session.get(Enrollment, enrollment_id, populate_existing=True)
    if enrollment is None or enrollment.course_id != course.id:
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
    enrollment = course_enrollment(course, enrollment_id)
    before = enrollment.status
    if before == status:
        raise DomainError(_("Đăng ký đã ở trạng thái «%(status)s».", status=status.label))
    if status == EnrollmentStatus.REJECTED and not reason:
        raise DomainError(_("Vui lòng ghi lý do từ chối; học viên sẽ thấy lý do này."), field="reason")
    if status == EnrollmentStatus.CONFIRMED and not seat_counts(course).has_seat(None, use_quotas=False):
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
    if enrollment is not None and enrollment.is_active:
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
