"""Account forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from courses.addresses import EmailAddress
from courses.enums import PartyPosition
from courses.forms import BaseForm, password_strength


class LoginForm(BaseForm):
    """Log in with email and password."""

    email = EmailField(_l("Email"), validators=[DataRequired(_l("Vui lòng nhập email.")), Length(max=255)])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(_l("Vui lòng nhập mật khẩu."))])
    remember = BooleanField(_l("Ghi nhớ đăng nhập"))
    submit = SubmitField(_l("Đăng nhập"))


class RegistrationForm(BaseForm):
    """Participant sign-up."""

    full_name = StringField(
        _l("Họ và tên"),
        validators=[DataRequired(_l("Vui lòng nhập họ và tên.")), Length(max=255)],
    )
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Vui lòng nhập email.")),
            EmailAddress(_l("Địa chỉ email không hợp lệ.")),
            Length(max=255),
        ],
    )
    organization_id = SelectField(
        _l("Đơn vị (đảng bộ, chi bộ)"),
        coerce=int,
        validators=[DataRequired(_l("Vui lòng chọn đơn vị."))],
    )
    party_position = SelectField(
        _l("Chức vụ Đảng"),
        choices=PartyPosition.choices(),
        validators=[DataRequired(_l("Vui lòng chọn chức vụ Đảng."))],
    )
    job_title = StringField(
        _l("Chức vụ chính quyền"),
        validators=[Optional(), Length(max=255)],
        description=_l("Ví dụ: Vụ trưởng, Phó Vụ trưởng, Chuyên viên."),
    )
    password = PasswordField(
        _l("Mật khẩu"),
        validators=[DataRequired(_l("Vui lòng nhập mật khẩu.")), password_strength],
        description=_l("Ít nhất 8 ký tự, gồm cả chữ và số."),
    )
    password_confirm = PasswordField(
        _l("Nhập lại mật khẩu"),
        validators=[
            DataRequired(_l("Vui lòng nhập lại mật khẩu.")),
            EqualTo("password", _l("Hai mật khẩu không khớp.")),
        ],
    )
    submit = SubmitField(_l("Đăng ký tài khoản"))


class ChangePasswordForm(BaseForm):
    """Change one's own password."""

    current_password = PasswordField(
        _l("Mật khẩu hiện tại"), validators=[DataRequired(_l("Vui lòng nhập mật khẩu hiện tại."))]
    )
    new_password = PasswordField(
        _l("Mật khẩu mới"),
        validators=[DataRequired(_l("Vui lòng nhập mật khẩu mới.")), password_strength],
        description=_l("Ít nhất 8 ký tự, gồm cả chữ và số."),
    )
    new_password_confirm = PasswordField(
        _l("Nhập lại mật khẩu mới"),
        validators=[
            DataRequired(_l("Vui lòng nhập lại mật khẩu mới.")),
            EqualTo("new_password", _l("Hai mật khẩu không khớp.")),
        ],
    )
    submit = SubmitField(_l("Đổi mật khẩu"))


class LogoutEverywhereForm(BaseForm):
    """End every session of one's account (only the CSRF token is posted)."""

    submit = SubmitField(_l("Đăng xuất khỏi mọi thiết bị"))


class ProfileForm(BaseForm):
    """One's own details (the language choices come from the app's LANGUAGES)."""

    full_name = StringField(_l("Họ và tên"), validators=[DataRequired(_l("Vui lòng nhập họ và tên.")),
                                                         Length(max=255)])
    job_title = StringField(_l("Chức vụ chính quyền"), validators=[Length(max=255)])
    phone = StringField(_l("Điện thoại"), validators=[Length(max=40)])
    locale = SelectField(_l("Ngôn ngữ"), choices=[("vi", "Tiếng Việt"), ("en", "English")])
    submit = SubmitField(_l("Lưu thay đổi"))
