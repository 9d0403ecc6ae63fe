"""Spreadsheet import: parsing, per-row report, nothing written before confirming, idempotence, scale."""
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, func, select

from courses.audit.models import AuditEvent
from courses.auth.models import User
from courses.enrollment import import_files, importer, tokens
from courses.enrollment.models import Enrollment
from courses.enums import EnrollmentSource, PartyPosition, Role
from courses.exceptions import DomainError
from courses.extensions import db
from tests.enrollment.helpers import HEADER, csv_text, people_rows, xlsx_bytes
from tests.factories import make_course, make_party_tree, make_user


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def unit(app):
    grassroots, cells = make_party_tree()
    return grassroots, cells


def run_import(course, filename, data, actor=None):
    """Plan then apply; returns (the plan's counts before applying, plan, result)."""
    plan = importer.plan_import(course, import_files.parse_spreadsheet(filename, data))
    counts = {"new_accounts": plan.new_accounts, "existing_accounts": plan.existing_accounts,
              "new_enrollments": plan.new_enrollments, "unchanged": plan.unchanged}
    return counts, plan, importer.apply_import(actor, course.id, plan)


def test_good_xlsx_creates_accounts_and_enrollments_and_matches_existing_users(unit):
    grassroots, cells = unit
    course = make_course(capacity=3)
    existing = make_user(email="hv2@import.vn", full_name="Người Đã Có", organization=cells[0])
    rows = people_rows(4, cells[0].code)
    counts, plan, result = run_import(course, "ds.xlsx", xlsx_bytes(rows))
    assert (counts["new_accounts"], counts["existing_accounts"]) == (3, 1)
    assert (result.confirmed, result.waitlisted) == (3, 1)
    assert count(User) == 4
    created = db.session.scalar(select(User).where(User.email == "hv1@import.vn"))
    assert created.full_name == "Nguyễn Thị Đức 1"
    assert created.party_position == PartyPosition.SECRETARY and created.organization_id == cells[0].id
    assert created.password_hash is None and created.role == Role.PARTICIPANT
    db.session.refresh(existing)
    assert existing.full_name == "Người Đã Có"  # matched by email, not overwritten
    enrollment = db.session.scalar(select(Enrollment).where(Enrollment.user_id == existing.id))
    assert enrollment.source == EnrollmentSource.IMPORT and enrollment.quota_organization_id == grassroots.id
    assert sorted(u.email for u in result.new_users) == ["hv1@import.vn", "hv3@import.vn", "hv4@import.vn"]


def test_reimporting_the_same_file_changes_nothing(unit):
    _, cells = unit
    course = make_course(capacity=50)
    data = xlsx_bytes(people_rows(5, cells[0].code))
    run_import(course, "ds.xlsx", data)
    before = (count(User), count(Enrollment), count(AuditEvent))
    statuses = db.session.execute(select(Enrollment.id, Enrollment.status, Enrollment.updated_at)).all()
    counts, plan, result = run_import(course, "ds.xlsx", data)
    assert (counts["new_accounts"], counts["new_enrollments"], counts["unchanged"]) == (0, 0, 5)
    assert result.new_users == [] and result.confirmed == 0
    assert (count(User), count(Enrollment), count(AuditEvent)) == before
    assert db.session.execute(select(Enrollment.id, Enrollment.status, Enrollment.updated_at)).all() == statuses


def test_invalid_rows_are_reported_by_row_and_column(unit):
    _, cells = unit
    course = make_course()
    rows = [
        ["Trần Văn Một", "mot@import.vn", cells[0].code, "Bí thư chi bộ", "", ""],
        ["", "khong-phai-email", "Đơn vị ma", "Thủ quỹ", "", ""],
        ["Lê Thị Ba", "", cells[0].code, "", "", ""],
    ]
    plan = importer.plan_import(course, import_files.parse_spreadsheet("x.csv", csv_text(rows).encode()))
    found = {(p.row, p.column) for p in plan.problems}
    assert {(3, "Họ và tên"), (3, "Email"), (3, "Đơn vị"), (3, "Chức vụ Đảng"),
            (4, "Email"), (4, "Chức vụ Đảng")} <= found
    assert not plan.ok and [r.row for r in plan.rows] == [2]
    with pytest.raises(DomainError):
        importer.apply_import(None, course.id, plan)
    assert count(User) == 0 and count(Enrollment) == 0


