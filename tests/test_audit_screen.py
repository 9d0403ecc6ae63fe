"""The audit log screen: admins filter by user, object type, action and date; CSV export."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

from courses.audit.models import AuditEvent
from courses.enums import Role
from courses.extensions import db
from tests.factories import make_audit_event, make_course, make_user


def at(year, month, day, hour=3):
    return datetime(year, month, day, hour, tzinfo=timezone.utc)


def event(actor, action, object_type, when, object_id=1, **values):
    item = AuditEvent(actor_id=actor.id if actor else None, action=action, object_type=object_type,
                      object_id=object_id, created_at=when, **values)
    db.session.add(item)
    db.session.commit()
    return item


def rows_of(page: str) -> int:
    return page.count("<code>")


def test_admin_sees_the_trail_newest_first(as_user):
    admin = make_user(Role.ADMIN, full_name="Quản Trị Viên")
    organizer = make_user(Role.ORGANIZER, full_name="Cán Bộ Tổ Chức")
    event(organizer, "course.create", "Course", at(2022, 11, 20))
    event(organizer, "course.publish", "Course", at(2022, 11, 25), after={"status": "published"})
    page = as_user(admin).get("/admin/audit/").get_data(as_text=True)
    assert page.index("course.publish") < page.index("course.create")
    assert "Cán Bộ Tổ Chức" in page and "Trạng thái:</span> Đang mở đăng ký" in page
    assert "Nhật ký" in page  # the admin's menu entry


def test_filters_by_user_object_type_action_and_local_date(as_user):
    admin = make_user(Role.ADMIN)
    organizer = make_user(Role.ORGANIZER)
    event(admin, "user.set_role", "User", at(2022, 12, 1))
    event(organizer, "course.update", "Course", at(2022, 12, 2))
    # 1 Dec 2022 23:30 UTC is already 2 Dec in Hà Nội.
    event(organizer, "session.update", "CourseSession", datetime(2022, 12, 1, 23, 30, tzinfo=timezone.utc))
    event(None, "user.create_admin", "User", at(2022, 12, 3))
    client = as_user(admin)

    def count(**query):
        return rows_of(client.get("/admin/audit/", query_string=query).get_data(as_text=True))

    assert count() == 4
    assert count(user=str(organizer.id)) == 2
    assert count(user="system") == 1
    assert count(object_type="User") == 2
    assert count(action="update") == 2
    assert count(date_from="2022-12-02", date_to="2022-12-02") == 2
    assert count(date_from="2022-12-03") == 1
    assert count(user=str(organizer.id), object_type="Course") == 1


def test_bad_filters_are_shown_not_crashed(as_user):
    admin = make_user(Role.ADMIN)
    make_audit_event(admin, "x.y")
    client = as_user(admin)
    for query in ({"date_from": "2/13/2022"}, {"user": "abc"}, {"object_type": "<script>"},
                  {"date_from": "2022-12-05", "date_to": "2022-12-01"}, {"page": "-3"}, {"action": "%_\\"}):
        response = client.get("/admin/audit/", query_string=query)
        assert response.status_code in (200, 404), query
    body = client.get("/admin/audit/", query_string={"date_from": "2022-12-05", "date_to": "2022-12-01"}).get_data(as_text=True)
    assert "Ngày kết thúc phải sau ngày bắt đầu." in body


def test_pages_of_fifty(as_user):
    admin = make_user(Role.ADMIN)
    for i in range(55):
        event(admin, f"bulk.{i}", "Course", at(2022, 12, 1), object_id=i)
    client = as_user(admin)
    assert rows_of(client.get("/admin/audit/").get_data(as_text=True)) == 50
    second = client.get("/admin/audit/?page=2").get_data(as_text=True)
    assert rows_of(second) == 5


def test_csv_export_follows_the_filters_and_neutralizes_formulas(as_user):
    admin = make_user(Role.ADMIN, full_name="=HYPERLINK(\"http://evil\")")
    course = make_course(title="@SUM(1)")
    make_audit_event(admin, "course.update", course, after={"title": "=1+1"})
    event(admin, "user.set_role", "User", at(2022, 12, 1))
    response = as_user(admin).get("/admin/audit/export.csv", query_string={"object_type": "Course"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:4] == ["Thời điểm", "Người thực hiện", "Email", "Hành động"]
    assert len(rows) == 2  # the header and the one Course event
    assert rows[1][1] == "'=HYPERLINK(\"http://evil\")"
    assert rows[1][3] == "course.update" and rows[1][4] == "Course"
    for cell in rows[1]:
        assert not cell.startswith(("=", "+", "-", "@")), cell


def test_the_screen_issues_a_bounded_number_of_queries(as_user):
    from sqlalchemy import event as sa_event

    admin = make_user(Role.ADMIN)
    users = [make_user(Role.ORGANIZER) for _ in range(5)]
    for i in range(40):
        event(users[i % 5], "course.update", "Course", at(2022, 12, 1), object_id=i)
    client = as_user(admin)
    statements = []

    def count(*args):
        statements.append(1)

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        client.get("/admin/audit/")
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) <= 8
