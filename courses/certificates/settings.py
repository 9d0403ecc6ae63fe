"""The certificate settings (one row): issuing unit, serial format, signer, the form's layout."""
from __future__ import annotations

import secrets
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from courses.audit.services import record
from courses.auth.models import User
from courses.certificates.models import CertificateSettings
from courses.db_types import utcnow
from courses.exceptions import DomainError
from courses.extensions import db
from courses.sql_dialect import insert_ignoring_conflicts

DEFAULT_SETTINGS = dict(
    issuing_unit_name="Đảng ủy Khối các cơ quan Trung ương",
    issuing_unit_code="ĐUK",
    serial_format="{number:04d}/GCN-{unit}",
    starting_number=1,
    place="Hà Nội",
    signer_capacity="T/M Ban Thường vụ",
    signer_title="Phó Bí thư",
    # A fictional signer: the real one is set by the admin.
    signer_name="Trần Văn Mẫu",
)


def get_settings() -> CertificateSettings:
    """The certificate settings row, created with defaults the first time."""
    settings = db.session.get(CertificateSettings, 1)
    if settings is None:
        # Two first issuers at once: the loser's insert does nothing.
        db.session.execute(insert_ignoring_conflicts(
            CertificateSettings, ["id"], id=1, form_positions={}, form_offset_x_mm=0.0,
            form_offset_y_mm=0.0, updated_at=utcnow(), **DEFAULT_SETTINGS))
        settings = db.session.get(CertificateSettings, 1)
    return settings


def format_serial(serial_format: str, number: int, unit: str, year: int) -> str:
    """The printed serial: format with {number}, {unit} and {year}."""
    try:
        return serial_format.format(number=number, unit=unit, year=year)
    except (KeyError, IndexError, ValueError):
        raise DomainError(_("Mẫu số hiệu không hợp lệ. Dùng {number}, {unit} và {year}, ví dụ {number:04d}/GCN-{unit}."),
                          field="serial_format") from None


def update_settings(actor: User, values: dict, signature: tuple[bytes, str] | None = None,
                    remove_signature: bool = False) -> CertificateSettings:
    """Save the admin's certificate settings; signature is (image bytes, extension)."""
    settings = get_settings()
    sample = format_serial(values.get("serial_format", settings.serial_format), 42,
                           values.get("issuing_unit_code", settings.issuing_unit_code), 2022)
    if "{number" not in values.get("serial_format", settings.serial_format):
        raise DomainError(_("Mẫu số hiệu phải có {number}."), field="serial_format")
    before = {k: getattr(settings, k) for k in values}
    for key, value in values.items():
        setattr(settings, key, value)
    upload_dir = Path(current_app.config["UPLOAD_DIR"])
    if remove_signature or signature:
        if settings.signature_stored_name:
            (upload_dir / settings.signature_stored_name).unlink(missing_ok=True)
        settings.signature_stored_name = None
    if signature:
        data, extension = signature
        upload_dir.mkdir(parents=True, exist_ok=True)
        name = secrets.token_hex(16) + "." + extension
        (upload_dir / name).write_bytes(data)
        settings.signature_stored_name = name
    record(actor, "certificate_settings.update", settings, before=before,
           after={**{k: getattr(settings, k) for k in values}, "sample": sample})
    db.session.commit()
    return settings


def signature_path(settings: CertificateSettings) -> str | None:
    if not settings.signature_stored_name:
        return None
    path = Path(current_app.config["UPLOAD_DIR"]) / settings.signature_stored_name
    return str(path) if path.exists() else None
