"""Account pages: sign-up, log-in, log-out, password change."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from courses.auth import services
from courses.auth.forms import ChangePasswordForm, LoginForm, RegistrationForm
from courses.exceptions import DomainError
from courses.extensions import limiter
from courses.organizations.services import organization_choices
from courses.permissions import login_required, public

bp = Blueprint("auth", __name__)


def safe_next_url(target: str | None) -> str | None:
    """target if it is a path on this site, else None (never an off-site redirect)."""
    if not target:
        return None
    target = target.replace("\\", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    """Log in; one generic message whatever was wrong."""
    if current_user.is_authenticated:
        return redirect(url_for("catalog.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.form_errors.append(_("Email hoặc mật khẩu không đúng."))
        else:
            next_url = safe_next_url(request.args.get("next"))
            lang = session.get("lang")
            session.clear()  # a fresh session on log-in: no fixation
            if lang:
                session["lang"] = lang
            login_user(user, remember=form.remember.data)
            services.mark_logged_in(user)
            flash(_("Xin chào %(name)s!", name=user.full_name), "success")
            return redirect(next_url or url_for("catalog.index"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@public
def logout():
    """Log out (a POST, so no link on another site can do it)."""
    logout_user()
    session.clear()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("catalog.index"))


@bp.route("/register", methods=["GET", "POST"])
@public
def register():
    """Participant sign-up."""
    if current_user.is_authenticated:
        return redirect(url_for("catalog.index"))
    form = RegistrationForm()
    form.organization_id.choices = [(0, _("— Chọn đơn vị —"))] + organization_choices()
    if form.validate_on_submit():
        try:
            user = services.register_participant(
                full_name=form.full_name.data,
                email=form.email.data,
                organization_id=form.organization_id.data,
                party_position=form.party_position.data,
                job_title=form.job_title.data,
                password=form.password.data,
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            session.clear()
            login_user(user)
            flash(_("Đăng ký thành công. Chào mừng đồng chí %(name)s!", name=user.full_name), "success")
            return redirect(url_for("catalog.index"))
    return render_template("auth/register.html", form=form)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's own password."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.new_password.data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            flash(_("Đã đổi mật khẩu."), "success")
            return redirect(url_for("catalog.index"))
    return render_template("auth/change_password.html", form=form)
