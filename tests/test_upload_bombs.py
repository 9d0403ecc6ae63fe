"""Uploads and imports that cannot exhaust memory: zip bombs, image bombs, scripted PDFs, huge CSVs.

Each attack goes through the real page (material upload, speaker photo, participant
import), and the memory the service call takes is measured in a fresh process: the
peak resident size (VmHWM) after the payload is in memory and after the call.
"""
from __future__ import annotations

import io
import json
import re
import struct
import subprocess
import sys
import textwrap
import zipfile
import zlib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from courses.enrollment import import_files, importer
from courses.enums import Role
from courses.exceptions import DomainError
from courses.extensions import db
from courses.scheduling import files
from courses.scheduling.models import Material, Speaker
from tests.enrollment.helpers import csv_text, people_rows
from tests.factories import make_course, make_party_tree, make_user
from tests.scheduling.helpers import PDF_BYTES, PNG_BYTES

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024
BOMB_MB = 300  # unpacked size of the zip bomb's member
CSV_MB = 45
ZIP_REFUSED = "Tệp nén có nội dung giải nén quá lớn"
IMAGE_REFUSED = "Ảnh có kích thước quá lớn"
PDF_REFUSED = "Tệp PDF có chứa mã JavaScript"
TOO_MANY_ROWS = "Tệp có quá 20000 dòng"


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


# ---------------------------------------------------------------- payloads

def write_zip_bomb(path: Path, megabytes: int = BOMB_MB) -> Path:
    """A Word document whose [Content_Types].xml is megabytes of zeros, bzip2-compressed.

    Written by streaming, so building it never holds the unpacked member in memory.
    """
    with zipfile.ZipFile(path, "w", zipfile.ZIP_BZIP2) as archive:
        with archive.open("[Content_Types].xml", "w", force_zip64=True) as member:
            member.write(b'<?xml version="1.0"?><Types><Override PartName="/word/document.xml" ContentType='
                         b'"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>')
            zeros = bytes(MB)
            for _chunk in range(megabytes):
                member.write(zeros)
        archive.writestr("word/document.xml", "<w:document/>")
    return path


def png_declaring(width: int, height: int) -> bytes:
    """A valid PNG header and checksums declaring width x height pixels (a few dozen bytes)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + chunk(b"IEND", b""))


def write_blank_lines(path: Path, megabytes: int = CSV_MB, line: bytes = b"\n") -> Path:
    """A CSV file of megabytes of blank (or comma-only) lines, written in 1 MB pieces."""
    piece = line * (MB // len(line))
    with path.open("wb") as out:
        out.write(b"H\xe1\xbb\x8d v\xc3\xa0 t\xc3\xaan,Email\n")  # «Họ và tên,Email»
        for _piece in range(megabytes):
            out.write(piece)
    return path


def pdf_with(body: bytes) -> bytes:
    return b"%PDF-1.4\n1 0 obj\n" + body + b"\nendobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def object_stream_pdf(hidden: bytes) -> bytes:
    """A PDF whose action dictionary is inside a Flate-compressed object stream (PDF 1.5)."""
    packed = zlib.compress(b"2 0 " + hidden)
    return (b"%PDF-1.5\n1 0 obj\n<</Type/Catalog/OpenAction 2 0 R>>\nendobj\n"
            b"3 0 obj\n<</Type/ObjStm/N 1/First 4/Filter/FlateDecode/Length " + str(len(packed)).encode()
            + b">>\nstream\n" + packed + b"\nendstream\nendobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory) -> Path:
    """The zip bomb, built once (compressing 300 MB takes seconds)."""
    return write_zip_bomb(tmp_path_factory.mktemp("bomb") / "bomb.docx")


# ---------------------------------------------------------------- memory, measured in a fresh process

MEASURE = textwrap.dedent("""
    import json, sys
    from pathlib import Path

    def peak_mb():
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024

    from config import TestingConfig
    from courses import create_app
    from courses.enrollment import import_files, importer
    from courses.exceptions import DomainError
    from courses.scheduling import files

    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="sqlite://")
    kind, path = sys.argv[1], sys.argv[2]
    with app.test_request_context():
        data = Path(path).read_bytes()
        before = peak_mb()
        message = None
        try:
            if kind == "material":
                files.check_upload(data, "bai-giang.docx", files.MATERIAL_TYPES)
            elif kind == "photo":
                files.check_upload(data, "anh.png", files.IMAGE_TYPES)
            else:
                import_files.parse_spreadsheet("danh-sach.csv", data)
        except DomainError as error:
            message = error.message
        print(json.dumps({"before": before, "after": peak_mb(), "message": message}))
