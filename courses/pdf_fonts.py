"""The embedded Vietnamese-capable fonts for every PDF we draw (Liberation Serif)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"


@dataclass(frozen=True)
class FontSet:
    """Registered reportlab font names for the four styles."""

    regular: str = "LiberationSerif"
    bold: str = "LiberationSerif-Bold"
    italic: str = "LiberationSerif-Italic"
    bold_italic: str = "LiberationSerif-BoldItalic"


@cache
def register_fonts() -> FontSet:
    """Register Liberation Serif with reportlab once per process and return the names."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    fonts = FontSet()
    files = {
        fonts.regular: "LiberationSerif-Regular.ttf",
        fonts.bold: "LiberationSerif-Bold.ttf",
        fonts.italic: "LiberationSerif-Italic.ttf",
        fonts.bold_italic: "LiberationSerif-BoldItalic.ttf",
    }
    for name, filename in files.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
    pdfmetrics.registerFontFamily(fonts.regular, normal=fonts.regular, bold=fonts.bold,
                                  italic=fonts.italic, boldItalic=fonts.bold_italic)
    return fonts
