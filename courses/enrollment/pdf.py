"""The printed sign-in sheet (danh sách học viên ký tên): plain data in, PDF bytes out.

A4 portrait, Liberation Serif embedded, one table whose header repeats on every
page, a bold row opening each organization's group, «Trang x/y» at the foot.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from courses.pdf_fonts import register_fonts
from courses.pdf_text import pdf_text


@dataclass
class SignInSheet:
    """What a sheet prints: headings, and people grouped by organization."""

    organization: str          # issuing unit, printed in capitals top left
    title: str                 # «DANH SÁCH HỌC VIÊN KÝ TÊN»
    course_title: str
    subtitle: str              # date and place, or the session's topic and time
    groups: list               # [(group name, [(full name, position, unit), …]), …]
    footer: str = ""


def _numbered_canvas(font: str):
    class NumberedCanvas(pdf_canvas.Canvas):
        """Draws «Trang x/y» on every page once the page count is known."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(font, 9)
                self.drawCentredString(A4[0] / 2, 10 * mm, f"Trang {self._pageNumber}/{total}")
                super().showPage()
            super().save()

    return NumberedCanvas


def render_sign_in_sheet(sheet: SignInSheet) -> bytes:
    """Draw the sheet and return the PDF's bytes."""
    fonts = register_fonts()
    base = ParagraphStyle("base", fontName=fonts.regular, fontSize=11, leading=14)
    centered = ParagraphStyle("centered", parent=base, alignment=TA_CENTER)
    heading = ParagraphStyle("heading", parent=centered, fontName=fonts.bold, fontSize=14, leading=18)
    cell = ParagraphStyle("cell", parent=base, fontSize=10.5, leading=13)
    head_cell = ParagraphStyle("head", parent=cell, fontName=fonts.bold, alignment=TA_CENTER)
    group_cell = ParagraphStyle("group", parent=cell, fontName=fonts.bold)

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=15 * mm, bottomMargin=18 * mm,
                            title=f"{sheet.title} – {sheet.course_title}", author=sheet.organization)
    story = [
        Paragraph(pdf_text(sheet.organization.upper()), ParagraphStyle("org", parent=base, fontName=fonts.bold)),
        Spacer(1, 6 * mm),
        Paragraph(pdf_text(sheet.title), heading),
        Paragraph(pdf_text(sheet.course_title), ParagraphStyle("course", parent=centered, fontName=fonts.bold)),
        Paragraph(pdf_text(sheet.subtitle), ParagraphStyle("sub", parent=centered, fontName=fonts.italic)),
        Spacer(1, 5 * mm),
    ]
    widths = [11 * mm, 50 * mm, 42 * mm, 40 * mm, 37 * mm]  # 180 mm: A4 less the margins; room to sign
    data = [[Paragraph(text, head_cell) for text in ("STT", "Họ và tên", "Chức vụ", "Đơn vị", "Ký tên")]]
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ("ALIGN", (0, 1), (0, -1), "CENTER"),
        ("TOPPADDING", (0, 1), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 1), (-1, -1), 5),
    ]
    number = 0
    for group, people in sheet.groups:
        row = len(data)
        data.append([Paragraph(pdf_text(f"{group} ({len(people)})"), group_cell), "", "", "", ""])
        style += [("SPAN", (0, row), (-1, row)), ("BACKGROUND", (0, row), (-1, row), colors.HexColor("#f7f7f7"))]
        for full_name, position, unit in people:
            number += 1
            data.append([Paragraph(str(number), ParagraphStyle("n", parent=cell, alignment=TA_CENTER)),
                         Paragraph(pdf_text(full_name), cell), Paragraph(pdf_text(position), cell),
                         Paragraph(pdf_text(unit), cell), ""])
    if number == 0:
        data.append([Paragraph("Chưa có học viên được xác nhận.", cell), "", "", "", ""])
        style.append(("SPAN", (0, 1), (-1, 1)))
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle(style))
    story.append(table)
    if sheet.footer:
        story += [Spacer(1, 4 * mm), Paragraph(pdf_text(sheet.footer), ParagraphStyle("f", parent=base, fontName=fonts.italic))]
    doc.build(story, canvasmaker=_numbered_canvas(fonts.regular))
    return buffer.getvalue()
