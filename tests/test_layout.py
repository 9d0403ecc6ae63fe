"""The top-level layout: templates and static files beside the package load."""
from courses.extensions import db
from tests.factories import make_course


def test_static_files_and_bootstrap_are_served_locally(client):
    response = client.get("/static/vendor/bootstrap/bootstrap.min.css")
    assert response.status_code == 200 and b"Bootstrap" in response.data[:200]
    response.close()
    home = client.get("/").get_data(as_text=True)
    assert "/static/vendor/bootstrap/bootstrap.min.css" in home
    assert "cdn" not in home.lower()


def test_pages_are_vietnamese_by_default(client):
    body = client.get("/").get_data(as_text=True)
    assert '<html lang="vi">' in body
    assert "Đăng nhập" in body


def test_unknown_page_gets_a_vietnamese_404(client):
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.get_data(as_text=True)


def test_draft_course_is_hidden_from_the_public(client, app):
    from courses.enums import CourseStatus

    course = make_course(status=CourseStatus.DRAFT)
    assert client.get(f"/courses/{course.id}").status_code == 404
    course.status = CourseStatus.PUBLISHED
    db.session.commit()
    assert client.get(f"/courses/{course.id}").status_code == 200


def test_security_headers_are_set(client):
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
