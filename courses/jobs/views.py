"""Job pages: my jobs, start one, its progress (HTML and JSON), its file, retry."""
from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from courses.actions import attempt
from courses.downloads import send_download
from courses.jobs import services
from courses.jobs.forms import RetryJobForm, StartJobForm
from courses.jobs.models import Job
from courses.jobs.registry import all_kinds, get_kind
from courses.permissions import login_required, require
from courses.routing import found_or_404

# cli_group=None: the worker is `flask --app run worker`, not `flask --app run jobs worker`.
bp = Blueprint("jobs", __name__, cli_group=None)


def _job_for_viewer(job_id: int) -> Job:
    job = found_or_404(services.load_job(job_id))
    require(services.can_view(current_user, job))
    return job


@bp.route("/")
@login_required
def index():
    """The user's recent jobs and the jobs they may start."""
    everyone = request.args.get("all") == "1"
    return render_template(
        "jobs/index.html",
        jobs=services.jobs_for(current_user, everyone=everyone),
        kinds=services.kinds_for(current_user),
        kind_labels={kind.name: kind.label for kind in all_kinds()},
        everyone=everyone,
        form=StartJobForm(),
    )


@bp.route("/new", methods=["POST"])
@login_required
def start():
    """Start a job of the posted kind with the kind's own parameters."""
    form = StartJobForm()
    if not form.validate_on_submit():
        flash(_("Biểu mẫu không hợp lệ. Vui lòng tải lại trang và gửi lại."), "danger")
        return redirect(url_for("jobs.index"))
    outcome = attempt(lambda: services.start_job_from_form(current_user, form.kind.data, request.form),
                      _("Đã bắt đầu tác vụ. Trang này cho biết tiến độ; bạn có thể quay lại bất cứ lúc nào."),
                      category="info")
    if not outcome:
        return redirect(url_for("jobs.index"))
    return redirect(url_for("jobs.show", job_id=outcome.result.id))


@bp.route("/<int:job_id>")
@login_required
def show(job_id: int):
    """A job's progress; the result to download once finished, the error and a retry if failed."""
    job = _job_for_viewer(job_id)
    return render_template(
        "jobs/show.html",
        job=job,
        kind=get_kind(job.kind),
        status=services.status_of(job),
        has_file=services.result_path(job) is not None,
        form=RetryJobForm(),
    )


@bp.route("/<int:job_id>/status")
@login_required
def status(job_id: int):
    """A job's progress as JSON, for the progress bar's script."""
    job = _job_for_viewer(job_id)
    data = services.status_of(job)
    if data["finished"]:
        data["download_url"] = url_for("jobs.download", job_id=job.id)
    return jsonify(data)


@bp.route("/<int:job_id>/download")
@login_required
def download(job_id: int):
    """The result file of a finished job (owner or staff allowed this kind)."""
    job = _job_for_viewer(job_id)
    path = services.result_path(job)
    if path is None:
        abort(404)
    return send_download(path, job.result_filename, job.result_content_type)


@bp.route("/<int:job_id>/retry", methods=["POST"])
@login_required
def retry(job_id: int):
    """Run a failed job again."""
    job = _job_for_viewer(job_id)
    form = RetryJobForm()
    if form.validate_on_submit():
        attempt(lambda: services.retry_job(current_user, job), _("Đã chạy lại tác vụ."), category="info")
    else:
        flash(_("Biểu mẫu không hợp lệ. Vui lòng tải lại trang và gửi lại."), "danger")
    return redirect(url_for("jobs.show", job_id=job.id))
