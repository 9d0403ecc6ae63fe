"""Helpers for storing uploads safely: random stored names and type checks by content.

A client's file name is only ever kept as a label (Material.original_filename); on
disk a file is named by `random_stored_name`, and its type is decided by its first
bytes (`sniff_kind`), never by the name or the Content-Type the browser sent.
"""
from __future__ import annotations

import secrets
from pathlib import Path
from typing import IO

# The first bytes of the kinds of file the application accepts.
SIGNATURES: tuple[tuple[str, bytes], ...] = (
    ("pdf", b"%PDF-"),
    ("png", b"\x89PNG\r\n\x1a\n"),
    ("jpeg", b"\xff\xd8\xff"),
    ("zip", b"PK\x03\x04"),  # docx, xlsx, pptx, odt …
    ("ole", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),  # doc, xls, ppt
)
# Office Open XML files are zip files; their names say which.
EXTENSIONS_BY_KIND = {
    "pdf": {"pdf"},
    "png": {"png"},
    "jpeg": {"jpg", "jpeg"},
    "zip": {"docx", "xlsx", "pptx", "odt", "ods", "odp", "zip"},
    "ole": {"doc", "xls", "ppt"},
}


def sniff_kind(stream: IO[bytes]) -> str | None:
    """The kind of file by its first bytes ("pdf", "png", …), or None; the stream is rewound."""
    position = stream.tell()
    head = stream.read(16)
    stream.seek(position)
    for kind, signature in SIGNATURES:
        if head.startswith(signature):
            return kind
    return None


def safe_extension(filename: str | None, kind: str | None = None) -> str:
    """The lower-case extension of filename if it is plain and fits kind, else ""."""
    suffix = Path((filename or "").replace("\\", "/")).suffix.lower().lstrip(".")
    if not suffix.isascii() or not suffix.isalnum() or len(suffix) > 8:
        return ""
    if kind is not None and suffix not in EXTENSIONS_BY_KIND.get(kind, set()):
        return ""
    return suffix


def random_stored_name(filename: str | None = None, kind: str | None = None) -> str:
    """A random name to store a file under (32 hex digits, plus the checked extension)."""
    extension = safe_extension(filename, kind)
    name = secrets.token_hex(16)
    return f"{name}.{extension}" if extension else name


def stored_path(upload_dir: str | Path, stored_name: str) -> Path:
    """The path of a stored file inside upload_dir; refuses a name that leaves it."""
    base = Path(upload_dir).resolve()
    path = (base / stored_name).resolve()
    if path.parent != base or not stored_name or "/" in stored_name or "\\" in stored_name:
        raise ValueError("stored names are plain file names inside the upload folder")
    return path
