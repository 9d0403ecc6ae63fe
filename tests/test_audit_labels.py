"""The audit log and a course's history in the reader's language (issue 17, item 4)."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from courses.enums import CourseStatus, Role, SessionKind
from courses.formatting import LOCAL_TZ
from tests.factories import make_audit_event, make_certificate, make_course, make_enrollment, make_user


def _timetable_changes(app, organizer, course):
    """A session added, changed and deleted, and the course published, through the services."""
    from courses.scheduling import lifecycle, timetable

    start = datetime.combine(course.starts_on, time(8), LOCAL_TZ)
    with app.test_request_context():
        item = timetable.add_session(organizer, course, timetable.SessionData(
            kind=SessionKind.OPENING, starts_at=start, ends_at=start + timedelta(hours=1), title="Khai mạc lớp"))
        timetable.update_session(organizer, item, timetable.SessionData(
            kind=SessionKind.OPENING, starts_at=start, ends_at=start + timedelta(hours=1), title="Khai mạc lớp",
            room="Phòng 201"))
        lifecycle.change_status(organizer, course, "publish")
        timetable.delete_session(organizer, item)


def test_course_history_shows_session_changes_by_their_labels(app, as_user):
    organizer = make_user(Role.ORGANIZER)
    course = make_course(status=CourseStatus.DRAFT)
    course.code = "BDNV-2022-01"
    _timetable_changes(app, organizer, course)
    html = as_user(organizer).get(f"/organize/courses/{course.id}").get_data(as_text=True)
    history = html[html.index('id="history-heading"'):]
    for label in ("Thêm buổi học", "Sửa buổi học", "Xóa buổi học", "Mở đăng ký", "Khai mạc lớp",
                  "Phòng 201", "Bản nháp", "Đang mở đăng ký"):
        assert label in history, label
    for code in ("session.create", "course.publish", "CourseSession", "None", "published"):
        assert code not in history, code


def test_audit_screen_names_actions_objects_and_values(app, as_user):
    organizer = make_user(Role.ORGANIZER)
    course = make_course(status=CourseStatus.DRAFT)
    course.code = "BDNV-2022-01"
    _timetable_changes(app, organizer, course)
    certificate = make_certificate(make_enrollment(make_user(), course))
    make_audit_event(organizer, "course.update", course, before={"requires_approval": False, "venue": None},
                     after={"requires_approval": True, "venue": "Hội trường B"})
    make_audit_event(organizer, "certificate.issue", certificate)
    html = as_user(make_user(Role.ADMIN)).get("/admin/audit/").get_data(as_text=True)
    table = html[html.index("<tbody>"):html.index("</tbody>")]
    for label in ("Tạo lớp" if "course.create" in table else "Cập nhật lớp", "Thêm buổi học", "Mở đăng ký",
                  "Lớp BDNV-2022-01", f"Giấy chứng nhận số {certificate.serial}", "Buổi học «Khai mạc lớp»",
                  "Không → Có", "— → Hội trường B", "Bản nháp → Đang mở đăng ký"):
        assert label in table, label
    for raw in (">CourseSession", ">Course #", "None", "True", "False"):
        assert raw not in table, raw


def test_values_by_their_labels(app):
    from courses.audit.labels import action_label, value_label

    with app.test_request_context():
        assert action_label("course.create") == "Tạo lớp"
        assert action_label("unknown.action") == "unknown.action"
        assert value_label("Course", "status", "published") == "Đang mở đăng ký"
        assert value_label("Enrollment", "status", "cancelled") == "Đã hủy"
        assert value_label("Course", "requires_approval", True) == "Có"
        assert value_label("Course", "venue", None) == "—"
