"""File downloads: one place that writes Content-Disposition and caching headers."""
from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from flask import Response, send_file


def send_download(data: bytes | str | Path | BinaryIO, filename: str, mimetype: str, *, inline: bool = False,
                  private: bool = True) -> Response:
    """data (bytes, text sent as UTF-8, a file's path or an open binary file) as a download named filename.

    send_file writes the name as RFC 6266 / 5987 (`filename*=UTF-8''…` for Vietnamese
    names, quotes and line breaks made harmless). A private file (a certificate, a
    roster, a job's result) is never kept by a shared cache or the browser's.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    source = BytesIO(data) if isinstance(data, bytes) else data
    response = send_file(source, mimetype=mimetype, as_attachment=not inline,
                         download_name=_one_line(filename), conditional=not private,
                         max_age=0 if private else None)
    if ";" in mimetype:  # given with its charset: send_file would add a second one
        response.headers["Content-Type"] = mimetype
    if private:
        response.headers["Cache-Control"] = "no-store"
    return response


def _one_line(filename: str) -> str:
    # A course code «ĐUK-01/2026» names files: «/» and «\» are no part of a file's name.
    name = "".join(ch for ch in filename if ch >= " " and ch != "\x7f")
    return name.replace("/", "-").replace("\\", "-") or "download"
