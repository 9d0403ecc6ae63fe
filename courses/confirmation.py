"""Confirm first: an action that cannot be undone asks before it happens.

With scripts, static/js/confirm.js shows a dialog from the form's data-confirm (see
templates/_macros/confirm.html) and adds confirmed=1. Without scripts, or when the form
was posted some other way, the view calls `confirm_first`: a POST without confirmed=1
answers a page listing what will happen, whose «Xác nhận» re-posts the same fields with
confirmed=1. Views call it after their form validated and before their service.
"""
from __future__ import annotations

from typing import Iterable

from flask import render_template, request
from flask_babel import gettext as _

CONFIRMED_FIELD = "confirmed"


def is_confirmed() -> bool:
    """The form says its user already agreed (the dialog, or the confirmation page)."""
    return request.form.get(CONFIRMED_FIELD) == "1"


def needs_confirmation(needed: bool = True) -> bool:
    """The one rule: an irreversible action runs only on a POST that carries confirmed=1."""
    return needed and not is_confirmed()


def confirm_first(title: str, consequences: Iterable[str], back_url: str, needed: bool = True,
                  button: str | None = None, agreed: tuple[str, str] | None = None):
    """None when the action may go ahead; otherwise the confirmation page to answer with.

    agreed=(field, value): what the user was shown (e.g. the serials to be issued), posted
    back in that field; when the form's value differs the situation changed since, and
    they are asked again, with the new value, even if they had confirmed.
    """
    changed = agreed is not None and request.form.get(agreed[0], agreed[1]) != agreed[1]
    if not changed and not needs_confirmation(needed):
        return None
    fields = [(name, value) for name, value in request.form.items(multi=True)
              if name != CONFIRMED_FIELD and (agreed is None or name != agreed[0])]
    if agreed is not None:
        fields.append(agreed)
    files_dropped = any(getattr(upload, "filename", "") for upload in request.files.values())
    return render_template("_partials/confirm.html", title=title, consequences=list(consequences),
                           fields=fields, action=request.path, back_url=back_url,
                           button=button or _("Xác nhận"), files_dropped=files_dropped, changed=changed)
