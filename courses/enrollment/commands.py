"""Commands of the enrollment feature: flask --app run enrollment import | export | sign-in-sheet."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from courses.enrollment import exports, import_files, importer, roster, tokens
from courses.exceptions import DomainError

cli = AppGroup("enrollment", help="Import, export and sign-in sheets of a course's participants.")


@cli.command("import")
@click.argument("course_code")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and print the report; write nothing.")
def import_command(course_code: str, file: str, dry_run: bool) -> None:
    """Import participants of COURSE_CODE from FILE (XLSX or CSV)."""
    course = roster.course_by_code(course_code)
    if course is None:
        raise click.ClickException(f"Không có lớp mã {course_code}.")
    try:
        plan = importer.plan_import(course, import_files.parse_spreadsheet(file, Path(file).read_bytes()))
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Số dòng: {plan.total_rows}; hợp lệ: {len(plan.rows)}; lỗi: {len(plan.problems)}")
    for problem in plan.problems:
        click.echo(f"  Dòng {problem.row}, cột «{problem.column}»: {problem.message}")
    if plan.problems:
        raise click.exceptions.Exit(1)
    click.echo(f"Tài khoản mới: {plan.new_accounts}; đã có tài khoản: {plan.existing_accounts}; "
               f"thêm vào lớp: {plan.new_enrollments}; đã có trong lớp: {plan.unchanged}")
    if dry_run:
        click.echo("Chạy thử (--dry-run): không ghi gì.")
        return
    result = importer.apply_import(None, course.id, plan)
    click.echo(f"Đã nhập: {result.confirmed} xác nhận, {result.waitlisted} danh sách chờ, "
               f"{result.unchanged} không đổi.")
    if result.new_users:
        click.echo("Liên kết đặt mật khẩu cho tài khoản mới:")
        base = current_app.config.get("PUBLIC_BASE_URL") or "http://localhost"
        with current_app.test_request_context(base_url=base):
            for user in result.new_users:
                click.echo(f"  {user.email}\t{tokens.set_password_url(user, external_base=base)}")


@cli.command("export")
@click.argument("course_code")
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
def export_command(course_code: str, out: str) -> None:
    """Write the roster of COURSE_CODE to OUT (.xlsx, or .csv)."""
    course = roster.course_by_code(course_code)
    if course is None:
        raise click.ClickException(f"Không có lớp mã {course_code}.")
    enrollments = roster.sorted_roster(course.id)
    data = (exports.roster_csv(enrollments) if out.lower().endswith(".csv")
            else exports.roster_xlsx(f"{course.code} – {course.title}", enrollments))
    Path(out).write_bytes(data)
    click.echo(f"Đã ghi {len(enrollments)} học viên vào {out}.")


@cli.command("sign-in-sheet")
@click.argument("course_code")
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
@click.option("--session-id", type=int, default=None, help="One session's sheet instead of the course's.")
def sign_in_sheet_command(course_code: str, out: str, session_id: int | None) -> None:
    """Write the sign-in sheet PDF of COURSE_CODE to OUT."""
    course = roster.course_by_code(course_code)
    if course is None:
        raise click.ClickException(f"Không có lớp mã {course_code}.")
    try:
        data = roster.sign_in_sheet_pdf(course, session_id)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    Path(out).write_bytes(data)
    click.echo(f"Đã ghi danh sách ký tên vào {out}.")
