"""Background jobs: start, progress, result download, failure and retry, access per job."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from courses.audit.models import AuditEvent
from courses.db_types import utcnow
from courses.enums import JobStatus, Role
from courses.exceptions import DomainError, NotAllowed
from courses.extensions import db
from courses.jobs import registry, runner, services
from courses.jobs.models import Job
from courses.jobs.registry import ResultFile
from tests.factories import make_user


@pytest.fixture
def app(make_app, tmp_path):
    """The app with job results in this test's own directory; jobs run in threads."""
    app = make_app(JOB_RESULTS_DIR=str(tmp_path / "job-results"))
    with app.app_context():
        yield app
        runner.wait_for_threads()


def finish(job: Job) -> Job:
    """Wait for the job's thread and return its fresh row."""
    runner.wait_for_threads(timeout=60)
    db.session.expire_all()
    return db.session.get(Job, job.id)


# A throw-away kind for failures: fails while FLAKY["failures"] > 0.
FLAKY = {"failures": 0, "runs": 0}


def _flaky(job, report_progress):
    FLAKY["runs"] += 1
    report_progress(1, 3)
    if FLAKY["failures"] > 0:
        FLAKY["failures"] -= 1
        raise DomainError("Tệp nguồn bị hỏng ở dòng 7.")
    report_progress(3, 3)
    return ResultFile("ket-qua.txt", "text/plain", data="xong".encode())


def _broken(job, report_progress):
    raise ZeroDivisionError("secret internal detail")


@pytest.fixture
def test_kinds():
    registry.register(registry.JobKind(name="test.flaky", label="Thử", run=_flaky, roles=(Role.ORGANIZER,)))
    registry.register(registry.JobKind(name="test.broken", label="Hỏng", run=_broken))
    FLAKY.update(failures=0, runs=0)
    yield
    registry.unregister("test.flaky")
    registry.unregister("test.broken")


# --- services -----------------------------------------------------------------------------

def test_users_export_runs_in_a_thread_and_writes_every_user_safely(app):
    admin = make_user(role=Role.ADMIN, full_name="Quản Trị Viên")
    make_user(full_name="=HYPERLINK(\"http://evil\")", email="evil@example.vn")
    for n in range(12):
        make_user(full_name=f"Lê Thị Học Viên {n:02d}")
    job = services.start_job(admin, "users.export_xlsx", {"q": "", "role": ""})
    assert job.status == JobStatus.QUEUED
    job = finish(job)
    assert job.status == JobStatus.FINISHED, job.error_message
    assert (job.progress_done, job.progress_total, job.percent) == (14, 14, 100)
    assert job.result_filename.endswith(".xlsx") and job.attempts == 1
    sheet = load_workbook(services.result_path(job)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("STT", "Họ và tên", "Email")
    names = [row[1] for row in rows[1:]]
    assert len(names) == 14 and "Lê Thị Học Viên 07" in names
    assert "'=HYPERLINK(\"http://evil\")" in names  # a formula never reaches the spreadsheet


def test_users_export_applies_the_filters(app):
    admin = make_user(role=Role.ADMIN)
    make_user(role=Role.ORGANIZER, full_name="Tổ Chức Một")
    make_user(full_name="Học Viên Hai")
    job = finish(services.start_job(admin, "users.export_xlsx", {"q": "", "role": "organizer"}))
    rows = list(load_workbook(services.result_path(job)).active.iter_rows(values_only=True))[1:]
    assert [row[1] for row in rows] == ["Tổ Chức Một"]


def test_users_export_lists_people_in_the_vietnamese_order_of_given_names(app, monkeypatch):
    monkeypatch.setattr("courses.admin.user_export.BATCH", 2)  # the order holds across batches
    admin = make_user(role=Role.ADMIN, full_name="Vũ Văn Xuân")
    for name in ("Trần Thị Ánh", "Đỗ Văn Bình", "Nguyễn Văn An", "Lê Thị Ơn", "Phạm Văn Ôn"):
        make_user(full_name=name)
    job = finish(services.start_job(admin, "users.export_xlsx", {"q": "", "role": ""}))
    rows = list(load_workbook(services.result_path(job)).active.iter_rows(values_only=True))[1:]
    assert [row[1] for row in rows] == ["Nguyễn Văn An", "Trần Thị Ánh", "Đỗ Văn Bình", "Phạm Văn Ôn",
                                        "Lê Thị Ơn", "Vũ Văn Xuân"]
    assert [row[0] for row in rows] == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize("form, field", [({"role": "emperor"}, "role"), ({"q": "x" * 300}, "q")])
def test_bad_export_filters_are_refused_with_a_message(app, form, field):
    with pytest.raises(DomainError) as error:
        services.parse_params("users.export_xlsx", form)
    assert error.value.field == field


@pytest.mark.parametrize("role", [Role.PARTICIPANT, Role.ORGANIZER, Role.COORDINATOR])
def test_only_admins_may_export_users(app, role):
    with pytest.raises(NotAllowed):
        services.start_job(make_user(role=role), "users.export_xlsx", {})
    assert db.session.scalar(select(Job)) is None


def test_an_unknown_kind_is_a_domain_error(app):
    with pytest.raises(DomainError):
        services.start_job(make_user(role=Role.ADMIN), "nope.nothing", {})


def test_start_is_audited(app):
    admin = make_user(role=Role.ADMIN)
    job = finish(services.start_job(admin, "users.export_xlsx", {"q": "a", "role": ""}))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "job.start"))
    assert event.actor_id == admin.id and event.object_id == job.id
    assert event.after == {"kind": "users.export_xlsx", "params": {"q": "a", "role": ""}}


