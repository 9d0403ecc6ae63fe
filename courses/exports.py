"""Spreadsheet exports (CSV, XLSX): every text cell made safe, every workbook built one way.

The roster, the users export, the certificate reports and the import template all write
through `Spreadsheet`: a bold header row, optional heading line, column widths and a frozen
header, and `safe_cell` on every value, so no export can forget the formula guard.
"""
from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Characters Excel refuses in a sheet's name; a name is at most 31 characters.
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_BOLD = Font(bold=True)


def safe_cell(value):
    """Neutralize a text cell that a spreadsheet would run as a formula (prefix a quote)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def sheet_title(text: str, fallback: str = "Sheet1") -> str:
    """A name Excel accepts for a sheet: the forbidden characters as «-», at most 31 long."""
    return _SHEET_NAME_FORBIDDEN.sub("-", text or "")[:31] or fallback


class Sheet:
    """One sheet of a Spreadsheet; rows go in through append (each cell through safe_cell)."""

    def __init__(self, spreadsheet: Spreadsheet, title: str, header: Sequence[str], *,
                 heading: str | None = None, widths: Sequence[float] = (), freeze: bool = False):
        self._write_only = spreadsheet.write_only
        self.worksheet = spreadsheet.workbook.create_sheet(sheet_title(title))
        # Widths first: a write-only sheet takes them only before its first row.
        for index, width in enumerate(widths, start=1):
            self.worksheet.column_dimensions[get_column_letter(index)].width = width
        rows_before_data = 1
        if heading is not None:
            self._append_bold([heading], Font(bold=True, size=13))
            rows_before_data = 2
        self._append_bold(list(header), _BOLD)
        if freeze:
            self.worksheet.freeze_panes = f"A{rows_before_data + 1}"

    def _append_bold(self, values: list, font: Font) -> None:
        if self._write_only:
            cells = []
            for value in values:
                cell = WriteOnlyCell(self.worksheet, value=safe_cell(value))
                cell.font = font
                cells.append(cell)
            self.worksheet.append(cells)
            return
        self.worksheet.append([safe_cell(value) for value in values])
        for cell in self.worksheet[self.worksheet.max_row]:
            cell.font = font

    def append(self, row: Iterable) -> None:
        self.worksheet.append([safe_cell(value) for value in row])


class Spreadsheet:
    """An XLSX workbook being written. write_only keeps memory flat for long lists (the users
    export) at the cost of openpyxl's editing features (data validation, reading back)."""

    def __init__(self, write_only: bool = False):
        self.write_only = write_only
        self.workbook = Workbook(write_only=write_only)
        if not write_only:
            self.workbook.remove(self.workbook.active)

    def add_sheet(self, title: str, header: Sequence[str], **options) -> Sheet:
        return Sheet(self, title, header, **options)

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        return buffer.getvalue()

    def save(self, path: Path) -> None:
        self.workbook.save(path)
