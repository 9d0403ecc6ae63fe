"""The form of a course code: letters (Vietnamese ones too), digits, «-», «/», «.»; no spaces.

A course code names the files offered for download (the roster, the sign-in sheet, the
calendar) and is printed on reports, so a line break, a quote or a space in it is refused
by the forms, by the service and by the database (the CHECK constraint below, migration
0013_course_code_format).
"""
from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from wtforms.validators import ValidationError

_VOWELS = "aăâeêioôơuưy"
_TONES = ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323")  # huyền, sắc, hỏi, ngã, nặng


def _vietnamese_letters() -> str:
    lower = [unicodedata.normalize("NFC", vowel + tone) for vowel in _VOWELS for tone in ("", *_TONES)]
    lower = [letter for letter in lower if not letter.isascii()] + ["đ"]
    return "".join(lower) + "".join(letter.upper() for letter in lower)


VIETNAMESE_LETTERS = _vietnamese_letters()  # the 134 precomposed letters beyond ASCII
ALLOWED_PUNCTUATION = "-/."
ALLOWED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                    + ALLOWED_PUNCTUATION + VIETNAMESE_LETTERS)
FORMAT_MESSAGE = _l("Mã lớp chỉ gồm chữ cái, chữ số và các dấu «-», «/», «.», không có dấu cách "
                    "(ví dụ: ĐUK-01/2026).")
# One bracket expression for both databases ("-" first is a literal in both).
_CLASS = "-./0-9A-Za-z" + VIETNAMESE_LETTERS


def normalize_course_code(code: str | None) -> str:
    """The code as stored: trimmed, letters composed (NFC), so «ĐUK» typed decomposed matches."""
    return unicodedata.normalize("NFC", (code or "").strip())


def is_valid_course_code(code: str) -> bool:
    """Whether a (normalized) code has only the allowed characters."""
    return bool(code) and all(ch in ALLOWED for ch in code)


def validate_course_code_field(form, field) -> None:
    """WTForms validator of a course code field (CourseForm, CloneForm)."""
    field.data = normalize_course_code(field.data)
    if field.data and not is_valid_course_code(field.data):
        raise ValidationError(FORMAT_MESSAGE)


class CourseCodeFormat(ColumnElement):
    """The CHECK expression on courses.code, written for each database."""

    inherit_cache = True
    type = sa.Boolean()


@compiles(CourseCodeFormat)
def _regex_check(element, compiler, **kw):  # PostgreSQL
    return f"code ~ '^[{_CLASS}]+$'"


@compiles(CourseCodeFormat, "sqlite")
def _glob_check(element, compiler, **kw):
    return f"code <> '' AND code NOT GLOB '*[^{_CLASS}]*'"
