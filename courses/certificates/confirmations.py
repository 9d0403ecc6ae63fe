"""What an irreversible certificate action will do, said before it is done.

Plain functions over the database (tests call them without HTTP): the serials «Cấp cho
tất cả học viên đạt» would use, computed without taking them; whether the course has
not ended yet; what changing the serial format mid-year means. The views put these
lines in the dialog (data-confirm) and on the confirmation page (courses/confirmation.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from courses.attendance import completion
from courses.certificates import issuing, printing
from courses.certificates import settings as certificate_settings
from courses.certificates.models import Certificate, SerialCounter
from courses.db_types import utcnow
from courses.exceptions import DomainError
from courses.extensions import db
from courses.formatting import LOCAL_TZ, local_datetime, short_date
from courses.scheduling.models import Course


@dataclass(frozen=True)
class IssuePlan:
    """What issuing to everyone due would do now."""

    count: int
    first_serial: str | None
    last_serial: str | None
    course_ends_at: datetime | None  # when the last session ends, if that is still to come


def _next_number(unit_code: str, year: int, starting_number: int) -> int:
    """The number the next certificate of (unit, year) would get; nothing is taken."""
    last = db.session.scalar(select(SerialCounter.last_number).where(
        SerialCounter.issuing_unit_code == unit_code, SerialCounter.serial_year == year))
    return (last if last is not None else max(starting_number - 1, 0)) + 1


def course_end(course: Course) -> datetime | None:
    """When the course's last session ends (None without sessions)."""
    ends = [session.ends_at for session in course.sessions if session.ends_at is not None]
    return max(ends) if ends else None


def not_ended(course: Course, now: datetime | None = None) -> datetime | None:
    """The end of the last session when it is still to come; None once the course is over."""
    now = now or utcnow()
    end = course_end(course)
    if end is None:
        if course.ends_on >= now.astimezone(LOCAL_TZ).date():
            return datetime.combine(course.ends_on, datetime.max.time(), tzinfo=LOCAL_TZ)
        return None
    return end if end > now else None


def issue_plan(course: Course, due: int | None = None) -> IssuePlan:
    """The certificates issue_all would give now, with their first and last serials."""
    if due is None:
        have = issuing.valid_certificates_by_enrollment(course.id)
        due = sum(1 for item in completion.completions(course) if item.qualifies and item.enrollment.id not in have)
    settings = certificate_settings.get_settings()
    now = utcnow()
    year = now.astimezone(LOCAL_TZ).year
    first = last = None
    if due:
        number = _next_number(settings.issuing_unit_code, year, settings.starting_number)
        first = certificate_settings.format_serial(settings.serial_format, number, settings.issuing_unit_code, year)
        last = certificate_settings.format_serial(settings.serial_format, number + due - 1, settings.issuing_unit_code, year)
    return IssuePlan(count=due, first_serial=first, last_serial=last, course_ends_at=not_ended(course, now))


def plan_token(plan: IssuePlan) -> str:
    """What the user agrees to, posted back with the form: the count and the serials."""
    return f"{plan.count}:{plan.first_serial or ''}:{plan.last_serial or ''}"


def issue_lines(plan: IssuePlan) -> list[str]:
    """What «Cấp cho tất cả học viên đạt» will do, one sentence a line."""
    if plan.count == 1:
        lines = [_("Cấp 1 giấy chứng nhận, số %(serial)s.", serial=plan.first_serial)]
    else:
        lines = [_("Cấp %(count)d giấy chứng nhận, số %(first)s–%(last)s.", count=plan.count,
                   first=plan.first_serial, last=plan.last_serial)]
    if plan.course_ends_at is not None:
        lines.append(_("Lớp chưa kết thúc (buổi cuối kết thúc %(when)s): học viên đạt lúc này có thể chưa đạt "
                       "khi lớp kết thúc.", when=local_datetime(plan.course_ends_at)))
    lines.append(_("Số đã cấp không lấy lại được; giấy cấp nhầm chỉ có thể thu hồi."))
    return lines


