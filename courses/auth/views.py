"""Account pages: sign-up, log-in, log-out, password change."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user

from courses.auth import profile as profile_service
from courses.auth import services, sessions, throttling
from courses.auth.forms import ChangePasswordForm, LoginForm, LogoutEverywhereForm, ProfileForm, RegistrationForm
from courses.errors import render_error
from courses.extensions import limiter
from courses.i18n.services import set_language
from courses.organizations.services import organization_choices
from courses.permissions import login_required, public
from courses.routing import safe_next_url

bp = Blueprint("auth", __name__)


def _posts_per_address() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_posts_per_address, methods=["POST"])
def login():
    """Log in; one generic message whatever was wrong. Failures lock the (account, address)
    pair, not the account (courses/auth/throttling.py)."""
    if current_user.is_authenticated:
        return redirect(url_for("catalog.index"))
    form = LoginForm()
    if form.validate_on_submit():
        address = get_remote_address()
        lock = throttling.check_lock(form.email.data, address)
        if lock is not None:  # the same page whether the account exists or not
            page, code = render_error(429)
            return page, code, {"Retry-After": str(lock.retry_after)}
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            throttling.record_failure(form.email.data, address)
            form.form_errors.append(_("Email hoặc mật khẩu không đúng."))
        else:
            throttling.record_success(form.email.data, address)
            next_url = safe_next_url(request.args.get("next"))
            lang = session.get("lang")
            session.clear()  # a fresh session on log-in: no fixation
            if lang:
                session["lang"] = lang
            sessions.start_login(user)
            login_user(user, remember=form.remember.data)
            services.mark_logged_in(user)
            refresh()  # greet the user in the language saved on the account
            flash(_("Xin chào %(name)s!", name=user.full_name), "success")
            return redirect(next_url or url_for("catalog.index"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@public
def logout():
    """Log out (a POST, so no link on another site can do it)."""
    if current_user.is_authenticated:  # a copy of this log-in's cookies logs nobody in
        sessions.log_out(current_user)
    lang = session.get("lang")
    session.clear()
    # After the clear: logout_user() leaves Flask-Login's instruction to delete the
    # remember cookie in the session.
    logout_user()
    if lang:  # the browser keeps the language its visitor chose
        session["lang"] = lang
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("catalog.index"))


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit(_posts_per_address, methods=["POST"])
def register():
    """Participant sign-up."""
    if current_user.is_authenticated:
        return redirect(url_for("catalog.index"))
    form = RegistrationForm()
    form.organization_id.choices = [(0, _("— Chọn đơn vị —"))] + organization_choices()
    if form.call_service(lambda: services.register_participant(
            full_name=form.full_name.data, email=form.email.data, organization_id=form.organization_id.data,
            party_position=form.party_position.data, job_title=form.job_title.data, password=form.password.data)):
        user = form.result
        lang = session.get("lang")
        session.clear()
        sessions.first_login(user)
        login_user(user)
        if lang:  # the language chosen before signing up becomes the account's
            set_language(user, session, lang)
        flash(_("Đăng ký thành công. Chào mừng đồng chí %(name)s!", name=user.full_name), "success")
        return redirect(url_for("catalog.index"))
    return render_template("auth/register.html", form=form)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's own password."""
    form = ChangePasswordForm()
    if form.call_service(lambda: services.change_password(
            current_user, form.current_password.data, form.new_password.data)):
        sessions.stay_logged_in(current_user)  # every other device is logged out
        flash(_("Đã đổi mật khẩu. Các thiết bị khác đã được đăng xuất."), "success")
        return redirect(url_for("catalog.index"))
    return render_template("auth/change_password.html", form=form, logout_everywhere=LogoutEverywhereForm())


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """«Hồ sơ của tôi»: name, job title, phone and language; the unit and position as they stand."""
    form = ProfileForm()
    if request.method == "GET":
        form.process(obj=current_user)
        form.locale.data = current_user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    elif form.call_service(lambda: profile_service.update_profile(
            current_user, form.full_name.data, form.job_title.data, form.phone.data, form.locale.data)):
        refresh()  # the page after the save speaks the language just chosen
        flash(_("Đã lưu hồ sơ.") if form.result else _("Không có gì thay đổi."),
              "success" if form.result else "info")
        return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form), 400 if request.method == "POST" else 200


@bp.route("/logout-everywhere", methods=["POST"])
@login_required
def logout_everywhere():
    """End every session and remembered log-in of the account, this one included."""
    form = LogoutEverywhereForm()
    if not form.validate_on_submit():
        flash(_("Yêu cầu không hợp lệ, vui lòng thử lại."), "danger")
        return redirect(url_for("auth.change_password"))
    services.end_every_session(current_user)
    lang = session.get("lang")
    session.clear()
    logout_user()  # after the clear, as in logout(): the remember cookie is deleted too
    if lang:
        session["lang"] = lang
    flash(_("Đã đăng xuất khỏi mọi thiết bị."), "info")
    return redirect(url_for("catalog.index"))  # as after log-out
