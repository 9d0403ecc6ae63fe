"""The spreadsheet files of the participant import: an upload (XLSX or CSV) read into rows of
text or refused with a message, and the XLSX template organizers fill in.
"""
from __future__ import annotations

import io
from typing import BinaryIO

from flask_babel import gettext as _

from courses.enrollment.csv_reader import (
    HEADER_SEARCH_ROWS,
    MAX_COLUMNS,
    MAX_ROWS,
    binary_source,
    clean,
    read_csv,
    too_many_rows,
    unreadable,
)
from courses.enrollment.importer import COLUMNS
from courses.enums import OrganizationKind, PartyPosition
from courses.exceptions import DomainError
from courses.organizations.services import organizations_by_id

MAX_XLSX_UNPACKED_BYTES = 64 * 1024 * 1024


# ---------------------------------------------------------------- reading files

def _read_xlsx(data: bytes) -> list[list[str]]:
    import zipfile

    from openpyxl import load_workbook

    # A few kilobytes can unpack to gigabytes; the sizes a workbook declares bound what
    # zipfile will unpack, so check them before openpyxl reads anything.
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except Exception:  # not a zip archive at all, whatever the reason zipfile gives
        raise unreadable() from None
    # zipfile unpacks bzip2 and LZMA members in one unbounded call whatever size they declare;
    # Excel writes only stored and deflated members (deflate is unpacked in bounded steps).
    if any(m.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for m in members):
        raise unreadable()
    if sum(member.file_size for member in members) > MAX_XLSX_UNPACKED_BYTES:
        raise DomainError(_("Bảng tính quá lớn; hãy chia thành nhiều tệp."))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl reports a broken workbook with many exception types
        raise unreadable() from None
    try:
        if not workbook.worksheets:
            raise unreadable()
        return _sheet_rows(workbook.worksheets[0])
    except DomainError:
        raise
    except Exception:  # a broken sheet (bad XML, cell or date) fails while rows are read
        raise unreadable() from None
    finally:
        workbook.close()


def _sheet_rows(sheet) -> list[list[str]]:
    """The sheet's rows as text; rows[i] is the sheet's row i + 1.

    A few bytes of XML can declare, or jump to, row 1,048,576 and column XFD, and
    openpyxl's iter_rows would then hand over every empty row in between (seconds of
    CPU for a 2 kB file). So read the rows the file really has (openpyxl's own row
    parser, as iter_rows uses it), keep MAX_COLUMNS columns, and refuse data beyond
    the row limit instead of padding up to it.
    """
    from openpyxl.worksheet._reader import WorkSheetParser

    workbook = sheet.parent
    limit = MAX_ROWS + HEADER_SEARCH_ROWS
    rows: list[list[str]] = []
    with sheet._get_source() as source:
        parser = WorkSheetParser(source, sheet._shared_strings, data_only=True, epoch=workbook.epoch,
                                 date_formats=workbook._date_formats,
                                 timedelta_formats=workbook._timedelta_formats)
        for number, cells in parser.parse():
            values = {cell["column"]: clean(cell["value"]) for cell in cells
                      if 1 <= cell["column"] <= MAX_COLUMNS}
            if not any(values.values()):
                continue  # a blank or only formatted row
            if number <= len(rows) or number < 1:
                raise unreadable()  # rows out of order: not something Excel writes
            if number > limit:
                raise too_many_rows()
            rows.extend([] for _blank in range(number - 1 - len(rows)))
            row = [""] * max(values)
            for column, value in values.items():
                row[column - 1] = value
            rows.append(row)
    return rows


def parse_spreadsheet(filename: str, data: bytes | BinaryIO) -> list[list[str]]:
    """The file's rows as text cells; refuses files that are not XLSX or CSV spreadsheets.

    data is the file's bytes or a binary stream of them; a CSV file is read as a stream
    (csv_reader), so a huge one is refused after reading no more than the row limit.
    """
    head, stream = binary_source(data)
    if not head:
        raise DomainError(_("Tệp rỗng."))
    name = (filename or "").lower()
    if head.startswith(b"PK\x03\x04"):
        return _read_xlsx(data if isinstance(data, bytes) else stream.read())
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise DomainError(_("Tệp Excel 97-2003 (.xls) không được hỗ trợ. Hãy lưu thành .xlsx rồi tải lên lại."))
    if name.endswith((".xlsx", ".xlsm")) or head.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        raise DomainError(_("Tệp không phải bảng tính XLSX hoặc CSV đọc được. Hãy dùng tệp mẫu."))
    return read_csv(stream)



# ---------------------------------------------------------------- the template

def template_xlsx() -> bytes:
    """The XLSX template: the six columns, a list of positions to choose from, and a sheet
    listing the units."""
    from openpyxl.worksheet.datavalidation import DataValidation

    from courses.exports import Spreadsheet
    from courses.organizations.services import tree_order

    spreadsheet = Spreadsheet()
    sheet = spreadsheet.add_sheet("Danh sách", [header for _key, header in COLUMNS],
                                  widths=(28, 30, 40, 20, 28, 16))
    labels = [str(p.label) for p in PartyPosition]
    validation = DataValidation(type="list", formula1='"' + ",".join(labels) + '"', allow_blank=True)
    sheet.worksheet.add_data_validation(validation)
    validation.add("D2:D5000")
    units = spreadsheet.add_sheet("Đơn vị", ["Mã đơn vị", "Tên đơn vị", "Thuộc"], widths=(16, 50, 50))
    orgs = organizations_by_id()
    for org, _depth in tree_order():
        if org.kind == OrganizationKind.BLOC:
            continue
        parent = orgs.get(org.parent_id)
        units.append([org.code, org.name, parent.name if parent else ""])
    return spreadsheet.to_bytes()