def test_a_failed_job_keeps_its_message_and_a_retry_finishes_it(app, test_kinds):
    FLAKY["failures"] = 1
    organizer = make_user(role=Role.ORGANIZER)
    job = finish(services.start_job(organizer, "test.flaky", {}))
    assert job.status == JobStatus.FAILED
    assert job.error_message == "Tệp nguồn bị hỏng ở dòng 7."
    assert (job.progress_done, job.progress_total) == (1, 3)
    services.retry_job(organizer, job)
    job = finish(job)
    assert job.status == JobStatus.FINISHED and job.error_message is None
    assert (job.progress_done, job.progress_total, job.attempts) == (3, 3, 2)
    assert services.result_path(job).read_text() == "xong"


def test_an_unexpected_error_is_shown_without_internals(app, test_kinds):
    job = finish(services.start_job(make_user(), "test.broken", {}))
    assert job.status == JobStatus.FAILED
    assert "ZeroDivisionError" in job.error_message and "secret" not in job.error_message


def test_a_finished_or_running_job_cannot_be_retried(app, test_kinds):
    organizer = make_user(role=Role.ORGANIZER)
    job = finish(services.start_job(organizer, "test.flaky", {}))
    with pytest.raises(DomainError):
        services.retry_job(organizer, job)
    job.status, job.result_stored_name = JobStatus.RUNNING, None
    db.session.commit()
    with pytest.raises(DomainError):
        services.retry_job(organizer, job)
    assert FLAKY["runs"] == 1


def test_a_stalled_job_can_be_retried(app, test_kinds):
    organizer = make_user(role=Role.ORGANIZER)
    job = Job(kind="test.flaky", params={}, status=JobStatus.RUNNING, created_by_id=organizer.id)
    db.session.add(job)
    db.session.commit()
    job.updated_at = utcnow() - timedelta(hours=1)  # its worker died long ago
    db.session.commit()
    assert services.status_of(job)["stale"] is True
    job = finish(services.retry_job(organizer, job))
    assert job.status == JobStatus.FINISHED


def test_a_job_is_run_once_even_if_delivered_twice(app, test_kinds):
    organizer = make_user(role=Role.ORGANIZER)
    job = finish(services.start_job(organizer, "test.flaky", {}))
    runner.run_job(job.id)  # a second delivery of the same job finds it already done
    assert FLAKY["runs"] == 1


def test_an_unreachable_redis_fails_the_job_with_a_message(make_app, tmp_path):
    app = make_app(JOB_RESULTS_DIR=str(tmp_path / "r"), REDIS_URL="redis://127.0.0.1:1/0")
    with app.app_context():
        job = services.start_job(make_user(role=Role.ADMIN), "users.export_xlsx", {})
        db.session.expire_all()
        job = db.session.get(Job, job.id)
        assert job.status == JobStatus.FAILED
        assert "Không gửi được tác vụ tới hàng đợi" in job.error_message


def test_registering_another_function_under_a_taken_name_is_refused(app):
    kind = registry.get_kind("users.export_xlsx")
    with pytest.raises(ValueError):
        registry.register(registry.JobKind(name=kind.name, label="x", run=_broken))


def test_the_worker_needs_redis(runner):
    result = runner.invoke(args=["worker"])
    assert result.exit_code != 0 and "REDIS_URL" in result.output


# --- pages --------------------------------------------------------------------------------

def test_admin_starts_an_export_in_the_browser_and_downloads_it(app, as_user):
    admin = make_user(role=Role.ADMIN)
    client = as_user(admin)
    page = client.get("/jobs/").get_data(as_text=True)
    assert "Xuất danh sách người dùng (XLSX)" in page
    response = client.post("/jobs/new", data={"kind": "users.export_xlsx", "q": "", "role": ""})
    assert response.status_code == 302
    job_url = response.headers["Location"]
    job_id = int(re.search(r"/jobs/(\d+)$", job_url).group(1))
    runner.wait_for_threads()
    status = client.get(f"/jobs/{job_id}/status").get_json()
    assert status["status"] == "finished" and status["percent"] == 100
    assert status["done"] == status["total"] == 1
    page = client.get(job_url).get_data(as_text=True)  # a reload shows the outcome
    assert "Tải tệp kết quả" in page and "1 / 1 (100%)" in page
    download = client.get(status["download_url"])
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    assert load_workbook(io.BytesIO(download.data)).active["B2"].value == admin.full_name


