"""Commands of the certificates feature: flask --app run certificates print."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from courses.certificates import services
from courses.exceptions import DomainError
from courses.extensions import db

cli = AppGroup("certificates", help="Issue and print certificates.")


@cli.command("print")
@click.argument("course_code")
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
@click.option("--preprinted", is_flag=True, help="Only the variable fields, for pre-printed blanks.")
def print_command(course_code: str, out: str, preprinted: bool) -> None:
    """Issue what is due for COURSE_CODE and print every valid certificate into OUT."""
    course = services.course_by_code(course_code)
    if course is None:
        raise click.ClickException(f"Không có lớp mã {course_code}.")
    if not current_app.config.get("PUBLIC_BASE_URL"):
        click.echo("Cảnh báo: chưa đặt PUBLIC_BASE_URL; mã QR sẽ trỏ tới http://localhost.", err=True)
    try:
        issued = services.issue_all(None, course)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    with open(out, "wb") as handle:
        printed = services.print_course(course, handle, preprinted=preprinted)
    click.echo(f"Đã cấp {len(issued)} giấy chứng nhận mới; đã in {printed} giấy chứng nhận vào {out}.")
    db.session.remove()
