"""Forms of attendance: roll call, all present, check-in code."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from courses.enums import AttendanceStatus, CompletionRule
from courses.forms import BaseForm


class ActionForm(BaseForm):
    """A bare CSRF-protected button (all present, open or rotate check-in, close)."""

    submit = SubmitField(_l("Xác nhận"))


class MarkForm(BaseForm):
    """One participant's status (sent by the roll-call script)."""

    enrollment_id = IntegerField(validators=[DataRequired()])
    status = SelectField(choices=AttendanceStatus.choices(), validators=[DataRequired()])


class CheckInForm(BaseForm):
    """The short code, typed or carried by the QR link."""

    code = StringField(_l("Mã điểm danh"), validators=[DataRequired(), Length(max=16)],
                       description=_l("Mã gồm 6 ký tự hiển thị bên cạnh mã QR."))
    submit = SubmitField(_l("Điểm danh"))


class CompletionRuleForm(BaseForm):
    rule = SelectField(_l("Điều kiện hoàn thành"), choices=CompletionRule.choices())
    min_topics = IntegerField(_l("Số chuyên đề tối thiểu"), validators=[Optional(), NumberRange(min=1, max=100)],
                              description=_l("Chỉ dùng khi chọn «ít nhất N chuyên đề»."))
    submit = SubmitField(_l("Lưu điều kiện"))


class ReopenForm(BaseForm):
    """An admin reopens a course's locked attendance, saying why."""

    reason = TextAreaField(_l("Lý do mở lại"), validators=[DataRequired(), Length(max=500)],
                           description=_l("Ghi vào nhật ký hệ thống."))
    submit = SubmitField(_l("Mở lại điểm danh"))
