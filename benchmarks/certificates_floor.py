"""Certificate floor: the certificate page drawn with the bare reportlab canvas, N pages.

    .venv/bin/python benchmarks/certificates_floor.py [--pages 100 2000] [--output FILE]

Draws the layout of ../shared/DESIGN.md («Certificate layout») in A4 landscape with
Liberation Serif (courses.pdf_fonts.register_fonts) and a QR code encoded by zxing-cpp
and drawn as ONE path, from plain in-memory records (no database, no application
code path). Each N runs in a fresh process so its peak memory (max RSS) is its own.
Prints one line per N, then

    certificates_floor pages_per_s_<N>=… … mem_<last>_over_<first>=…

benchmarks/certificates.py (to come with the certificate feature) runs this beside the
application's own printing and reports the ratio.
"""
from __future__ import annotations

import argparse
import io
import json
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

VERIFY_BASE = "https://dangbo.example.vn/verify/"
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"]
GIVEN = ["Văn An", "Thị Hạnh", "Quang Dũng", "Thu Trang", "Đức Long", "Ngọc Lan", "Mạnh Hùng"]
POSITIONS = ["Bí thư chi bộ", "Phó Bí thư chi bộ", "Cấp ủy viên"]


def records(count: int) -> list[dict]:
    """Deterministic fictional certificate data, as plain dicts."""
    rows = []
    for index in range(count):
        rows.append({
            "serial": f"Số: {index + 1:04d}/GCN-ĐUK",
            "name": f"{SURNAMES[index % len(SURNAMES)]} {GIVEN[index % len(GIVEN)]}",
            "position": POSITIONS[index % len(POSITIONS)],
            "unit": f"Chi bộ Vụ Tổng hợp, Đảng bộ Cơ quan số {index % 40 + 1}",
            "code": f"{((index + 1) * 0x9E3779B97F4A7C15) % (1 << 64):016x}{index:08x}",
        })
    return rows


COURSE = {
    "issuer": "ĐẢNG ỦY KHỐI CÁC CƠ QUAN TRUNG ƯƠNG",
    "place_date": "Hà Nội, ngày 2 tháng 12 năm 2022",
    "course": ("Bồi dưỡng nghiệp vụ công tác Đảng cho cấp ủy viên và bí thư chi bộ "
               "các đảng bộ cơ sở trực thuộc"),
    "held": "tổ chức ngày 2/12/2022",
    "signer_capacity": "T/M BAN THƯỜNG VỤ",
    "signer_title": "PHÓ BÍ THƯ",
    "signer_name": "Trần Minh Phúc",
}


_DARK_RUN = re.compile(rb"\x00+")  # zxing-cpp images: 0 is a dark module


def qr_rectangles(text: str) -> tuple[int, list[tuple[int, int, int, int]]]:
    """(modules per side, rectangles (col, row from bottom, width, height) in module units).

    Runs of dark modules in a row become rectangles; a run that repeats exactly in the rows
    below is merged into one taller rectangle, so a code takes fewer path operators.
    """
    import zxingcpp

    image = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M").to_image(
        scale=1, add_quiet_zones=False)
    rows, cols = image.shape
    data = bytes(memoryview(image))
    rectangles = []
    open_runs: dict[tuple[int, int], int] = {}  # (start, end) -> first row
    for row in range(rows + 1):
        runs = set()
        if row < rows:
            runs = {match.span() for match in _DARK_RUN.finditer(data, row * cols, row * cols + cols)}
            runs = {(a - row * cols, b - row * cols) for a, b in runs}
        for span in list(open_runs):
            if span not in runs:
                first = open_runs.pop(span)
                rectangles.append((span[0], rows - row, span[1] - span[0], row - first))
        for span in runs:
            open_runs.setdefault(span, row)
    return cols, rectangles


