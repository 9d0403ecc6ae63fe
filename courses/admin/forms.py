"""Admin forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from courses.addresses import EmailAddress
from courses.enums import PartyPosition, Role
from courses.forms import BaseForm


class RoleForm(BaseForm):
    """Change one user's role."""

    role = SelectField(_l("Vai trò"), choices=Role.choices())
    submit = SubmitField(_l("Lưu"))


class AccountForm(BaseForm):
    """An admin's corrections to an account (the unit's choices are set by the view)."""

    full_name = StringField(_l("Họ và tên"), validators=[DataRequired(_l("Vui lòng nhập họ và tên.")),
                                                         Length(max=255)])
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Vui lòng nhập email.")),
                                                EmailAddress(_l("Địa chỉ email không hợp lệ.")), Length(max=255)])
    organization_id = SelectField(_l("Đơn vị (đảng bộ, chi bộ)"), coerce=int)
    party_position = SelectField(_l("Chức vụ Đảng"), choices=[("", "—")] + PartyPosition.choices())
    job_title = StringField(_l("Chức vụ chính quyền"), validators=[Length(max=255)])
    phone = StringField(_l("Điện thoại"), validators=[Length(max=40)])
    submit = SubmitField(_l("Lưu thay đổi"))
