"""Enrollment forms: register/cancel buttons, roster actions, quotas, import, nominations, set password."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import EmailField, HiddenField, IntegerField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from courses.addresses import EmailAddress
from courses.enums import EnrollmentStatus
from courses.forms import BaseForm, password_strength


class ActionForm(BaseForm):
    """A bare CSRF-protected button (register, cancel, bulk approve)."""

    submit = SubmitField(_l("Gửi"))


class StatusForm(BaseForm):
    """An organizer changes one registration's status."""

    status = SelectField(_l("Trạng thái"), choices=EnrollmentStatus.choices())
    reason = StringField(_l("Lý do"), validators=[Optional(), Length(max=1000)],
                         description=_l("Bắt buộc khi từ chối; học viên sẽ thấy lý do."))
    submit = SubmitField(_l("Lưu"))


class AddParticipantForm(BaseForm):
    """Add an existing account to the roster by email."""

    email = EmailField(_l("Email của học viên"), validators=[
        DataRequired(_l("Vui lòng nhập email.")),
        EmailAddress(_l("Địa chỉ email không hợp lệ.")), Length(max=255)])
    submit = SubmitField(_l("Thêm vào danh sách"))


class QuotaForm(BaseForm):
    """Give a grassroots organization a number of seats."""

    organization_id = SelectField(_l("Đảng bộ cơ sở"), coerce=int,
                                  validators=[DataRequired(_l("Vui lòng chọn đơn vị."))])
    seats = IntegerField(_l("Chỉ tiêu (số chỗ)"), validators=[
        InputRequired(_l("Vui lòng nhập số chỗ (0 để bỏ chỉ tiêu).")),
        NumberRange(min=0, max=100000, message=_l("Số chỗ phải từ 0 trở lên."))])
    submit = SubmitField(_l("Lưu chỉ tiêu"))


class ImportUploadForm(BaseForm):
    """Upload a participant list (XLSX or CSV)."""

    file = FileField(_l("Tệp danh sách (XLSX hoặc CSV)"), validators=[
        FileRequired(_l("Vui lòng chọn tệp.")),
        FileAllowed(["xlsx", "csv", "txt"], _l("Chỉ nhận tệp .xlsx hoặc .csv."))])
    submit = SubmitField(_l("Kiểm tra tệp"))


class ImportConfirmForm(BaseForm):
    """Confirm a previewed import."""

    token = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{32}$")])
    submit = SubmitField(_l("Xác nhận nhập danh sách"))


class NominateForm(BaseForm):
    """A unit coordinator nominates a member."""

    user_id = SelectField(_l("Đảng viên được cử"), coerce=int,
                          validators=[DataRequired(_l("Vui lòng chọn người được cử."))])
    submit = SubmitField(_l("Cử đi học"))


class SubstituteForm(BaseForm):
    """A unit coordinator replaces a nominee by another member."""

    user_id = SelectField(_l("Người thay"), coerce=int,
                          validators=[DataRequired(_l("Vui lòng chọn người thay."))])
    submit = SubmitField(_l("Thay người"))


class SetPasswordForm(BaseForm):
    """Set the password of an account created by an import."""

    password = PasswordField(_l("Mật khẩu mới"), validators=[
        DataRequired(_l("Vui lòng nhập mật khẩu.")), password_strength],
        description=_l("Ít nhất 8 ký tự, gồm cả chữ và số."))
    password_confirm = PasswordField(_l("Nhập lại mật khẩu"), validators=[
        DataRequired(_l("Vui lòng nhập lại mật khẩu.")), EqualTo("password", _l("Hai mật khẩu không khớp."))])
    submit = SubmitField(_l("Đặt mật khẩu"))
