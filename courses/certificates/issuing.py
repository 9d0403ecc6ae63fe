"""Issuing certificates: gap-free serial numbers, issue to all or one, revoke, re-issue."""
from __future__ import annotations

import base64
import secrets
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from courses.attendance import completion
from courses.audit.services import record
from courses.auth.models import User
from courses.certificates.models import Certificate, CertificateSettings, SerialCounter
from courses.certificates.settings import format_serial, get_settings
from courses.db_types import utcnow
from courses.enrollment.models import Enrollment
from courses.exceptions import DomainError
from courses.extensions import db
from courses.formatting import LOCAL_TZ
from courses.scheduling.models import Course
from courses.sql_dialect import begin_write_on_sqlite, insert_ignoring_conflicts


def next_serial_number(unit_code: str, year: int, starting_number: int) -> int:
    """The next number for (unit, year), taken under a lock so none is shared or skipped.

    Runs in the caller's transaction: a rollback gives the number back.
    """
    return next_serial_numbers(unit_code, year, starting_number, 1)[0]


def next_serial_numbers(unit_code: str, year: int, starting_number: int, count: int) -> list[int]:
    """count consecutive numbers for (unit, year) in one locked step (see next_serial_number)."""
    begin_write_on_sqlite()
    db.session.execute(insert_ignoring_conflicts(
        SerialCounter, ["issuing_unit_code", "serial_year"], issuing_unit_code=unit_code,
        serial_year=year, last_number=max(starting_number - 1, 0)))
    last = db.session.execute(
        update(SerialCounter)
        .where(SerialCounter.issuing_unit_code == unit_code, SerialCounter.serial_year == year)
        .values(last_number=SerialCounter.last_number + count)
        .returning(SerialCounter.last_number)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return list(range(last - count + 1, last + 1))


def new_verification_code() -> str:
    """80 random bits as 16 base32 letters and digits (no padding)."""
    return base64.b32encode(secrets.token_bytes(10)).decode("ascii")


def _create(actor: User | None, enrollment: Enrollment, settings: CertificateSettings,
            manual_reason: str | None = None, number: int | None = None, now: datetime | None = None) -> Certificate:
    now = now or utcnow()
    year = now.astimezone(LOCAL_TZ).year
    if number is None:
        number = next_serial_number(settings.issuing_unit_code, year, settings.starting_number)
    certificate = Certificate(
        enrollment_id=enrollment.id, issuing_unit_code=settings.issuing_unit_code,
        serial_year=year, serial_number=number,
        serial=format_serial(settings.serial_format, number, settings.issuing_unit_code, year),
        verification_code=new_verification_code(), issued_at=now,
        issued_by_id=getattr(actor, "id", None), manual_reason=manual_reason,
    )
    db.session.add(certificate)
    return certificate


def valid_certificates_by_enrollment(course_id: int) -> dict[int, Certificate]:
    rows = db.session.scalars(
        select(Certificate).join(Enrollment, Certificate.enrollment_id == Enrollment.id)
        .where(Enrollment.course_id == course_id, Certificate.revoked_at.is_(None))
    ).all()
    return {c.enrollment_id: c for c in rows}


def issue_all(actor: User | None, course: Course) -> list[Certificate]:
    """A certificate for everyone who qualifies and has no valid one yet.

    When someone else issues for the same course at the same moment, their certificates
    win the unique index; this call then starts over and issues only what is still due.
    """
    try:
        return _issue_all_once(actor, course)
    except IntegrityError:
        db.session.rollback()
    try:
        return _issue_all_once(actor, course)
    except IntegrityError:
        db.session.rollback()
        raise DomainError(_("Đang có người khác cấp giấy chứng nhận cho lớp này. "
                            "Vui lòng tải lại trang và thử lại.")) from None


def _issue_all_once(actor: User | None, course: Course) -> list[Certificate]:
    settings = get_settings()
    have = valid_certificates_by_enrollment(course.id)
    due = [item.enrollment for item in completion.completions(course)
           if item.qualifies and item.enrollment.id not in have]
    if not due:
        return []
    now = utcnow()
    numbers = next_serial_numbers(settings.issuing_unit_code, now.astimezone(LOCAL_TZ).year,
                                  settings.starting_number, len(due))
    issued = [_create(actor, enrollment, settings, number=number, now=now)
              for enrollment, number in zip(due, numbers)]
    db.session.flush()
    for certificate in issued:
        record(actor, "certificate.issue", certificate, after=_snapshot(certificate))
    db.session.commit()
    return issued


def issue_one(actor: User, course: Course, enrollment_id: int, reason: str | None) -> Certificate:
    """A certificate for one participant; a reason is required when the rule isn't met."""
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.course_id != course.id:
        raise DomainError(_("Học viên này không có trong danh sách lớp."))
    item = next((c for c in completion.completions(course) if c.enrollment.id == enrollment.id), None)
    if item is None:
        raise DomainError(_("Chỉ cấp giấy chứng nhận cho học viên đã được xác nhận."))
    if enrollment.id in valid_certificates_by_enrollment(course.id):
        raise DomainError(_("Học viên này đã có giấy chứng nhận còn hiệu lực."))
    reason = (reason or "").strip() or None
    if not item.qualifies and not reason:
        raise DomainError(_("Học viên chưa đạt điều kiện hoàn thành: vui lòng ghi lý do cấp."), field="reason")
    course_id = course.id
    try:
        certificate = _create(actor, enrollment, get_settings(), manual_reason=reason)
        record(actor, "certificate.issue", certificate, after=_snapshot(certificate))
        db.session.commit()
    except IntegrityError:
        # Someone issued to this participant between the check above and our insert: the
        # unique index on valid certificates refused ours. Nothing of ours is kept (the
        # serial number goes back too); say who won.
        db.session.rollback()
        existing = valid_certificates_by_enrollment(course_id).get(enrollment_id)
        if existing is None:
            raise
        raise DomainError(_("Học viên này vừa được cấp giấy chứng nhận số %(serial)s "
                            "(có người khác cấp cùng lúc).", serial=existing.serial)) from None
    return certificate


def _snapshot(certificate: Certificate) -> dict:
    return {"serial": certificate.serial, "enrollment_id": certificate.enrollment_id,
            "manual_reason": certificate.manual_reason,
            "revoked": certificate.revoked_at is not None, "revoke_reason": certificate.revoke_reason,
            "replaced_by_id": certificate.replaced_by_id}


def revoke(actor: User, certificate: Certificate, reason: str) -> Certificate:
    """Revoke a valid certificate, with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Vui lòng ghi lý do thu hồi."), field="reason")
    if certificate.revoked_at is not None:
        raise DomainError(_("Giấy chứng nhận này đã bị thu hồi."))
    before = _snapshot(certificate)
    actor_id = actor.id
    certificate.revoke_reason = reason
    certificate.revoked_by_id = actor_id
    certificate.revoked_at = utcnow()
    record(actor, "certificate.revoke", certificate, before=before, after=_snapshot(certificate))
    db.session.commit()
    return certificate


def reissue(actor: User, certificate: Certificate, reason: str) -> Certificate:
    """A new certificate with a new serial in place of this one, which is shown as replaced."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Vui lòng ghi lý do cấp lại."), field="reason")
    if certificate.replaced_by_id is not None:
        raise DomainError(_("Giấy chứng nhận này đã được cấp lại."))
    before = _snapshot(certificate)
    actor_id = actor.id
    enrollment_id, course_id = certificate.enrollment_id, certificate.enrollment.course_id
    if certificate.revoked_at is None:
        certificate.revoke_reason = _("Cấp lại: %(reason)s", reason=reason)
        certificate.revoked_by_id = actor_id
        certificate.revoked_at = utcnow()
        db.session.flush()
    elif valid_certificates_by_enrollment(certificate.enrollment.course_id).get(certificate.enrollment_id):
        raise DomainError(_("Học viên này đã có giấy chứng nhận khác còn hiệu lực."))
    try:
        new = _create(actor, certificate.enrollment, get_settings(),
                      manual_reason=certificate.manual_reason)
        db.session.flush()
        certificate.replaced_by_id = new.id
        record(actor, "certificate.reissue", certificate, before=before,
               after={**_snapshot(certificate), "new_serial": new.serial, "reason": reason})
        record(actor, "certificate.issue", new, after=_snapshot(new))
        db.session.commit()
    except IntegrityError:
        # Another admin re-issued (or issued) for this participant at the same moment.
        db.session.rollback()
        if valid_certificates_by_enrollment(course_id).get(enrollment_id) is None:
            raise
        raise DomainError(_("Giấy chứng nhận này vừa được người khác cấp lại hoặc thay đổi. "
                            "Vui lòng tải lại trang.")) from None
    return new
