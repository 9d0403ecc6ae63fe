"""Commands of the background jobs: flask --app run worker | purge-jobs."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from courses.jobs import services

# Top-level commands (no group name), as the README and DEPLOY.md call them.
cli = AppGroup("jobs")


@cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst: bool):
    """Run background jobs from Redis (REDIS_URL) until stopped."""
    from courses.jobs.runner import run_worker

    app = current_app._get_current_object()
    if not app.config.get("REDIS_URL"):
        raise click.ClickException(
            "REDIS_URL is not set: without Redis, jobs run inside the app process and need no worker."
        )
    click.echo(f"Worker on queue {app.config['JOB_QUEUE']!r} at {_safe_redis_url(app.config['REDIS_URL'])}")
    run_worker(app, burst=burst)


@cli.command("purge-jobs")
@click.option("--days", default=7, show_default=True, type=click.IntRange(min=0),
              help="Keep jobs that ended fewer days ago than this.")
def purge_jobs_command(days: int):
    """Delete ended jobs older than --days, with their result files."""
    count = services.purge_jobs(days)
    click.echo(f"Đã xóa {count} tác vụ cũ.")


def _safe_redis_url(url: str) -> str:
    """The Redis URL without its password, for logs."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = f"{parts.username or ''}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        return parts._replace(netloc=netloc).geturl()
    return url