""")


def measure(kind: str, path: Path) -> dict:
    """Peak memory (MB) of one service call on the file at path, in a new Python process."""
    done = subprocess.run([sys.executable, "-c", MEASURE, kind, str(path)], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("kind", ["material", "photo"])
def test_zip_bomb_takes_no_memory(zip_bomb, kind):
    assert zip_bomb.stat().st_size < 4096
    result = measure(kind, zip_bomb)
    assert result["after"] - result["before"] < 100, result
    assert result["message"] and ZIP_REFUSED in result["message"]


def test_image_bomb_takes_no_memory(tmp_path):
    path = tmp_path / "anh.png"
    path.write_bytes(png_declaring(50_000, 50_000))  # 2.5 billion pixels
    result = measure("photo", path)
    assert result["after"] - result["before"] < 100, result
    assert result["message"] and IMAGE_REFUSED in result["message"]


def test_csv_of_blank_lines_takes_no_memory(tmp_path):
    path = write_blank_lines(tmp_path / "ds.csv")
    result = measure("csv", path)
    assert result["after"] - result["before"] < 100, result
    assert result["message"] and TOO_MANY_ROWS in result["message"]


# ---------------------------------------------------------------- through the pages

def upload_material(client, course, data: bytes, filename: str):
    return client.post(f"/organize/courses/{course.id}/materials/new", content_type="multipart/form-data",
                       data={"kind": "file", "title": "", "visibility": "public", "session_id": "0",
                             "file": (io.BytesIO(data), filename)})


def upload_photo(client, data: bytes, filename: str = "anh.png"):
    return client.post("/organize/speakers/new", content_type="multipart/form-data", data={
        "full_name": "Trần Văn Ảnh", "title": "Phó Trưởng ban", "photo": (io.BytesIO(data), filename)})


def stored_files(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_DIR"])
    return list(folder.iterdir()) if folder.exists() else []


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_zip_bomb_material_is_refused_and_nothing_stored(app, as_user, zip_bomb):
    course = make_course()
    client = as_user(make_user(role=Role.ORGANIZER))
    response = upload_material(client, course, zip_bomb.read_bytes(), "bai-giang.docx")
    assert response.status_code != 302 and ZIP_REFUSED in text_of(response)
    assert count(Material) == 0 and stored_files(app) == []


def test_zip_bomb_speaker_photo_is_refused_and_nothing_stored(app, as_user, zip_bomb):
    client = as_user(make_user(role=Role.ORGANIZER))
    response = upload_photo(client, zip_bomb.read_bytes())
    assert response.status_code != 302 and ZIP_REFUSED in text_of(response)
    assert count(Speaker) == 0 and stored_files(app) == []


def test_zip_members_that_zipfile_would_unpack_unbounded_are_refused(app):
    """bzip2 (and LZMA) members are unpacked by zipfile in one call, whatever size they declare."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_BZIP2) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(DomainError) as error:
        files.check_upload(buffer.getvalue(), "bai-giang.docx", files.MATERIAL_TYPES)
    assert ZIP_REFUSED in error.value.message
    # A deflated member declaring more than the cap, or packed far beyond any XML's ratio.
    for size in (files.MAX_MEMBER_BYTES + 1, 200 * 1024):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", b"\x00" * size)
            archive.writestr("word/document.xml", "<w:document/>")
        with pytest.raises(DomainError):
            files.check_upload(buffer.getvalue(), "bai-giang.docx", files.MATERIAL_TYPES)


def test_xlsx_import_with_bzip2_members_is_refused_before_unpacking(app):
    from tests.enrollment.helpers import xlsx_bytes

    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_BZIP2) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, source.read(info))
    with pytest.raises(DomainError) as error:
        import_files.parse_spreadsheet("ds.xlsx", buffer.getvalue())
    assert "Tệp không phải bảng tính" in error.value.message


@pytest.mark.parametrize("size", [(50_000, 50_000), (10_000, 10_000)], ids=["bomb-error", "bomb-warning"])
def test_image_bomb_photo_is_refused_and_nothing_stored(app, as_user, size):
    client = as_user(make_user(role=Role.ORGANIZER))
    response = upload_photo(client, png_declaring(*size))
    assert response.status_code != 302 and IMAGE_REFUSED in text_of(response)
    assert count(Speaker) == 0 and stored_files(app) == []


def test_broken_image_photo_is_refused_and_a_real_one_accepted(app, as_user):
    client = as_user(make_user(role=Role.ORGANIZER))
    broken = PNG_BYTES[:40] + b"\x00" * 8 + PNG_BYTES[48:]  # a chunk checksum that does not match
    response = upload_photo(client, broken)
    assert response.status_code != 302 and "Ảnh bị hỏng hoặc không đọc được" in text_of(response)
    assert count(Speaker) == 0 and stored_files(app) == []
    assert upload_photo(client, png_declaring(640, 480)).status_code == 302
    assert count(Speaker) == 1 and len(stored_files(app)) == 1


