"""Reading certificates and their courses: by id, by verification code, a course's list."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import aliased, joinedload

from courses.attendance import services as attendance
from courses.auth.models import User
from courses.certificates.models import Certificate
from courses.enrollment.models import Enrollment
from courses.extensions import db
from courses.formatting import short_date
from courses.organizations.models import Organization
from courses.scheduling.models import Course


def certificate_with_details(certificate_id: int) -> Certificate | None:
    return db.session.scalar(
        select(Certificate).where(Certificate.id == certificate_id)
        .options(joinedload(Certificate.enrollment).joinedload(Enrollment.user)
                 .joinedload(User.organization).joinedload(Organization.parent),
                 joinedload(Certificate.enrollment).joinedload(Enrollment.course),
                 joinedload(Certificate.replaced_by))
    )


def by_verification_code(code: str) -> Certificate | None:
    code = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    if not code:
        return None
    certificate = db.session.scalar(select(Certificate.id).where(Certificate.verification_code == code))
    return certificate_with_details(certificate) if certificate else None


def can_download(user, certificate: Certificate) -> bool:
    """Organizers and admins download any certificate; a participant only their own."""
    from courses.permissions import is_staff

    return is_staff(user) or (user.is_authenticated and certificate.enrollment.user_id == user.id)


def course_certificates(course_id: int) -> list[Certificate]:
    """Every certificate of a course (valid or not), newest serial last."""
    return list(db.session.scalars(
        select(Certificate).join(Enrollment, Certificate.enrollment_id == Enrollment.id)
        .where(Enrollment.course_id == course_id)
        .options(joinedload(Certificate.replaced_by),
                 joinedload(Certificate.enrollment).joinedload(Enrollment.user)
                 .joinedload(User.organization).joinedload(Organization.parent))
        .order_by(Certificate.serial_year, Certificate.serial_number)
    ))


def holder_certificates(user_id: int) -> list[Certificate]:
    """A participant's certificates (valid or not) with their courses, newest first."""
    return list(db.session.scalars(
        select(Certificate).join(Enrollment, Certificate.enrollment_id == Enrollment.id)
        .where(Enrollment.user_id == user_id)
        .options(joinedload(Certificate.enrollment).joinedload(Enrollment.course), joinedload(Certificate.replaced_by))
        .order_by(Certificate.issued_at.desc())
    ))


def status_text(certificate: Certificate) -> str:
    if certificate.replaced_by is not None:
        return _("Đã thay bằng số %(serial)s", serial=certificate.replaced_by.serial)
    if certificate.revoked_at is not None:
        return _("Đã thu hồi ngày %(date)s", date=short_date(certificate.revoked_at))
    return _("Còn hiệu lực")


def load_course(course_id: int) -> Course | None:
    return attendance.course_with_sessions(course_id)


def course_by_code(code: str) -> Course | None:
    course_id = db.session.scalar(select(Course.id).where(Course.code == code))
    return load_course(course_id) if course_id else None


def revocation_entries() -> list[dict]:
    """Every revoked certificate's serial, date, and the serial that replaced it (one query)."""
    replacement = aliased(Certificate)
    rows = db.session.execute(
        select(Certificate.serial, Certificate.revoked_at, replacement.serial)
        .outerjoin(replacement, Certificate.replaced_by_id == replacement.id)
        .where(Certificate.revoked_at.is_not(None))
        .order_by(Certificate.revoked_at, Certificate.id)
    ).all()
    return [{"serial": serial, "revoked_on": revoked_at.date().isoformat(),
             "status": "replaced" if replaced_by else "revoked", "replaced_by": replaced_by or ""}
            for serial, revoked_at, replaced_by in rows]