def draw_qr(canvas, text: str, x: float, y: float, size: float) -> None:
    """The QR code of text, drawn as ONE filled path, size points wide, lower-left at (x, y)."""
    modules, rectangles = qr_rectangles(text)
    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(size / modules, size / modules)
    path = canvas.beginPath()
    for rect in rectangles:
        path.rect(*rect)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def draw_page(canvas, fonts, course: dict, record: dict, width: float, height: float) -> None:
    """One certificate: party document header, body, signature, QR code and code."""
    from reportlab.lib.units import mm

    left_x, right_x = 70 * mm, width - 80 * mm
    top = height - 22 * mm
    canvas.setFont(fonts.regular, 13)
    canvas.drawCentredString(left_x, top, course["issuer"])
    canvas.setFont(fonts.bold, 13)
    canvas.drawCentredString(left_x, top - 6 * mm, "*")
    canvas.setFont(fonts.regular, 13)
    canvas.drawCentredString(left_x, top - 12 * mm, record["serial"])
    canvas.setFont(fonts.bold, 14)
    canvas.drawCentredString(right_x, top, "ĐẢNG CỘNG SẢN VIỆT NAM")
    heading_width = canvas.stringWidth("ĐẢNG CỘNG SẢN VIỆT NAM", fonts.bold, 14)
    canvas.setLineWidth(0.6)
    canvas.line(right_x - heading_width / 2, top - 2.5, right_x + heading_width / 2, top - 2.5)
    canvas.setFont(fonts.italic, 13)
    canvas.drawCentredString(right_x, top - 9 * mm, course["place_date"])

    centre = width / 2
    canvas.setFont(fonts.bold, 26)
    canvas.drawCentredString(centre, height - 70 * mm, "GIẤY CHỨNG NHẬN")
    canvas.setFont(fonts.regular, 15)
    canvas.drawString(45 * mm, height - 88 * mm, "Đồng chí: ")
    canvas.setFont(fonts.bold, 15)
    canvas.drawString(45 * mm + canvas.stringWidth("Đồng chí: ", fonts.regular, 15), height - 88 * mm,
                      record["name"])
    canvas.setFont(fonts.regular, 15)
    canvas.drawString(45 * mm, height - 97 * mm, f"Chức vụ: {record['position']}")
    canvas.drawString(45 * mm, height - 106 * mm, f"Đơn vị: {record['unit']}")
    canvas.drawString(45 * mm, height - 115 * mm, "Đã hoàn thành chương trình lớp")
    canvas.setFont(fonts.bold, 15)
    canvas.drawString(45 * mm, height - 124 * mm, course["course"])
    canvas.setFont(fonts.regular, 15)
    canvas.drawString(45 * mm, height - 133 * mm, course["held"] + ".")

    canvas.setFont(fonts.bold, 14)
    canvas.drawCentredString(right_x, 62 * mm, course["signer_capacity"])
    canvas.drawCentredString(right_x, 56 * mm, course["signer_title"])
    canvas.drawCentredString(right_x, 28 * mm, course["signer_name"])

    qr_size = 30 * mm
    draw_qr(canvas, VERIFY_BASE + record["code"], 25 * mm, 25 * mm, qr_size)
    canvas.setFont(fonts.regular, 9)
    canvas.drawString(25 * mm, 20 * mm, f"Mã xác thực: {record['code']}")


def render(count: int, output) -> None:
    """Draw count certificates into output (a path or a binary file object)."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen.canvas import Canvas

    from courses.pdf_fonts import register_fonts

    fonts = register_fonts()
    width, height = landscape(A4)
    canvas = Canvas(output, pagesize=(width, height))
    canvas.setTitle("Giấy chứng nhận")
    for record in records(count):
        draw_page(canvas, fonts, COURSE, record, width, height)
        canvas.showPage()
    canvas.save()


def measure(count: int, output: str | None) -> dict:
    """Time one run (fonts registered first, as a running server has them) and its peak RSS."""
    from courses.pdf_fonts import register_fonts

    register_fonts()
    started = time.perf_counter()
    target = output or io.BytesIO()
    render(count, target)
    elapsed = time.perf_counter() - started
    size = Path(output).stat().st_size if output else len(target.getvalue())
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"pages": count, "seconds": elapsed, "pages_per_s": count / elapsed,
            "peak_rss_mb": peak_kb / 1024, "bytes": size}


def measure_in_fresh_process(count: int, output: str | None = None) -> dict:
    command = [sys.executable, __file__, "--child", str(count)]
    if output:
        command += ["--output", output]
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, nargs="+", default=[100, 2000])
    parser.add_argument("--output", help="write the PDF here (default: in memory, discarded)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.output)))
        return
    results = [measure_in_fresh_process(count, args.output) for count in args.pages]
    for result in results:
        print(f"floor pages={result['pages']} seconds={result['seconds']:.2f} "
              f"pages_per_s={result['pages_per_s']:.0f} peak_rss_mb={result['peak_rss_mb']:.1f} "
              f"pdf_kb={result['bytes'] / 1024:.0f}")
    first, last = results[0], results[-1]
    print("certificates_floor " + " ".join(f"pages_per_s_{r['pages']}={r['pages_per_s']:.0f}" for r in results)
          + f" mem_{last['pages']}_over_{first['pages']}={last['peak_rss_mb'] / first['peak_rss_mb']:.2f}")


if __name__ == "__main__":
    main()