@pytest.mark.parametrize("data", [
    pdf_with(b"<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>"),
    pdf_with(b"<</Type/Catalog/Names<</JavaScript 2 0 R>>>>"),
    pdf_with(b"<</Type/Page/AA<</O<</S/Launch/F(calc.exe)>>>>>>"),
    pdf_with(b"<</Type/Catalog/OpenAction<</S/Java#53cript/J#53(app.alert(1))>>>>"),
    object_stream_pdf(b"<</S/JavaScript/JS(app.alert(1))>>"),
], ids=["open-action-js", "names-javascript", "additional-actions", "hex-escaped", "in-object-stream"])
def test_pdf_with_javascript_is_refused_and_nothing_stored(app, as_user, data):
    course = make_course()
    client = as_user(make_user(role=Role.ORGANIZER))
    response = upload_material(client, course, data, "tai-lieu.pdf")
    assert response.status_code != 302 and PDF_REFUSED in text_of(response)
    assert count(Material) == 0 and stored_files(app) == []


@pytest.mark.parametrize("data", [
    PDF_BYTES,
    pdf_with(b"<</Type/Catalog/OpenAction[3 0 R/XYZ 0 792 0]>>"),  # open at page 1: not a script
    object_stream_pdf(b"<</Type/Page/MediaBox[0 0 595 842]>>"),
], ids=["plain", "open-action-goto", "object-stream"])
def test_pdf_without_scripts_is_accepted(app, as_user, data):
    course = make_course()
    client = as_user(make_user(role=Role.ORGANIZER))
    assert upload_material(client, course, data, "tai-lieu.pdf").status_code == 302
    assert count(Material) == 1


@pytest.mark.parametrize("line", [b"\n", b",,,,,,\r\n"], ids=["blank", "commas"])
def test_csv_of_blank_lines_import_is_refused(app, as_user, tmp_path, line):
    course = make_course()
    client = as_user(make_user(role=Role.ORGANIZER))
    users = count(importer.User)
    data = write_blank_lines(tmp_path / "ds.csv", line=line).read_bytes()
    response = client.post(f"/enrollment/courses/{course.id}/import", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(data), "ds.csv")})
    assert response.status_code == 400 and TOO_MANY_ROWS in text_of(response)
    assert count(importer.User) == users


# ---------------------------------------------------------------- the CSV reader stops early

class BlankLines(io.RawIOBase):
    """A CSV upload: a header, then size bytes of blank lines; counts what the reader took."""

    def __init__(self, size: int, line: bytes = b"\n", header: bytes = b"Ho va ten,Email\n"):
        self.header, self.line, self.size = header, line, size
        self.read_bytes = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        n = min(len(buffer), len(self.header) + self.size - self.read_bytes)
        if n <= 0:
            return 0
        piece = (self.header + self.line * (n // len(self.line) + 2))[:n] if self.read_bytes == 0 else \
            (self.line * (n // len(self.line) + 2))[:n]
        buffer[:n] = piece
        self.read_bytes += n
        return n


@pytest.mark.parametrize("line", [b"\n", b",,,,,,\r\n", b";;;\n"], ids=["blank", "commas", "semicolons"])
def test_csv_reader_stops_reading_at_the_row_limit(app, line):
    stream = BlankLines(CSV_MB * MB, line)
    with pytest.raises(DomainError) as error:
        import_files.parse_spreadsheet("ds.csv", io.BufferedReader(stream))
    assert TOO_MANY_ROWS in error.value.message
    rows_limit_bytes = (importer.MAX_ROWS + importer.HEADER_SEARCH_ROWS + 1) * len(line)
    assert stream.read_bytes < rows_limit_bytes + MB


@pytest.mark.parametrize("data", [
    b"Ho va ten,Email\n" + b"," * (2 * MB),                       # one line of commas
    b'Ho va ten,Email\n"' + b'\n","' * (MB // 4) + b'"\n',       # one row of many quoted line breaks
], ids=["long-line", "long-quoted-row"])
def test_csv_row_longer_than_the_limit_is_refused(app, data):
    with pytest.raises(DomainError) as error:
        import_files.parse_spreadsheet("ds.csv", data)
    assert "Tệp CSV có dòng dài quá" in error.value.message


def test_csv_row_limit_counts_blank_rows_and_keeps_valid_files(unit):
    _, cells = unit
    text = csv_text(people_rows(3, cells[0].code))
    assert len(import_files.parse_spreadsheet("ds.csv", text.encode())) == 4
    stream = io.BytesIO(text.encode("utf-8-sig"))
    assert import_files.parse_spreadsheet("ds.csv", stream)[1][0] == "Nguyễn Thị Đức 1"
    assert not stream.closed  # the caller's stream is left open
    limit = importer.MAX_ROWS + importer.HEADER_SEARCH_ROWS
    at_limit = text.encode() + b"\n" * (limit - 4)
    assert len(import_files.parse_spreadsheet("ds.csv", at_limit)) == limit
    with pytest.raises(DomainError) as error:
        import_files.parse_spreadsheet("ds.csv", at_limit + b"\n")
    assert TOO_MANY_ROWS in error.value.message


@pytest.fixture
def unit(app):
    return make_party_tree()
