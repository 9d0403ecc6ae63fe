"""CSRF: a state-changing POST without the token is refused."""
from sqlalchemy import func, select

from courses.auth.models import User
from courses.extensions import db
from tests.factories import PASSWORD, make_user


def test_post_without_csrf_token_is_rejected(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        make_user(email="a@example.vn")
        client = app.test_client()
        response = client.post("/auth/login", data={"email": "a@example.vn", "password": PASSWORD})
        assert response.status_code == 400
        assert "Vui lòng tải lại trang" in response.get_data(as_text=True)
        assert client.get("/auth/password").status_code == 302  # not logged in


def test_signup_without_csrf_token_creates_nothing(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        response = app.test_client().post("/auth/register", data={
            "full_name": "A", "email": "b@example.vn", "password": "Matkhau123", "password_confirm": "Matkhau123",
        })
        assert response.status_code == 400
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_post_with_the_token_from_the_form_works(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        make_user(email="a@example.vn")
        client = app.test_client()
        page = client.get("/auth/login").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        response = client.post("/auth/login", data={"email": "a@example.vn", "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 302
