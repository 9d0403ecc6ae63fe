"""Printing a course's certificates as a background job: progress, the PDF, who may see it.

The jobs run in a thread of the test's app here; tests/test_multiprocess.py runs the
same kind through the RQ worker on Redis.
"""
from __future__ import annotations

import io
import re

import pypdf
import pypdfium2
import pytest
import zxingcpp

from courses.certificates import issuing, lookups
from courses.certificates import jobs as certificate_jobs
from courses.enums import JobStatus, Role
from courses.extensions import db
from courses.jobs import runner
from courses.jobs.models import Job
from tests.factories import make_finished_course, make_user


@pytest.fixture
def app(make_app, tmp_path):
    """The app with job results in this test's own directory; jobs run in threads."""
    app = make_app(JOB_RESULTS_DIR=str(tmp_path / "job-results"))
    with app.app_context():
        yield app
        runner.wait_for_threads()


def course_with_certificates(participants: int, revoke: int = 0):
    """A finished course whose participants all hold a certificate; revoke the first few."""
    course, _sessions, enrollments = make_finished_course(topics=1, participants=participants)
    course = lookups.load_course(course.id)
    issued = issuing.issue_all(None, course)
    admin = make_user(Role.ADMIN)
    revoked_ids = set()
    for certificate in issued[:revoke]:
        issuing.revoke(admin, certificate, "Thu hồi thử")
        revoked_ids.add(certificate.enrollment_id)
        certificate.enrollment.user.full_name = f"Đỗ Thị Thu Hồi {len(revoked_ids)}"  # no other name contains it
    db.session.commit()
    # Holders of a valid certificate first, then those whose certificate was revoked.
    return course, sorted(enrollments, key=lambda e: e.id in revoked_ids)


def start_from_certificates_page(client, course_id: int, **extra) -> int:
    page = client.get(f"/certificates/courses/{course_id}").get_data(as_text=True)
    assert "In tất cả như tác vụ nền" in page
    response = client.post("/jobs/new", data={"kind": certificate_jobs.KIND, "course_id": str(course_id), **extra})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/jobs/(\d+)$", response.headers["Location"]).group(1))


def test_organizer_prints_a_course_as_a_job_and_downloads_every_valid_certificate(
        app, as_user, fast_password_hashing):
    course, enrollments = course_with_certificates(participants=25, revoke=2)
    client = as_user(make_user(Role.ORGANIZER))
    job_id = start_from_certificates_page(client, course.id)
    runner.wait_for_threads(timeout=120)

    status = client.get(f"/jobs/{job_id}/status").get_json()
    assert status["status"] == "finished", status
    assert (status["done"], status["total"], status["percent"]) == (23, 23, 100)
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "23 / 23 (100%)" in page and "Tải tệp kết quả" in page
    assert f"giay-chung-nhan-{course.code}.pdf" in page

    download = client.get(status["download_url"])
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    reader = pypdf.PdfReader(io.BytesIO(download.data))
    assert len(reader.pages) == 23
    text = "\n".join(page.extract_text() for page in reader.pages)
    kept = {e.user.full_name for e in enrollments[:23]}
    revoked = {e.user.full_name for e in enrollments[23:]}
    assert all(name in text for name in kept)
    assert not any(name in text for name in revoked)
    # The job keeps the address the print was asked from, for the QR codes (see below).
    assert db.session.get(Job, job_id).params["base_url"] == "http://localhost"


def test_progress_moves_page_by_page_up_to_the_total(app, fast_password_hashing, monkeypatch):
    course, _ = course_with_certificates(participants=6)
    calls = []
    job = Job(kind=certificate_jobs.KIND, params={"course_id": course.id, "base_url": "https://gcn.example.vn"},
              created_by_id=make_user(Role.ORGANIZER).id)
    result = certificate_jobs.print_course(job, lambda done, total=None: calls.append((done, total)))
    assert calls == [(n, 6) for n in range(7)]
    data = result.path.read_bytes()
    result.path.unlink()
    assert len(pypdf.PdfReader(io.BytesIO(data)).pages) == 6
    # Outside a request the QR codes still point at the site the print was asked from.
    image = pypdfium2.PdfDocument(data)[0].render(scale=2).to_pil()
    decoded = [barcode.text for barcode in zxingcpp.read_barcodes(image)]
    assert len(decoded) == 1 and decoded[0].startswith("https://gcn.example.vn/verify/")


def test_preprinted_job_prints_only_the_variable_fields(app, as_user, fast_password_hashing):
    course, enrollments = course_with_certificates(participants=3)
    client = as_user(make_user(Role.ORGANIZER))
    job_id = start_from_certificates_page(client, course.id, preprinted="1")
    runner.wait_for_threads(timeout=60)
    status = client.get(f"/jobs/{job_id}/status").get_json()
    assert status["finished"] and status["result_filename"] == f"giay-chung-nhan-{course.code}-phoi.pdf"
    reader = pypdf.PdfReader(io.BytesIO(client.get(status["download_url"]).data))
    assert len(reader.pages) == 3
    first = reader.pages[0].extract_text()
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in first.upper()  # the blank has the heading printed
    assert any(e.user.full_name in first for e in enrollments)


