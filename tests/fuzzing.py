"""Tools of the form fuzzer: find every form the app renders, and hypothesis strategies for them.

`discover_forms(app, world)` opens every GET page of url_map (as admin, and anonymously)
and reads each <form method="post">: which endpoint it posts to, and its fields (name,
type, the options of a select). A POST endpoint whose form is on no page gets the fields
of every BaseForm subclass instead. The strategies in here also build CSV and XLSX files
for the spreadsheet parser (see SPREADSHEET_PARSERS in tests/test_fuzz_forms.py).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from hypothesis import strategies as st
from werkzeug.exceptions import HTTPException

from tests.route_walk import MissingBuilder, all_routes, build_path, log_in, url_arguments

# Values that have broken forms elsewhere: formulas, markup, SQL, paths, odd numbers
# and dates, Vietnamese text, control characters, very long text.
NASTY_TEXT = [
    "", " ", "0", "-1", "1e309", "NaN", "99999999999999999999999", "=1+1", "+1", "-2+3",
    "@SUM(A1:A2)", "=HYPERLINK(\"http://example.com\")", "<script>alert(1)</script>",
    "' OR 1=1 --", "\"; DROP TABLE users; --", "../../etc/passwd", "\x00", "\r\n", "\u202e",
    "Nguyễn Văn Thể", "Bí thư chi bộ", "2/12/2022", "02/12/2022", "2022-12-02", "31/02/2022",
    "2022-13-45", "08:00", "25:61", "user@example.vn", "a@b", "@", "x" * 300, "ạ" * 2000,
    "1", "2", "3", "admin", "participant", "y", "on", "true", "false",
]


@dataclass
class FieldSpec:
    """A form field as the page renders it."""

    name: str
    kind: str = "text"  # input type, "select", "textarea"
    options: list[str] = field(default_factory=list)


class _FormParser(HTMLParser):
    """Collects the POST forms of a page: (action, {name: FieldSpec})."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str | None, dict[str, FieldSpec]]] = []
        self._current: dict[str, FieldSpec] | None = None
        self._select: FieldSpec | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if (attrs.get("method") or "get").lower() == "post":
                self._current = {}
                self.forms.append((attrs.get("action"), self._current))
            else:
                self._current = None
        elif self._current is not None and attrs.get("name"):
            name = attrs["name"]
            if tag == "input":
                kind = (attrs.get("type") or "text").lower()
                if kind in ("submit", "button", "image", "reset"):
                    return
                spec = self._current.setdefault(name, FieldSpec(name, kind))
                if kind in ("radio", "checkbox", "hidden") and attrs.get("value") is not None:
                    spec.options.append(attrs["value"])
            elif tag == "select":
                self._select = self._current.setdefault(name, FieldSpec(name, "select"))
            elif tag == "textarea":
                self._current.setdefault(name, FieldSpec(name, "textarea"))
        if tag == "option" and self._select is not None and attrs.get("value") is not None:
            self._select.options.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._current = None


def post_forms(html: str, page_path: str) -> list[tuple[str, dict[str, FieldSpec]]]:
    """The POST forms of a page, with their action as a path."""
    parser = _FormParser()
    parser.feed(html)
    forms = []
    for action, fields in parser.forms:
        target = urlsplit(urljoin(page_path, action or page_path))
        forms.append((target.path, fields))
    return forms


def discover_forms(app, world) -> dict[str, dict[str, FieldSpec]]:
    """endpoint -> fields, from every POST form on every GET page (as admin and anonymous)."""
    adapter = app.url_map.bind("localhost")
    found: dict[str, dict[str, FieldSpec]] = {}
    client = app.test_client()
    for user in (world.admin, None):
        for endpoint, method, rule in all_routes():
            if method != "GET" or endpoint == "static":
                continue
            try:
                path = build_path(app, rule, url_arguments(rule, world))
            except MissingBuilder:
                continue  # the permission matrix names it
            log_in(client, user)
            response = client.get(path)
            if "html" not in (response.content_type or ""):
                continue
            for action, fields in post_forms(response.get_data(as_text=True), path):
                try:
                    target, _args = adapter.match(action, method="POST")
                except HTTPException:
                    continue
                merged = found.setdefault(target, {})
                for name, spec in fields.items():
                    known = merged.setdefault(name, FieldSpec(name, spec.kind))
                    known.options.extend(o for o in spec.options if o not in known.options)
    return found


