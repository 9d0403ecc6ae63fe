"""QR self check-in: rotating codes for a session, opened only around it, and the participant's check-in."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from courses.attendance import rules
from courses.attendance.models import Attendance, CheckInCode
from courses.auth.models import User
from courses.db_types import utcnow
from courses.enrollment.models import Enrollment
from courses.enums import AttendanceMethod, AttendanceStatus, CourseStatus, EnrollmentStatus
from courses.exceptions import DomainError
from courses.extensions import db
from courses.scheduling.models import CourseSession
from courses.text import normalize_code

# Letters and digits that cannot be mistaken for one another when typed.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6


def active_code(session_id: int, now: datetime | None = None) -> CheckInCode | None:
    """The newest unexpired check-in code of a session."""
    now = now or utcnow()
    return db.session.scalar(
        select(CheckInCode).where(CheckInCode.session_id == session_id, CheckInCode.expires_at > now)
        .order_by(CheckInCode.created_at.desc(), CheckInCode.id.desc()).limit(1)
    )


def was_opened(session_id: int) -> bool:
    """Whether check-in was ever opened for a session (so no active code means it is closed)."""
    return db.session.scalar(select(CheckInCode.id).where(CheckInCode.session_id == session_id).limit(1)) is not None


def new_code(actor: User, session: CourseSession, minutes: int) -> CheckInCode:
    """Open (or rotate) check-in for a session: a fresh code valid for minutes.

    Only within the session's check-in window, and while its course's attendance is open.
    """
    rules.require_attended(session)
    rules.require_open(session.course_id)
    rules.require_check_in_window(session)
    now = utcnow()
    for _attempt in range(10):
        code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
        if db.session.scalar(select(CheckInCode.id).where(CheckInCode.code == code)) is None:
            break
    item = CheckInCode(session_id=session.id, code=code, created_at=now,
                       expires_at=now + timedelta(minutes=minutes), created_by_id=actor.id)
    db.session.add(item)
    db.session.commit()
    return item


def close_check_in(actor: User, session: CourseSession) -> None:
    """End check-in now: every code of the session expires."""
    now = utcnow()
    for item in db.session.scalars(
        select(CheckInCode).where(CheckInCode.session_id == session.id, CheckInCode.expires_at > now)
    ):
        item.expires_at = max(now, item.created_at + timedelta(microseconds=1))
    db.session.commit()


@dataclass
class CheckInResult:
    session: CourseSession
    recorded: bool


def _closed() -> DomainError:
    return DomainError(_("Điểm danh bằng mã QR của buổi này đã đóng. Nếu bạn có mặt mà chưa được ghi nhận, "
                         "vui lòng báo ban tổ chức."), field="code")


def check_in(user: User, code: str, session_id: int | None = None) -> CheckInResult:
    """Mark user present by a check-in code; repeating it changes nothing."""
    code = normalize_code(code)
    item = db.session.scalar(
        select(CheckInCode).where(CheckInCode.code == code)
        .options(joinedload(CheckInCode.session).joinedload(CourseSession.course))
    ) if code else None
    if item is not None and item.session.course.status == CourseStatus.DRAFT:
        item = None  # a draft course does not exist for participants
    if session_id is not None and item is None:
        session = db.session.get(CourseSession, session_id)
        if session is not None and active_code(session_id) is None:
            if was_opened(session_id):
                raise _closed()
            raise DomainError(_("Buổi học này chưa mở điểm danh. Vui lòng đợi ban tổ chức mở mã điểm danh."), field="code")
    if item is None:
        raise DomainError(_("Mã điểm danh không đúng. Vui lòng kiểm tra lại mã trên màn hình."), field="code")
    if session_id is not None and item.session_id != session_id:
        raise DomainError(_("Mã này thuộc một buổi học khác. Vui lòng quét mã đang hiển thị cho buổi của bạn."), field="code")
    if item.expires_at <= utcnow():
        if active_code(item.session_id) is None:
            raise _closed()
        raise DomainError(_("Mã điểm danh đã hết hạn. Vui lòng quét hoặc nhập mã mới đang hiển thị."), field="code")
    session = item.session
    rules.require_check_in_window(session)
    enrollment = db.session.scalar(
        select(Enrollment).where(Enrollment.user_id == user.id, Enrollment.course_id == session.course_id)
    )
    if enrollment is None or enrollment.status != EnrollmentStatus.CONFIRMED:
        raise DomainError(_("Bạn không có trong danh sách học viên đã xác nhận của lớp này."), field="code")
    attendance = db.session.scalar(
        select(Attendance).where(Attendance.enrollment_id == enrollment.id,
                                 Attendance.session_id == session.id)
    )
    if attendance is not None and attendance.status == AttendanceStatus.PRESENT:
        return CheckInResult(session, False)
    rules.require_open(session.course_id)
    before = attendance.status if attendance is not None else None
    if attendance is None:
        attendance = Attendance(enrollment_id=enrollment.id, session_id=session.id)
        db.session.add(attendance)
    attendance.status = AttendanceStatus.PRESENT
    attendance.method = AttendanceMethod.SELF_CHECK_IN
    attendance.recorded_by_id = user.id
    attendance.recorded_at = utcnow()
    rules.audit_change(user, "attendance.check_in", attendance, before)
    db.session.commit()
    return CheckInResult(session, True)


def checked_in(session_id: int) -> list[Attendance]:
    """Who is present at a session, latest first."""
    return list(db.session.scalars(
        select(Attendance).where(Attendance.session_id == session_id,
                                 Attendance.status == AttendanceStatus.PRESENT)
        .options(joinedload(Attendance.enrollment).joinedload(Enrollment.user))
        .order_by(Attendance.recorded_at.desc(), Attendance.id.desc())
    ))
