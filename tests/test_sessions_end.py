"""Ending log-ins: log-out, log-out everywhere, password, role and activation changes.

Each test acts as browsers (test clients) would, and as an attacker holding a copy of a
victim's cookies would: a copied session cookie or remember cookie is replayed in a fresh
client of its own. The app has no app context pushed between requests, so every request
loads its user afresh, as a server does.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from courses.audit.models import AuditEvent
from courses.auth.models import LoginSession, User
from courses.enrollment import tokens
from courses.enums import Role
from courses.extensions import db
from tests import factories
from tests.factories import PASSWORD

REMEMBER = "remember_token"
NEW_PASSWORD = "MatKhauMoi7"


@pytest.fixture
def site(make_app):
    return make_app()


def account(site, role=Role.PARTICIPANT, email=None) -> tuple[int, str]:
    with site.app_context():
        user = factories.make_user(role=role, email=email)
        return user.id, user.email


def browser(site, email, remember=True, password=PASSWORD):
    """A client logged in through the form, with «Ghi nhớ đăng nhập» ticked or not."""
    client = site.test_client()
    data = {"email": email, "password": password}
    if remember:
        data["remember"] = "y"
    response = client.post("/auth/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def cookie(client, name):
    found = client.get_cookie(name)
    return found.value if found is not None else None


def replay(site, name, value):
    """A fresh client holding only this one copied cookie."""
    client = site.test_client()
    client.set_cookie(name, value)
    return client


def logged_in(client) -> bool:
    response = client.get("/auth/password")
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 200


def test_logout_deletes_the_remember_cookie_and_kills_copies_of_both_cookies(site):
    _, email = account(site)
    victim = browser(site, email)
    copied_session, copied_remember = cookie(victim, "session"), cookie(victim, REMEMBER)
    assert copied_remember, "log-in with «Ghi nhớ đăng nhập» sets the remember cookie"
    # Before log-out each copy alone is as good as the log-in (what log-out must undo).
    assert logged_in(replay(site, "session", copied_session))
    assert logged_in(replay(site, REMEMBER, copied_remember))

    victim.post("/auth/logout")

    assert cookie(victim, REMEMBER) is None, "log-out deletes the remember cookie"
    assert not logged_in(victim), "the browser that logged out stays logged out"
    assert not logged_in(replay(site, REMEMBER, copied_remember))
    assert not logged_in(replay(site, "session", copied_session))


def test_logout_keeps_the_chosen_language(site):
    _, email = account(site)
    client = browser(site, email)
    with client.session_transaction() as session:
        session["lang"] = "en"
    client.post("/auth/logout")
    with client.session_transaction() as session:
        assert session.get("lang") == "en"
        assert "_user_id" not in session


def test_logout_leaves_the_accounts_other_devices_logged_in(site):
    _, email = account(site)
    phone, laptop = browser(site, email), browser(site, email)
    laptop_remember = cookie(laptop, REMEMBER)
    phone.post("/auth/logout")
    assert not logged_in(phone)
    assert logged_in(laptop)
    assert logged_in(replay(site, REMEMBER, laptop_remember))


def test_logout_everywhere_ends_every_session_of_the_account_this_one_included(site):
    user_id, email = account(site)
    _, bystander_email = account(site)
    here, elsewhere = browser(site, email), browser(site, email)
    bystander = browser(site, bystander_email)
    copies = [cookie(here, REMEMBER), cookie(elsewhere, REMEMBER)]

    response = here.post("/auth/logout-everywhere")

    assert response.status_code == 302
    assert cookie(here, REMEMBER) is None
    assert not logged_in(here)
    assert not logged_in(elsewhere)
    for copy in copies:
        assert not logged_in(replay(site, REMEMBER, copy))
    assert logged_in(bystander), "another account's log-in is untouched"
    with site.app_context():
        assert db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "user.logout_everywhere", AuditEvent.object_id == user_id)) is not None


def test_logout_everywhere_is_offered_on_the_password_page_and_only_by_post(site):
    _, email = account(site)
    client = browser(site, email)
    page = client.get("/auth/password").get_data(as_text=True)
    assert "Đăng xuất khỏi mọi thiết bị" in page and 'action="/auth/logout-everywhere"' in page
    assert client.get("/auth/logout-everywhere").status_code == 405
    assert logged_in(client)


def test_logout_everywhere_needs_the_csrf_token(make_app):
    site = make_app(WTF_CSRF_ENABLED=True)
    _, email = account(site)
    client = site.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    client.post("/auth/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert logged_in(client)
    assert client.post("/auth/logout-everywhere").status_code == 400
    assert logged_in(client), "a forged post logs nobody out"


def change_password(client):
    return client.post("/auth/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD})


def test_password_change_ends_the_other_sessions_but_not_the_changers(site):
    _, email = account(site)
    changer, other = browser(site, email), browser(site, email)
    other_remember, old_changer_remember = cookie(other, REMEMBER), cookie(changer, REMEMBER)

    assert change_password(changer).status_code == 302

    assert not logged_in(other)
    assert not logged_in(replay(site, REMEMBER, other_remember))
    assert not logged_in(replay(site, REMEMBER, old_changer_remember)), "the old cookie is re-issued"
    assert logged_in(changer)
    new_remember = cookie(changer, REMEMBER)
    assert new_remember and new_remember != old_changer_remember
    assert logged_in(replay(site, REMEMBER, new_remember)), "this browser is still remembered"


def test_a_refused_password_change_ends_nothing(site):
    _, email = account(site)
    changer, other = browser(site, email), browser(site, email)
    body = changer.post("/auth/password", data={
        "current_password": "SaiMatKhau9", "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD,
    }).get_data(as_text=True)
    assert "Mật khẩu hiện tại không đúng." in body
    assert logged_in(other) and logged_in(changer)


def test_setting_the_password_by_link_ends_every_session(site):
    user_id, email = account(site)
    holder = browser(site, email)
    copied = cookie(holder, REMEMBER)
    with site.app_context():
        link = tokens.make_token(db.session.get(User, user_id))
    response = site.test_client().post(f"/enrollment/set-password/{link}", data={
        "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert not logged_in(holder)
    assert not logged_in(replay(site, REMEMBER, copied))
    assert logged_in(browser(site, email, password=NEW_PASSWORD))


def test_role_change_ends_the_accounts_sessions_not_the_admins(site):
    user_id, email = account(site)
    _, admin_email = account(site, role=Role.ADMIN)
    admin, target = browser(site, admin_email), browser(site, email)
    copied = cookie(target, REMEMBER)
    response = admin.post(f"/admin/users/{user_id}/role", data={"role": "organizer"})
    assert response.status_code == 302
    assert not logged_in(target)
    assert not logged_in(replay(site, REMEMBER, copied))
    assert logged_in(admin)
    with site.app_context():
        assert db.session.get(User, user_id).role == Role.ORGANIZER


def test_an_admin_changing_their_own_role_keeps_this_browser(site):
    admin_id, admin_email = account(site, role=Role.ADMIN)
    account(site, role=Role.ADMIN)  # not the last admin
    here, elsewhere = browser(site, admin_email), browser(site, admin_email)
    here.post(f"/admin/users/{admin_id}/role", data={"role": "organizer"})
    assert logged_in(here)
    assert not logged_in(elsewhere)


def test_deactivation_ends_every_session_and_reactivation_lets_log_in_again(site):
    user_id, email = account(site)
    _, admin_email = account(site, role=Role.ADMIN)
    admin, target = browser(site, admin_email), browser(site, email)
    copied = cookie(target, REMEMBER)
    page = admin.get("/admin/users").get_data(as_text=True)
    assert f'action="/admin/users/{user_id}/active"' in page and "data-confirm=" in page

    assert admin.post(f"/admin/users/{user_id}/active", data={"active": "0"}).status_code == 302

    assert not logged_in(target)
    assert not logged_in(replay(site, REMEMBER, copied))
    assert logged_in(admin)
    assert "Email hoặc mật khẩu không đúng." in site.test_client().post(
        "/auth/login", data={"email": email, "password": PASSWORD}).get_data(as_text=True)
    admin.post(f"/admin/users/{user_id}/active", data={"active": "1"})
    assert logged_in(browser(site, email))
    with site.app_context():
        actions = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_id == user_id, AuditEvent.action.like("user.%activate"))).all()
        assert sorted(actions) == ["user.activate", "user.deactivate"]


def test_an_admin_cannot_deactivate_themselves_and_bad_input_changes_nothing(site):
    admin_id, admin_email = account(site, role=Role.ADMIN)
    user_id, _ = account(site)
    admin = browser(site, admin_email)
    admin.post(f"/admin/users/{admin_id}/active", data={"active": "0"})
    assert "Không thể tự khoá tài khoản của chính mình." in admin.get("/admin/users").get_data(as_text=True)
    for bad in ({"active": "maybe"}, {}):
        admin.post(f"/admin/users/{user_id}/active", data=bad)
        assert "Yêu cầu không hợp lệ" in admin.get("/admin/users").get_data(as_text=True)
    assert admin.post("/admin/users/999999/active", data={"active": "0"}).status_code == 404
    assert logged_in(admin)
    with site.app_context():
        assert db.session.get(User, admin_id).is_active_account
        assert db.session.get(User, user_id).is_active_account


def test_the_remember_cookie_lasts_about_30_days_and_is_http_only(site):
    _, email = account(site)
    client = site.test_client()
    response = client.post("/auth/login", data={"email": email, "password": PASSWORD, "remember": "y"})
    header = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith(REMEMBER + "="))
    assert "HttpOnly" in header and "SameSite=Lax" in header
    expires = client.get_cookie(REMEMBER).expires
    assert expires is not None
    days = (expires - datetime.now(timezone.utc)).total_seconds() / 86400
    assert 29 < days <= 30


def test_remember_days_comes_from_the_environment(monkeypatch):
    from config import remember_days

    assert remember_days({}) == 30
    assert remember_days({"REMEMBER_DAYS": "7"}) == 7
    for bad in ("0", "-3", "ba mươi", "1e3", "99999"):
        with pytest.raises(RuntimeError, match="REMEMBER_DAYS"):
            remember_days({"REMEMBER_DAYS": bad})


def test_production_remember_cookie_is_secure():
    from config import ProductionConfig

    assert ProductionConfig.REMEMBER_COOKIE_SECURE and ProductionConfig.SESSION_COOKIE_SECURE


def test_a_log_in_older_than_its_lifetime_is_refused_even_with_a_kept_cookie(site):
    user_id, email = account(site)
    client = browser(site, email)
    copied = cookie(client, REMEMBER)
    with site.app_context():  # as if the log-in was made 40 days ago and the cookie kept
        db.session.execute(update(LoginSession).where(LoginSession.user_id == user_id).values(
            created_at=datetime.now(timezone.utc) - timedelta(days=40)))
        db.session.commit()
    assert not logged_in(replay(site, REMEMBER, copied))


def test_ids_without_a_live_log_in_log_nobody_in(site):
    user_id, _ = account(site)
    for forged in (str(user_id), f"{user_id}:1", f"{user_id}:1:", f"{user_id}:1:guessed", "x:1:y", ""):
        client = site.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = forged
        assert not logged_in(client), forged


def test_only_a_hash_of_the_log_in_secret_is_stored(site):
    user_id, email = account(site)
    client = browser(site, email)
    with client.session_transaction() as session:
        secret = session["_user_id"].split(":", 2)[2]
    with site.app_context():
        stored = db.session.scalars(select(LoginSession.secret_hash).where(LoginSession.user_id == user_id)).all()
    assert len(stored) == 1 and secret not in stored[0] and len(stored[0]) == 64
