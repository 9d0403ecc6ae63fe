"""The benchmark scripts draw what they claim and report in their stated format (their speed is
measured by running them, not here)."""
import io
import re
import subprocess
import sys
from pathlib import Path

import zxingcpp
from pypdf import PdfReader

from benchmarks import certificates_floor
from courses.certificates.pdf import qr_path_operators
from courses.extensions import db
from courses.perf.data import seed_large

PROJECT_DIR = Path(__file__).resolve().parent.parent
RUN = re.compile(r"^(\d+) (\d+) (\d+) 1\.03 re$")


def covered_modules(operators: str) -> set[tuple[int, int]]:
    """The (column, row from the bottom) cells the path's run rectangles cover, quiet zone included."""
    cells = set()
    for line in operators.splitlines():
        match = RUN.match(line)
        if match:
            column, row, width = map(int, match.groups())
            for x in range(column, column + width):
                assert (x, row) not in cells, "runs overlap"
                cells.add((x, row))
    return cells


def dark_modules(text: str) -> set[tuple[int, int]]:
    image = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M").to_image(
        scale=1, add_quiet_zones=True)
    data, side = bytes(image), image.shape[1]
    return {(i % side, side - 1 - i // side) for i, value in enumerate(data) if value == 0}


def test_qr_paths_of_floor_and_application_cover_exactly_the_dark_modules():
    text = certificates_floor.VERIFY_BASE + "481c5e81a7d9412e2328e58f902ee195"
    expected = dark_modules(text)
    assert len(expected) > 300
    assert covered_modules(certificates_floor.qr_path(text, 0, 0, 85)) == expected
    assert covered_modules(qr_path_operators(text, 0, 0, 85)) == expected


def test_floor_prints_one_landscape_certificate_per_record():
    buffer = io.BytesIO()
    certificates_floor.render(3, buffer)
    reader = PdfReader(io.BytesIO(buffer.getvalue()))
    assert len(reader.pages) == 3
    page = reader.pages[1]
    assert float(page.mediabox.width) > float(page.mediabox.height)
    text = page.extract_text()
    assert "GIẤY CHỨNG NHẬN" in text
    assert "Số: 0002/2026/GCN-ĐUK-LG" in text
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert "Mã xác thực: " + certificates_floor.records(2)[1]["code"] in text


def test_certificates_benchmark_prints_ours_against_the_floor_in_its_stated_format(make_app, database_url):
    app = make_app()
    with app.app_context():
        seed_large(participants=12, courses=3, certificate_course_size=6)
        db.session.remove()
    done = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "benchmarks" / "certificates.py"), "--database-url", database_url,
         "--pages", "2", "5", "--rounds", "1"],
        capture_output=True, text=True, timeout=300, cwd=PROJECT_DIR,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert re.fullmatch(r"certificates ours=\d+ floor=\d+ ratio=\d+\.\d\d mem_5_over_2=\d+\.\d\d", lines[-1]), lines[-1]
    # Both sides printed the asked pages: 5 of the course's 6 certificates.
    assert any(line.startswith("ours  pages=5 ") for line in lines)
    assert any(line.startswith("floor pages=5 ") for line in lines)
