"""Accounts: sign-up, log-in, log-out, password change, and their bad input."""
import pytest
from sqlalchemy import func, select

from courses.auth.models import User
from courses.enums import OrganizationKind, PartyPosition, Role
from courses.extensions import db
from tests.conftest import login
from tests.factories import PASSWORD, make_organization, make_user


@pytest.fixture
def cell():
    bloc = make_organization("Đảng ủy Khối thử", kind=OrganizationKind.BLOC)
    return make_organization("Chi bộ Vụ Tổng hợp", parent=bloc)


def signup_data(cell, **overrides):
    data = {
        "full_name": "Trần Thị Bích Ngọc",
        "email": "Ngoc.Tran@Example.vn",
        "organization_id": str(cell.id),
        "party_position": PartyPosition.SECRETARY.value,
        "job_title": "Phó Vụ trưởng",
        "password": "Matkhau2024",
        "password_confirm": "Matkhau2024",
    }
    data.update(overrides)
    return data


def user_count():
    return db.session.scalar(select(func.count()).select_from(User))


def test_signup_creates_a_participant_and_logs_in(client, cell):
    response = client.post("/auth/register", data=signup_data(cell), follow_redirects=True)
    assert response.status_code == 200
    assert "Đăng ký thành công" in response.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.email == "ngoc.tran@example.vn"))
    assert user.role == Role.PARTICIPANT
    assert user.organization_id == cell.id
    assert user.party_position == PartyPosition.SECRETARY
    assert user.password_hash != "Matkhau2024" and user.check_password("Matkhau2024")
    assert "Trần Thị Bích Ngọc" in client.get("/").get_data(as_text=True)


def test_signup_with_a_taken_email_says_so_and_adds_nobody(client, cell):
    make_user(email="ngoc.tran@example.vn")
    before = user_count()
    response = client.post("/auth/register", data=signup_data(cell))
    assert response.status_code == 200
    assert "Email này đã được dùng" in response.get_data(as_text=True)
    assert user_count() == before


@pytest.mark.parametrize("field, value, message", [
    ("full_name", "", "Vui lòng nhập họ và tên."),
    ("email", "khong-phai-email", "Địa chỉ email không hợp lệ."),
    ("organization_id", "0", "Vui lòng chọn đơn vị."),
    ("organization_id", "999999", "Lựa chọn không hợp lệ."),
    ("party_position", "vua", "Lựa chọn không hợp lệ."),
    ("password", "ngan1", "Mật khẩu cần ít nhất 8 ký tự"),
    ("password_confirm", "KhacHan999", "Hai mật khẩu không khớp."),
])
def test_signup_bad_input_rerenders_with_a_message(client, cell, field, value, message):
    response = client.post("/auth/register", data=signup_data(cell, **{field: value}))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "is-invalid" in body
    assert message in body
    assert user_count() == 0


def test_signup_refuses_the_bloc_itself_as_unit(client, cell):
    response = client.post("/auth/register", data=signup_data(cell, organization_id=str(cell.parent_id)))
    assert "Vui lòng chọn đảng bộ cơ sở hoặc chi bộ" in response.get_data(as_text=True)
    assert user_count() == 0


def test_login_and_logout(client):
    user = make_user(email="a@example.vn", full_name="Lê Văn Đăng")
    response = login(client, "A@Example.vn", PASSWORD)
    assert response.status_code == 302
    assert "Lê Văn Đăng" in client.get("/").get_data(as_text=True)
    assert db.session.get(User, user.id).last_login_at is not None
    assert client.get("/auth/logout").status_code == 405  # never by GET
    client.post("/auth/logout")
    assert "Lê Văn Đăng" not in client.get("/").get_data(as_text=True)


def test_wrong_password_and_unknown_email_get_the_same_generic_message(client):
    make_user(email="a@example.vn")
    wrong_password = login(client, "a@example.vn", "SaiMatKhau1").get_data(as_text=True)
    unknown_email = login(client, "khongco@example.vn", "SaiMatKhau1").get_data(as_text=True)
    for body in (wrong_password, unknown_email):
        assert "Email hoặc mật khẩu không đúng." in body
        assert "không tồn tại" not in body
    assert client.get("/auth/password").status_code == 302  # still anonymous


def test_login_with_empty_fields_shows_messages(client):
    body = client.post("/auth/login", data={"email": "", "password": ""}).get_data(as_text=True)
    assert "Vui lòng nhập email." in body and "Vui lòng nhập mật khẩu." in body


def test_deactivated_account_cannot_log_in(client):
    user = make_user(email="off@example.vn")
    user.is_active_account = False
    db.session.commit()
    assert "Email hoặc mật khẩu không đúng." in login(client, "off@example.vn", PASSWORD).get_data(as_text=True)


def test_login_goes_back_to_a_local_next_page_only(client):
    make_user(email="a@example.vn")
    response = client.post("/auth/login?next=/auth/password", data={"email": "a@example.vn", "password": PASSWORD})
    assert response.headers["Location"] == "/auth/password"
    client.post("/auth/logout")
    for evil in ("https://evil.example/x", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        response = client.post(f"/auth/login?next={evil}", data={"email": "a@example.vn", "password": PASSWORD})
        assert response.headers["Location"] == "/", evil
        client.post("/auth/logout")


def test_login_starts_a_new_session(client):
    make_user(email="a@example.vn")
    with client.session_transaction() as session:
        session["planted"] = "by-an-attacker"
    login(client, "a@example.vn", PASSWORD)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("_user_id")


def test_password_change(client):
    make_user(email="a@example.vn")
    login(client, "a@example.vn", PASSWORD)
    body = client.post("/auth/password", data={
        "current_password": "SaiMatKhau9", "new_password": "MatKhauMoi7", "new_password_confirm": "MatKhauMoi7",
    }).get_data(as_text=True)
    assert "Mật khẩu hiện tại không đúng." in body
    response = client.post("/auth/password", data={
        "current_password": PASSWORD, "new_password": "MatKhauMoi7", "new_password_confirm": "MatKhauMoi7",
    })
    assert response.status_code == 302
    client.post("/auth/logout")
    assert "Email hoặc mật khẩu không đúng." in login(client, "a@example.vn", PASSWORD).get_data(as_text=True)
    assert login(client, "a@example.vn", "MatKhauMoi7").status_code == 302


def test_password_change_requires_login(client):
    response = client.get("/auth/password")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
