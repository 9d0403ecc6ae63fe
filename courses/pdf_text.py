"""Text a user typed, made safe for reportlab's Paragraph markup: the one helper every PDF uses."""
from __future__ import annotations

import re
from xml.sax.saxutils import escape

# C0 controls but tab and line feed, and DEL: reportlab's parser refuses them.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def pdf_text(value: object, line_breaks: bool = False) -> str:
    """value as Paragraph markup that shows exactly the characters typed.

    `<b`, `&`, `<img src=…>` would otherwise be read as markup: a broken tag fails the
    whole document, and an image tag makes reportlab open a local file.
    """
    text = _CONTROL.sub("", "" if value is None else str(value))
    text = escape(text, {'"': "&quot;"})
    return text.replace("\n", "<br/>") if line_breaks else text