def base_form_fields() -> dict[str, FieldSpec]:
    """The fields of every BaseForm subclass (for POST endpoints whose form no page shows)."""
    from courses.forms import BaseForm

    fields: dict[str, FieldSpec] = {}
    pending = list(BaseForm.__subclasses__())
    while pending:
        form_class = pending.pop()
        pending.extend(form_class.__subclasses__())
        for name in dir(form_class):
            unbound = getattr(form_class, name, None)
            field_class = getattr(unbound, "field_class", None)
            if field_class is None:
                continue
            kind = {"FileField": "file", "MultipleFileField": "file", "BooleanField": "checkbox",
                    "SelectField": "select", "SelectMultipleField": "select"}.get(field_class.__name__, "text")
            if field_class.__name__ in ("SubmitField", "CSRFTokenField"):
                continue
            fields.setdefault(name, FieldSpec(name, kind))
    return fields


# --- strategies -----------------------------------------------------------------------------

text_values = st.one_of(
    st.sampled_from(NASTY_TEXT),
    st.text(max_size=80),
    st.integers(min_value=-10**12, max_value=10**12).map(str),
    st.dates().map(lambda d: d.isoformat()),
    st.dates().map(lambda d: f"{d.day}/{d.month}/{d.year}"),
)

file_values = st.tuples(
    st.one_of(st.binary(max_size=2048), st.sampled_from([b"%PDF-1.4\n%%EOF", b"PK\x03\x04", b"id,email\n1,=cmd|' /C calc'!A0\n"])),
    st.one_of(st.sampled_from(["tai-lieu.pdf", "../../etc/passwd", "danh sách.xlsx", "a.csv", "x.exe", ""]),
              st.text(max_size=40)),
).map(lambda pair: (io.BytesIO(pair[0]), pair[1]))


def value_strategy(spec: FieldSpec):
    """Values for one field: its own options when it has some, and anything else too."""
    if spec.kind == "file":
        return file_values
    if spec.kind == "checkbox":
        return st.sampled_from(["y", "on", "", "false", *spec.options])
    if spec.options:
        return st.one_of(st.sampled_from(spec.options), text_values)
    return text_values


def form_data(fields: dict[str, FieldSpec]):
    """Form data: any subset of the fields, with fuzzed values, sometimes an unknown field."""
    fields = {name: spec for name, spec in fields.items() if name != "csrf_token"}
    return st.fixed_dictionaries(
        {}, optional={**{name: value_strategy(spec) for name, spec in fields.items()},
                      "unexpected_field": text_values},
    )


# --- spreadsheet files (for the import parser of the enrollment branch) ---------------------

cell_values = st.one_of(text_values, st.none(), st.integers(), st.floats(allow_nan=True), st.dates())


@st.composite
def spreadsheet_rows(draw, max_rows: int = 20, max_columns: int = 12):
    """A header row of plausible or random names, then rows of fuzzed cells."""
    headers = draw(st.lists(st.one_of(
        st.sampled_from(["Họ và tên", "Email", "Đơn vị", "Chức vụ Đảng", "Chức vụ", "Số điện thoại",
                         "STT", "email", "HỌ VÀ TÊN", ""]), st.text(max_size=20)),
        min_size=0, max_size=max_columns))
    rows = draw(st.lists(st.lists(cell_values, max_size=max_columns), max_size=max_rows))
    return [headers, *rows]


