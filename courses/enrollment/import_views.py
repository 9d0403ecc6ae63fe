"""Organizer pages of the participant import: the template, the upload with its per-row report,
and the confirmation that writes the list (the file waits on disk in between, not in the database).
"""
from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from courses.actions import attempt, run_service
from courses.enrollment import import_files, importer, tokens
from courses.enrollment.blueprint import bp, course_or_404, download
from courses.enrollment.forms import ImportConfirmForm, ImportUploadForm
from courses.permissions import staff_required

# ---------------------------------------------------------------- organizer: import

def _import_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _stash_upload(course_id: int, filename: str, data: bytes) -> str:
    """Keep the uploaded file until the organizer confirms (nothing goes into the database)."""
    directory = _import_dir()
    for old in directory.glob("*.upload"):
        if old.stat().st_mtime < time.time() - 86400:
            old.unlink(missing_ok=True)
    token = secrets.token_hex(16)
    suffix = ".xlsx" if data.startswith(b"PK") else ".csv"
    (directory / f"{course_id}-{token}{suffix}.upload").write_bytes(data)
    return token


def _stashed(course_id: int, token: str) -> tuple[Path, str] | None:
    if not re.fullmatch(r"[0-9a-f]{32}", token or ""):
        return None
    for suffix in (".xlsx", ".csv"):
        path = _import_dir() / f"{course_id}-{token}{suffix}.upload"
        if path.exists():
            return path, "file" + suffix
    return None


@bp.route("/courses/<int:course_id>/import/template.xlsx")
@staff_required
def import_template(course_id: int):
    """The XLSX template to fill in."""
    course_or_404(course_id)
    return download(import_files.template_xlsx(), "mau-danh-sach-hoc-vien.xlsx",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/courses/<int:course_id>/import", methods=["GET", "POST"])
@staff_required
def import_upload(course_id: int):
    """Upload a list; show the per-row report; nothing is written yet."""
    course = course_or_404(course_id)
    form = ImportUploadForm()
    plan = None
    confirm_form = None
    if form.validate_on_submit():
        data = form.file.data.read()
        outcome = run_service(lambda: importer.plan_import(
            course, import_files.parse_spreadsheet(form.file.data.filename, data)))
        if not outcome.ok:
            form.add_domain_error(outcome.error)
        else:
            plan = outcome.result
            if plan.ok:
                confirm_form = ImportConfirmForm(token=_stash_upload(course.id, form.file.data.filename, data))
    status = 400 if request.method == "POST" and (form.errors or form.form_errors or (plan and not plan.ok)) else 200
    return render_template("enrollment/import.html", course=course, form=form, plan=plan,
                           confirm_form=confirm_form), status


@bp.route("/courses/<int:course_id>/import/confirm", methods=["POST"])
@staff_required
def import_confirm(course_id: int):
    """Write the previewed list in one transaction and show the set-password links."""
    course = course_or_404(course_id)
    form = ImportConfirmForm()
    stashed = _stashed(course.id, form.token.data) if form.validate_on_submit() else None
    if stashed is None:
        flash(_("Phiên nhập danh sách đã hết hạn; hãy tải tệp lên lại."), "warning")
        return redirect(url_for("enrollment.import_upload", course_id=course.id))
    path, name = stashed
    outcome = attempt(lambda: importer.apply_import(
        current_user, course.id, importer.plan_import(course, import_files.parse_spreadsheet(name, path.read_bytes()))))
    if not outcome.ok:
        return redirect(url_for("enrollment.import_upload", course_id=course.id))
    result = outcome.result
    path.unlink(missing_ok=True)
    links = [(user, tokens.set_password_url(user)) for user in result.new_users]
    return render_template("enrollment/import_done.html", course=course, result=result, links=links)
