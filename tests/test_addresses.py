"""Addresses of closed networks (.local, .internal, .lan, a bare intranet host) are valid wherever
an address is typed; malformed ones, reserved names and line breaks are not."""
import pytest
from sqlalchemy import func, select

from courses.addresses import is_valid_address
from courses.auth.models import User
from courses.enrollment import import_files, importer, registration
from courses.enums import OrganizationKind, PartyPosition, Role
from courses.extensions import db
from tests.enrollment.helpers import xlsx_bytes
from tests.factories import make_course, make_organization, make_party_tree, make_user

CLOSED_NETWORK = ["bithu@vanphong.local", "uyvien@dangbo.internal", "vanthu@coquan.lan", "chibo@intranet"]
MALFORMED = ["khong-phai-email", "thieu@", "@thieu.vn", "hai@@dau.vn", "a@localhost", "a@may.test",
             "Nguyễn\r\nBcc: ke.gian@example.vn", "dai@" + "a" * 250 + ".vn"]


@pytest.mark.parametrize("address", CLOSED_NETWORK + ["ngoc.tran@example.vn", "ü@bücher.de"])
def test_closed_network_and_ordinary_addresses_are_valid(address):
    assert is_valid_address(address)


@pytest.mark.parametrize("address", MALFORMED)
def test_malformed_reserved_and_header_breaking_addresses_are_not(address):
    assert not is_valid_address(address)


def _signup(client, cell, email):
    return client.post("/auth/register", data={
        "full_name": "Trần Thị Bích Ngọc", "email": email, "organization_id": str(cell.id),
        "party_position": PartyPosition.SECRETARY.value, "job_title": "", "password": "Matkhau2024",
        "password_confirm": "Matkhau2024"})


@pytest.mark.parametrize("address", CLOSED_NETWORK)
def test_signup_accepts_an_address_of_a_closed_network(client, address):
    cell = make_organization("Chi bộ Văn phòng", parent=make_organization("Đảng bộ thử", kind=OrganizationKind.BLOC))
    response = _signup(client, cell, address)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert db.session.scalar(select(User.email).where(User.email == address)) == address


def test_signup_refuses_a_line_break_in_the_address_and_adds_nobody(client):
    cell = make_organization("Chi bộ Văn phòng", parent=make_organization("Đảng bộ thử", kind=OrganizationKind.BLOC))
    before = db.session.scalar(select(func.count()).select_from(User))
    response = _signup(client, cell, "ngoc@example.vn\r\nBcc: ke.gian@example.vn")
    assert response.status_code == 200 and "Địa chỉ email không hợp lệ." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == before


def test_an_organizer_adds_an_account_of_a_closed_network_to_the_roster(as_user):
    course = make_course(capacity=5)
    person = make_user(email="participant@demo.local")
    client = as_user(make_user(role=Role.ORGANIZER))
    response = client.post(f"/enrollment/courses/{course.id}/roster/add", data={"email": "participant@demo.local"})
    assert response.status_code == 302
    assert registration.find_enrollment(person.id, course.id) is not None


def test_an_imported_list_takes_closed_network_addresses_and_reports_malformed_ones(app):
    grassroots, cells = make_party_tree()
    course = make_course(capacity=10)
    rows = [["Lê Văn Một", "mot@vanphong.local", cells[0].code, "Bí thư chi bộ", "", ""],
            ["Lê Văn Hai", "hai@intranet", cells[0].code, "Bí thư chi bộ", "", ""],
            ["Lê Văn Ba", "ba@localhost", cells[0].code, "Bí thư chi bộ", "", ""]]
    plan = importer.plan_import(course, import_files.parse_spreadsheet("ds.xlsx", xlsx_bytes(rows)))
    assert [row.email for row in plan.rows] == ["mot@vanphong.local", "hai@intranet"]
    assert [problem.message for problem in plan.problems] == ["Email không hợp lệ: «ba@localhost»."]
