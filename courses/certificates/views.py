"""Certificate pages: issuing, printing, the register, the result report, settings, verification."""
from __future__ import annotations

import tempfile
from datetime import datetime

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from courses.actions import attempt, run_service
from courses.attendance import completion
from courses.certificates import confirmations, issuing, lookups, printing, reports, result_report, signing
from courses.certificates import register as register_book
from courses.certificates import settings as certificate_settings
from courses.certificates.forms import ReasonForm, RequiredReasonForm, SettingsForm, positions_text
from courses.certificates.jobs import LARGE_BATCH
from courses.certificates.models import Certificate
from courses.confirmation import confirm_first
from courses.downloads import send_download
from courses.errors import render_error
from courses.exports import XLSX
from courses.extensions import limiter
from courses.formatting import LOCAL_TZ
from courses.permissions import admin_required, is_staff, login_required, public, require, staff_required
from courses.routing import found_or_404, int_arg, page_arg, public_base_url

bp = Blueprint("certificates", __name__, cli_group="certificates")

PDF = "application/pdf"
REGISTER_PER_PAGE = 50  # a table of one line per certificate, like the other admin tables


@bp.app_errorhandler(signing.SigningUnavailable)
def signing_unavailable(error: signing.SigningUnavailable):
    """No key to sign with: say so (503), rather than print an unsigned certificate."""
    return render_error(503, error.message)


def _course_or_404(course_id: int):
    return found_or_404(lookups.load_course(course_id))


def _certificate_or_404(certificate_id: int) -> Certificate:
    return found_or_404(lookups.certificate_with_details(certificate_id))


def _send_pdf_pages(items, filename: str, preprinted: bool = False, title: str = "Giấy chứng nhận"):
    """Draw pages into a temporary file (flat memory) and send it."""
    out = tempfile.TemporaryFile()
    printing.write_certificate_file(out, items, preprinted=preprinted, title=title)
    out.seek(0)
    return send_download(out, filename, PDF, inline=True)


@bp.route("/certificates/courses/<int:course_id>")
@staff_required
def course(course_id: int):
    """Who qualifies and why not; the certificates issued; printing."""
    course = _course_or_404(course_id)
    completions = completion.completions(course)
    certificates = lookups.course_certificates(course.id)
    valid = {c.enrollment_id: c for c in certificates if c.revoked_at is None}
    due = sum(1 for c in completions if c.qualifies and c.enrollment.id not in valid)
    plan = confirmations.issue_plan(course, due=due)
    return render_template("certificates/course.html", course=course, completions=completions,
                           certificates=certificates, valid=valid, form=ReasonForm(),
                           status_text=lookups.status_text, due=due,
                           issue_lines=confirmations.issue_lines(plan) if due else [],
                           issue_plan=confirmations.plan_token(plan),
                           issue_one_lines=confirmations.issue_one_lines(course),
                           revoke_lines=confirmations.revoke_lines, reissue_lines=confirmations.reissue_lines,
                           unit_text=printing.unit_text,
                           large_batch=len(valid) >= LARGE_BATCH)


@bp.route("/certificates/courses/<int:course_id>/issue", methods=["POST"])
@staff_required
def issue_all(course_id: int):
    course = _course_or_404(course_id)
    if ReasonForm().validate_on_submit():
        plan = confirmations.issue_plan(course)
        page = confirm_first(_("Cấp cho tất cả học viên đạt"), confirmations.issue_lines(plan),
                             url_for("certificates.course", course_id=course.id), needed=plan.count > 0,
                             agreed=("plan", confirmations.plan_token(plan)))
        if page is not None:
            return page
        attempt(lambda: issuing.issue_all(current_user, course),
                lambda issued: _("Đã cấp %(count)d giấy chứng nhận.", count=len(issued)))
    return redirect(url_for("certificates.course", course_id=course.id))


@bp.route("/certificates/courses/<int:course_id>/issue/<int:enrollment_id>", methods=["POST"])
@staff_required
def issue_one(course_id: int, enrollment_id: int):
    course = _course_or_404(course_id)
    form = ReasonForm()
    if form.validate_on_submit():
        warning = confirmations.issue_one_lines(course)
        page = confirm_first(_("Cấp giấy chứng nhận trước khi lớp kết thúc"), warning or [],
                             url_for("certificates.course", course_id=course.id), needed=warning is not None)
        if page is not None:
            return page
        attempt(lambda: issuing.issue_one(current_user, course, enrollment_id, form.reason.data),
                lambda certificate: _("Đã cấp giấy chứng nhận số %(serial)s.", serial=certificate.serial))
    return redirect(url_for("certificates.course", course_id=course.id))