def test_duplicate_emails_in_the_file(unit):
    _, cells = unit
    rows = people_rows(2, cells[0].code) + [["Bản Sao", "HV1@import.vn", cells[0].code, "Đảng viên", "", ""]]
    plan = importer.plan_import(make_course(), import_files.parse_spreadsheet("x.xlsx", xlsx_bytes(rows)))
    assert [(p.row, p.column) for p in plan.problems] == [(4, "Email")]
    assert "dòng 2" in plan.problems[0].message


def test_units_by_code_name_or_cell_and_grassroots(unit):
    grassroots, cells = unit
    other, other_cells = make_party_tree()
    rows = [
        ["A Một", "a1@x.vn", cells[0].code.lower(), "Cấp uỷ viên", "", ""],
        ["A Hai", "a2@x.vn", f"  {cells[1].name} ", "phó bí thư", "", ""],
        ["A Ba", "a3@x.vn", grassroots.name, "Dang vien", "", ""],
    ]
    plan = importer.plan_import(make_course(), import_files.parse_spreadsheet("x.xlsx", xlsx_bytes(rows)))
    assert plan.problems == []
    assert [r.organization_id for r in plan.rows] == [cells[0].id, cells[1].id, grassroots.id]
    assert [r.party_position for r in plan.rows] == [
        PartyPosition.COMMITTEE_MEMBER, PartyPosition.DEPUTY_SECRETARY, PartyPosition.MEMBER]


def test_csv_with_and_without_bom_and_semicolons(unit):
    _, cells = unit
    text = csv_text(people_rows(2, cells[0].code))
    for data in (text.encode("utf-8"), b"\xef\xbb\xbf" + text.encode("utf-8"),
                 text.replace(",", ";").encode("utf-8-sig"), text.encode("utf-16")):
        rows = import_files.parse_spreadsheet("ds.csv", data)
        assert rows[0] == HEADER
        assert rows[1][0] == "Nguyễn Thị Đức 1"


def test_wrong_encoding_is_refused_with_how_to_save(unit):
    _, cells = unit
    text = csv_text(people_rows(2, cells[0].code))
    with pytest.raises(DomainError) as error:
        import_files.parse_spreadsheet("ds.csv", text.encode("cp1258", errors="replace"))
    assert "UTF-8" in error.value.message and "Lưu thành" in error.value.message
    mojibake = text.encode("utf-8").decode("cp1252", errors="ignore").encode("utf-8")
    with pytest.raises(DomainError) as error:
        import_files.parse_spreadsheet("ds.csv", mojibake)
    assert "UTF-8" in error.value.message


