"""Certificate floor: the certificate page drawn with the bare reportlab canvas, N pages.

    .venv/bin/python benchmarks/certificates_floor.py [--pages 100 2000] [--output FILE]

Draws the same page as the application's bulk print (courses/certificates/pdf.py, plain
paper, specimen mark as on the large set's courses) in A4 landscape with Liberation
Serif (courses.pdf_fonts.register_fonts), from plain in-memory records shaped like the
large set's certificates (no database, no application code path), the fastest way we
know with the bare canvas:

- what every page shares (border, headings, title, signature block) is drawn once into
  a form XObject that each page shows;
- the QR code is encoded by zxing-cpp and drawn as ONE filled path of the runs of dark
  modules, found in one regular-expression pass over the code's image.

Each N runs in a fresh process so its peak memory (max RSS) is its own. Prints one line
per N, then

    certificates_floor pages_per_s_<N>=… … mem_<last>_over_<first>=…

benchmarks/certificates.py runs this beside the application's own printing and reports
the ratio.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

VERIFY_BASE = "https://dangbo.example.vn/verify/"
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"]
GIVEN = ["Văn An", "Thị Hạnh", "Quang Dũng", "Thu Trang", "Đức Long", "Ngọc Lan", "Mạnh Hùng"]
POSITIONS = ["Bí thư chi bộ, Chuyên viên", "Phó Bí thư chi bộ, Chuyên viên chính", "Cấp ủy viên, Phó Vụ trưởng"]
CELLS = ["Chi bộ Văn phòng", "Chi bộ Vụ Tổng hợp", "Chi bộ Vụ Kế hoạch - Tài chính"]


def records(count: int) -> list[dict]:
    """Deterministic fictional certificate data, as plain dicts.

    Random 32-hex codes, like the large set's: their QR codes have as many module runs
    as real ones (a code with long runs of zeros draws and compresses faster).
    """
    rng = random.Random(7)
    rows = []
    for index in range(count):
        code = f"{rng.getrandbits(128):032x}"
        rows.append({
            "serial": f"Số: {index + 1:04d}/2026/GCN-ĐUK-LG",
            "name": f"{SURNAMES[index % len(SURNAMES)]} {GIVEN[index % len(GIVEN)]}",
            "position": POSITIONS[index % len(POSITIONS)],
            "unit": f"Đơn vị: {CELLS[index % len(CELLS)]}, Đảng bộ Cơ quan Tư pháp {index % 40 + 1}",
            "place_date": "Hà Nội, ngày 15 tháng 10 năm 2026",
            "code": code,
            "url": VERIFY_BASE + code,
            # The app's QR code also carries the signed offline statement (about 400 characters
            # of base64url): random ones of that length make a code of the same size.
            "qr": VERIFY_BASE + code + "#GCN1." + "".join(rng.choice(STATEMENT_ALPHABET) for _ in range(400)),
        })
    return rows


COURSE = {
    "issuer": "ĐẢNG ỦY KHỐI CÁC CƠ QUAN TRUNG ƯƠNG",
    "course_line": ("Đã hoàn thành chương trình lớp Bồi dưỡng bí thư chi bộ trực thuộc (đợt 2, dữ liệu "
                    "thử tải), tổ chức ngày 28/9/2026."),
    "signer_capacity": "T/M BAN THƯỜNG VỤ",
    "signer_title": "PHÓ BÍ THƯ",
    "signer_name": "Trần Văn Mẫu",
}
RED = (0.70, 0.07, 0.07)
STATEMENT_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
_DARK_RUN = re.compile(rb"\x00+")  # zxing-cpp images: 0 is a dark module
_NUMBERS = [str(number) for number in range(256)]


def qr_path(text: str, x: float, y: float, size: float) -> str:
    """PDF operators filling the QR code of text as ONE path, size points wide, lower-left at (x, y).

    One rectangle per run of dark modules in a row, in module units (a cm scales them); the
    image's quiet zone keeps runs within their row, so one regex pass finds them all.
    """
    import zxingcpp

    image = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M").to_image(
        scale=1, add_quiet_zones=True)
    data = bytes(image)
    stride = image.shape[1]
    first = data.index(0)
    quiet = first // stride
    module = size / (stride - 2 * quiet)
    top = stride - 1
    numbers = _NUMBERS
    parts = [f"q 0 g {module:.4f} 0 0 {module:.4f} {x - quiet * module:.2f} {y - quiet * module:.2f} cm"]
    for run in _DARK_RUN.finditer(data, first):
        start, end = run.span()
        row, column = divmod(start, stride)
        parts.append(f"{numbers[column]} {numbers[top - row]} {numbers[end - start]} 1.03 re")
    parts.append("f Q")
    return "\n".join(parts)


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, current = [], ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and stringWidth(candidate, font, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    return lines + [current] if current else lines


def draw_static(canvas, fonts, course: dict, width: float, height: float) -> None:
    """Border, headings, title and signature block: drawn once, into the form every page shows."""
    from reportlab.lib.units import mm

    canvas.setStrokeColorRGB(*RED)
    canvas.setLineWidth(2.2)
    canvas.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    canvas.setLineWidth(0.6)
    canvas.rect(14.5 * mm, 14.5 * mm, width - 29 * mm, height - 29 * mm)
    left_x, right_x, top = 80 * mm, width - 80 * mm, height - 30 * mm
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont(fonts.bold, 13)
    canvas.drawCentredString(left_x, top, course["issuer"])
    canvas.setFont(fonts.regular, 13)
    canvas.drawCentredString(left_x, top - 16, "*")
    canvas.setFont(fonts.bold, 14)
    canvas.drawCentredString(right_x, top, "ĐẢNG CỘNG SẢN VIỆT NAM")
    half = canvas.stringWidth("ĐẢNG CỘNG SẢN VIỆT NAM", fonts.bold, 14) / 2
    canvas.setLineWidth(0.8)
    canvas.setStrokeColorRGB(0, 0, 0)
    canvas.line(right_x - half, top - 4, right_x + half, top - 4)
    canvas.setFillColorRGB(*RED)
    canvas.setFont(fonts.bold, 30)
    canvas.drawCentredString(width / 2, height - 78 * mm, "GIẤY CHỨNG NHẬN")
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont(fonts.bold, 13)
    canvas.drawCentredString(right_x, 68 * mm, course["signer_capacity"])
    canvas.drawCentredString(right_x, 68 * mm - 16, course["signer_title"])
    canvas.setFont(fonts.bold, 14)
    canvas.drawCentredString(right_x, 26 * mm, course["signer_name"])


def draw_page(canvas, fonts, course_lines: list[str], record: dict, width: float, height: float) -> None:
    """One certificate: the shared form, then the variable fields, the QR code and the specimen mark."""
    from reportlab.lib.units import mm

    canvas.doForm("static")
    left_x, right_x, top, center = 80 * mm, width - 80 * mm, height - 30 * mm, width / 2
    canvas.setFont(fonts.regular, 13)
    canvas.drawCentredString(left_x, top - 34, record["serial"])
    canvas.setFont(fonts.italic, 13)
    canvas.drawCentredString(right_x, top - 24, record["place_date"])
    y = height - 94 * mm
    label_width = canvas.stringWidth("Đồng chí: ", fonts.regular, 15)
    start = center - (label_width + canvas.stringWidth(record["name"], fonts.bold, 17)) / 2
    canvas.setFont(fonts.regular, 15)
    canvas.drawString(start, y, "Đồng chí: ")
    canvas.setFont(fonts.bold, 17)
    canvas.drawString(start + label_width, y, record["name"])
    canvas.setFont(fonts.regular, 14)
    canvas.drawCentredString(center, y - 22, f"Chức vụ: {record['position']}")
    canvas.drawCentredString(center, y - 42, record["unit"])
    y -= 62
    for line in course_lines:
        canvas.drawCentredString(center, y, line)
        y -= 20
    canvas.addLiteral(qr_path(record["qr"], 24 * mm, 27 * mm, 36 * mm))
    canvas.setFont(fonts.regular, 9)
    canvas.drawString(24 * mm, 22 * mm, f"Mã xác thực: {record['code']}")
    canvas.setFont(fonts.italic, 8)
    canvas.drawString(24 * mm, 18.5 * mm, record["url"])
    canvas.saveState()
    canvas.setFillColorRGB(*RED)
    canvas.setFillAlpha(0.18)
    canvas.translate(width / 2, height / 2)
    canvas.rotate(25)
    canvas.setFont(fonts.bold, 110)
    canvas.drawCentredString(0, -35, "BẢN MẪU")
    canvas.restoreState()


def render(count: int, output) -> None:
    """Draw count certificates into output (a path or a binary file object)."""
    from reportlab import rl_config
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    from courses.pdf_fonts import register_fonts

    fonts = register_fonts()
    width, height = landscape(A4)
    # Page streams compressed, not also ASCII85-encoded (reportlab's default): less work, as
    # the application's pages (their streams are compressed as each page ends).
    rl_config.useA85 = 0
    canvas = Canvas(output, pagesize=(width, height), pageCompression=1, invariant=1)
    canvas.setTitle("Giấy chứng nhận")
    canvas.beginForm("static")
    draw_static(canvas, fonts, COURSE, width, height)
    canvas.endForm()
    course_lines = wrap(COURSE["course_line"], fonts.regular, 14, 200 * mm)
    for record in records(count):
        draw_page(canvas, fonts, course_lines, record, width, height)
        canvas.showPage()
    canvas.save()


def measure(count: int, output: str | None) -> dict:
    """Time one run (after a one-page warm-up, as a running server has drawn before) and its peak RSS."""
    from courses.pdf_fonts import register_fonts

    register_fonts()
    render(1, tempfile.TemporaryFile())  # warmed up, as benchmarks/certificates.py does ours
    # A temporary file by default, as the application's print writes one.
    target = open(output, "wb") if output else tempfile.TemporaryFile()
    with target:
        started = time.perf_counter()
        cpu_started = time.process_time()
        render(count, target)
        target.flush()
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        size = target.tell()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"pages": count, "seconds": elapsed, "cpu_seconds": cpu, "pages_per_s": count / elapsed,
            "peak_rss_mb": peak_kb / 1024, "bytes": size}


def measure_in_fresh_process(count: int, output: str | None = None) -> dict:
    command = [sys.executable, __file__, "--child", str(count)]
    if output:
        command += ["--output", output]
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, nargs="+", default=[100, 2000])
    parser.add_argument("--output", help="write the PDF here (default: a temporary file, discarded)")
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
