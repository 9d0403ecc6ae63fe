"""An admin corrects an account chosen wrongly at sign-up (unit, party position, name, address)."""
from sqlalchemy import func, select

from courses.admin import accounts
from courses.audit.models import AuditEvent
from courses.enums import PartyPosition, Role
from courses.extensions import db
from tests.factories import make_party_tree, make_user


def _form(user, **changes):
    data = {"full_name": user.full_name, "email": user.email, "organization_id": str(user.organization_id or 0),
            "party_position": user.party_position.value if user.party_position else "",
            "job_title": user.job_title or "", "phone": user.phone or ""}
    data.update(changes)
    return data


def test_the_user_list_links_each_name_to_its_account_page(as_user):
    person = make_user(full_name="Phạm Thị Hồng Nhung")
    client = as_user(make_user(role=Role.ADMIN))
    assert f'/admin/users/{person.id}/edit"' in client.get("/admin/users").get_data(as_text=True)
    page = client.get(f"/admin/users/{person.id}/edit").get_data(as_text=True)
    assert "Sửa tài khoản" in page and 'value="Phạm Thị Hồng Nhung"' in page


def test_an_admin_corrects_unit_and_position_and_it_is_audited(as_user):
    _grassroots, cells = make_party_tree()
    admin = make_user(role=Role.ADMIN)
    person = make_user(organization=cells[0], party_position=PartyPosition.SECRETARY)
    client = as_user(admin)
    response = client.post(f"/admin/users/{person.id}/edit", data=_form(
        person, organization_id=str(cells[1].id), party_position=PartyPosition.COMMITTEE_MEMBER.value,
        email="Bi.Thu@VanPhong.local", phone=" 0912 345 678 "), follow_redirects=True)
    assert response.status_code == 200
    assert f"Đã lưu tài khoản của {person.full_name}." in response.get_data(as_text=True)
    db.session.refresh(person)
    assert person.organization_id == cells[1].id and person.party_position == PartyPosition.COMMITTEE_MEMBER
    assert person.email == "bi.thu@vanphong.local" and person.phone == "0912 345 678"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.update"))
    assert event.actor_id == admin.id and event.object_id == person.id
    assert event.before["organization_id"] == cells[0].id and event.after["organization_id"] == cells[1].id
    assert event.before["party_position"] == "secretary" and event.after["party_position"] == "committee_member"
    assert "full_name" not in event.after  # only what changed


def test_a_taken_or_malformed_address_is_refused_and_nothing_changes(as_user):
    make_user(email="da.co@example.vn")
    person = make_user(email="nguoi.nay@example.vn", full_name="Lê Văn Đúng")
    client = as_user(make_user(role=Role.ADMIN))
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    for email, message in (("DA.CO@example.vn", "Email này đã được dùng cho một tài khoản khác."),
                           ("nguoi.nay@example.vn\r\nBcc: x@y.vn", "Địa chỉ email không hợp lệ.")):
        response = client.post(f"/admin/users/{person.id}/edit",
                               data=_form(person, email=email, full_name="Tên Mới"))
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    db.session.refresh(person)
    assert person.email == "nguoi.nay@example.vn" and person.full_name == "Lê Văn Đúng"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_an_unknown_unit_is_refused(as_user):
    person = make_user()
    client = as_user(make_user(role=Role.ADMIN))
    response = client.post(f"/admin/users/{person.id}/edit", data=_form(person, organization_id="999999"))
    assert response.status_code == 400 and "Lựa chọn không hợp lệ." in response.get_data(as_text=True)


def test_saving_the_same_values_records_nothing(app):
    admin, person = make_user(role=Role.ADMIN), make_user()
    assert accounts.update_account(admin, person, accounts.AccountData.of(person)) is False
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "user.update")) == 0


def test_organizers_cannot_edit_accounts(as_user):
    person = make_user(full_name="Lê Văn Đúng")
    client = as_user(make_user(role=Role.ORGANIZER))
    assert client.post(f"/admin/users/{person.id}/edit", data=_form(person, full_name="Tên Khác")).status_code == 403
    db.session.refresh(person)
    assert person.full_name == "Lê Văn Đúng"
