"""The catalogue's forms: renewing the personal calendar feed's address."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SubmitField
from wtforms.validators import DataRequired

from courses.forms import BaseForm


class RenewFeedForm(BaseForm):
    """Renew the feed address; the box asks first, since the old address stops working."""

    understood = BooleanField(
        _l("Tôi hiểu: địa chỉ cũ sẽ ngừng hoạt động, ứng dụng lịch đang dùng nó phải được thêm lại bằng địa chỉ mới."),
        validators=[DataRequired(message=_l("Hãy đánh dấu ô xác nhận trước khi tạo địa chỉ mới."))])
    submit = SubmitField(_l("Tạo địa chỉ mới"))
