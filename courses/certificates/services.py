"""Certificate rules: settings, gap-free numbering, issuing, revocation, re-issue, printing data."""
from __future__ import annotations

import base64
import secrets
import tempfile
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from courses.attendance import services as attendance
from courses.audit.services import record
from courses.auth.models import User
from courses.certificates import signing
from courses.certificates.models import Certificate, CertificateSettings, SerialCounter
from courses.certificates.pdf import CertificateData, CertificateLayout, CertificateWriter
from courses.certificates.statements import StatementSigner
from courses.db_types import utcnow
from courses.enrollment.models import Enrollment
from courses.exceptions import DomainError
from courses.extensions import db
from courses.formatting import LOCAL_TZ, document_date, short_date
from courses.organizations.models import Organization
from courses.routing import public_base_url
from courses.scheduling.models import Course
from courses.sql_dialect import begin_write_on_sqlite, insert_ignoring_conflicts
from courses.text import name_key

DEFAULT_SETTINGS = dict(
    issuing_unit_name="Đảng ủy Khối các cơ quan Trung ương",
    issuing_unit_code="ĐUK",
    serial_format="{number:04d}/GCN-{unit}",
    starting_number=1,
    place="Hà Nội",
    signer_capacity="T/M Ban Thường vụ",
    signer_title="Phó Bí thư",
    # A fictional signer: the real one is set by the admin.
    signer_name="Trần Văn Mẫu",
)


# --- settings ----------------------------------------------------------------------------

def get_settings() -> CertificateSettings:
    """The certificate settings row, created with defaults the first time."""
    settings = db.session.get(CertificateSettings, 1)
    if settings is None:
        # Two first issuers at once: the loser's insert does nothing.
        db.session.execute(insert_ignoring_conflicts(
            CertificateSettings, ["id"], id=1, form_positions={}, form_offset_x_mm=0.0,
            form_offset_y_mm=0.0, updated_at=utcnow(), **DEFAULT_SETTINGS))
        settings = db.session.get(CertificateSettings, 1)
    return settings


def format_serial(serial_format: str, number: int, unit: str, year: int) -> str:
    """The printed serial: format with {number}, {unit} and {year}."""
    try:
        return serial_format.format(number=number, unit=unit, year=year)
    except (KeyError, IndexError, ValueError):
        raise DomainError(_("Mẫu số hiệu không hợp lệ. Dùng {number}, {unit} và {year}, ví dụ {number:04d}/GCN-{unit}."),
                          field="serial_format") from None


def update_settings(actor: User, values: dict, signature: tuple[bytes, str] | None = None,
                    remove_signature: bool = False) -> CertificateSettings:
    """Save the admin's certificate settings; signature is (image bytes, extension)."""
    settings = get_settings()
    sample = format_serial(values.get("serial_format", settings.serial_format), 42,
                           values.get("issuing_unit_code", settings.issuing_unit_code), 2022)
    if "{number" not in values.get("serial_format", settings.serial_format):
        raise DomainError(_("Mẫu số hiệu phải có {number}."), field="serial_format")
    before = {k: getattr(settings, k) for k in values}
    for key, value in values.items():
        setattr(settings, key, value)
    upload_dir = Path(current_app.config["UPLOAD_DIR"])
    if remove_signature or signature:
        if settings.signature_stored_name:
            (upload_dir / settings.signature_stored_name).unlink(missing_ok=True)
        settings.signature_stored_name = None
    if signature:
        data, extension = signature
        upload_dir.mkdir(parents=True, exist_ok=True)
        name = secrets.token_hex(16) + "." + extension
        (upload_dir / name).write_bytes(data)
        settings.signature_stored_name = name
    record(actor, "certificate_settings.update", settings, before=before,
           after={**{k: getattr(settings, k) for k in values}, "sample": sample})
    db.session.commit()
    return settings


