"""Admin pages: the user list and role changes."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from courses.admin.forms import RoleForm
from courses.auth import services as auth_services
from courses.auth.models import User
from courses.enums import Role
from courses.exceptions import DomainError
from courses.extensions import db
from courses.permissions import admin_required
from courses.routing import page_arg

bp = Blueprint("admin", __name__)

PER_PAGE = 50


@bp.route("/users")
@admin_required
def users():
    """Users, searchable by name or email, filterable by role, paginated."""
    query = (request.args.get("q") or "").strip()
    role = request.args.get("role") or ""
    statement = select(User).options(joinedload(User.organization)).order_by(User.full_name, User.id)
    if query:
        like = f"%{query.lower()}%"
        statement = statement.where(or_(User.email.like(like), User.full_name.ilike(f"%{query}%")))
    if role in {r.value for r in Role}:
        statement = statement.where(User.role == Role(role))
    page = db.paginate(statement, page=page_arg(), per_page=PER_PAGE, error_out=False)
    return render_template(
        "admin/users.html", page=page, query=query, role=role, form=RoleForm(), roles=Role
    )


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@admin_required
def set_role(user_id: int):
    """Change a user's role."""
    user = db.get_or_404(User, user_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            auth_services.set_role(current_user, user, form.role.data)
        except DomainError as error:
            flash(error.message, "danger")
        else:
            flash(_("Đã đổi vai trò của %(name)s thành «%(role)s».", name=user.full_name,
                    role=Role(form.role.data).label), "success")
    else:
        flash(_("Vai trò không hợp lệ."), "danger")
    return redirect(url_for("admin.users", q=request.args.get("q") or None))
