"""Units named with their organization wherever a list or a choice shows them (issue 17, item 5)."""
from __future__ import annotations

from courses.enums import OrganizationKind, Role
from tests.factories import make_course, make_enrollment, make_organization, make_user

TUYEN_GIAO = "Đảng bộ Ban Tuyên giáo Trung ương"
TO_CHUC = "Đảng bộ Ban Tổ chức Trung ương"


def _two_offices():
    """Two organizations, each with its «Chi bộ Văn phòng»."""
    offices = []
    for name in (TUYEN_GIAO, TO_CHUC):
        parent = make_organization(name, kind=OrganizationKind.GRASSROOTS)
        offices.append(make_organization("Chi bộ Văn phòng", parent=parent))
    return offices


def test_display_name_of_a_cell_carries_its_organization(app):
    from courses.organizations.services import unit_display_name

    first, _second = _two_offices()
    assert unit_display_name(first) == f"Chi bộ Văn phòng – {TUYEN_GIAO}"
    assert unit_display_name(first.parent) == TUYEN_GIAO
    assert unit_display_name(None) == ""


def test_sign_up_choices_tell_the_two_offices_apart(app, client):
    _two_offices()
    html = client.get("/auth/register").get_data(as_text=True)
    assert f"Chi bộ Văn phòng – {TUYEN_GIAO}" in html
    assert f"Chi bộ Văn phòng – {TO_CHUC}" in html


def test_roster_and_admin_users_show_the_unit_with_its_organization(app, as_user):
    first, second = _two_offices()
    course = make_course()
    make_enrollment(make_user(organization=first, full_name="Học Viên Một"), course)
    make_enrollment(make_user(organization=second, full_name="Học Viên Hai"), course)
    roster = as_user(make_user(Role.ORGANIZER)).get(f"/enrollment/courses/{course.id}/roster").get_data(as_text=True)
    assert f"Chi bộ Văn phòng – {TUYEN_GIAO}" in roster and f"Chi bộ Văn phòng – {TO_CHUC}" in roster


def test_admin_user_list_shows_the_unit_with_its_organization(app, as_user):
    for office in _two_offices():
        make_user(organization=office)
    users = as_user(make_user(Role.ADMIN)).get("/admin/users").get_data(as_text=True)
    assert f"Chi bộ Văn phòng – {TUYEN_GIAO}" in users and f"Chi bộ Văn phòng – {TO_CHUC}" in users
