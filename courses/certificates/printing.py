"""What a certificate says, and the one loop that draws certificates into a signed PDF."""
from __future__ import annotations

import tempfile
from datetime import date
from typing import BinaryIO, Iterable, Iterator

from sqlalchemy import select

from courses.auth.models import User
from courses.certificates import signing
from courses.certificates.models import Certificate, CertificateSettings
from courses.certificates.pdf import CertificateData, CertificateLayout, CertificateWriter
from courses.certificates.settings import format_serial, get_settings, signature_path
from courses.certificates.statements import StatementSigner
from courses.enrollment.models import Enrollment
from courses.extensions import db
from courses.formatting import LOCAL_TZ, document_date
from courses.organizations.models import Organization
from courses.routing import public_base_url
from courses.scheduling.models import Course
from courses.text import name_key


def verify_url(code: str, base: str | None = None) -> str:
    return f"{base or public_base_url()}/verify/{code}"


def layout_for(settings: CertificateSettings) -> CertificateLayout:
    return CertificateLayout(
        issuing_unit_name=settings.issuing_unit_name, signer_capacity=settings.signer_capacity,
        signer_title=settings.signer_title, signer_name=settings.signer_name,
        signature_path=signature_path(settings), form_offset_x_mm=settings.form_offset_x_mm or 0.0,
        form_offset_y_mm=settings.form_offset_y_mm or 0.0, form_positions=settings.form_positions or {},
    )


def unit_line(name: str | None, kind, parent_name: str | None) -> str:
    """The participant's unit: a cell with its grassroots organization («Chi bộ 1, Đảng bộ X»)."""
    if name is None:
        return ""
    if kind is not None and kind.value == "cell" and parent_name:
        return f"{name}, {parent_name}"
    return name


def unit_text(organization: Organization | None) -> str:
    if organization is None:
        return ""
    return unit_line(organization.name, organization.kind,
                     organization.parent.name if organization.parent is not None else None)


def position_text(position_label: str, job_title: str | None) -> str:
    """«Bí thư chi bộ, Trưởng phòng»: the party position, then the job, either may be missing."""
    return ", ".join(part for part in (position_label, job_title or "") if part)


def _numeric_date(value: date) -> str:
    # The certificate is in Vietnamese whatever the reader's language: no Babel pattern here.
    return f"{value.day}/{value.month}/{value.year}"


def course_dates(starts_on: date, ends_on: date) -> str:
    """«tổ chức ngày 2/12/2022» or «tổ chức từ ngày 2/12/2022 đến ngày 4/12/2022»."""
    if starts_on == ends_on:
        return f"tổ chức ngày {_numeric_date(starts_on)}"
    return f"tổ chức từ ngày {_numeric_date(starts_on)} đến ngày {_numeric_date(ends_on)}"


def course_line(title: str, starts_on: date, ends_on: date) -> str:
    return f"Đã hoàn thành chương trình lớp {title}, {course_dates(starts_on, ends_on)}."


def certificate_data(certificate: Certificate, user: User, course: Course,
                     settings: CertificateSettings, base: str) -> CertificateData:
    issued = certificate.issued_at.astimezone(LOCAL_TZ)
    statement = StatementSigner(settings.issuing_unit_name).sign(
        certificate.serial, user.full_name, course.code, course.title, course.starts_on, course.ends_on,
        issued.date())
    return CertificateData(
        serial_text=f"Số: {certificate.serial}",
        full_name=user.full_name,
        position=position_text(user.party_position.label if user.party_position else "", user.job_title),
        unit=unit_text(user.organization),
        course_line=course_line(course.title, course.starts_on, course.ends_on),
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
    line = course_line(course.title, course.starts_on, course.ends_on)
    dates: dict = {}
    for (serial, code, issued_at, _user_id, full_name, position, job_title,
         unit_name, unit_kind, parent_name) in rows:
        if position not in labels:
            labels[position] = position.label if position else ""
        day = issued_at.astimezone(LOCAL_TZ).date()
        if day not in dates:
            dates[day] = document_date(settings.place, day)
        yield CertificateData(
            serial_text=f"Số: {serial}", full_name=full_name,
            position=position_text(labels[position], job_title), unit=unit_line(unit_name, unit_kind, parent_name),
            course_line=line, place_date=dates[day], verify_url=f"{base}/verify/{code}",
            verification_code=code, specimen=course.is_demo,
            offline_statement=signer.sign(serial, full_name, course.code, course.title, course.starts_on,
                                          course.ends_on, day),
        )


def specimen_data(settings: CertificateSettings, today: date) -> CertificateData:
    """The sample certificate of the settings page: a fictional holder, today's next serial."""
    return CertificateData(
        serial_text="Số: " + format_serial(settings.serial_format, settings.starting_number,
                                           settings.issuing_unit_code, today.year),
        full_name="Nguyễn Văn Mẫu", position="Bí thư chi bộ", unit="Chi bộ Văn phòng",
        course_line=course_line("Bồi dưỡng nghiệp vụ công tác Đảng", today, today),
        place_date=document_date(settings.place, today),
        verify_url=verify_url("MAUMAUMAUMAUMAUM"), verification_code="MAUMAUMAUMAUMAUM", specimen=True,
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