def issue_one_lines(course: Course) -> list[str] | None:
    """The warning for issuing one certificate before the course has ended (None after it)."""
    ends = not_ended(course)
    if ends is None:
        return None
    return [_("Lớp chưa kết thúc (buổi cuối kết thúc %(when)s): học viên đạt lúc này có thể chưa đạt "
              "khi lớp kết thúc.", when=local_datetime(ends)),
            _("Số đã cấp không lấy lại được; giấy cấp nhầm chỉ có thể thu hồi.")]


def revoke_lines(certificate: Certificate, reason: str | None = None) -> list[str]:
    """What revoking does; the reason is known only once typed (the confirmation page)."""
    user = certificate.enrollment.user
    unit = printing.unit_text(user.organization)
    holder = f"{user.full_name} ({unit})" if unit else user.full_name
    lines = [_("Thu hồi giấy chứng nhận số %(serial)s của %(holder)s.", serial=certificate.serial, holder=holder)]
    if (reason or "").strip():
        lines.append(_("Lý do: %(reason)s", reason=reason.strip()))
    lines.append(_("Trang xác thực sẽ báo giấy đã bị thu hồi; không khôi phục được (chỉ có thể cấp lại với số mới)."))
    return lines


def reissue_lines(certificate: Certificate, reason: str | None = None) -> list[str]:
    """What re-issuing does: the old certificate is revoked and a new serial is taken."""
    user = certificate.enrollment.user
    lines = [_("Cấp lại giấy chứng nhận số %(serial)s của %(holder)s: giấy này bị thu hồi và một giấy mới "
               "được cấp với số tiếp theo.", serial=certificate.serial, holder=user.full_name)]
    if (reason or "").strip():
        lines.append(_("Lý do: %(reason)s", reason=reason.strip()))
    return lines


def serial_format_lines(new_format: str | None, unit_code: str | None = None) -> list[str] | None:
    """Changing the serial format when this year's certificates already carry the current one.

    None when nothing needs saying: the format is unchanged, invalid (the save refuses it),
    or nothing was issued this year under the current unit code. new_format None: the
    warning the settings page gives before anything is typed (the dialog).
    """
    settings = certificate_settings.get_settings()
    if new_format is not None and (not new_format or new_format == settings.serial_format):
        return None
    now = utcnow().astimezone(LOCAL_TZ)
    this_year = (Certificate.serial_year == now.year, Certificate.issuing_unit_code == settings.issuing_unit_code)
    issued = db.session.scalar(select(func.count(Certificate.id)).where(*this_year))
    if not issued:
        return None
    last = db.session.scalar(select(Certificate.serial).where(*this_year)
                             .order_by(Certificate.serial_number.desc()).limit(1))
    lines = [_("Đổi mẫu số hiệu giữa năm: năm %(year)d đã cấp %(count)d giấy chứng nhận theo mẫu «%(old)s» "
               "(số gần nhất %(last)s).", year=now.year, count=issued, old=settings.serial_format, last=last)]
    if new_format is None:
        lines.append(_("Các giấy đã cấp giữ số cũ; giấy cấp tiếp theo sẽ theo mẫu mới, nên sổ cấp năm nay "
                       "có hai kiểu số."))
        return lines
    unit = unit_code or settings.issuing_unit_code
    try:
        sample = certificate_settings.format_serial(new_format, _next_number(unit, now.year, settings.starting_number),
                                        unit, now.year)
    except DomainError:  # the save refuses the format with its own message
        return None
    lines.append(_("Các giấy đã cấp giữ số cũ; giấy cấp tiếp theo sẽ mang số như %(sample)s, nên sổ cấp năm nay "
                   "có hai kiểu số.", sample=sample))
    return lines


def course_date_range(course: Course) -> str:
    """«2/12/2026» or «2/12/2026 – 4/12/2026» (the verification page)."""
    if course.starts_on == course.ends_on:
        return short_date(course.starts_on)
    return f"{short_date(course.starts_on)} – {short_date(course.ends_on)}"
