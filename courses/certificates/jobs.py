"""Job kind: every valid certificate of a course in one PDF, printed in the background.

A course of 2,000 participants takes longer to draw than a request may last, so the
certificates page offers this job; its page shows the pages drawn so far.
"""
from __future__ import annotations

import dataclasses

from flask import current_app, has_request_context
from flask_babel import lazy_gettext as _l
from wtforms import StringField

from courses.certificates import lookups, printing
from courses.enums import Role
from courses.exceptions import DomainError
from courses.jobs.params import JobParamsForm
from courses.jobs.registry import ResultFile, job_kind
from courses.jobs.storage import scratch_path
from courses.routing import MAX_ID, public_base_url
from courses.text import parse_ascii_int

KIND = "certificates.print_course"
PDF = "application/pdf"
# From this many certificates the page recommends the job over the direct download.
LARGE_BATCH = 300


class PrintCourseForm(JobParamsForm):
    """course_id (the certificates page) or course_code (the jobs page), and preprinted."""

    course_id = StringField()
    course_code = StringField()
    preprinted = StringField()

    def params(self) -> dict:
        raw_id = self.course_id.data or ""
        code = self.course_code.data or ""
        if raw_id:
            # ASCII digits only: «²».isdigit() is true, and int() refuses it.
            course_id = parse_ascii_int(raw_id) if len(raw_id) <= 12 else None
            if course_id is None or course_id > MAX_ID:
                raise DomainError(_l("Lớp học không hợp lệ."), field="course_id")
            course = lookups.load_course(course_id)
        elif code:
            if len(code) > 50:
                raise DomainError(_l("Mã lớp quá dài (tối đa 50 ký tự)."), field="course_code")
            course = lookups.course_by_code(code)
        else:
            raise DomainError(_l("Vui lòng nhập mã lớp."), field="course_code")
        if course is None:
            raise DomainError(_l("Không tìm thấy lớp học."), field="course_code")
        params = {"course_id": course.id, "preprinted": self.preprinted.data in ("1", "y", "on", "true")}
        # The job runs outside any request: keep the address the QR codes should point at.
        if has_request_context():
            params["base_url"] = public_base_url()
        return params


@job_kind(KIND, label=_l("In giấy chứng nhận của một lớp (PDF)"), roles=(Role.ORGANIZER, Role.ADMIN),
          form=PrintCourseForm, form_template="certificates/_print_job_form.html",
          description=_l("Mọi giấy chứng nhận còn hiệu lực của lớp trong một tệp PDF, theo thứ tự danh sách; "
                         "dùng cho lớp đông (hàng nghìn học viên)."))
def print_course(job, report_progress) -> ResultFile:
    """Draw the course's valid certificates page by page into a file in the results directory."""
    params = job.params or {}
    course = lookups.load_course(int(params.get("course_id") or 0))
    if course is None:
        raise DomainError(_l("Lớp học không còn tồn tại."))
    items = list(printing.course_print_data(course))
    total = len(items)
    report_progress(0, total)
    base = (params.get("base_url") or "").rstrip("/")
    if base and not current_app.config.get("PUBLIC_BASE_URL"):
        items = [dataclasses.replace(item, verify_url=printing.verify_url(item.verification_code, base))
                 for item in items]
    preprinted = bool(params.get("preprinted"))
    path = scratch_path(".pdf")
    try:
        with path.open("wb") as out:
            printing.write_certificate_file(out, items, preprinted=preprinted,
                                            title=f"Giấy chứng nhận — {course.code}",
                                            progress=lambda done: report_progress(done, total))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    suffix = "-phoi" if preprinted else ""
    return ResultFile(filename=f"giay-chung-nhan-{course.code}{suffix}.pdf", content_type=PDF, path=path)
