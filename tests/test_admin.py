"""Admin user list and role changes."""
from sqlalchemy import select

from courses.audit.models import AuditEvent
from courses.enums import Role
from courses.extensions import db
from tests.factories import make_user


def test_admin_lists_and_searches_users(as_user):
    make_user(full_name="Phạm Thị Hồng Nhung", email="nhung@example.vn")
    make_user(full_name="Đỗ Văn Kiên", email="kien@example.vn")
    client = as_user(make_user(role=Role.ADMIN))
    body = client.get("/admin/users").get_data(as_text=True)
    assert "Phạm Thị Hồng Nhung" in body and "Đỗ Văn Kiên" in body
    body = client.get("/admin/users?q=nhung").get_data(as_text=True)
    assert "Phạm Thị Hồng Nhung" in body and "Đỗ Văn Kiên" not in body


def test_admin_changes_a_role_and_it_is_audited(as_user):
    admin = make_user(role=Role.ADMIN)
    user = make_user()
    client = as_user(admin)
    response = client.post(f"/admin/users/{user.id}/role", data={"role": "organizer"}, follow_redirects=True)
    assert "Cán bộ tổ chức lớp" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.role == Role.ORGANIZER
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.set_role"))
    assert event.actor_id == admin.id and event.object_id == user.id
    assert event.before == {"role": "participant"} and event.after == {"role": "organizer"}


def test_the_last_admin_cannot_be_demoted(as_user):
    admin = make_user(role=Role.ADMIN)
    client = as_user(admin)
    body = client.post(f"/admin/users/{admin.id}/role", data={"role": "participant"},
                       follow_redirects=True).get_data(as_text=True)
    assert "quản trị viên cuối cùng" in body
    db.session.refresh(admin)
    assert admin.role == Role.ADMIN


def test_an_unknown_role_is_refused(as_user):
    user = make_user()
    client = as_user(make_user(role=Role.ADMIN))
    body = client.post(f"/admin/users/{user.id}/role", data={"role": "emperor"}, follow_redirects=True).get_data(as_text=True)
    assert "Vai trò không hợp lệ." in body
    db.session.refresh(user)
    assert user.role == Role.PARTICIPANT


def test_role_change_of_a_missing_user_is_404(as_user):
    client = as_user(make_user(role=Role.ADMIN))
    assert client.post("/admin/users/999999/role", data={"role": "organizer"}).status_code == 404


def test_admin_user_list_follows_the_vietnamese_order_of_given_names_across_pages(as_user, monkeypatch):
    # Code-point order of the whole name would put Đỗ after Trần and Ánh after Bình.
    for name in ("Trần Thị Ánh", "Đỗ Văn Bình", "Nguyễn Văn An", "Lê Thị Ơn", "Phạm Văn Ôn"):
        make_user(full_name=name)
    client = as_user(make_user(role=Role.ADMIN, full_name="Vũ Quản Trị Xuân"))
    monkeypatch.setattr("courses.admin.views.PER_PAGE", 3)
    first = client.get("/admin/users").get_data(as_text=True)
    second = client.get("/admin/users?page=2").get_data(as_text=True)
    order = ["Nguyễn Văn An", "Trần Thị Ánh", "Đỗ Văn Bình"]
    assert [first.index(name) for name in order] == sorted(first.index(name) for name in order)
    assert "Lê Thị Ơn" not in first and "Lê Thị Ơn" in second
    order = ["Phạm Văn Ôn", "Lê Thị Ơn", "Vũ Quản Trị Xuân"]
    assert [second.rindex(name) for name in order] == sorted(second.rindex(name) for name in order)