@bp.route("/certificates/<int:certificate_id>/revoke", methods=["POST"])
@admin_required
def revoke(certificate_id: int):
    certificate = _certificate_or_404(certificate_id)
    form = RequiredReasonForm()
    if form.validate_on_submit():
        page = confirm_first(_("Thu hồi giấy chứng nhận số %(serial)s", serial=certificate.serial),
                             confirmations.revoke_lines(certificate, form.reason.data),
                             url_for("certificates.course", course_id=certificate.enrollment.course_id),
                             needed=certificate.revoked_at is None)
        if page is not None:
            return page
        attempt(lambda: issuing.revoke(current_user, certificate, form.reason.data),
                lambda revoked: _("Đã thu hồi giấy chứng nhận số %(serial)s.", serial=revoked.serial))
    else:
        flash(_("Vui lòng ghi lý do thu hồi."), "danger")
    return redirect(url_for("certificates.course", course_id=certificate.enrollment.course_id))


@bp.route("/certificates/<int:certificate_id>/reissue", methods=["POST"])
@admin_required
def reissue(certificate_id: int):
    certificate = _certificate_or_404(certificate_id)
    form = RequiredReasonForm()
    if form.validate_on_submit():
        page = confirm_first(_("Cấp lại giấy chứng nhận số %(serial)s", serial=certificate.serial),
                             confirmations.reissue_lines(certificate, form.reason.data),
                             url_for("certificates.course", course_id=certificate.enrollment.course_id),
                             needed=certificate.replaced_by_id is None)
        if page is not None:
            return page
        attempt(lambda: issuing.reissue(current_user, certificate, form.reason.data),
                lambda new: _("Đã cấp lại: số mới %(serial)s thay cho số %(old)s.", serial=new.serial,
                              old=certificate.serial))
    else:
        flash(_("Vui lòng ghi lý do cấp lại."), "danger")
    return redirect(url_for("certificates.course", course_id=certificate.enrollment.course_id))


@bp.route("/certificates/<int:certificate_id>.pdf")
@login_required
def download(certificate_id: int):
    """One certificate: its holder or organizers and admins."""
    certificate = _certificate_or_404(certificate_id)
    require(lookups.can_download(current_user, certificate))
    if certificate.revoked_at is not None and not is_staff(current_user):
        return render_error(404, _("Giấy chứng nhận này đã bị thu hồi hoặc được thay thế."))
    enrollment = certificate.enrollment
    data = printing.certificate_data(certificate, enrollment.user, enrollment.course,
                                     certificate_settings.get_settings(), public_base_url())
    return _send_pdf_pages([data], f"giay-chung-nhan-{certificate.verification_code}.pdf")


@bp.route("/certificates/mine")
@login_required
def mine():
    """The logged-in participant's own certificates."""
    return render_template("certificates/mine.html", certificates=lookups.holder_certificates(current_user.id),
                           status_text=lookups.status_text)


@bp.route("/certificates/courses/<int:course_id>/certificates.pdf")
@staff_required
def course_pdf(course_id: int):
    """Every valid certificate of a course in one PDF, in roster order (?preprinted=1 for blanks)."""
    course = _course_or_404(course_id)
    preprinted = request.args.get("preprinted") == "1"
    suffix = "-phoi" if preprinted else ""
    out = tempfile.TemporaryFile()  # on disk, not in memory: a course may have thousands
    printing.print_course(course, out, preprinted=preprinted)
    out.seek(0)
    return send_download(out, f"giay-chung-nhan-{course.code}{suffix}.pdf", PDF, inline=True)


@bp.route("/certificates/register")
@staff_required
def register():
    """The issuance register (sổ cấp giấy chứng nhận), by number or by holder's name (?order=name)."""
    year = int_arg("year", 1, 9999)
    order = register_book.RegisterOrder.parse(request.args.get("order"))
    page = register_book.register_page(year, order, page_arg(), REGISTER_PER_PAGE)
    return render_template("certificates/register.html", page=page, year=year, order=order,
                           orders=list(register_book.RegisterOrder), years=register_book.register_years(),
                           status_text=lookups.status_text)


@bp.route("/certificates/register.<any(pdf, xlsx):fmt>")
@staff_required
def register_export(fmt: str):
    year = int_arg("year", 1, 9999)
    order = register_book.RegisterOrder.parse(request.args.get("order"))
    tables = register_book.register_tables(register_book.register_rows(year=year, order=order))
    name = f"so-cap-giay-chung-nhan{'-' + str(year) if year else ''}"
    settings = certificate_settings.get_settings()
    if fmt == "xlsx":
        return _send_bytes(reports.tables_xlsx(tables), XLSX, name + ".xlsx")
    heading = _("SỔ CẤP GIẤY CHỨNG NHẬN")
    sub = _("Năm %(year)s", year=year) if year else ""
    return _send_bytes(reports.tables_pdf(heading, sub, tables, [settings.issuing_unit_name.upper()]), PDF, name + ".pdf")


