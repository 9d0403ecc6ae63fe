"""Forms of the organizer pages: course, status, clone, session, topic, speaker, material."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from courses.enums import CompletionRule, PartyPosition, SessionKind, Visibility
from courses.forms import BaseForm
from courses.scheduling.codes import validate_course_code_field


def optional_int(value):
    """Coerce a select value to int, '' and 0 to None."""
    if value in (None, "", "0", 0, "None"):
        return None
    return int(value)


class CourseForm(BaseForm):
    """The course editor."""

    code = StringField(_l("Mã lớp"), validators=[DataRequired(_l("Vui lòng nhập mã lớp.")), Length(max=40),
                                                 validate_course_code_field],
                       description=_l("Ví dụ: BDNV-2026-01"))
    title = StringField(_l("Tên lớp"), validators=[DataRequired(_l("Vui lòng nhập tên lớp.")), Length(max=500)])
    description = TextAreaField(_l("Giới thiệu"), validators=[Length(max=10000)])
    organizing_unit_id = SelectField(_l("Đơn vị tổ chức"), coerce=int,
                                     validators=[InputRequired(_l("Vui lòng chọn đơn vị tổ chức."))])
    venue = StringField(_l("Địa điểm"), validators=[Length(max=500)])
    starts_on = DateField(_l("Ngày bắt đầu"), validators=[InputRequired(_l("Vui lòng nhập ngày bắt đầu."))])
    ends_on = DateField(_l("Ngày kết thúc"), validators=[InputRequired(_l("Vui lòng nhập ngày kết thúc."))])
    registration_opens_at = DateTimeLocalField(_l("Mở đăng ký từ"), format="%Y-%m-%dT%H:%M",
                                               validators=[Optional()])
    registration_closes_at = DateTimeLocalField(_l("Hạn đăng ký"), format="%Y-%m-%dT%H:%M",
                                                validators=[Optional()])
    capacity = IntegerField(_l("Số chỗ"), validators=[
        InputRequired(_l("Vui lòng nhập số chỗ.")), NumberRange(min=1, message=_l("Số chỗ phải ít nhất là 1.")),
        NumberRange(max=100_000, message=_l("Số chỗ tối đa là 100.000."))])
    target_positions = SelectMultipleField(_l("Đối tượng (để trống: tất cả)"), choices=PartyPosition.choices(),
                                           validators=[Optional()])
    requires_approval = BooleanField(_l("Ban tổ chức duyệt từng đăng ký"))
    completion_rule = SelectField(_l("Điều kiện hoàn thành"), choices=CompletionRule.choices())
    completion_min_topics = IntegerField(_l("Số chuyên đề tối thiểu"), validators=[
        Optional(), NumberRange(min=1, message=_l("Số chuyên đề tối thiểu phải ít nhất là 1.")),
        NumberRange(max=100, message=_l("Số chuyên đề tối thiểu không quá 100."))])
    submit = SubmitField(_l("Lưu"))

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("Ngày kết thúc phải từ ngày bắt đầu trở đi."))


class StatusForm(BaseForm):
    """A status button (publish, close, reopen, finish): only the CSRF token."""


class CancelForm(BaseForm):
    """Cancel a course, with the reason participants will read."""

    reason = TextAreaField(_l("Lý do hủy lớp"), validators=[DataRequired(_l("Vui lòng nêu lý do hủy lớp.")),
                                                            Length(max=2000)])
    submit = SubmitField(_l("Hủy lớp"))


class CloneForm(BaseForm):
    """Copy a course to a new date."""

    code = StringField(_l("Mã lớp mới"), validators=[DataRequired(_l("Vui lòng nhập mã lớp.")), Length(max=40),
                                                     validate_course_code_field])
    title = StringField(_l("Tên lớp mới"), validators=[DataRequired(_l("Vui lòng nhập tên lớp.")),
                                                      Length(max=500)])
    starts_on = DateField(_l("Ngày bắt đầu mới"), validators=[InputRequired(_l("Vui lòng nhập ngày bắt đầu."))])
    submit = SubmitField(_l("Sao chép lớp"))


class SessionForm(BaseForm):
    """A slot of the timetable."""

    kind = SelectField(_l("Loại buổi"), choices=SessionKind.choices(), default=SessionKind.TOPIC.value)
    topic_id = SelectField(_l("Chuyên đề"), coerce=optional_int, validators=[Optional()])
    title = StringField(_l("Tiêu đề (để trống: tên chuyên đề)"), validators=[Length(max=500)])
    speaker_id = SelectField(_l("Báo cáo viên"), coerce=optional_int, validators=[Optional()])
    day = DateField(_l("Ngày"), validators=[InputRequired(_l("Vui lòng chọn ngày."))])
    start_time = TimeField(_l("Bắt đầu"), validators=[InputRequired(_l("Vui lòng nhập giờ bắt đầu."))])
    end_time = TimeField(_l("Kết thúc"), validators=[Optional()],
                         description=_l("Để trống: theo thời lượng mặc định của chuyên đề."))
    room = StringField(_l("Phòng"), validators=[Length(max=255)])
    presided_by = StringField(_l("Chủ trì (khai giảng, bế giảng)"), validators=[Length(max=500)])
    guiding_speech_by = StringField(_l("Phát biểu chỉ đạo (khai giảng, bế giảng)"), validators=[Length(max=500)])
    submit = SubmitField(_l("Lưu buổi học"))

    def validate_topic_id(self, field):
        if self.kind.data == SessionKind.TOPIC.value and not field.data:
            raise ValidationError(_l("Buổi chuyên đề cần chọn chuyên đề."))


class TopicForm(BaseForm):
    """A topic of the catalogue."""

    code = StringField(_l("Mã"), validators=[DataRequired(_l("Vui lòng nhập mã.")), Length(max=40)])
    name = StringField(_l("Tên chuyên đề"), validators=[DataRequired(_l("Vui lòng nhập tên chuyên đề.")),
                                                       Length(max=255)])
    description = TextAreaField(_l("Mô tả"), validators=[Length(max=5000)])
    default_duration_minutes = IntegerField(_l("Thời lượng mặc định (phút)"), default=90, validators=[
        InputRequired(_l("Vui lòng nhập thời lượng.")),
        NumberRange(min=1, max=24 * 60, message=_l("Thời lượng từ 1 đến 1440 phút."))])
    submit = SubmitField(_l("Lưu"))


class SpeakerForm(BaseForm):
    """A speaker of the directory."""

    full_name = StringField(_l("Họ và tên"), validators=[DataRequired(_l("Vui lòng nhập họ và tên.")),
                                                         Length(max=255)])
    title = StringField(_l("Chức danh"), validators=[Length(max=500)])
    organization_name = StringField(_l("Cơ quan, đơn vị"), validators=[Length(max=255)])
    bio = TextAreaField(_l("Giới thiệu ngắn"), validators=[Length(max=5000)])
    photo = FileField(_l("Ảnh (PNG, JPEG, GIF, WebP; không bắt buộc)"))
    remove_photo = BooleanField(_l("Xóa ảnh hiện có"))
    submit = SubmitField(_l("Lưu"))


class MaterialForm(BaseForm):
    """Upload a file or add a link."""

    kind = SelectField(_l("Loại tài liệu"), choices=[("file", _l("Tệp tải lên")), ("link", _l("Liên kết"))])
    title = StringField(_l("Tiêu đề"), validators=[Length(max=500)],
                        description=_l("Để trống: dùng tên tệp."))
    description = TextAreaField(_l("Mô tả"), validators=[Length(max=5000)])
    file = FileField(_l("Tệp (PDF, DOCX, PPTX, XLSX, ảnh)"))
    # No Optional(): it would stop the chain before validate_url, which requires a link's address.
    url = URLField(_l("Địa chỉ liên kết"), validators=[Length(max=2000)])
    session_id = SelectField(_l("Gắn với buổi"), coerce=optional_int, validators=[Optional()])
    visibility = SelectField(_l("Ai được xem"), choices=Visibility.choices(), default=Visibility.ENROLLED.value)
    submit = SubmitField(_l("Thêm tài liệu"))

    def validate_url(self, field):
        if self.kind.data == "link" and not field.data:
            raise ValidationError(_l("Vui lòng nhập địa chỉ liên kết."))

    def validate_file(self, field):
        if self.kind.data == "file" and not getattr(field.data, "filename", None):
            raise ValidationError(_l("Vui lòng chọn tệp."))


class MaterialEditForm(BaseForm):
    """Change a material's title, session or visibility."""

    title = StringField(_l("Tiêu đề"), validators=[DataRequired(_l("Vui lòng nhập tiêu đề.")), Length(max=500)])
    description = TextAreaField(_l("Mô tả"), validators=[Length(max=5000)])
    session_id = SelectField(_l("Gắn với buổi"), coerce=optional_int, validators=[Optional()])
    visibility = SelectField(_l("Ai được xem"), choices=Visibility.choices())
    submit = SubmitField(_l("Lưu"))
