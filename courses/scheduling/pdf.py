"""The printable programme (A4, Liberation Serif): plain data in, PDF bytes out."""
from __future__ import annotations

import io
from dataclasses import dataclass, field

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from courses.pdf_fonts import register_fonts
from courses.pdf_text import pdf_text


@dataclass(frozen=True)
class ProgrammeRow:
    """One line of the agenda, already formatted."""

    time: str
    kind: str  # opening, topic, break, closing
    title: str
    speaker: str = ""
    speaker_title: str = ""
    room: str = ""
    presided_by: str = ""
    guiding_speech_by: str = ""


@dataclass(frozen=True)
class ProgrammeDay:
    """A day heading («Thứ Sáu, 2/12/2022») and its rows."""

    heading: str
    rows: list[ProgrammeRow]


@dataclass(frozen=True)
class Programme:
    """Everything printed on the programme sheet; labels come translated from the caller."""

    organizer: str
    title: str
    dates: str
    venue: str
    days: list[ProgrammeDay]
    labels: dict[str, str] = field(default_factory=dict)


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(pdf_text(text, line_breaks=True), style)


def render_programme(programme: Programme) -> bytes:
    """The programme as PDF bytes, A4 portrait."""
    fonts = register_fonts()
    label = {"heading": "CHƯƠNG TRÌNH", "time": "Thời gian", "content": "Nội dung",
             "speaker": "Báo cáo viên / Chủ trì", "venue": "Địa điểm", "presides": "Chủ trì",
             "speech": "Phát biểu chỉ đạo", "topic": "Chuyên đề", "room": "Phòng"}
    label.update(programme.labels)
    base = ParagraphStyle("base", fontName=fonts.regular, fontSize=11, leading=14)
    small = ParagraphStyle("small", parent=base, fontSize=10, leading=12, textColor=colors.HexColor("#333333"))
    bold = ParagraphStyle("bold", parent=base, fontName=fonts.bold)
    centre = ParagraphStyle("centre", parent=base, alignment=TA_CENTER)
    centre_bold = ParagraphStyle("centre_bold", parent=centre, fontName=fonts.bold, fontSize=15, leading=19)
    italic_centre = ParagraphStyle("italic_centre", parent=centre, fontName=fonts.italic)

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=15 * mm,
                            topMargin=18 * mm, bottomMargin=18 * mm, title=programme.title,
                            author=programme.organizer)
    story = [
        _p(programme.organizer.upper(), ParagraphStyle("org", parent=centre, fontName=fonts.bold)),
        Spacer(1, 6 * mm),
        _p(label["heading"], centre_bold),
        _p(programme.title, ParagraphStyle("title", parent=centre, fontName=fonts.bold, fontSize=13, leading=17)),
        Spacer(1, 2 * mm),
        _p(programme.dates, italic_centre),
        _p(f'{label["venue"]}: {programme.venue}', italic_centre) if programme.venue else Spacer(1, 0),
        Spacer(1, 6 * mm),
    ]
    width = A4[0] - 35 * mm
    for day in programme.days:
        story.append(_p(day.heading, bold))
        story.append(Spacer(1, 2 * mm))
        data = [[_p(label["time"], bold), _p(label["content"], bold), _p(label["speaker"], bold)]]
        for row in day.rows:
            content = row.title
            if row.kind == "topic":
                content = f'{label["topic"]}: {row.title}'
            if row.room:
                content += f'\n{label["room"]}: {row.room}'
            people = ""
            if row.kind == "topic" and row.speaker:
                people = row.speaker + (f"\n{row.speaker_title}" if row.speaker_title else "")
            elif row.kind in ("opening", "closing"):
                parts = []
                if row.presided_by:
                    parts.append(f'{label["presides"]}: {row.presided_by}')
                if row.guiding_speech_by:
                    parts.append(f'{label["speech"]}: {row.guiding_speech_by}')
                people = "\n".join(parts)
            style = bold if row.kind in ("opening", "closing") else base
            data.append([_p(row.time, base), _p(content, style), _p(people, small)])
        table = Table(data, colWidths=[28 * mm, width * 0.5, width - 28 * mm - width * 0.5], repeatRows=1)
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ]))
        story.extend([table, Spacer(1, 6 * mm)])
    doc.build(story)
    return buffer.getvalue()