@bp.route("/certificates/courses/<int:course_id>/report.<any(pdf, xlsx):fmt>")
@staff_required
def report(course_id: int, fmt: str):
    """The course result report for the higher committee (báo cáo kết quả lớp bồi dưỡng)."""
    course = _course_or_404(course_id)
    tables = result_report.result_report_tables(course)
    name = f"bao-cao-ket-qua-{course.code}"
    if fmt == "xlsx":
        return _send_bytes(reports.tables_xlsx(tables), XLSX, name + ".xlsx")
    settings = certificate_settings.get_settings()
    heading = _("BÁO CÁO KẾT QUẢ LỚP BỒI DƯỠNG")
    sub = f"{course.title} ({course.code}), {printing.course_dates(course.starts_on, course.ends_on)}"
    return _send_bytes(reports.tables_pdf(heading, sub, tables, [settings.issuing_unit_name.upper()]), PDF, name + ".pdf")


def _send_bytes(data: bytes, mimetype: str, filename: str):
    return send_download(data, filename, mimetype, inline=mimetype == PDF)


@bp.route("/certificates/settings", methods=["GET", "POST"])
@admin_required
def settings():
    """The admin's certificate settings."""
    settings = certificate_settings.get_settings()
    form = SettingsForm(obj=settings)
    if request.method == "GET":
        form.form_positions.data = positions_text(settings.form_positions)
    if form.validate_on_submit():
        change = confirmations.serial_format_lines(form.serial_format.data, form.issuing_unit_code.data)
        page = confirm_first(_("Đổi mẫu số hiệu giữa năm"), change or [], url_for("certificates.settings"),
                             needed=change is not None)
        if page is not None:
            return page
        values = {name: getattr(form, name).data for name in (
            "issuing_unit_name", "issuing_unit_code", "serial_format", "starting_number", "place",
            "signer_capacity", "signer_title", "signer_name", "form_offset_x_mm", "form_offset_y_mm")}
        values["form_positions"] = form.parsed_positions
        signature = None
        upload = form.signature.data
        if upload and getattr(upload, "filename", ""):
            extension = upload.filename.rsplit(".", 1)[-1].lower().replace("jpeg", "jpg")
            signature = (upload.read(), extension)
            if not _is_image(signature[0]):
                form.signature.errors = [_("Tệp không phải ảnh PNG hoặc JPEG.")]
                return render_template("certificates/settings.html", form=form, settings=settings), 400
        outcome = run_service(lambda: certificate_settings.update_settings(
            current_user, values, signature=signature, remove_signature=form.remove_signature.data))
        if not outcome.ok:
            form.add_domain_error(outcome.error)
            return render_template("certificates/settings.html", form=form, settings=settings), 400
        flash(_("Đã lưu cài đặt giấy chứng nhận."), "success")
        return redirect(url_for("certificates.settings"))
    return render_template("certificates/settings.html", form=form, settings=settings,
                           serial_warning=confirmations.serial_format_lines(None)), 400 if form.errors else 200


def _is_image(data: bytes) -> bool:
    """A PNG or JPEG that decodes completely (a broken one would break every PDF)."""
    import io

    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("PNG", "JPEG"):
                return False
            image.load()
    except Exception:  # any decoding failure means: not an image we can print
        return False
    return True


@bp.route("/certificates/settings/sample.pdf")
@admin_required
def sample():
    """A specimen certificate with the current settings (?preprinted=1 for the blanks mode)."""
    data = printing.specimen_data(certificate_settings.get_settings(), datetime.now(LOCAL_TZ).date())
    return _send_pdf_pages([data], "giay-chung-nhan-mau.pdf", preprinted=request.args.get("preprinted") == "1")


# --- public verification ---------------------------------------------------------------

def _verify_limit() -> str:
    return current_app.config.get("VERIFY_RATE_LIMIT", "30 per minute")


@bp.route("/verify")
@public
@limiter.limit(_verify_limit)
def verify_form():
    """Type a verification code (printed under the QR code)."""
    code = (request.args.get("code") or "").strip()
    if code:
        return redirect(url_for("certificates.verify", code="".join(ch for ch in code.upper() if ch.isalnum())))
    return render_template("certificates/verify_form.html")


def _issuing_unit(certificate: Certificate) -> str:
    """The issuing unit's name; its code alone when the settings have since moved to another unit."""
    settings = certificate_settings.get_settings()
    if settings.issuing_unit_code == certificate.issuing_unit_code:
        return settings.issuing_unit_name
    return certificate.issuing_unit_code


@bp.route("/verify/<code>")
@public
@limiter.limit(_verify_limit)
def verify(code: str):
    """Public: name, course, date, serial and status of a certificate; nothing else."""
    certificate = lookups.by_verification_code(code)
    if certificate is None:
        return render_error(404, _("Không tìm thấy giấy chứng nhận có mã xác thực «%(code)s». "
                                   "Vui lòng kiểm tra lại mã.", code=code[:40]))
    return render_template("certificates/verify.html", certificate=certificate,
                           status_text=lookups.status_text(certificate),
                           issuing_unit=_issuing_unit(certificate),
                           course_dates=confirmations.course_date_range(certificate.enrollment.course))
