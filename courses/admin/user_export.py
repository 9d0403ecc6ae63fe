"""Built-in job kind: the user list as an XLSX workbook (admins), with progress.

It is also the model for the kinds other features add in their own jobs.py.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import AnyOf, Length, Optional

from courses.admin import queries
from courses.enums import Role
from courses.exports import XLSX, Spreadsheet
from courses.extensions import db
from courses.formatting import LOCAL_TZ
from courses.jobs.params import JobParamsForm
from courses.jobs.registry import ResultFile, job_kind
from courses.jobs.storage import scratch_path
from courses.organizations.services import unit_display_name

BATCH = 500


class UsersExportForm(JobParamsForm):
    """The same filters as the user list page: q (name or email) and role."""

    q = StringField(validators=[Optional(), Length(max=255, message=_l("Từ khóa tìm kiếm quá dài (tối đa 255 ký tự)."))])
    role = StringField(validators=[Optional(), AnyOf([r.value for r in Role], message=_l("Vai trò không hợp lệ."))])

    def params(self) -> dict:
        return {"q": self.q.data or "", "role": self.role.data or ""}


def _local(moment: datetime | None):
    return moment.astimezone(LOCAL_TZ).replace(tzinfo=None) if moment else None


@job_kind("users.export_xlsx", label=_l("Xuất danh sách người dùng (XLSX)"), roles=(Role.ADMIN,),
          form=UsersExportForm, form_template="jobs/_users_export_form.html",
          description=_l("Mọi tài khoản (hoặc những tài khoản khớp bộ lọc) với đơn vị, chức vụ, "
                         "vai trò và lần đăng nhập cuối."))
def export_users(job, report_progress) -> ResultFile:
    """Write the matching users, batch by batch, into a write-only (memory-flat) workbook."""
    params = job.params or {}
    ordered_ids = queries.ordered_user_ids(params.get("q") or "", params.get("role") or "")
    total = len(ordered_ids)
    report_progress(0, total)

    spreadsheet = Spreadsheet(write_only=True)
    headers = [_("STT"), _("Họ và tên"), _("Email"), _("Vai trò"), _("Đơn vị"), _("Chức vụ Đảng"),
               _("Chức vụ chính quyền"), _("Điện thoại"), _("Tạo lúc"), _("Đăng nhập lần cuối"),
               _("Đang hoạt động")]
    sheet = spreadsheet.add_sheet(_("Người dùng"), headers)

    done = 0
    for start in range(0, total, BATCH):
        ids = ordered_ids[start:start + BATCH]
        by_id = {user.id: user for user in queries.load_users(ids)}
        batch = [by_id[user_id] for user_id in ids if user_id in by_id]
        for user in batch:
            done += 1
            sheet.append([
                done,
                user.full_name,
                user.email,
                str(user.role.label),
                unit_display_name(user.organization),
                str(user.party_position.label) if user.party_position else "",
                user.job_title or "",
                user.phone or "",
                _local(user.created_at),
                _local(user.last_login_at),
                _("Có") if user.is_active_account else _("Không"),
            ])
        db.session.expunge_all()  # keep memory flat on large lists
        report_progress(done, total)

    path = scratch_path(".xlsx")
    spreadsheet.save(path)
    return ResultFile(filename=f"nguoi-dung-{job.id}.xlsx", content_type=XLSX, path=path)
