"""The benchmark scripts draw what they claim (their speed is measured by running them, not here)."""
import io

import zxingcpp
from pypdf import PdfReader

from benchmarks import certificates_floor


def test_qr_path_rectangles_cover_exactly_the_dark_modules():
    text = certificates_floor.VERIFY_BASE + "9e3779b97f4a7c1500000001"
    modules, rectangles = certificates_floor.qr_rectangles(text)
    image = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M").to_image(
        scale=1, add_quiet_zones=False)
    expected = bytes(memoryview(image))
    drawn = bytearray(b"\xff" * modules * modules)
    for col, row_from_bottom, width, height in rectangles:
        for row in range(modules - row_from_bottom - height, modules - row_from_bottom):
            for column in range(col, col + width):
                assert drawn[row * modules + column] == 0xFF, "rectangles overlap"
                drawn[row * modules + column] = 0
    assert bytes(drawn) == expected


def test_floor_prints_one_landscape_certificate_per_record():
    buffer = io.BytesIO()
    certificates_floor.render(3, buffer)
    reader = PdfReader(io.BytesIO(buffer.getvalue()))
    assert len(reader.pages) == 3
    page = reader.pages[1]
    assert float(page.mediabox.width) > float(page.mediabox.height)
    text = page.extract_text()
    assert "GIẤY CHỨNG NHẬN" in text
    assert "Số: 0002/GCN-ĐUK" in text
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