def csv_bytes(rows, encoding: str = "utf-8-sig", delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    for row in rows:
        writer.writerow(["" if cell is None else str(cell) for cell in row])
    return buffer.getvalue().encode(encoding, errors="replace")


def xlsx_bytes(rows) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append([_xlsx_cell(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(cell):
    if isinstance(cell, str):
        # openpyxl refuses control characters; a real file cannot hold them either.
        return "".join(ch for ch in cell if ch >= " " or ch in "\t\n\r")[:32767]
    if isinstance(cell, float) and cell != cell:
        return None
    if isinstance(cell, float) and abs(cell) == float("inf"):
        return None
    return cell


# Parts of a workbook and the XML that breaks readers: huge declared sizes, cells and rows
# beyond the sheet's limits, bad shared-string indexes, entities, broken markup.
SHEET = "xl/worksheets/sheet1.xml"
NASTY_SHEET_XML = [
    b"",
    b"<not-closed",
    b"\xff\xfe<\x00",
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row></sheetData></worksheet>',
]
_MAIN = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
NASTY_SHEET_BODIES = [
    b'<dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>H\xe1\xbb\x8d t\xc3\xaan</t></is></c></row></sheetData>',
    b'<sheetData><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>',
    b'<sheetData><row r="99999999999"><c r="A99999999999"><v>1</v></c></row></sheetData>',
    b'<sheetData><row r="-3"><c r="A-3"><v>1</v></c></row></sheetData>',
    b'<sheetData><row r="1"><c r="ZZZZZZZZ1"><v>1</v></c></row></sheetData>',
    b'<sheetData><row r="1"><c r="A1" t="s"><v>999999</v></c></row></sheetData>',
    b'<sheetData><row r="1"><c r="A1" t="s"><v>abc</v></c></row></sheetData>',
    b'<sheetData><row r="1"><c r="A1" t="n"><v>not a number</v></c></row></sheetData>',
    b'<sheetData><row r="1"><c r="A1" t="d"><v>2022-13-45</v></c></row></sheetData>',
    b'<sheetData><row r="1"><c r="A1" t="b"><v>maybe</v></c></row></sheetData>',
    b'<sheetData><row r="1"><c r="A1" s="999"><v>44000</v></c></row></sheetData>',
    b'<sheetData><row r="1"><c r="A1" t="e"><v>#REF!</v></c><c r="B1"><f>=1+1</f></c></row></sheetData>',
    b'<sheetData><row><c><v>1</v></c></row><row r="1"><c r="A1"><v>2</v></c></row></sheetData>',
]


def _rezip(members: dict[str, bytes]) -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _members(data: bytes) -> dict[str, bytes]:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@st.composite
def malformed_workbooks(draw):
    """A real XLSX file, then broken: truncated, bytes flipped, a part missing or replaced."""
    data = xlsx_bytes(draw(spreadsheet_rows(max_rows=5, max_columns=6)))
    how = draw(st.sampled_from(["truncate", "flip", "drop", "replace", "sheet"]))
    if how == "truncate":
        return data[:draw(st.integers(min_value=4, max_value=len(data) - 1))]
    if how == "flip":
        broken = bytearray(data)
        for position in draw(st.lists(st.integers(min_value=4, max_value=len(data) - 1), min_size=1, max_size=8)):
            broken[position] = draw(st.integers(min_value=0, max_value=255))
        return bytes(broken)
    members = _members(data)
    part = draw(st.sampled_from(sorted(members)))
    if how == "drop":
        del members[part]
    elif how == "replace":
        members[part] = draw(st.one_of(st.binary(max_size=512), st.sampled_from(NASTY_SHEET_XML)))
    else:
        members[SHEET] = (b'<?xml version="1.0" encoding="UTF-8"?>' + _MAIN
                          + draw(st.sampled_from(NASTY_SHEET_BODIES)) + b"</worksheet>")
    return _rezip(members)


well_formed_spreadsheet_files = st.one_of(
    spreadsheet_rows().map(lambda rows: ("danh-sach.csv", csv_bytes(rows))),
    spreadsheet_rows().map(lambda rows: ("danh-sach.csv", csv_bytes(rows, "cp1258", ";"))),
    spreadsheet_rows().map(lambda rows: ("danh-sach.xlsx", xlsx_bytes(rows))),
)
spreadsheet_files = st.one_of(
    well_formed_spreadsheet_files,
    malformed_workbooks().map(lambda data: ("danh-sach.xlsx", data)),
    st.tuples(st.sampled_from(["danh-sach.xlsx", "danh-sach.csv", "x.xls"]),
              st.one_of(st.binary(max_size=4096),
                        # byte-order marks and magic numbers the parser branches on, then garbage
                        st.tuples(st.sampled_from([b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf", b"PK\x03\x04",
                                                   b"\xd0\xcf\x11\xe0", b"%PDF"]),
                                  st.binary(max_size=512)).map(b"".join))),
)
"""(filename, bytes) of CSV files (UTF-8 with BOM, or Windows-1258 with semicolons), XLSX
files, broken XLSX files (malformed_workbooks), and random bytes under spreadsheet names."""
