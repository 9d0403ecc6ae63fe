"""The offline statement of each certificate, signed with the app's current key.

offline.py is the format and the cryptography (no Flask); this module knows where
the keys are kept (CERT_KEY_DIR/offline) and which of a certificate's fields go in.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import current_app

from courses.certificates import offline


def key_store() -> offline.KeyStore:
    return offline.KeyStore(Path(current_app.config["CERT_KEY_DIR"]) / "offline")


class StatementSigner:
    """Signs the statements of one print run with one key (read once per run)."""

    def __init__(self, issuing_unit: str):
        self.key_id, self.key = key_store().current()
        self.issuing_unit = issuing_unit

    def sign(self, serial: str, full_name: str, course_code: str, course_title: str,
             starts_on: date, ends_on: date, issued_on: date) -> str:
        statement = offline.Statement(
            serial=serial, full_name=full_name, course_code=course_code, course_title=course_title,
            starts_on=starts_on.isoformat(), ends_on=ends_on.isoformat(),
            issuing_unit=self.issuing_unit, issued_on=issued_on.isoformat(),
        )
        return offline.sign_statement(statement, self.key_id, self.key)
