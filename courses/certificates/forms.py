"""Forms of certificates: settings, issuing by hand, revocation and re-issue."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField
from wtforms import BooleanField, FloatField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from courses.certificates.pdf import FORM_FIELDS
from courses.forms import BaseForm


class ReasonForm(BaseForm):
    reason = TextAreaField(_l("Lý do"), validators=[Optional(), Length(max=1000)])
    submit = SubmitField(_l("Xác nhận"))


class RequiredReasonForm(BaseForm):
    reason = TextAreaField(_l("Lý do"), validators=[DataRequired(), Length(max=1000)])
    submit = SubmitField(_l("Xác nhận"))


def parse_positions(text: str) -> dict[str, list[float]]:
    """Lines «field: x, y» (millimetres from the top left) into a dict."""
    positions = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        name, _sep, rest = line.partition(":")
        name = name.strip()
        parts = [part.strip() for part in rest.replace(";", ",").split(",")]
        try:
            if len(parts) != 2:
                raise ValueError
            x, y = float(parts[0]), float(parts[1])
        except ValueError:
            raise ValidationError(_l("Dòng %(number)d: cần dạng «tên: x, y» (đơn vị mm).", number=number)) from None
        if name not in FORM_FIELDS:
            raise ValidationError(_l("Dòng %(number)d: không có trường «%(name)s».", number=number, name=name))
        if not (0 <= x <= 297 and 0 <= y <= 210):
            raise ValidationError(_l("Dòng %(number)d: vị trí nằm ngoài khổ A4 ngang (297 × 210 mm).", number=number))
        positions[name] = [x, y]
    return positions


def positions_text(positions: dict) -> str:
    from courses.certificates.pdf import DEFAULT_FORM_POSITIONS

    merged = {**DEFAULT_FORM_POSITIONS, **(positions or {})}
    return "\n".join(f"{name}: {merged[name][0]:g}, {merged[name][1]:g}" for name in FORM_FIELDS)


class SettingsForm(BaseForm):
    issuing_unit_name = StringField(_l("Tên đơn vị cấp"), validators=[DataRequired(), Length(max=255)])
    issuing_unit_code = StringField(_l("Ký hiệu đơn vị cấp"), validators=[DataRequired(), Length(max=40)],
                                    description=_l("Ví dụ: ĐUK. Mỗi đơn vị và mỗi năm có dãy số riêng."))
    serial_format = StringField(_l("Mẫu số hiệu"), validators=[DataRequired(), Length(max=80)],
                                description=_l("Dùng {number}, {unit}, {year}. Ví dụ: {number:04d}/GCN-{unit} → 0042/GCN-ĐUK."))
    starting_number = IntegerField(_l("Số bắt đầu"), validators=[InputRequired(), NumberRange(min=1, max=10**8)],
                                   description=_l("Áp dụng cho dãy số của một đơn vị/năm chưa cấp số nào."))
    place = StringField(_l("Địa danh"), validators=[DataRequired(), Length(max=120)])
    signer_capacity = StringField(_l("Thẩm quyền ký"), validators=[DataRequired(), Length(max=120)],
                                  description=_l("Ví dụ: T/M Ban Thường vụ"))
    signer_title = StringField(_l("Chức vụ người ký"), validators=[DataRequired(), Length(max=255)])
    signer_name = StringField(_l("Họ tên người ký"), validators=[DataRequired(), Length(max=255)])
    signature = FileField(_l("Ảnh chữ ký (PNG hoặc JPEG)"),
                          validators=[FileAllowed(["png", "jpg", "jpeg"], _l("Chỉ nhận ảnh PNG hoặc JPEG."))])
    remove_signature = BooleanField(_l("Bỏ ảnh chữ ký hiện có"))
    form_offset_x_mm = FloatField(_l("Dịch ngang khi in phôi (mm)"), validators=[InputRequired(), NumberRange(min=-50, max=50)])
    form_offset_y_mm = FloatField(_l("Dịch dọc khi in phôi (mm)"), validators=[InputRequired(), NumberRange(min=-50, max=50)])
    form_positions = TextAreaField(_l("Vị trí các trường khi in phôi"),
                                   description=_l("Mỗi dòng «tên: x, y», tính bằng mm từ góc trên bên trái."),
                                   render_kw={"rows": 9})
    submit = SubmitField(_l("Lưu cài đặt"))

    def validate_form_positions(self, field):
        self.parsed_positions = parse_positions(field.data)
