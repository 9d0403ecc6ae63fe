"""The audit log's filter form (read from the query string, so no CSRF token)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from courses.forms import BaseForm


class AuditFilterForm(BaseForm):
    """Filter audit events by actor, object type, action and local date range."""

    class Meta:
        csrf = False  # a GET filter changes nothing

    user = SelectField(_l("Người thực hiện"), coerce=str, validators=[Optional()])
    object_type = SelectField(_l("Loại đối tượng"), coerce=str, validators=[Optional()])
    action = StringField(_l("Hành động"), validators=[Optional(), Length(max=80)])
    date_from = DateField(_l("Từ ngày"), validators=[Optional()])
    date_to = DateField(_l("Đến ngày"), validators=[Optional()])

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("Ngày kết thúc phải sau ngày bắt đầu."))
