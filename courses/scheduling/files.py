"""Uploaded files: type sniffing by content, safe names, storage under random names."""
from __future__ import annotations

import io
import re
import secrets
import shutil
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask_babel import gettext as _

from courses.exceptions import DomainError


@dataclass(frozen=True)
class FileType:
    """A recognised file type: its MIME type and the extensions it may carry."""

    content_type: str
    extensions: tuple[str, ...]


PDF = FileType("application/pdf", (".pdf",))
DOCX = FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",))
PPTX = FileType("application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",))
XLSX = FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
PNG = FileType("image/png", (".png",))
JPEG = FileType("image/jpeg", (".jpg", ".jpeg"))
GIF = FileType("image/gif", (".gif",))
WEBP = FileType("image/webp", (".webp",))

MATERIAL_TYPES = (PDF, DOCX, PPTX, XLSX, PNG, JPEG, GIF, WEBP)
IMAGE_TYPES = (PNG, JPEG, GIF, WEBP)

# Office Open XML: the main part's content type and the folder it lives in.
_OOXML = (
    (DOCX, "word/", "wordprocessingml.document.main+xml"),
    (PPTX, "ppt/", "presentationml.presentation.main+xml"),
    (XLSX, "xl/", "spreadsheetml.sheet.main+xml"),
)


def sniff(data: bytes) -> FileType | None:
    """The type of data judged by its bytes alone, or None when unrecognised."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"PK\x03\x04"):
        return _sniff_ooxml(data)
    return None


def _sniff_ooxml(data: bytes) -> FileType | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names:
                return None
            content_types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, NotImplementedError):
        # A damaged or unreadable archive is simply not a type we accept: the upload is refused.
        return None
    for file_type, folder, marker in _OOXML:
        if marker in content_types and any(name.startswith(folder) for name in names):
            return file_type
    return None


def safe_display_name(filename: str | None, fallback_extension: str = "") -> str:
    """The client's file name reduced to a harmless display name (never used as a path)."""
    name = (filename or "").replace("\\", "/").split("/")[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip().lstrip(".")
    if not name:
        name = "tai-lieu" + fallback_extension
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 200 - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else name[:200]
    return name


def extension_of(filename: str) -> str:
    """The lower-case extension of filename, with its dot ('' when none)."""
    _stem, dot, ext = filename.rpartition(".")
    return "." + ext.lower() if dot and _stem else ""


def read_limited(stream: BinaryIO, max_bytes: int) -> bytes:
    """Read a whole upload, refusing it as soon as it passes max_bytes."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise DomainError(
            _("Tệp quá lớn: dung lượng tối đa là %(mb)s MB.", mb=max_bytes // (1024 * 1024) or 1),
            field="file",
        )
    return data


def check_upload(data: bytes, filename: str | None, allowed: tuple[FileType, ...]) -> tuple[FileType, str]:
    """The sniffed type and display name of an upload, or a DomainError naming the problem."""
    if not data:
        raise DomainError(_("Tệp rỗng. Vui lòng chọn một tệp có nội dung."), field="file")
    file_type = sniff(data)
    allowed_names = ", ".join(ext.lstrip(".").upper() for t in allowed for ext in t.extensions[:1])
    if file_type is None or file_type not in allowed:
        raise DomainError(
            _("Loại tệp không được chấp nhận. Chỉ nhận: %(types)s.", types=allowed_names), field="file"
        )
    name = safe_display_name(filename, file_type.extensions[0])
    extension = extension_of(name)
    if extension and extension not in file_type.extensions:
        raise DomainError(
            _("Nội dung tệp không khớp với phần mở rộng %(ext)s. Chỉ nhận: %(types)s.",
              ext=extension, types=allowed_names),
            field="file",
        )
    if not extension:
        name += file_type.extensions[0]
    return file_type, name


def new_stored_name() -> str:
    """A random file name for the upload folder."""
    return secrets.token_hex(16)


def stored_path(upload_dir: str | Path, stored_name: str) -> Path:
    """Where a stored file lives; refuses anything but our own random names."""
    if not re.fullmatch(r"[0-9a-f]{32}", stored_name or ""):
        raise ValueError("not a stored file name")
    return Path(upload_dir) / stored_name


def save(upload_dir: str | Path, data: bytes) -> str:
    """Write data under a new random name; returns the name."""
    Path(upload_dir).mkdir(parents=True, exist_ok=True)
    name = new_stored_name()
    stored_path(upload_dir, name).write_bytes(data)
    return name


def copy(upload_dir: str | Path, stored_name: str) -> str | None:
    """Copy a stored file under a new name (None when the original is missing)."""
    source = stored_path(upload_dir, stored_name)
    if not source.exists():
        return None
    name = new_stored_name()
    shutil.copyfile(source, stored_path(upload_dir, name))
    return name


def remove(upload_dir: str | Path, stored_name: str | None) -> None:
    """Delete a stored file if it is there."""
    if stored_name:
        try:
            stored_path(upload_dir, stored_name).unlink(missing_ok=True)
        except ValueError:
            pass
