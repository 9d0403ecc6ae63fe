"""The translation catalogues: where they are, and compiling them (.po → .mo).

`make translations` compiles them for `make run` and `make test`; the test suite also
calls compile_stale() so a bare `pytest` never runs on a missing or stale .mo.
"""
from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"


def po_files() -> list[Path]:
    """Every catalogue source: translations/<lang>/LC_MESSAGES/messages.po."""
    return sorted(TRANSLATIONS_DIR.glob("*/LC_MESSAGES/messages.po"))


def read_catalog(po_path: Path):
    """The parsed catalogue of one .po file."""
    with po_path.open("rb") as handle:
        return read_po(handle, locale=po_path.parent.parent.name)


def compile_stale() -> list[Path]:
    """Compile every .po whose .mo is missing or older; returns the .mo files written."""
    written = []
    for po_path in po_files():
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        catalog = read_catalog(po_path)
        with mo_path.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        written.append(mo_path)
    return written
