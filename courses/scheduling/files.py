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


# Zip members are read through a bounded stream: an Office file's [Content_Types].xml is a
# few kilobytes, while a 1 kB member can declare (or, with bzip2, really unpack to) gigabytes.
MAX_MEMBER_BYTES = 1024 * 1024
MAX_COMPRESSION_RATIO = 100
_ZIP_CHUNK = 64 * 1024
# Office Open XML allows only these two methods; zipfile unpacks bzip2 and LZMA input in one
# unbounded call, so any other method is refused before a byte is unpacked.
_OOXML_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


def _archive_too_large() -> DomainError:
    return DomainError(_("Tệp nén có nội dung giải nén quá lớn hoặc bất thường; tệp không được nhận."),
                       field="file")


def read_member(archive: zipfile.ZipFile, name: str, max_bytes: int = MAX_MEMBER_BYTES) -> bytes:
    """One member of archive, read in chunks under a cap on its declared size, real size and ratio."""
    info = archive.getinfo(name)
    if info.compress_type not in _OOXML_METHODS:
        raise _archive_too_large()
    if info.file_size > max_bytes or info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1024):
        raise _archive_too_large()
    chunks: list[bytes] = []
    total = 0
    with archive.open(info) as member:
        while chunk := member.read(_ZIP_CHUNK):
            total += len(chunk)
            if total > max_bytes:
                raise _archive_too_large()
            chunks.append(chunk)
    return b"".join(chunks)


def _sniff_ooxml(data: bytes) -> FileType | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names:
                return None
            content_types = read_member(archive, "[Content_Types].xml").decode("utf-8", "replace")
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, NotImplementedError, EOFError, ValueError):
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


def check_image(data: bytes) -> None:
    """Refuse data that Pillow cannot verify as an image or that would decode to too many pixels.

    Pillow's decompression-bomb limit (Image.MAX_IMAGE_PIXELS) is an error here, not a
    warning: a 1 kB PNG can declare 50,000 x 50,000 pixels (7.5 GB decoded in a browser or
    in any later thumbnail). Only the header and chunk checksums are read; nothing is decoded.
    """
    import warnings

    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise DomainError(_("Ảnh có kích thước quá lớn (tối đa %(mp)s triệu điểm ảnh).",
                            mp=(Image.MAX_IMAGE_PIXELS or 0) // 1_000_000), field="file") from None
    except Exception:  # Pillow reports a broken image with many exception types
        raise DomainError(_("Ảnh bị hỏng hoặc không đọc được."), field="file") from None


# PDF names that run code when the file is opened or touched: scripts (/JS, /JavaScript, also
# behind an /OpenAction) and additional-actions dictionaries (/AA). Names may hide letters as
# #xx escapes, and objects may sit inside compressed object streams (/ObjStm): both are read.
_PDF_SCRIPT_NAMES = {b"JS", b"JavaScript", b"AA"}
_PDF_NAME_RE = re.compile(rb"/([^\x00\t\n\x0c\r /\[\]()<>{}%]*)")
_PDF_ESCAPE_RE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM_RE = re.compile(rb"stream\r?\n")
MAX_PDF_UNPACKED_BYTES = 64 * 1024 * 1024


def _pdf_names(data: bytes) -> set[bytes]:
    return {_PDF_ESCAPE_RE.sub(lambda m: bytes([int(m[1], 16)]), raw) for raw in _PDF_NAME_RE.findall(data)}


def _pdf_object_streams(data: bytes):
    """The unpacked contents of the file's Flate-compressed object streams, within a total budget."""
    import zlib

    budget = MAX_PDF_UNPACKED_BYTES
    view = memoryview(data)
    for match in _PDF_STREAM_RE.finditer(data):
        start = match.start()
        if data[max(0, start - 3):start] == b"end":
            continue
        low = max(0, start - 2048)
        names = _pdf_names(data[max(low, data.rfind(b"obj", low, start)):start])
        if b"ObjStm" not in names or b"FlateDecode" not in names:
            continue
        inflater, position, parts = zlib.decompressobj(), match.end(), []
        try:
            while not inflater.eof and position < len(data):
                pending = view[position:position + 64 * 1024]
                position += len(pending)
                while pending and not inflater.eof:
                    part = inflater.decompress(pending, 1024 * 1024)
                    budget -= len(part)
                    if budget < 0:
                        raise DomainError(_("Tệp PDF có nội dung nén quá lớn; tệp không được nhận."),
                                          field="file")
                    parts.append(part)
                    pending = inflater.unconsumed_tail
        except zlib.error:
            pass  # a damaged stream: what was unpacked so far is still checked
        yield b"".join(parts)


def check_pdf(data: bytes) -> None:
    """Refuse a PDF that carries JavaScript or automatic actions (/JS, /JavaScript, /AA)."""
    found = _pdf_names(data) & _PDF_SCRIPT_NAMES
    if not found:
        for unpacked in _pdf_object_streams(data):
            found = _pdf_names(unpacked) & _PDF_SCRIPT_NAMES
            if found:
                break
    if found:
        raise DomainError(_("Tệp PDF có chứa mã JavaScript hoặc hành động tự động; tệp không được nhận. "
                            "Hãy xuất lại PDF không có mã lệnh (ví dụ «In ra PDF») rồi tải lên lại."),
                          field="file")


def check_upload(data: bytes, filename: str | None, allowed: tuple[FileType, ...],
                 verify_image: bool | None = None) -> tuple[FileType, str]:
    """The sniffed type and display name of an upload, or a DomainError naming the problem.

    verify_image (by default: when only images are allowed, as for a photo shown in pages)
    also checks the image with Pillow (check_image).
    """
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
    if verify_image is None:
        verify_image = all(t in IMAGE_TYPES for t in allowed)
    if verify_image and file_type in IMAGE_TYPES:
        check_image(data)
    if file_type is PDF:
        check_pdf(data)
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
