"""The dashboard's filter (a GET form: it changes nothing)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import Optional

from courses.forms import BaseForm


class DashboardFilterForm(BaseForm):
    """Which course the attendance charts count: every course, or one."""

    class Meta:
        csrf = False  # a GET filter

    course = SelectField(_l("Lớp"), coerce=int, validators=[Optional()], default=0)
