"""«Hồ sơ của tôi»: what a participant corrects themselves (name, job title, phone, language).

The unit and party position decide registration and quotas, so the page shows them and says
who corrects them (an admin, courses/admin/accounts.py).
"""
from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

from courses.audit.services import changed, record, snapshot
from courses.auth.models import User
from courses.exceptions import DomainError
from courses.extensions import db

PROFILE_FIELDS = ("full_name", "job_title", "phone", "locale")


def checked_details(full_name: str | None, job_title: str | None, phone: str | None
                    ) -> tuple[str, str | None, str | None]:
    """Name, job title and phone trimmed and within the columns' lengths (an empty job title or
    phone as None), or a DomainError on the field at fault; the same rule for one's own profile
    and for an admin's correction."""
    full_name, job_title, phone = (full_name or "").strip(), (job_title or "").strip(), (phone or "").strip()
    if not full_name:
        raise DomainError(_l("Vui lòng nhập họ và tên."), field="full_name")
    if len(full_name) > 255:
        raise DomainError(_l("Họ và tên dài tối đa 255 ký tự."), field="full_name")
    if len(job_title) > 255:
        raise DomainError(_l("Chức vụ chính quyền dài tối đa 255 ký tự."), field="job_title")
    if len(phone) > 40:
        raise DomainError(_l("Số điện thoại dài tối đa 40 ký tự."), field="phone")
    return full_name, job_title or None, phone or None


def update_profile(user: User, full_name: str, job_title: str, phone: str, locale: str) -> bool:
    """Save the user's own details (audited with what changed); False when nothing changed."""
    full_name, job_title, phone = checked_details(full_name, job_title, phone)
    if locale not in current_app.config["LANGUAGES"]:
        raise DomainError(_l("Ngôn ngữ không được hỗ trợ."), field="locale")
    before = snapshot(user, PROFILE_FIELDS)
    user.full_name, user.job_title, user.phone, user.locale = full_name, job_title, phone, locale
    before, after = changed(before, snapshot(user, PROFILE_FIELDS))
    if not after:
        db.session.rollback()
        return False
    record(user, "user.update_profile", user, before=before, after=after)
    db.session.commit()
    return True
