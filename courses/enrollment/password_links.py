"""Set-password links for a course's participants who never set a password.

An imported participant whose one-time link was lost could not log in at all (so not check
in by QR either): organizers download a fresh link for each of them as a spreadsheet, to hand
out or send through the office's own mail. Handing out a link lets its holder into the
account, so each download is in the audit log.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from courses.audit.services import record
from courses.auth.models import User
from courses.db_types import utcnow
from courses.enrollment.models import ACTIVE_STATUSES, Enrollment
from courses.enrollment.tokens import set_password_url
from courses.exports import Spreadsheet
from courses.extensions import db
from courses.formatting import local_datetime
from courses.organizations.services import unit_display_name
from courses.text import person_key


def _without_password(course_id: int):
    return (select(User).join(Enrollment, Enrollment.user_id == User.id)
            .where(Enrollment.course_id == course_id, Enrollment.status.in_(ACTIVE_STATUSES),
                   User.password_hash.is_(None), User.is_active_account.is_(True)))


def count_without_password(course_id: int) -> int:
    """How many of the course's registered participants cannot log in yet (the roster says so)."""
    return db.session.scalar(select(func.count()).select_from(_without_password(course_id).subquery()))


def participants_without_password(course_id: int) -> list[User]:
    """Those participants, in the one order of lists of people."""
    users = db.session.scalars(_without_password(course_id).options(joinedload(User.organization))).all()
    return sorted(users, key=person_key)


def links_workbook(actor: User, course) -> tuple[bytes, int]:
    """The spreadsheet of fresh links (STT, name, address, unit, link, valid until) and its row
    count; the download is audited. Links stay valid until used or until they expire."""
    users = participants_without_password(course.id)
    valid_until = local_datetime(utcnow() + timedelta(days=current_app.config.get("SET_PASSWORD_LINK_DAYS", 14)))
    spreadsheet = Spreadsheet()
    sheet = spreadsheet.add_sheet(
        _("Liên kết đặt mật khẩu"),
        [_("STT"), _("Họ và tên"), _("Email"), _("Đơn vị"), _("Liên kết đặt mật khẩu"), _("Hết hạn")],
        heading=f"{course.code} – {course.title}", freeze=True, widths=(6, 28, 30, 40, 90, 18))
    for number, user in enumerate(users, start=1):
        sheet.append([number, user.full_name, user.email, unit_display_name(user.organization),
                      set_password_url(user), valid_until])
    record(actor, "enrollment.set_password_links", course, after={"links": len(users)})
    db.session.commit()
    return spreadsheet.to_bytes(), len(users)
