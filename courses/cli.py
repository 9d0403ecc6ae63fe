"""Command-line tools for admins: flask --app run <command>."""
from __future__ import annotations

import click
from flask import Flask

from courses.extensions import db


def register(app: Flask) -> None:
    """Attach the commands to app: these, and each feature's commands.py."""
    from courses.certificates.commands import cli as certificates_cli
    from courses.enrollment.commands import cli as enrollment_cli
    from courses.jobs.commands import cli as jobs_cli

    app.cli.add_command(certificates_cli)
    app.cli.add_command(enrollment_cli)
    for command in jobs_cli.commands.values():  # `flask worker`, not `flask jobs worker`
        app.cli.add_command(command)

    @app.cli.command("create-admin")
    @click.argument("email")
    @click.option("--name", "full_name", default="Quản trị hệ thống", show_default=True,
                  help="Full name shown in the interface.")
    @click.password_option("--password", prompt="Mật khẩu (password)",
                           confirmation_prompt="Nhập lại mật khẩu (repeat)")
    def create_admin_command(email: str, full_name: str, password: str) -> None:
        """Create an admin account EMAIL (or make an existing account admin)."""
        from courses.auth.services import create_admin
        from courses.forms import is_strong_password

        if not is_strong_password(password):
            raise click.ClickException("Mật khẩu cần ít nhất 8 ký tự, gồm cả chữ và số.")
        if "@" not in email:
            raise click.ClickException("Email không hợp lệ.")
        user = create_admin(email, full_name, password)
        click.echo(f"Đã tạo tài khoản quản trị {user.email}.")

    @app.cli.command("seed-demo")
    @click.option("--password", default="Demo@2022", show_default=True,
                  help="Password of the three demo accounts.")
    def seed_demo_command(password: str) -> None:
        """Load the model course of 2 December 2022 and an upcoming course (idempotent)."""
        from courses.demo import seed_demo

        summary = seed_demo(password=password)
        click.echo("Đã nạp dữ liệu mẫu: " + ", ".join(f"{k}={v}" for k, v in summary.items()))
        click.echo("Tài khoản mẫu (mật khẩu: %s):" % password)
        for email, role in (("admin@demo.local", "quản trị"), ("organizer@demo.local", "cán bộ tổ chức lớp"),
                            ("participant@demo.local", "học viên")):
            click.echo(f"  {email:<24} {role}")
        from courses.certificates import signing

        # The demo's certificates are signed: a demo key, named as one, unless a real one is set.
        for line in signing.prepare_keys():
            click.echo(line)
        db.session.remove()

    @app.cli.command("seed-large")
    @click.option("--participants", default=20_000, show_default=True, type=click.IntRange(1))
    @click.option("--courses", "course_count", default=200, show_default=True, type=click.IntRange(3))
    @click.option("--seed", default=7, show_default=True, help="Seed of the random generator.")
    @click.option("--anchor-date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                  help="Day the courses are placed around (default: today); fix it to reproduce a set.")
    @click.option("--password", default="Matkhau@2022", show_default=True,
                  help="Password of every synthetic account.")
    def seed_large_command(participants: int, course_count: int, seed: int, anchor_date, password: str) -> None:
        """Load a large deterministic synthetic data set for benchmarks (refuses to load twice)."""
        import time

        from courses.perf.data import AlreadyLoaded, seed_large

        started = time.perf_counter()
        try:
            summary = seed_large(participants, course_count, seed=seed, password=password,
                                 anchor=anchor_date.date() if anchor_date else None)
        except AlreadyLoaded:
            db.session.rollback()
            raise click.ClickException(
                "Dữ liệu thử tải đã có trong cơ sở dữ liệu này (đơn vị LG); không nạp lại. "
                "Hãy dùng một cơ sở dữ liệu trống."
            ) from None
        elapsed = time.perf_counter() - started
        click.echo("Đã nạp dữ liệu thử tải: " + ", ".join(f"{k}={v}" for k, v in summary.counts.items()))
        click.echo(f"Thời gian: {elapsed:.1f} s")
        db.session.remove()
