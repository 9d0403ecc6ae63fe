"""The issuance register and the course result report as PDF and XLSX (plain data in, bytes out)."""
from __future__ import annotations

import io
from dataclasses import dataclass, field

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from courses.exports import Spreadsheet
from courses.pdf_fonts import register_fonts
from courses.pdf_text import pdf_text


@dataclass
class ReportTable:
    title: str
    header: list[str]
    rows: list[list]
    # Each column's share of the page's width; empty: the first column a third, the rest alike.
    column_shares: list[float] = field(default_factory=list)

    def column_widths(self, usable: float) -> list[float]:
        if self.column_shares:
            return [usable * share for share in self.column_shares]
        first = usable * 0.34
        rest = (usable - first) / max(len(self.header) - 1, 1)
        return [first] + [rest] * (len(self.header) - 1)


def _styles():
    fonts = register_fonts()
    return fonts, {
        "title": ParagraphStyle("title", fontName=fonts.bold, fontSize=14, alignment=1, spaceAfter=6, leading=18),
        "sub": ParagraphStyle("sub", fontName=fonts.italic, fontSize=11, alignment=1, spaceAfter=8, leading=14),
        "h": ParagraphStyle("h", fontName=fonts.bold, fontSize=12, spaceBefore=8, spaceAfter=4, leading=15),
        "cell": ParagraphStyle("cell", fontName=fonts.regular, fontSize=9.5, leading=12),
        "head": ParagraphStyle("head", fontName=fonts.bold, fontSize=9.5, leading=12),
    }


def tables_pdf(heading: str, subheading: str, tables: list[ReportTable], header_lines: list[str]) -> bytes:
    """A landscape A4 document: issuer lines, a heading and tables."""
    fonts, styles = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=15 * mm, bottomMargin=15 * mm, title=heading)
    story = [Paragraph(pdf_text(line), styles["head"]) for line in header_lines]
    story += [Spacer(1, 6), Paragraph(pdf_text(heading), styles["title"])]
    if subheading:
        story.append(Paragraph(pdf_text(subheading), styles["sub"]))
    for table in tables:
        if table.title:
            story.append(Paragraph(pdf_text(table.title), styles["h"]))
        data = [[Paragraph(pdf_text(h), styles["head"]) for h in table.header]]
        data += [[Paragraph(pdf_text(v), styles["cell"]) for v in row] for row in table.rows]
        t = Table(data, repeatRows=1, hAlign="LEFT", colWidths=table.column_widths(landscape(A4)[0] - 30 * mm))
        t.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.93, 0.93, 0.93)),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))
        story.append(t)
    doc.build(story)
    return buffer.getvalue()


def tables_xlsx(tables: list[ReportTable]) -> bytes:
    """One sheet per table, each with its bold header."""
    spreadsheet = Spreadsheet()
    for index, table in enumerate(tables, start=1):
        sheet = spreadsheet.add_sheet(table.title or f"Sheet{index}", table.header)
        for row in table.rows:
            sheet.append(row)
    return spreadsheet.to_bytes()