def test_a_running_job_page_shows_count_percentage_and_a_plain_reload_link(app, as_user):
    admin = make_user(role=Role.ADMIN)
    job = Job(kind="users.export_xlsx", params={}, status=JobStatus.RUNNING, created_by_id=admin.id,
              progress_done=500, progress_total=2000)
    db.session.add(job)
    db.session.commit()
    page = as_user(admin).get(f"/jobs/{job.id}").get_data(as_text=True)
    assert 'max="2000"' in page and 'value="500"' in page
    assert "500 / 2.000 (25%)" in page
    assert "Tải lại trang để xem tiến độ mới nhất" in page
    assert 'src="/static/js/jobs.js"' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)  # no inline script
    assert 'http-equiv="refresh"' not in page
    assert "Tải tệp kết quả" not in page


def test_the_progress_script_is_served(client):
    response = client.get("/static/js/jobs.js")
    assert response.status_code == 200 and b"data-status-url" in response.data


def test_a_failed_job_page_shows_the_error_and_a_csrf_protected_retry(make_app, tmp_path, test_kinds):
    app = make_app(JOB_RESULTS_DIR=str(tmp_path / "r"), WTF_CSRF_ENABLED=True)
    with app.app_context():
        organizer = make_user(role=Role.ORGANIZER)
        job = Job(kind="test.flaky", params={}, status=JobStatus.FAILED, created_by_id=organizer.id,
                  error_message="Tệp nguồn bị hỏng ở dòng 7.", attempts=1)
        db.session.add(job)
        db.session.commit()
        email, job_id = organizer.email, job.id

    def job_row() -> Job:
        with app.app_context():
            return db.session.get(Job, job_id)

    # No app context is held across requests here: Flask-WTF keeps its token in `g`.
    client = app.test_client()
    token_pattern = r'name="csrf_token" type="hidden" value="([^"]+)"'
    token = re.search(token_pattern, client.get("/auth/login").get_data(as_text=True)).group(1)
    client.post("/auth/login", data={"email": email, "password": "Matkhau123", "csrf_token": token})
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Tệp nguồn bị hỏng ở dòng 7." in page and "Chạy lại" in page
    assert client.post(f"/jobs/{job_id}/retry").status_code == 400  # no token: refused
    assert job_row().status == JobStatus.FAILED
    assert client.get(f"/jobs/{job_id}/retry").status_code == 405  # never on GET
    token = re.search(token_pattern, page).group(1)
    response = client.post(f"/jobs/{job_id}/retry", data={"csrf_token": token}, follow_redirects=True)
    assert "Đã chạy lại tác vụ." in response.get_data(as_text=True)
    runner.wait_for_threads()
    job = job_row()
    assert (job.status, job.error_message, job.attempts) == (JobStatus.FINISHED, None, 2)


def _finished_export(owner) -> Job:
    return finish(services.start_job(owner, "users.export_xlsx", {}))


@pytest.mark.parametrize("path", ["", "/status", "/download"])
def test_another_participant_gets_403_on_someone_elses_job(app, as_user, test_kinds, path):
    owner = make_user()
    job = finish(services.start_job(owner, "test.broken", {}))
    client = as_user(make_user())
    assert client.get(f"/jobs/{job.id}{path}").status_code == 403


@pytest.mark.parametrize("path", ["", "/status", "/download"])
def test_an_organizer_cannot_see_an_admin_only_export(app, as_user, path):
    job = _finished_export(make_user(role=Role.ADMIN))
    client = as_user(make_user(role=Role.ORGANIZER))
    assert client.get(f"/jobs/{job.id}{path}").status_code == 403


def test_another_admin_may_download_an_admins_export(app, as_user):
    job = _finished_export(make_user(role=Role.ADMIN))
    client = as_user(make_user(role=Role.ADMIN))
    assert client.get(f"/jobs/{job.id}/download").status_code == 200


def test_staff_may_see_a_participants_job_of_a_kind_they_may_run(app, as_user, test_kinds):
    job = finish(services.start_job(make_user(), "test.broken", {}))
    assert as_user(make_user(role=Role.ORGANIZER)).get(f"/jobs/{job.id}").status_code == 200


def test_a_participant_cannot_retry_someone_elses_failed_job(app, as_user, test_kinds):
    job = finish(services.start_job(make_user(), "test.broken", {}))
    client = as_user(make_user())
    assert client.post(f"/jobs/{job.id}/retry").status_code == 403
    db.session.expire_all()
    assert db.session.get(Job, job.id).attempts == 1


