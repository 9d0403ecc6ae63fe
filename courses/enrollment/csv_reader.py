"""CSV participant lists read as a stream: decoded and parsed line by line, stopped at the limits.

A 45 MB upload of blank lines used to be decoded whole and parsed into 45 million empty
rows (gigabytes) before the row limit was looked at. Here every row, blank or comma-only
too, counts toward the limit as it is read, a row may not grow past MAX_ROW_CHARS, and
reading stops as soon as a limit is passed, so memory stays bounded by the limits, not
by the file.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from typing import BinaryIO

from flask_babel import gettext as _

from courses.exceptions import DomainError

MAX_ROWS = 20_000
HEADER_SEARCH_ROWS = 10  # the header row is looked for in the first rows
MAX_COLUMNS = 50  # the template has seven; more is never a participant list
MAX_ROW_CHARS = 64 * 1024  # a participant's row is a few hundred characters
HEAD_BYTES = 8  # enough to tell the file types apart

# A byte 0x80-0xBF of UTF-8 read as Windows-1252.
_CONTINUATION = "[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u2122]"
MOJIBAKE_RE = re.compile(f"[ÃÄÅÆ]{_CONTINUATION}|á[º»¼½]{_CONTINUATION}")
SAVE_AS_UTF8 = ("Hãy mở tệp trong Excel, chọn Tệp → Lưu thành → «CSV UTF-8 (Phân cách bằng dấu phẩy) "
                "(*.csv)» hoặc «Sổ làm việc Excel (*.xlsx)», rồi tải lên lại.")


def clean(value) -> str:
    """A cell as text: numbers without «.0», Unicode in composed form, trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def unreadable() -> DomainError:
    return DomainError(_("Tệp không phải bảng tính XLSX hoặc CSV đọc được. Hãy dùng tệp mẫu."))


def too_many_rows() -> DomainError:
    return DomainError(_("Tệp có quá %(max)s dòng; hãy chia thành nhiều tệp.", max=MAX_ROWS))


class _Rejoined(io.RawIOBase):
    """The bytes already read from a stream, then the rest of it (the stream itself stays open)."""

    def __init__(self, head: bytes, rest: BinaryIO):
        self.head, self.rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.head:
            n = min(len(buffer), len(self.head))
            buffer[:n], self.head = self.head[:n], self.head[n:]
            return n
        data = self.rest.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


def binary_source(source: bytes | BinaryIO) -> tuple[bytes, BinaryIO]:
    """The first bytes of an upload (bytes or a binary stream) and a stream of all of it."""
    if isinstance(source, bytes | bytearray):
        return bytes(source[:HEAD_BYTES]), io.BytesIO(source)
    head = source.read(HEAD_BYTES) or b""
    return head, io.BufferedReader(_Rejoined(head, source))


class _Lines:
    """The decoded lines of the file for csv.reader, checked as they are read."""

    def __init__(self, text: io.TextIOWrapper, utf16: bool):
        self.text, self.utf16 = text, utf16
        self.consumed = 0  # characters handed to csv.reader
        self.row_start = 0  # where the row being read began
        self.pending: list[str] = []

    def __iter__(self):
        return self

    def readline(self) -> str:
        try:
            line = self.text.readline(MAX_ROW_CHARS + 1)
        except UnicodeDecodeError:
            if self.utf16:
                raise unreadable() from None
            raise DomainError(_("Tệp CSV không dùng bảng mã UTF-8 nên tiếng Việt sẽ bị sai. %(how)s",
                                how=SAVE_AS_UTF8)) from None
        if not self.utf16:
            if "\x00" in line:
                raise unreadable()
            # UTF-8 read twice as Windows-1252 («Nguyá»…n») is valid UTF-8 but wrong text.
            if MOJIBAKE_RE.search(line):
                raise DomainError(_("Tiếng Việt trong tệp CSV đã bị lỗi mã (ví dụ «Nguyá»…n»). %(how)s",
                                    how=SAVE_AS_UTF8))
        return line

    def __next__(self) -> str:
        line = self.pending.pop() if self.pending else self.readline()
        if not line:
            raise StopIteration
        self.consumed += len(line)
        if self.consumed - self.row_start > MAX_ROW_CHARS:
            raise DomainError(_("Tệp CSV có dòng dài quá %(max)s ký tự; hãy dùng tệp mẫu.", max=MAX_ROW_CHARS))
        return line


def read_csv(source: bytes | BinaryIO) -> list[list[str]]:
    """The rows of a CSV file (UTF-8 with or without BOM, or UTF-16), as cleaned text cells.

    Every row, blank ones included, counts toward MAX_ROWS + HEADER_SEARCH_ROWS; reading
    stops at the first row past it.
    """
    head, stream = binary_source(source)
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
    text = io.TextIOWrapper(stream, encoding="utf-16" if utf16 else "utf-8-sig", newline="")
    lines = _Lines(text, utf16)
    first_line = lines.readline()
    lines.pending.append(first_line)
    delimiter = max(",;\t", key=first_line.count) if first_line.strip("\r\n") else ","
    limit = MAX_ROWS + HEADER_SEARCH_ROWS
    rows: list[list[str]] = []
    try:
        for row in csv.reader(lines, delimiter=delimiter):
            if len(rows) >= limit:
                raise too_many_rows()
            rows.append([clean(v) for v in row[:MAX_COLUMNS]])
            lines.row_start = lines.consumed
    except csv.Error:
        raise DomainError(_("Tệp CSV bị hỏng, không đọc được. Hãy dùng tệp mẫu.")) from None
    finally:
        text.detach()  # leave the caller's stream open
    return rows
