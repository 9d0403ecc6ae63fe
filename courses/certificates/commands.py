"""Commands of the certificates feature: flask --app run certificates print."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from courses.certificates import issuing, lookups, printing
from courses.exceptions import DomainError
from courses.extensions import db

cli = AppGroup("certificates", help="Issue and print certificates.")


@cli.command("print")
@click.argument("course_code")
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
@click.option("--preprinted", is_flag=True, help="Only the variable fields, for pre-printed blanks.")
def print_command(course_code: str, out: str, preprinted: bool) -> None:
    """Issue what is due for COURSE_CODE and print every valid certificate into OUT."""
    course = lookups.course_by_code(course_code)
    if course is None:
        raise click.ClickException(f"Không có lớp mã {course_code}.")
    if not current_app.config.get("PUBLIC_BASE_URL"):
        click.echo("Cảnh báo: chưa đặt PUBLIC_BASE_URL; mã QR sẽ trỏ tới http://localhost.", err=True)
    try:
        issued = issuing.issue_all(None, course)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    with open(out, "wb") as handle:
        printed = printing.print_course(course, handle, preprinted=preprinted)
    click.echo(f"Đã cấp {len(issued)} giấy chứng nhận mới; đã in {printed} giấy chứng nhận vào {out}.")
    db.session.remove()


_STATEMENT_ERRORS = {
    "garbled": "Nội dung không phải mã QR của giấy chứng nhận, hoặc bị thiếu, hỏng.",
    "unknown_key": "Mã QR được ký bằng một khóa không có trong tệp khóa.",
    "bad_signature": "Chữ ký không khớp: nội dung đã bị sửa sau khi ký.",
    "bad_key": "Tệp khóa không đọc được (cần PEM của khóa Ed25519, hoặc keys.json).",
    "garbled_list": "Tệp danh sách thu hồi không đọc được.",
    "bad_list_signature": "Chữ ký của danh sách thu hồi không khớp.",
}
_LABELS = {"serial": "Số", "full_name": "Họ và tên", "course_code": "Mã lớp", "course_title": "Lớp",
           "starts_on": "Từ ngày", "ends_on": "Đến ngày", "issuing_unit": "Đơn vị cấp",
           "issued_on": "Ngày cấp", "key_id": "Khóa"}


def _read_keys(path: str) -> dict:
    from courses.certificates import offline

    text = open(path, encoding="utf-8").read()
    return offline.load_keys_json(text) if text.lstrip().startswith("{") else offline.load_public_keys(text)


@cli.command("verify-offline", with_appcontext=False)
@click.argument("qr_text")
@click.option("--key", "key_file", required=True, type=click.Path(exists=True, dir_okay=False),
              help="The public key: /verify/public-key.pem or /verify/keys.json, saved.")
@click.option("--revoked", "revoked_file", type=click.Path(exists=True, dir_okay=False),
              help="/verify/revoked.json, saved: a revoked serial is refused.")
def verify_offline_command(qr_text: str, key_file: str, revoked_file: str | None) -> None:
    """Check a scanned QR text against a key file; reads no database. Exit 1 unless valid."""
    import json

    from courses.certificates import offline

    try:
        keys = _read_keys(key_file)
        statement = offline.verify_statement(qr_text, keys)
        entry = None
        if revoked_file:
            body = offline.verify_revocation_list(json.loads(open(revoked_file, encoding="utf-8").read()), keys)
            entry = offline.revoked_entry(body, statement.serial)
    except offline.StatementError as error:
        click.echo(_STATEMENT_ERRORS.get(str(error), str(error)))
        click.echo("Kết quả: không hợp lệ")
        raise SystemExit(1) from None
    except (OSError, ValueError):
        click.echo(_STATEMENT_ERRORS["garbled_list"])
        click.echo("Kết quả: không hợp lệ")
        raise SystemExit(1) from None
    for name, value in statement.as_dict().items():
        click.echo(f"{_LABELS[name]}: {value}")
    if entry is not None:
        if entry.get("status") == "replaced":
            click.echo(f"Đã được thay bằng giấy chứng nhận số {entry.get('replaced_by')}.")
        else:
            click.echo(f"Đã bị thu hồi ngày {entry.get('revoked_on')}.")
        click.echo("Kết quả: không hợp lệ")
        raise SystemExit(1)
    click.echo("Kết quả: hợp lệ")


@cli.command("rotate-key")
def rotate_key_command() -> None:
    """Make a new key for the QR codes' statements; old public keys stay published."""
    from courses.certificates.statements import key_store

    kid, _key = key_store().rotate()
    click.echo(f"Khóa mới: {kid}. Các khóa cũ vẫn được công bố tại /verify/keys.json.")
