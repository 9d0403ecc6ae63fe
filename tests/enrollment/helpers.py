"""Spreadsheet files for the import tests."""
import csv
import io

from openpyxl import Workbook

HEADER = ["Họ và tên", "Email", "Đơn vị", "Chức vụ Đảng", "Chức vụ chính quyền", "Điện thoại"]


def xlsx_bytes(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_text(rows, header=HEADER) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def people_rows(count, unit_code, start=1, domain="import.vn"):
    """count rows of people with Vietnamese names in unit_code."""
    given = ["Ánh", "Đức", "Hương", "Lộc", "Thủy", "Quỳnh", "Ngọc", "Hải"]
    return [[f"Nguyễn Thị {given[i % len(given)]} {i}", f"hv{i}@{domain}", unit_code, "Bí thư chi bộ",
             "Chuyên viên", f"09{i:08d}"] for i in range(start, start + count)]
