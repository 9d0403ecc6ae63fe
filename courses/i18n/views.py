"""The language switcher."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, session, url_for
from flask_login import current_user

from courses.actions import attempt
from courses.i18n import services
from courses.i18n.forms import LanguageForm
from courses.permissions import public
from courses.routing import safe_next_url

bp = Blueprint("i18n", __name__)


@bp.route("/language", methods=["POST"])
@public
def set_language():
    """Switch the interface language and go back to the page the switch was pressed on."""
    form = LanguageForm()
    if form.validate_on_submit():
        attempt(lambda: services.set_language(current_user, session, form.lang.data))
    else:
        from flask_babel import gettext as _

        flash(_("Ngôn ngữ không được hỗ trợ."), "danger")
    return redirect(safe_next_url(form.next.data) or url_for("catalog.index"))