@pytest.mark.parametrize("role", [Role.PARTICIPANT, Role.COORDINATOR])
def test_who_is_not_staff_cannot_see_or_download_the_print(app, as_user, client, fast_password_hashing, role):
    course, enrollments = course_with_certificates(participants=2)
    organizer = make_user(Role.ORGANIZER)
    job = Job(kind=certificate_jobs.KIND, params={"course_id": course.id}, created_by_id=organizer.id)
    db.session.add(job)
    db.session.commit()
    runner.dispatch(job.id, 1)
    runner.wait_for_threads(timeout=60)
    db.session.expire_all()
    assert db.session.get(Job, job.id).status == JobStatus.FINISHED

    # Even a participant whose own certificate is in the file.
    outsider = enrollments[0].user if role == Role.PARTICIPANT else make_user(role)
    as_user(outsider)
    for path in (f"/jobs/{job.id}", f"/jobs/{job.id}/status", f"/jobs/{job.id}/download"):
        assert client.get(path).status_code == 403, path
    page = client.get("/jobs/").get_data(as_text=True)
    assert f"#{job.id}" not in page and "In giấy chứng nhận của một lớp" not in page
    response = client.post("/jobs/new", data={"kind": certificate_jobs.KIND, "course_id": str(course.id)},
                           follow_redirects=True)
    assert "Bạn không có quyền chạy tác vụ này." in response.get_data(as_text=True)
    assert db.session.query(Job).count() == 1


def test_another_organizer_may_see_and_download_it(app, as_user, fast_password_hashing):
    course, _ = course_with_certificates(participants=2)
    job = Job(kind=certificate_jobs.KIND, params={"course_id": course.id}, created_by_id=make_user(Role.ORGANIZER).id)
    db.session.add(job)
    db.session.commit()
    runner.dispatch(job.id, 1)
    runner.wait_for_threads(timeout=60)
    client = as_user(make_user(Role.ORGANIZER))
    response = client.get(f"/jobs/{job.id}/download")
    assert response.status_code == 200 and len(pypdf.PdfReader(io.BytesIO(response.data)).pages) == 2


def test_the_jobs_page_starts_it_by_course_code(app, as_user, fast_password_hashing):
    course, _ = course_with_certificates(participants=2)
    client = as_user(make_user(Role.ORGANIZER))
    page = client.get("/jobs/").get_data(as_text=True)
    assert "In giấy chứng nhận của một lớp (PDF)" in page and 'name="course_code"' in page
    response = client.post("/jobs/new", data={"kind": certificate_jobs.KIND, "course_code": course.code})
    assert response.status_code == 302 and re.search(r"/jobs/\d+$", response.headers["Location"])
    runner.wait_for_threads(timeout=60)
    assert db.session.scalar(db.select(Job.status)) == JobStatus.FINISHED


@pytest.mark.parametrize("form, message", [
    ({"course_code": "KHONG-CO-LOP"}, "Không tìm thấy lớp học."),
    ({"course_code": ""}, "Vui lòng nhập mã lớp."),
    ({"course_id": "abc"}, "Lớp học không hợp lệ."),
    ({"course_id": "999999"}, "Không tìm thấy lớp học."),
    ({"course_code": "X" * 51}, "Mã lớp quá dài (tối đa 50 ký tự)."),
])
def test_a_bad_course_is_refused_with_a_message_and_no_job(app, as_user, form, message):
    client = as_user(make_user(Role.ORGANIZER))
    response = client.post("/jobs/new", data={"kind": certificate_jobs.KIND, **form}, follow_redirects=True)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.query(Job).count() == 0


def test_a_course_deleted_before_the_job_runs_fails_with_a_message(app, as_user):
    organizer = make_user(Role.ORGANIZER)
    job = Job(kind=certificate_jobs.KIND, params={"course_id": 424242}, created_by_id=organizer.id)
    db.session.add(job)
    db.session.commit()
    runner.dispatch(job.id, 1)
    runner.wait_for_threads(timeout=60)
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.status == JobStatus.FAILED and job.error_message == "Lớp học không còn tồn tại."


def test_a_large_course_recommends_the_background_job(app, as_user, fast_password_hashing, monkeypatch):
    course, _ = course_with_certificates(participants=3)
    client = as_user(make_user(Role.ORGANIZER))
    page = client.get(f"/certificates/courses/{course.id}").get_data(as_text=True)
    assert "nên in như tác vụ nền" not in page
    monkeypatch.setattr("courses.certificates.views.LARGE_BATCH", 3)
    page = client.get(f"/certificates/courses/{course.id}").get_data(as_text=True)
    assert "Lớp có 3 giấy chứng nhận còn hiệu lực: nên in như tác vụ nền." in page
