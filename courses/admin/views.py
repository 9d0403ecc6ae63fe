"""Admin pages: the user list, account corrections, role changes, deactivation."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from courses.actions import attempt
from courses.admin import accounts, queries
from courses.admin.forms import AccountForm, RoleForm
from courses.auth import services as auth_services
from courses.auth import sessions
from courses.auth.models import User
from courses.enums import PartyPosition, Role
from courses.organizations.services import organization_choices
from courses.permissions import admin_required
from courses.routing import found_or_404, page_arg

bp = Blueprint("admin", __name__)

PER_PAGE = 50


@bp.route("/users")
@admin_required
def users():
    """Users, searchable by name or email, filterable by role, paginated."""
    query = (request.args.get("q") or "").strip()
    role = request.args.get("role") or ""
    page = queries.users_page(query, role, page_arg(), PER_PAGE)
    return render_template(
        "admin/users.html", page=page, query=query, role=role, form=RoleForm(), roles=Role,
        # Built once for the 50 rows: a role form each, so per-row work is what counts.
        role_options=[(r, r.value, r.label) for r in Role],
        role_of=_("Vai trò của %(name)s"),
        set_role_url=url_for("admin.set_role", user_id=0, q=query or None).split("/0/", 1),
        set_active_url=url_for("admin.set_active", user_id=0, q=query or None).split("/0/", 1),
        edit_url=url_for("admin.edit_user", user_id=0, q=query or None).split("/0/", 1),
        edit_title=_("Sửa tài khoản"),
        deactivate_question=_("Khoá tài khoản của %(name)s? Mọi phiên đăng nhập của tài khoản sẽ kết thúc."),
    )


def _user_or_404(user_id: int) -> User:
    return found_or_404(queries.load_user(user_id))


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    """Correct an account's name, address, unit, party position, job title and phone."""
    user = _user_or_404(user_id)
    form = AccountForm()
    form.organization_id.choices = [(0, _("— Không thuộc đơn vị nào —"))] + organization_choices()
    if request.method == "GET":
        form.process(obj=user)
        form.organization_id.data = user.organization_id or 0
        form.party_position.data = user.party_position.value if user.party_position else ""
    elif form.call_service(lambda: accounts.update_account(current_user, user, accounts.AccountData(
            full_name=form.full_name.data, email=form.email.data,
            organization_id=form.organization_id.data or None,
            party_position=PartyPosition(form.party_position.data) if form.party_position.data else None,
            job_title=form.job_title.data, phone=form.phone.data))):
        flash(_("Đã lưu tài khoản của %(name)s.", name=user.full_name) if form.result
              else _("Không có gì thay đổi."), "success" if form.result else "info")
        return redirect(url_for("admin.users", q=request.args.get("q") or None))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/user_edit.html", form=form, user=user, q=request.args.get("q") or ""), status


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@admin_required
def set_role(user_id: int):
    """Change a user's role."""
    user = _user_or_404(user_id)
    form = RoleForm()
    if form.validate_on_submit():
        if attempt(lambda: auth_services.set_role(current_user, user, form.role.data)):
            if user.id == current_user.id:  # the admin's own other sessions ended, not this one
                sessions.stay_logged_in(current_user)
            flash(_("Đã đổi vai trò của %(name)s thành «%(role)s».", name=user.full_name,
                    role=Role(form.role.data).label), "success")
    else:
        flash(_("Vai trò không hợp lệ."), "danger")
    return redirect(url_for("admin.users", q=request.args.get("q") or None))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@admin_required
def set_active(user_id: int):
    """Deactivate (after the browser's confirmation) or reactivate an account."""
    user = _user_or_404(user_id)
    active = request.form.get("active")
    if active not in ("0", "1"):
        flash(_("Yêu cầu không hợp lệ, vui lòng thử lại."), "danger")
    else:
        if attempt(lambda: auth_services.set_active(current_user, user, active == "1")):
            flash(_("Đã mở lại tài khoản của %(name)s.", name=user.full_name) if active == "1" else
                  _("Đã khoá tài khoản của %(name)s.", name=user.full_name), "success")
    return redirect(url_for("admin.users", q=request.args.get("q") or None))