def test_a_participant_cannot_start_an_admin_export_by_posting(app, as_user):
    client = as_user(make_user())
    response = client.post("/jobs/new", data={"kind": "users.export_xlsx"}, follow_redirects=True)
    assert "Bạn không có quyền chạy tác vụ này." in response.get_data(as_text=True)
    assert db.session.scalar(select(Job)) is None


def test_a_missing_job_is_404(app, as_user):
    assert as_user(make_user(role=Role.ADMIN)).get("/jobs/424242").status_code == 404


def test_a_finished_job_whose_file_is_gone_says_so(app, as_user):
    admin = make_user(role=Role.ADMIN)
    job = _finished_export(admin)
    services.result_path(job).unlink()
    client = as_user(admin)
    assert client.get(f"/jobs/{job.id}/download").status_code == 404
    assert "Tệp kết quả không còn trên máy chủ" in client.get(f"/jobs/{job.id}").get_data(as_text=True)


def test_the_job_list_shows_only_my_jobs_unless_an_admin_asks_for_all(app, as_user, test_kinds):
    mine_owner = make_user(role=Role.ADMIN)
    finish(services.start_job(make_user(full_name="Người Khác"), "test.broken", {}))
    finish(services.start_job(mine_owner, "users.export_xlsx", {}))
    client = as_user(mine_owner)
    page = client.get("/jobs/").get_data(as_text=True)
    assert "Xuất danh sách người dùng (XLSX)</a>" in page and "Người Khác" not in page
    assert "Người Khác" in client.get("/jobs/?all=1").get_data(as_text=True)


def test_purge_removes_old_ended_jobs_and_their_files_only(app, runner, test_kinds):
    owner = make_user(role=Role.ORGANIZER)
    old = finish(services.start_job(owner, "test.flaky", {}))
    recent = finish(services.start_job(owner, "test.flaky", {}))
    running = Job(kind="test.flaky", params={}, status=JobStatus.RUNNING, created_by_id=owner.id)
    db.session.add(running)
    old.finished_at = utcnow() - timedelta(days=8)
    db.session.commit()
    old_file, recent_file = services.result_path(old), services.result_path(recent)
    result = runner.invoke(args=["purge-jobs", "--days", "7"])
    assert result.exit_code == 0 and "Đã xóa 1 tác vụ cũ." in result.output
    db.session.expire_all()
    assert sorted(job.id for job in db.session.scalars(select(Job))) == sorted([recent.id, running.id])
    assert not old_file.exists() and recent_file.exists()


def test_with_redis_a_job_waits_for_the_worker_command_which_runs_it(make_app, tmp_path):
    """The RQ path in one process: start queues it, `flask worker --burst` runs it."""
    import os
    import secrets as _secrets

    from redis import Redis
    from redis.exceptions import RedisError

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
    redis = Redis.from_url(url, socket_connect_timeout=2)
    try:
        redis.ping()
    except RedisError as error:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis at {url} is unreachable under CI: {error}", pytrace=False)
        pytest.skip(f"Redis at {url} is unreachable: {error}")
    queue_name = f"courses-test-{_secrets.token_hex(4)}"
    app = make_app(JOB_RESULTS_DIR=str(tmp_path / "r"), REDIS_URL=url, JOB_QUEUE=queue_name)
    try:
        with app.app_context():
            job = services.start_job(make_user(role=Role.ADMIN), "users.export_xlsx", {})
            runner.wait_for_threads()
            db.session.expire_all()
            assert db.session.get(Job, job.id).status == JobStatus.QUEUED  # no thread took it
            result = app.test_cli_runner().invoke(args=["worker", "--burst"])
            assert result.exit_code == 0, result.output
            assert f"Worker on queue '{queue_name}'" in result.output
            db.session.expire_all()
            job = db.session.get(Job, job.id)
            assert job.status == JobStatus.FINISHED, job.error_message
            assert services.result_path(job).stat().st_size > 0
    finally:
        for key in redis.scan_iter(match=f"*{queue_name}*"):
            redis.delete(key)
        for registry_key in ("rq:queues", "rq:workers"):
            stale = [m for m in redis.smembers(registry_key) if queue_name.encode() in m]
            if stale:
                redis.srem(registry_key, *stale)
        redis.close()


def test_a_control_character_in_a_job_parameter_is_refused_with_a_message(app, as_user):
    client = as_user(make_user(role=Role.ADMIN))
    response = client.post("/jobs/new", data={"kind": "users.export_xlsx", "q": "Nguy\x00n", "role": ""},
                           follow_redirects=True)
    assert "Nội dung chứa ký tự điều khiển không hợp lệ" in response.get_data(as_text=True)
    assert db.session.scalar(select(Job)) is None
