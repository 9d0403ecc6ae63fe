"""Certificate PDFs drawn with reportlab: plain data in, PDF out (no Flask, no database).

One canvas writes every page to the output file object, so a bulk print of a
whole course is one pass. QR codes come from zxing-cpp and are drawn as one
path of module runs per code. benchmarks/certificates.py measures the bulk print
against a bare-canvas floor.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import BinaryIO, Iterable

import zxingcpp
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from courses.pdf_fonts import register_fonts
from courses.pdf_text import pdf_line

PAGE = landscape(A4)
PARTY_RED = (0.70, 0.07, 0.07)

# Positions (mm from the top left of the sheet) of the variable fields on a pre-printed blank.
DEFAULT_FORM_POSITIONS: dict[str, tuple[float, float]] = {
    "serial": (40.0, 40.0),
    "place_date": (190.0, 32.0),
    "full_name": (110.0, 95.0),
    "position": (110.0, 107.0),
    "unit": (110.0, 119.0),
    "course": (60.0, 131.0),
    "signer_name": (215.0, 185.0),
    "qr": (25.0, 160.0),
}
FORM_FIELDS = tuple(DEFAULT_FORM_POSITIONS)


@dataclass(frozen=True)
class CertificateLayout:
    """What every certificate of a print run shares: the issuer and signer."""

    issuing_unit_name: str
    signer_capacity: str
    signer_title: str
    signer_name: str
    signature_path: str | None = None
    form_offset_x_mm: float = 0.0
    form_offset_y_mm: float = 0.0
    form_positions: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CertificateData:
    """The variable fields of one certificate."""

    serial_text: str          # «Số: 0042/GCN-ĐUK»
    full_name: str
    position: str             # party position / job title
    unit: str
    course_line: str          # «Đã hoàn thành chương trình lớp …, tổ chức ngày …»
    place_date: str           # «Hà Nội, ngày 2 tháng 12 năm 2022»
    verify_url: str
    verification_code: str
    specimen: bool = False
    overprint: str = ""       # «ĐÃ THU HỒI» / «ĐÃ ĐƯỢC THAY THẾ BẰNG SỐ …» across a staff copy
    offline_statement: str = ""  # courses/certificates/offline.py: verifies without the server

    @property
    def qr_text(self) -> str:
        """The verification address, with the signed statement as its fragment."""
        return f"{self.verify_url}#{self.offline_statement}" if self.offline_statement else self.verify_url


_DARK_RUN = re.compile(b"\x00+")
_NUMBERS = [str(number) for number in range(256)]


def qr_path_operators(text: str, x: float, y: float, width: float) -> str:
    """PDF operators drawing the QR code of text: runs of dark modules as one filled path.

    Coordinates are in modules (a cm transform scales them), so each run is a few integers.
    The image comes with its quiet zone: light modules around the symbol keep every run
    within its row, so one regular-expression pass over the whole image finds them all
    (a bulk print draws thousands of codes; this is most of a page's drawing time).
    """
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    image = barcode.to_image(scale=1, add_quiet_zones=True)
    data = bytes(image)
    stride = image.shape[1]
    first = data.index(0)  # the top left corner of the finder pattern: the quiet zone's width
    quiet = first // stride
    module = width / (stride - 2 * quiet)
    top = stride - 1
    numbers = _NUMBERS
    parts = [f"q {module:.4f} 0 0 {module:.4f} {x - quiet * module:.2f} {y - quiet * module:.2f} cm"]
    append = parts.append
    for run in _DARK_RUN.finditer(data, first):
        start, end = run.span()
        row, column = divmod(start, stride)
        # A hair taller than a module, so no seam shows between rows.
        append(f"{numbers[column]} {numbers[top - row]} {numbers[end - start]} 1.03 re")
    append("f Q")
    return "\n".join(parts)


def draw_qr(canvas: Canvas, text: str, x: float, y: float, width: float) -> None:
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    canvas.addLiteral(qr_path_operators(text, x, y, width))
    canvas.restoreState()


@lru_cache(maxsize=4096)
def _wrapped(text: str, font: str, size: float, width: float) -> tuple[str, ...]:
    lines, current = [], ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and stringWidth(candidate, font, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return tuple(lines)


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Split text into lines no wider than width.

    Cached: in a bulk print the course line and most units repeat on every page.
    """
    return list(_wrapped(text, font, size, width))


STATIC_FORM = "CertificateStatic"


class CertificateWriter:
    """Writes certificates, one page each, onto a canvas over a file object.

    What every page of a run shares (border, headings, title, signer, signature image)
    is drawn once into form XObjects that each page shows: a bulk
    print draws only the variable fields and the QR code per page, and the file holds
    the shared part and the signature image once.
    """

    def __init__(self, out: BinaryIO, layout: CertificateLayout, preprinted: bool = False,
                 title: str = "Giấy chứng nhận"):
        self.fonts = register_fonts()
        # Typed text is drawn with drawString (no markup), as single lines.
        self.layout = layout = replace(
            layout, issuing_unit_name=pdf_line(layout.issuing_unit_name), signer_capacity=pdf_line(layout.signer_capacity),
            signer_title=pdf_line(layout.signer_title), signer_name=pdf_line(layout.signer_name))
        self.preprinted = preprinted
        self.canvas = Canvas(out, pagesize=PAGE, pageCompression=1, invariant=1)
        self.canvas.setTitle(title)
        self.canvas.setAuthor(layout.issuing_unit_name)
        self.canvas.setPageCallBack(self._compress_finished_page)
        self.count = 0
        self._forms: set[str] = set()

    def add(self, cert: CertificateData) -> None:
        typed = (cert.serial_text, cert.full_name, cert.position, cert.unit, cert.course_line, cert.place_date)
        if any(pdf_line(text) != text for text in typed):  # rare: a bulk print rarely copies
            cert = replace(cert, serial_text=pdf_line(cert.serial_text), full_name=pdf_line(cert.full_name),
                           position=pdf_line(cert.position), unit=pdf_line(cert.unit),
                           course_line=pdf_line(cert.course_line), place_date=pdf_line(cert.place_date))
        if self.preprinted:
            self._draw_variable_fields(cert)
        else:
            self._draw_full(cert)
        if cert.specimen:
            # Drawn on the page itself: reportlab gives form XObjects no transparency.
            self._specimen()
        if cert.overprint:
            self._overprint(cert.overprint)
        self.canvas.showPage()
        self.count += 1

    def close(self) -> None:
        if self.count == 0:
            self.canvas.setFont(self.fonts.italic, 14)
            self.canvas.drawCentredString(PAGE[0] / 2, PAGE[1] / 2, "Không có giấy chứng nhận nào để in.")
            self.canvas.showPage()
        self.canvas.save()

    def _compress_finished_page(self, _page_number: int) -> None:
        """Keep a finished page only as its compressed content stream, the bytes the file gets.

        reportlab holds every page's drawing operators as text until save(): about 6 KB a
        certificate, 12 MB for 2,000. Compressed now instead of at save(), a page costs about
        2.5 KB until then, so a bulk print's memory grows little with the number of pages.
        """
        page = self.canvas._doc.Pages.pages[-1]
        stream = pdfdoc.PDFStream(content=pdfdoc.PDFZCompress.encode(page.stream))
        # A Filter already present tells reportlab the content is encoded: it writes it as is.
        stream.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName(pdfdoc.PDFZCompress.pdfname)])
        page.Contents = stream
        page.stream = None

    def _show_form(self, name: str, draw) -> None:
        """Show the form name on this page, drawing it with draw() the first time."""
        c = self.canvas
        if name not in self._forms:
            # beginForm keeps the page drawn so far aside and gives it back at endForm.
            c.beginForm(name)
            draw()
            c.endForm()
            self._forms.add(name)
        c.doForm(name)

    # -- the whole certificate on plain paper ---------------------------------------------
    def _draw_static(self) -> None:
        """Border, both headings, the title and the signature block: the same on every page."""
        c, f, layout = self.canvas, self.fonts, self.layout
        width, height = PAGE
        c.setStrokeColorRGB(*PARTY_RED)
        c.setLineWidth(2.2)
        c.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
        c.setLineWidth(0.6)
        c.rect(14.5 * mm, 14.5 * mm, width - 29 * mm, height - 29 * mm)

        left_x, right_x = 80 * mm, width - 80 * mm
        top = height - 30 * mm
        c.setFillColorRGB(0, 0, 0)
        c.setFont(f.bold, 13)
        unit_lines = wrap(layout.issuing_unit_name.upper(), f.bold, 13, 110 * mm)
        for i, line in enumerate(unit_lines):
            c.drawCentredString(left_x, top - i * 16, line)
        c.setFont(f.regular, 13)
        c.drawCentredString(left_x, top - len(unit_lines) * 16, "*")

        c.setFont(f.bold, 14)
        c.drawCentredString(right_x, top, "ĐẢNG CỘNG SẢN VIỆT NAM")
        half = stringWidth("ĐẢNG CỘNG SẢN VIỆT NAM", f.bold, 14) / 2
        c.setLineWidth(0.8)
        c.setStrokeColorRGB(0, 0, 0)
        c.line(right_x - half, top - 4, right_x + half, top - 4)

        c.setFillColorRGB(*PARTY_RED)
        c.setFont(f.bold, 30)
        c.drawCentredString(width / 2, height - 78 * mm, "GIẤY CHỨNG NHẬN")
        c.setFillColorRGB(0, 0, 0)

        sign_x = width - 80 * mm
        sign_top = 68 * mm
        c.setFont(f.bold, 13)
        c.drawCentredString(sign_x, sign_top, layout.signer_capacity.upper())
        c.drawCentredString(sign_x, sign_top - 16, layout.signer_title.upper())
        if layout.signature_path:
            c.drawImage(layout.signature_path, sign_x - 25 * mm, sign_top - 16 - 24 * mm,
                        width=50 * mm, height=20 * mm, preserveAspectRatio=True, mask="auto")
        c.setFont(f.bold, 14)
        c.drawCentredString(sign_x, 26 * mm, layout.signer_name)

    def _draw_full(self, cert: CertificateData) -> None:
        c, f = self.canvas, self.fonts
        self._show_form(STATIC_FORM, self._draw_static)
        width, height = PAGE
        left_x, right_x = 80 * mm, width - 80 * mm
        top = height - 30 * mm
        unit_lines = len(wrap(self.layout.issuing_unit_name.upper(), f.bold, 13, 110 * mm))
        c.setFillColorRGB(0, 0, 0)
        c.setFont(f.regular, 13)
        c.drawCentredString(left_x, top - unit_lines * 16 - 18, cert.serial_text)
        c.setFont(f.italic, 13)
        c.drawCentredString(right_x, top - 24, cert.place_date)

        center = width / 2
        y = height - 94 * mm
        c.setFont(f.regular, 15)
        label = "Đồng chí: "
        label_width = stringWidth(label, f.regular, 15)
        start = center - (label_width + stringWidth(cert.full_name, f.bold, 17)) / 2
        c.drawString(start, y, label)
        c.setFont(f.bold, 17)
        c.drawString(start + label_width, y, cert.full_name)
        c.setFont(f.regular, 14)
        y -= 22
        if cert.position:
            c.drawCentredString(center, y, f"Chức vụ: {cert.position}")
            y -= 20
        for line in wrap(f"Đơn vị: {cert.unit}", f.regular, 14, 200 * mm):
            c.drawCentredString(center, y, line)
            y -= 20
        for line in wrap(cert.course_line, f.regular, 14, 200 * mm):
            c.drawCentredString(center, y, line)
            y -= 20

        # The signed statement makes a QR code of about 81 modules (437 characters): 36 mm
        # gives each 0.44 mm, which a phone reads from paper.
        qr_size = 36 * mm
        draw_qr(c, cert.qr_text, 24 * mm, 27 * mm, qr_size)
        c.setFont(f.regular, 9)
        c.drawString(24 * mm, 22 * mm, f"Mã xác thực: {cert.verification_code}")
        c.setFont(f.italic, 8)
        c.drawString(24 * mm, 18.5 * mm, cert.verify_url)

    def _specimen(self) -> None:
        c = self.canvas
        c.saveState()
        c.setFillColorRGB(*PARTY_RED)
        c.setFillAlpha(0.18)
        c.translate(PAGE[0] / 2, PAGE[1] / 2)
        c.rotate(25)
        c.setFont(self.fonts.bold, 110)
        c.drawCentredString(0, -35, "BẢN MẪU")
        c.restoreState()

    def _overprint(self, text: str) -> None:
        """A revoked or replaced certificate: its status across the page, sized to fit it."""
        c = self.canvas
        size = 72.0
        while size > 18 and c.stringWidth(text, self.fonts.bold, size) > PAGE[0] * 0.95:
            size -= 4
        c.saveState()
        c.setFillColorRGB(*PARTY_RED)
        c.setFillAlpha(0.35)
        c.translate(PAGE[0] / 2, PAGE[1] / 2)
        c.rotate(25)
        c.setFont(self.fonts.bold, size)
        c.drawCentredString(0, -size / 3, text)
        c.restoreState()

    # -- only the variable fields, for pre-printed blanks ---------------------------------
    def _position(self, name: str) -> tuple[float, float]:
        positions = {**DEFAULT_FORM_POSITIONS, **(self.layout.form_positions or {})}
        x_mm, y_mm = positions[name]
        x = (float(x_mm) + self.layout.form_offset_x_mm) * mm
        y = PAGE[1] - (float(y_mm) + self.layout.form_offset_y_mm) * mm
        return x, y

    def _draw_variable_fields(self, cert: CertificateData) -> None:
        c, f = self.canvas, self.fonts
        c.setFillColorRGB(0, 0, 0)
        fields = (
            ("serial", f.regular, 13, cert.serial_text),
            ("place_date", f.italic, 13, cert.place_date),
            ("full_name", f.bold, 17, cert.full_name),
            ("position", f.regular, 14, cert.position),
            ("unit", f.regular, 14, cert.unit),
            ("course", f.regular, 14, cert.course_line),
            ("signer_name", f.bold, 14, self.layout.signer_name),
        )
        for name, font, size, text in fields:
            x, y = self._position(name)
            c.setFont(font, size)
            # Long lines wrap within the sheet, 7 mm apart.
            for index, line in enumerate(wrap(text, font, size, max(PAGE[0] - x - 15 * mm, 50 * mm))):
                c.drawString(x, y - index * 7 * mm, line)
        x, y = self._position("qr")
        draw_qr(c, cert.qr_text, x, y - 32 * mm, 32 * mm)
        c.setFont(f.regular, 8)
        c.drawString(x, y - 36 * mm, cert.verification_code)


def write_certificates(out: BinaryIO, layout: CertificateLayout, certificates: Iterable[CertificateData],
                       preprinted: bool = False, title: str = "Giấy chứng nhận") -> int:
    """Draw every certificate onto out, one page each; returns the page count."""
    writer = CertificateWriter(out, layout, preprinted=preprinted, title=title)
    for cert in certificates:
        writer.add(cert)
    writer.close()
    return writer.count
