"""When attendance may change: the lock after a course, its reopening, the check-in window; its audit."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from courses.attendance.models import Attendance, AttendanceReopening
from courses.audit.services import record
from courses.auth.models import User
from courses.db_types import utcnow
from courses.enums import AttendanceStatus, SessionKind
from courses.exceptions import DomainError
from courses.extensions import db
from courses.formatting import local_datetime
from courses.scheduling.models import Course, CourseSession

REASON_MAX = 500
# Sessions where attendance is taken (not breaks).
ATTENDED_KINDS = (SessionKind.OPENING, SessionKind.TOPIC, SessionKind.CLOSING)


def require_attended(session: CourseSession) -> None:
    if session.kind not in ATTENDED_KINDS:
        raise DomainError(_("Không điểm danh ở giờ giải lao."))


def lock_days() -> int:
    return int(current_app.config.get("ATTENDANCE_LOCK_DAYS", 7))


def _last_session_end(course_id: int) -> datetime | None:
    return db.session.scalar(select(sa.func.max(CourseSession.ends_at)).where(CourseSession.course_id == course_id))


def latest_reopening(course_id: int) -> AttendanceReopening | None:
    return db.session.scalar(
        select(AttendanceReopening).where(AttendanceReopening.course_id == course_id)
        .order_by(AttendanceReopening.reopened_at.desc(), AttendanceReopening.id.desc()).limit(1))


def lock_time(course_id: int) -> datetime | None:
    """When the course's attendance locks (or locked): ATTENDANCE_LOCK_DAYS after its last
    session, or after its latest reopening, whichever is later; None without sessions."""
    end = _last_session_end(course_id)
    if end is None:
        return None
    days = timedelta(days=lock_days())
    at = end + days
    reopening = latest_reopening(course_id)
    if reopening is not None:
        at = max(at, reopening.reopened_at + days)
    return at


def locked_since(course_id: int, now: datetime | None = None) -> datetime | None:
    """The moment the course's attendance locked, or None while it may still change."""
    at = lock_time(course_id)
    return at if at is not None and (now or utcnow()) >= at else None


def require_open(course_id: int) -> None:
    """Refuse any change of a course's attendance once it is locked."""
    since = locked_since(course_id)
    if since is not None:
        raise DomainError(_("Điểm danh của lớp này đã khóa từ %(when)s (%(days)d ngày sau buổi học cuối). "
                            "Cần sửa, xin quản trị viên mở lại.", when=local_datetime(since), days=lock_days()))


def reopen(actor: User, course: Course, reason: str) -> AttendanceReopening:
    """An admin reopens a locked course's attendance for one more grace period; audited."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Vui lòng nhập lý do mở lại điểm danh."), field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(_("Lý do không được dài quá %(max)d ký tự.", max=REASON_MAX), field="reason")
    since = locked_since(course.id)
    if since is None:
        raise DomainError(_("Điểm danh của lớp này chưa khóa, không cần mở lại."))
    reopening = AttendanceReopening(course_id=course.id, reopened_by_id=actor.id, reason=reason,
                                    reopened_at=utcnow())
    db.session.add(reopening)
    db.session.flush()
    record(actor, "attendance.reopen", course, before={"locked_since": since.isoformat()},
           after={"reason": reason, "open_until": lock_time(course.id).isoformat()})
    db.session.commit()
    return reopening


# --- QR check-in window ------------------------------------------------------------------

def check_in_window(session: CourseSession) -> tuple[datetime, datetime]:
    """From CHECKIN_OPENS_MINUTES_BEFORE the session's start until its end."""
    before = timedelta(minutes=int(current_app.config.get("CHECKIN_OPENS_MINUTES_BEFORE", 60)))
    return session.starts_at - before, session.ends_at


def require_check_in_window(session: CourseSession, now: datetime | None = None) -> None:
    opens, closes = check_in_window(session)
    now = now or utcnow()
    if not opens <= now < closes:
        raise DomainError(_("Điểm danh bằng mã QR chỉ mở từ %(opens)s đến %(closes)s.",
                            opens=local_datetime(opens), closes=local_datetime(closes)), field="code")


def roll_call_warning(session: CourseSession, now: datetime | None = None) -> str | None:
    """A warning when a session is still hours away: likely the wrong session's roll call."""
    opens, _closes = check_in_window(session)
    if (now or utcnow()) < opens:
        return _("Buổi học này bắt đầu lúc %(when)s, chưa đến giờ học. Hãy kiểm tra bạn đang điểm danh đúng buổi.",
                 when=local_datetime(session.starts_at))
    return None


def rotation_text(minutes: int) -> str:
    """«90 giây»: how often the check-in screen really rotates its code (half its lifetime)."""
    seconds = rotation_seconds(minutes)
    if seconds % 60 == 0:
        return _("%(count)d phút", count=seconds // 60)
    return _("%(count)d giây", count=seconds)


def rotation_seconds(minutes: int) -> int:
    """The screen asks for a new code when half of a code's lifetime is left: a code just
    scanned stays valid while its participant types or logs in."""
    return max(1, int(minutes * 60) // 2)


# --- Audit ---------------------------------------------------------------------------------

def audit_change(actor: User | None, action: str, attendance: Attendance,
                 before: AttendanceStatus | None) -> None:
    """One attendance change in the audit log, in the caller's transaction (flushed first)."""
    if attendance.id is None:
        db.session.flush()
    record(actor, action, object_type="Attendance", object_id=attendance.id,
           before={"status": before.value} if before is not None else None,
           after={"status": attendance.status.value, "method": attendance.method.value,
                  "session_id": attendance.session_id, "enrollment_id": attendance.enrollment_id})
