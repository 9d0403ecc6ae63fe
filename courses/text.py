"""Text rules shared by every feature: the Vietnamese alphabetical order and typed codes."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_VI_ORDER = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_ASCII_DIGITS = re.compile(r"[0-9]+")


@lru_cache(maxsize=8192)
def vietnamese_key(text: str) -> tuple:
    """A sort key following the Vietnamese alphabet (ă after a, đ after d …), tones second.

    Cached: rosters of hundreds and bulk prints of thousands sort by names that repeat
    (given names above all), and this walks them character by character.
    """
    letters, tones = [], []
    for char in unicodedata.normalize("NFD", text.lower()):
        if unicodedata.combining(char):
            if char in "\u0306\u0302\u031b":  # breve, circumflex, horn make new letters
                if letters:
                    base = letters[-1]
                    composed = (unicodedata.normalize("NFC", _VI_ORDER[base] + char)
                                if base < len(_VI_ORDER) else "")
                    if composed in _VI_ORDER:
                        letters[-1] = _VI_ORDER.index(composed)
            else:
                tones.append(ord(char))
            continue
        letters.append(_VI_ORDER.index(char) if char in _VI_ORDER else 100 + ord(char))
    return tuple(letters), tuple(tones)


@lru_cache(maxsize=32768)
def _name_keys(full_name: str) -> tuple:
    # A course's roster is sorted again on every page of its summary: each name's keys once.
    name = full_name.strip()
    given = name.split()[-1] if name else ""
    return vietnamese_key(given), vietnamese_key(name)


def name_key(full_name: str | None, user_id: int) -> tuple:
    """The one order of every list of people: by given name (the last word), then the whole
    name, the Vietnamese way; the id keeps namesakes in a stable order."""
    return (*_name_keys(full_name or ""), user_id)


def person_key(user) -> tuple:
    """name_key of anything with `full_name` and `id` (a User, a row)."""
    return name_key(user.full_name, user.id)


def normalize_code(code: str | None) -> str:
    """A typed code in capitals without spaces or separators («ab-12 c» → «AB12C»)."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def parse_ascii_int(text: str | None) -> int | None:
    """A whole number written in ASCII digits only, else None.

    str.isdigit() accepts «²» and other Unicode digits that int() then refuses.
    """
    text = (text or "").strip()
    return int(text) if _ASCII_DIGITS.fullmatch(text) else None
