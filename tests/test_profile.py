"""«Hồ sơ của tôi»: a participant corrects their own name, job title, phone and language."""
from sqlalchemy import func, select

from courses.audit.models import AuditEvent
from courses.extensions import db
from tests.factories import make_party_tree, make_user


def test_the_account_menu_leads_to_the_profile_with_unit_and_position_shown(as_user):
    _grassroots, cells = make_party_tree()
    client = as_user(make_user(full_name="Hoàng Thị Lan", organization=cells[0]))
    assert 'href="/auth/profile"' in client.get("/").get_data(as_text=True)
    page = client.get("/auth/profile").get_data(as_text=True)
    assert 'value="Hoàng Thị Lan"' in page and cells[0].name in page and "Bí thư chi bộ" in page


def test_a_participant_corrects_their_name_and_phone_and_chooses_english(as_user):
    user = make_user(full_name="Hoang Thi Lan")
    client = as_user(user)
    response = client.post("/auth/profile", data={"full_name": "Hoàng Thị Lan", "job_title": "Chuyên viên",
                                                  "phone": "0912 345 678", "locale": "en"}, follow_redirects=True)
    assert response.status_code == 200 and "Your profile was saved." in response.get_data(as_text=True)
    db.session.refresh(user)
    assert (user.full_name, user.job_title, user.phone, user.locale) == (
        "Hoàng Thị Lan", "Chuyên viên", "0912 345 678", "en")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.update_profile"))
    assert event.actor_id == user.id and event.before["full_name"] == "Hoang Thi Lan"


def test_an_empty_name_or_an_unknown_language_is_refused_and_nothing_changes(as_user):
    user = make_user(full_name="Hoàng Thị Lan")
    client = as_user(user)
    for data, message in (({"full_name": "", "locale": "vi"}, "Vui lòng nhập họ và tên."),
                          ({"full_name": "Tên Mới", "locale": "fr"}, "Lựa chọn không hợp lệ.")):
        response = client.post("/auth/profile", data=data)
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.full_name == "Hoàng Thị Lan" and user.locale is None
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "user.update_profile")) == 0


def test_the_profile_cannot_change_the_unit_or_the_position(as_user):
    _grassroots, cells = make_party_tree()
    user = make_user(organization=cells[0])
    client = as_user(user)
    client.post("/auth/profile", data={"full_name": user.full_name, "locale": "vi",
                                       "organization_id": str(cells[1].id), "party_position": "committee_member",
                                       "role": "admin"})
    db.session.refresh(user)
    assert user.organization_id == cells[0].id and user.party_position.value == "secretary"
    assert user.role.value == "participant"
