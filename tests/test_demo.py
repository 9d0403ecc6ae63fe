"""The demo data set: the model course of 2 December 2022, loaded idempotently."""
import re

from sqlalchemy import func, select

from courses import models
from courses.enums import AttendanceStatus, CourseStatus, EnrollmentStatus
from courses.extensions import db
from courses.scheduling.models import Course

MODEL_NAMES = ["Organization", "User", "Topic", "Speaker", "Course", "CourseSession", "Enrollment",
               "Attendance", "Material"]


def row_counts():
    return {name: db.session.scalar(select(func.count()).select_from(getattr(models, name)))
            for name in MODEL_NAMES}


def test_seed_demo_twice_leaves_the_same_row_counts(runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    counts = row_counts()
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert row_counts() == counts
    assert counts["Organization"] >= 1 + 12 + 12 * 2
    assert counts["Topic"] == 5
    assert "admin@demo.local" in first.output and "Demo@2022" in first.output


def test_demo_model_course_is_complete(runner):
    runner.invoke(args=["seed-demo"])
    course = db.session.scalar(select(Course).where(Course.code == "BDNV-2022-01"))
    assert course.status == CourseStatus.FINISHED
    assert str(course.starts_on) == "2022-12-02"
    kinds = [s.kind.value for s in course.sessions]
    assert kinds.count("opening") == 1 and kinds.count("topic") == 5
    enrollments = db.session.scalars(select(models.Enrollment).where(models.Enrollment.course_id == course.id)).all()
    assert len(enrollments) == 60
    assert all(e.status == EnrollmentStatus.CONFIRMED for e in enrollments)
    absences = db.session.scalar(select(func.count()).select_from(models.Attendance).where(
        models.Attendance.status != AttendanceStatus.PRESENT))
    assert 1 <= absences <= 10
    assert [m.title for m in course.materials][0].startswith("Bồi dưỡng bí thư chi bộ")


def test_demo_accounts_log_in_with_the_printed_password(runner, client):
    runner.invoke(args=["seed-demo", "--password", "Thu@2024x"])
    for email in ("admin@demo.local", "organizer@demo.local", "participant@demo.local"):
        response = client.post("/auth/login", data={"email": email, "password": "Thu@2024x"})
        assert response.status_code == 302, email
        client.post("/auth/logout")


def test_demo_course_page_shows_the_opening_and_five_topics_with_speakers(runner, client):
    runner.invoke(args=["seed-demo"])
    course = db.session.scalar(select(Course).where(Course.code == "BDNV-2022-01"))
    body = client.get(f"/courses/{course.id}").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))
    assert "Thứ Sáu, 2/12/2022" in text
    assert "Lễ khai giảng" in text and "Nguyễn Văn Thể" in text
    for topic, speaker in [("Công tác tổ chức", "Nguyễn Đức Minh"), ("Công tác kiểm tra, giám sát", ""),
                           ("Công tác tư tưởng", ""), ("Công tác dân vận", ""), ("Công tác văn phòng", "")]:
        assert topic in text
        if speaker:
            assert speaker in text
    assert text.count("Chuyên đề:") == 5
    assert "08:15–09:30" in text


def test_home_page_lists_upcoming_and_past_demo_courses(runner, client):
    runner.invoke(args=["seed-demo"])
    body = client.get("/").get_data(as_text=True)
    assert "BDNV-2022-01" in body
    upcoming = db.session.scalar(select(Course).where(Course.status == CourseStatus.PUBLISHED))
    assert upcoming.code in body


def test_demo_roster_counts_every_participant_under_a_grassroots_organization(runner, client):
    from tests.conftest import login

    runner.invoke(args=["seed-demo"])
    course = db.session.scalar(select(Course).where(Course.code == "BDNV-2022-01"))
    login(client, "organizer@demo.local", "Demo@2022")
    page = client.get(f"/enrollment/courses/{course.id}/roster").get_data(as_text=True)
    counts = re.search(r'id="counts-by-organization".*?</table>', page, re.S).group(0)
    assert "Chưa thuộc đảng bộ cơ sở" not in counts
    assert counts.count("<tr>") >= 2 and "Đảng bộ" in counts
