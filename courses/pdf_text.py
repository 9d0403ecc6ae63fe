"""Text a user typed, made safe for reportlab's Paragraph markup: the one helper every PDF uses."""
from __future__ import annotations

import re
from xml.sax.saxutils import escape

# Line and page breaks other than the line feed, and the separators str.split() reads as
# white space: a space, so the words on either side stay apart.
_BREAKS = re.compile(r"\r\n?|[\x0b\x0c\x1c-\x1f\x85\u2028\u2029]")
# The other C0 controls but tab and line feed, and DEL: reportlab's parser refuses them.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f]")
_WHITE = re.compile(r"[\t\n]")
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


def _without_controls(value: object) -> str:
    text = "" if value is None else str(value)
    text = _BREAKS.sub(lambda match: "\n" if match.group().startswith("\r") else " ", text)
    return _CONTROL.sub("", text)


def pdf_text(value: object, line_breaks: bool = False) -> str:
    """value as Paragraph markup that shows exactly the characters typed.

    `<b`, `&`, `<img src=…>` would otherwise be read as markup: a broken tag fails the
    whole document, and an image tag makes reportlab open a local file.
    """
    text = escape(_without_controls(value), {'"': "&quot;"})
    return text.replace("\n", "<br/>") if line_breaks else text


def pdf_line(value: object) -> str:
    """value as one line for the canvas's drawString: no control characters, breaks as spaces.

    drawString reads no markup, but draws a tab, a line break or an escape character as a
    glyph the font lacks (a box, or nothing, on paper).
    """
    text = "" if value is None else str(value)
    return _WHITE.sub(" ", _without_controls(text)) if _ANY_CONTROL.search(text) else text