def signature_path(settings: CertificateSettings) -> str | None:
    if not settings.signature_stored_name:
        return None
    path = Path(current_app.config["UPLOAD_DIR"]) / settings.signature_stored_name
    return str(path) if path.exists() else None


# --- numbering ---------------------------------------------------------------------------

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
    due = [item.enrollment for item in attendance.completions(course)
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
    item = next((c for c in attendance.completions(course) if c.enrollment.id == enrollment.id), None)
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


# --- lookups -----------------------------------------------------------------------------

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


def status_text(certificate: Certificate) -> str:
    if certificate.replaced_by is not None:
        return _("Đã thay bằng số %(serial)s", serial=certificate.replaced_by.serial)
    if certificate.revoked_at is not None:
        return _("Đã thu hồi ngày %(date)s", date=short_date(certificate.revoked_at))
    return _("Còn hiệu lực")


# --- printing ----------------------------------------------------------------------------

def verify_url(code: str, base: str | None = None) -> str:
    return f"{base or public_base_url()}/verify/{code}"


def layout_for(settings: CertificateSettings) -> CertificateLayout:
    return CertificateLayout(
        issuing_unit_name=settings.issuing_unit_name, signer_capacity=settings.signer_capacity,
        signer_title=settings.signer_title, signer_name=settings.signer_name,
        signature_path=signature_path(settings), form_offset_x_mm=settings.form_offset_x_mm or 0.0,
        form_offset_y_mm=settings.form_offset_y_mm or 0.0, form_positions=settings.form_positions or {},
    )


def unit_text(organization: Organization | None) -> str:
    """The participant's unit: a cell with its grassroots organization."""
    if organization is None:
        return ""
    if organization.parent is not None and organization.kind.value == "cell":
        return f"{organization.name}, {organization.parent.name}"
    return organization.name


def course_dates(course: Course) -> str:
    if course.starts_on == course.ends_on:
        d = course.starts_on
        return f"tổ chức ngày {d.day}/{d.month}/{d.year}"
    a, b = course.starts_on, course.ends_on
    return f"tổ chức từ ngày {a.day}/{a.month}/{a.year} đến ngày {b.day}/{b.month}/{b.year}"


def certificate_data(certificate: Certificate, user: User, course: Course,
                     settings: CertificateSettings, base: str) -> CertificateData:
    issued = certificate.issued_at.astimezone(LOCAL_TZ)
    statement = StatementSigner(settings.issuing_unit_name).sign(
        certificate.serial, user.full_name, course.code, course.title, course.starts_on, course.ends_on,
        issued.date())
    position = ", ".join(p for p in (user.party_position.label if user.party_position else "",
                                     user.job_title or "") if p)
    return CertificateData(
        serial_text=f"Số: {certificate.serial}",
        full_name=user.full_name,
        position=position,
        unit=unit_text(user.organization),
        course_line=f"Đã hoàn thành chương trình lớp {course.title}, {course_dates(course)}.",
        place_date=document_date(settings.place, issued.date()),
        verify_url=verify_url(certificate.verification_code, base),
        verification_code=certificate.verification_code,
        specimen=course.is_demo,
        overprint=overprint_text(certificate),
        offline_statement=statement,
    )


def overprint_text(certificate: Certificate) -> str:
    """What a revoked or replaced certificate's copy says across its page («» when valid).

    In Vietnamese whatever the reader's language, like the rest of the certificate.
    """
    if certificate.replaced_by is not None:
        return f"ĐÃ ĐƯỢC THAY THẾ BẰNG SỐ {certificate.replaced_by.serial}"
    if certificate.revoked_at is not None:
        return "ĐÃ THU HỒI"
    return ""


def course_print_data(course: Course) -> Iterator[CertificateData]:
    """Every valid certificate of a course in roster order, from one query of plain columns."""
    from sqlalchemy.orm import aliased

    from courses.enums import EnrollmentStatus

    settings = get_settings()
    base = public_base_url()
    signer = StatementSigner(settings.issuing_unit_name)
    unit, parent = aliased(Organization), aliased(Organization)
    rows = db.session.execute(
        select(Certificate.serial, Certificate.verification_code, Certificate.issued_at,
               User.id, User.full_name, User.party_position, User.job_title,
               unit.name, unit.kind, parent.name)
        .join(Enrollment, Certificate.enrollment_id == Enrollment.id)
        .join(User, Enrollment.user_id == User.id)
        .outerjoin(unit, User.organization_id == unit.id)
        .outerjoin(parent, unit.parent_id == parent.id)
        .where(Enrollment.course_id == course.id, Enrollment.status == EnrollmentStatus.CONFIRMED,
               Certificate.revoked_at.is_(None))
    ).all()
    rows.sort(key=lambda row: name_key(row[4], row[3]))
    labels: dict = {}
    course_line = f"Đã hoàn thành chương trình lớp {course.title}, {course_dates(course)}."
    dates: dict = {}
    for (serial, code, issued_at, _user_id, full_name, position, job_title,
         unit_name, unit_kind, parent_name) in rows:
        if position not in labels:
            labels[position] = position.label if position else ""
        position_text = ", ".join(p for p in (labels[position], job_title or "") if p)
        if unit_name is None:
            unit_line = ""
        elif unit_kind is not None and unit_kind.value == "cell" and parent_name:
            unit_line = f"{unit_name}, {parent_name}"
        else:
            unit_line = unit_name
        day = issued_at.astimezone(LOCAL_TZ).date()
        if day not in dates:
            dates[day] = document_date(settings.place, day)
        yield CertificateData(
            serial_text=f"Số: {serial}", full_name=full_name, position=position_text, unit=unit_line,
            course_line=course_line, place_date=dates[day], verify_url=f"{base}/verify/{code}",
            verification_code=code, specimen=course.is_demo,
            offline_statement=signer.sign(serial, full_name, course.code, course.title, course.starts_on,
                                          course.ends_on, day),
        )


def write_certificate_file(out: BinaryIO, items: Iterable[CertificateData], preprinted: bool = False,
                           title: str = "Giấy chứng nhận", progress=None, sign: bool = True) -> int:
    """Draw items onto out, one page each, and sign the file once; returns the page count.

    The one loop around the certificate writer: a single download, the course's bulk file,
    the print job and the command line all come here, so all of them are signed.
    progress(done) is called after each page (the print job reports it).
    """
    settings = get_settings()
    writer_out = tempfile.TemporaryFile() if sign and signing.signing_enabled() else out
    try:
        writer = CertificateWriter(writer_out, layout_for(settings), preprinted=preprinted, title=title)
        for done, item in enumerate(items, start=1):
            writer.add(item)
            if progress is not None:
                progress(done)
        writer.close()
        if writer_out is not out:
            writer_out.seek(0)
            signing.sign_pdf(writer_out, out, settings.signer_name, settings.place)
    finally:
        if writer_out is not out:
            writer_out.close()
    return writer.count


def print_course(course: Course, out: BinaryIO, preprinted: bool = False, limit: int | None = None,
                 sign: bool = True) -> int:
    """Draw every valid certificate of the course onto out in roster order; returns the page count.

    The bulk print of the course page, the command line and benchmarks/certificates.py
    (which prints the first `limit`). Rows are read in one query of plain columns and each
    certificate is drawn as it comes (see CertificateWriter for what a page keeps in memory).
    """
    from itertools import islice

    items = course_print_data(course)
    if limit is not None:
        items = islice(items, limit)
    return write_certificate_file(out, items, preprinted=preprinted, title=f"Giấy chứng nhận — {course.code}",
                                  sign=sign)


def load_course(course_id: int) -> Course | None:
    return attendance.course_with_sessions(course_id)


def course_by_code(code: str) -> Course | None:
    course_id = db.session.scalar(select(Course.id).where(Course.code == code))
    return load_course(course_id) if course_id else None
