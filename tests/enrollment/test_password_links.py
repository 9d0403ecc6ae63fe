"""Participants who never set a password (an import's lost one-time links) get fresh links: the
roster says how many cannot log in, and an organizer downloads a link for each as XLSX."""
import io
from urllib.parse import urlparse

from openpyxl import load_workbook
from sqlalchemy import select

from courses.audit.models import AuditEvent
from courses.enums import EnrollmentStatus, Role
from courses.extensions import db
from tests.factories import make_course, make_enrollment, make_user


def _without_password(full_name, email):
    user = make_user(full_name=full_name, email=email)
    user.password_hash = None  # as the importer creates accounts
    db.session.commit()
    return user


def test_an_organizer_downloads_fresh_links_and_each_works_once(as_user, client):
    course = make_course(capacity=10)
    vuong = _without_password("Vương Văn An", "an@vanphong.local")
    do = _without_password("Đỗ Thị Bình", "binh@vanphong.local")
    gone = _without_password("Lê Văn Cường", "cuong@vanphong.local")
    has_password = make_user(full_name="Trần Văn Dũng")
    for user in (vuong, do, has_password):
        make_enrollment(user, course)
    make_enrollment(gone, course, status=EnrollmentStatus.CANCELLED)
    organizer = make_user(role=Role.ORGANIZER)
    staff = as_user(organizer)

    roster = staff.get(f"/enrollment/courses/{course.id}/roster").get_data(as_text=True)
    assert "2 học viên chưa đặt mật khẩu" in roster
    response = staff.post(f"/enrollment/courses/{course.id}/set-password-links.xlsx")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]  # a link lets its holder in
    assert "lien-ket-dat-mat-khau-" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [row for row in sheet.iter_rows(min_row=3, values_only=True)]
    # An «An» sorts before a «Bình» by given name, whatever the family names.
    assert [(row[0], row[1], row[2]) for row in rows] == [(1, "Vương Văn An", "an@vanphong.local"),
                                                         (2, "Đỗ Thị Bình", "binh@vanphong.local")]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "enrollment.set_password_links"))
    assert event.actor_id == organizer.id and event.after == {"links": 2}

    staff.post("/auth/logout")
    link = urlparse(rows[0][4]).path
    assert client.get(link).status_code == 200
    assert client.post(link, data={"password": "Matkhau999", "password_confirm": "Matkhau999"}).status_code == 302
    assert client.post("/auth/login", data={"email": "an@vanphong.local", "password": "Matkhau999"}).status_code == 302
    client.post("/auth/logout")
    assert client.get(link).status_code == 404  # used once


def test_the_roster_says_nothing_when_everyone_can_log_in(as_user):
    course = make_course()
    make_enrollment(make_user(), course)
    page = as_user(make_user(role=Role.ORGANIZER)).get(f"/enrollment/courses/{course.id}/roster")
    assert "chưa đặt mật khẩu" not in page.get_data(as_text=True)


def test_participants_cannot_download_links(as_user):
    course = make_course()
    _without_password("Vương Văn An", "an@vanphong.local")
    response = as_user(make_user()).post(f"/enrollment/courses/{course.id}/set-password-links.xlsx")
    assert response.status_code == 403
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "enrollment.set_password_links")) is None