@pytest.mark.parametrize("filename,data", [
    ("anh.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50),
    ("tai-lieu.csv", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj"),
    ("nen.xlsx", b"PK\x03\x04" + b"\x00" * 40),
    ("cu.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40),
    ("rong.csv", b""),
])
def test_non_spreadsheet_files_are_refused(app, filename, data):
    with pytest.raises(DomainError) as error:
        import_files.parse_spreadsheet(filename, data)
    assert error.value.message


def _workbook_with_sheet(sheet_data: bytes, rows=()) -> bytes:
    """A real XLSX file whose first sheet's XML is replaced by sheet_data (found by fuzzing)."""
    from tests.fuzzing import _MAIN, SHEET, _members, _rezip

    members = _members(xlsx_bytes(list(rows)))
    members[SHEET] = b'<?xml version="1.0" encoding="UTF-8"?>' + _MAIN + sheet_data + b"</worksheet>"
    return _rezip(members)


@pytest.mark.parametrize("data", [
    b"\xff\xfe\x7fB'h\xb5\x86\x9eM\x03",  # a UTF-16 mark, then an odd number of bytes
    _workbook_with_sheet(b'<sheetData><row r="1"><c r="A1" t="d"><v>2022-13-45</v></c></row></sheetData>'),
    _workbook_with_sheet(b'<sheetData><row r="1"><c r="A1" t="s"><v>abc</v></c></row></sheetData>'),
    _workbook_with_sheet(b'<sheetData><row r="1"><c r="A1" t="s"><v>999</v></c></row></sheetData>'),
    _workbook_with_sheet(b'<sheetData><row r="-3"><c r="A-3"><v>1</v></c></row></sheetData>'),
    _workbook_with_sheet(b"<sheetData><row"),
], ids=["utf16-odd", "bad-date", "bad-shared-index", "missing-shared-string", "negative-row", "cut-xml"])
def test_broken_files_found_by_fuzzing_are_refused_with_a_message(app, data):
    with pytest.raises(DomainError) as error:
        import_files.parse_spreadsheet("ds.xlsx" if data.startswith(b"PK") else "ds.csv", data)
    assert "Tệp không phải bảng tính" in error.value.message


def test_workbook_without_sheets_is_refused(app):
    from tests.fuzzing import _members, _rezip

    members = _members(xlsx_bytes([]))
    import re

    members["xl/workbook.xml"] = re.sub(rb"<sheet [^>]*/>", b"", members["xl/workbook.xml"])
    with pytest.raises(DomainError) as error:
        import_files.parse_spreadsheet("ds.xlsx", _rezip(members))
    assert "Tệp không phải bảng tính" in error.value.message


def test_huge_declared_sizes_read_only_the_rows_the_file_has(unit):
    _, cells = unit
    header = "".join(f'<c r="{col}1" t="inlineStr"><is><t>{name}</t></is></c>'
                     for col, name in zip("AB", ("Họ và tên", "Email")))
    person = '<c r="A3" t="inlineStr"><is><t>Ngô Văn Tư</t></is></c><c r="B3" t="inlineStr"><is><t>tu@x.vn</t></is></c>'
    data = _workbook_with_sheet(
        f'<dimension ref="A1:XFD1048576"/><sheetData><row r="1">{header}</row><row r="3">{person}</row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'.encode())
    rows = import_files.parse_spreadsheet("ds.xlsx", data)
    # The header, the blank row 2 (kept so row numbers match the sheet), row 3; nothing padded
    # up to the declared last row or column.
    assert rows == [["Họ và tên", "Email"], [], ["Ngô Văn Tư", "tu@x.vn"]]
    beyond = _workbook_with_sheet(f'<sheetData><row r="1">{header}</row>'
                                  f'<row r="99999999999">{person.replace("3", "99999999999")}</row></sheetData>'.encode())
    with pytest.raises(DomainError) as error:
        import_files.parse_spreadsheet("ds.xlsx", beyond)
    assert "quá 20000 dòng" in error.value.message


def test_zip_bomb_is_refused_before_it_is_unpacked(app):
    from tests.fuzzing import _members, _rezip

    members = _members(xlsx_bytes([]))
    members["xl/sharedStrings.xml"] = b"<sst>" + b" " * (import_files.MAX_XLSX_UNPACKED_BYTES + 1) + b"</sst>"
    data = _rezip(members)
    assert len(data) < 200_000
    with pytest.raises(DomainError) as error:
        import_files.parse_spreadsheet("ds.xlsx", data)
    assert "quá lớn" in error.value.message


def test_file_without_the_template_header_is_refused(unit):
    with pytest.raises(DomainError) as error:
        importer.plan_import(make_course(), [["a", "b"], ["c", "d"]])
    assert "tệp mẫu" in error.value.message


def test_ten_thousand_rows_in_bulk_queries(unit):
    _, cells = unit
    course = make_course(capacity=9_000)
    make_user(email="hv5@big.vn", organization=cells[1])
    data = xlsx_bytes(people_rows(10_000, cells[0].code, domain="big.vn"))
    statements = []
    listener = lambda *args: statements.append(1)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        _counts, plan, result = run_import(course, "big.xlsx", data)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert plan.problems == [] and plan.total_rows == 10_000
    assert (result.confirmed, result.waitlisted) == (9_000, 1_000)
    assert count(User) == 10_000 and count(Enrollment) == 10_000
    assert len(statements) < 200  # chunked reads and bulk inserts, never one query per row


def test_set_password_link_works_once(unit, client):
    _, cells = unit
    course = make_course()
    *_, result = run_import(course, "x.xlsx", xlsx_bytes(people_rows(1, cells[0].code)))
    [user] = result.new_users
    token = tokens.make_token(user)
    assert client.get(f"/enrollment/set-password/{token}").status_code == 200
    response = client.post(f"/enrollment/set-password/{token}",
                           data={"password": "Matkhau999", "password_confirm": "Matkhau999"})
    assert response.status_code == 302
    assert client.post("/auth/login", data={"email": user.email, "password": "Matkhau999"}).status_code == 302
    client.post("/auth/logout")
    again = client.get(f"/enrollment/set-password/{token}")
    assert again.status_code == 404 and "không còn hiệu lực" in again.get_data(as_text=True)
    assert client.get("/enrollment/set-password/bogus-token").status_code == 404


def test_template_has_the_columns_and_the_units(unit):
    _, cells = unit
    workbook = load_workbook(io.BytesIO(import_files.template_xlsx()))
    assert [c.value for c in workbook.worksheets[0][1]] == HEADER
    codes = [row[0] for row in workbook.worksheets[1].iter_rows(min_row=2, values_only=True)]
    assert cells[0].code in codes
