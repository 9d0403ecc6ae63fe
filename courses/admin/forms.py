"""Admin forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SubmitField

from courses.enums import Role
from courses.forms import BaseForm


class RoleForm(BaseForm):
    """Change one user's role."""

    role = SelectField(_l("Vai trò"), choices=Role.choices())
    submit = SubmitField(_l("Lưu"))
