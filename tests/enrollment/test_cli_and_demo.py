"""The command line (import, export, sign-in sheet) and the demo course filled from a 60-row spreadsheet."""
import io
import re

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from courses.demo import seed_demo
from courses.enrollment import import_files, importer
from courses.enrollment.models import Enrollment
from courses.enums import CourseStatus, EnrollmentStatus
from courses.extensions import db
from courses.organizations.models import Organization
from courses.scheduling.models import Course
from tests.enrollment.helpers import people_rows, xlsx_bytes
from tests.factories import make_course, make_party_tree, make_user


def enrolled(course):
    return db.session.scalar(select(func.count()).select_from(Enrollment).where(Enrollment.course_id == course.id))


def sixty_demo_rows():
    """60 people spread over the demo's cells, written «cell, grassroots» or by code."""
    cells = db.session.scalars(select(Organization).where(Organization.code.like("%-CB%"))
                               .order_by(Organization.code)).all()
    rows = people_rows(60, "", domain="demo-import.vn")
    for index, row in enumerate(rows):
        cell = cells[index % len(cells)]
        row[2] = cell.code if index % 2 else f"{cell.name}, {cell.parent.name}"
    return rows


def upcoming_demo_course():
    return db.session.scalar(select(Course).where(Course.status == CourseStatus.PUBLISHED, Course.is_demo.is_(True)))


def test_cli_import_dry_run_then_import_then_again(app, runner, tmp_path):
    _, cells = make_party_tree()
    course = make_course(capacity=100)
    path = tmp_path / "ds.xlsx"
    path.write_bytes(xlsx_bytes(people_rows(3, cells[0].code)))
    result = runner.invoke(args=["enrollment", "import", course.code, str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Tài khoản mới: 3" in result.output and "không ghi gì" in result.output
    assert enrolled(course) == 0
    result = runner.invoke(args=["enrollment", "import", course.code, str(path)])
    assert result.exit_code == 0, result.output
    assert "3 xác nhận" in result.output and result.output.count("/enrollment/set-password/") == 3
    result = runner.invoke(args=["enrollment", "import", course.code, str(path)])
    assert "Tài khoản mới: 0" in result.output and "đã có trong lớp: 3" in result.output
    assert enrolled(course) == 3


def test_cli_import_reports_errors_with_nonzero_exit(app, runner, tmp_path):
    course = make_course()
    path = tmp_path / "ds.csv"
    path.write_text("Họ và tên,Email,Đơn vị,Chức vụ Đảng\nAi Đó,khong-email,XYZ,Bí thư\n", encoding="utf-8")
    result = runner.invoke(args=["enrollment", "import", course.code, str(path)])
    assert result.exit_code != 0
    assert "Dòng 2, cột «Email»" in result.output and "Dòng 2, cột «Đơn vị»" in result.output
    assert enrolled(course) == 0
    result = runner.invoke(args=["enrollment", "import", "KHONG-CO", str(path)])
    assert result.exit_code != 0 and "Không có lớp mã KHONG-CO" in result.output


def test_cli_export_and_sign_in_sheet(app, runner, tmp_path):
    course = make_course()
    user = make_user(full_name="Lò Văn Thưởng")
    db.session.add(Enrollment(user=user, course=course, status=EnrollmentStatus.CONFIRMED))
    db.session.commit()
    out = tmp_path / "ds.xlsx"
    result = runner.invoke(args=["enrollment", "export", course.code, str(out)])
    assert result.exit_code == 0, result.output
    names = [r[1] for r in load_workbook(out).active.iter_rows(min_row=3, values_only=True)]
    assert names == ["Lò Văn Thưởng"]
    pdf = tmp_path / "ky-ten.pdf"
    result = runner.invoke(args=["enrollment", "sign-in-sheet", course.code, str(pdf)])
    assert result.exit_code == 0, result.output
    reader = PdfReader(str(pdf))
    assert "Lò Văn Thưởng" in reader.pages[0].extract_text()
    assert round(float(reader.pages[0].mediabox.width)) == 595  # A4 portrait


def test_long_sign_in_sheet_repeats_the_header_and_numbers_pages(app):
    from courses.enrollment.pdf import SignInSheet, render_sign_in_sheet

    groups = [(f"Đảng bộ số {g}", [(f"Trịnh Thị Hằng {g}-{i}", "Bí thư chi bộ", "Chi bộ 1") for i in range(40)])
              for g in range(3)]
    data = render_sign_in_sheet(SignInSheet("Đảng ủy Khối", "DANH SÁCH HỌC VIÊN KÝ TÊN", "Lớp", "Hà Nội", groups))
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert "Họ và tên" in text and "Ký tên" in text
        assert f"Trang {number}/{len(pages)}" in text
    assert "Trịnh Thị Hằng 2-39" in "".join(pages)
    assert b"LiberationSerif" in data  # the embedded font, not a core PDF font


def test_upcoming_demo_course_filled_from_60_rows_through_the_service(app):
    seed_demo()
    course = upcoming_demo_course()
    plan = importer.plan_import(course, import_files.parse_spreadsheet("demo.xlsx", xlsx_bytes(sixty_demo_rows())))
    assert plan.problems == [] and len(plan.rows) == 60
    result = importer.apply_import(None, course.id, plan)
    assert result.confirmed == 60 and len(result.new_users) == 60
    assert enrolled(course) == 60
    seed_demo()  # the demo loader still runs, and adds nothing
    assert enrolled(course) == 60


def test_upcoming_demo_course_filled_from_60_rows_over_http(app, client, runner):
    runner.invoke(args=["seed-demo"])
    course = upcoming_demo_course()
    client.post("/auth/login", data={"email": "organizer@demo.local", "password": "Demo@2022"})
    response = client.post(f"/enrollment/courses/{course.id}/import", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(xlsx_bytes(sixty_demo_rows())), "demo.xlsx")})
    assert response.status_code == 200
    token = re.search(r'value="([0-9a-f]{32})"', response.get_data(as_text=True)).group(1)
    done = client.post(f"/enrollment/courses/{course.id}/import/confirm", data={"token": token})
    assert "Đã xác nhận: 60" in done.get_data(as_text=True)
    xlsx = client.get(f"/enrollment/courses/{course.id}/roster.xlsx")
    assert len(list(load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(min_row=3))) == 60
    pdf = client.get(f"/enrollment/courses/{course.id}/sign-in-sheet.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Nguyễn Thị Ánh 8" in text and "Đảng bộ Văn phòng Trung ương Đảng" in text
    # and a demo participant registers in the browser
    client.post("/auth/logout")
    client.post("/auth/login", data={"email": "participant@demo.local", "password": "Demo@2022"})
    client.post(f"/enrollment/courses/{course.id}/register")
    assert "Đã xác nhận" in client.get("/enrollment/me").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Enrollment).where(
        Enrollment.course_id == course.id, Enrollment.status == EnrollmentStatus.CONFIRMED)) == 61
