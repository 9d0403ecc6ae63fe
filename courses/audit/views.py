"""The audit log screen for admins: filter, paginate, export as CSV."""
from __future__ import annotations

import csv
import io
import json

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from courses.audit import labels, services
from courses.audit.forms import AuditFilterForm
from courses.downloads import send_download
from courses.exports import safe_cell
from courses.formatting import local_datetime
from courses.permissions import admin_required
from courses.routing import page_arg

bp = Blueprint("audit", __name__)

PER_PAGE = 50
FILTER_FIELDS = ("user", "object_type", "action", "date_from", "date_to")


def _filter_form() -> AuditFilterForm:
    """The filter form read from the query string, its choices filled from the trail."""
    form = AuditFilterForm(formdata=request.args)
    form.user.choices = ([("", _("Mọi người")), (services.SYSTEM_ACTOR, _("Hệ thống (dòng lệnh)"))]
                         + [(str(id_), label) for id_, label in services.actor_choices()])
    form.object_type.choices = [("", _("Mọi loại"))] + [
        (t, labels.object_type_label(t)) for t in services.object_types() if t]
    return form


def _filters(form: AuditFilterForm) -> dict:
    """The form's valid filters, as events_query's arguments (an invalid filter is ignored)."""
    form.validate()

    def value(name):
        field = getattr(form, name)
        return None if field.errors else (field.data or None)

    return {"actor": value("user"), "object_type": value("object_type"), "action": value("action"),
            "date_from": value("date_from"), "date_to": value("date_to")}


def _filter_args() -> dict:
    """The query-string filters, to keep across pages and into the export link."""
    return {name: request.args[name] for name in FILTER_FIELDS if request.args.get(name)}


@bp.route("/")
@admin_required
def index():
    """Audit events, newest first, filterable by user, object type, action and dates."""
    form = _filter_form()
    page = services.events_page(_filters(form), page_arg(), PER_PAGE)
    return render_template("audit/index.html", form=form, page=page, filters=_filter_args(),
                           names=labels.object_names(page.items), action_label=labels.action_label,
                           changes=labels.changes)


def _json(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


@bp.route("/export.csv")
@admin_required
def export():
    """The filtered events as CSV (UTF-8 with BOM for Excel; formula-safe cells)."""
    form = _filter_form()
    events = services.events_list(_filters(form))
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([_("Thời điểm"), _("Người thực hiện"), _("Email"), _("Hành động"),
                     _("Loại đối tượng"), _("Mã đối tượng"), _("Trước"), _("Sau")])
    for event in events:
        writer.writerow([safe_cell(cell) for cell in (
            local_datetime(event.created_at),
            event.actor.full_name if event.actor else _("Hệ thống"),
            event.actor.email if event.actor else "",
            event.action,
            event.object_type,
            "" if event.object_id is None else str(event.object_id),
            _json(event.before),
            _json(event.after),
        )])
    return send_download(buffer.getvalue(), "nhat-ky-he-thong.csv", "text/csv; charset=utf-8")
