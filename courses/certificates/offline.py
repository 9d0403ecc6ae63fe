"""Certificates that verify without our server: Ed25519 statements in the QR code.

A statement is the text ``GCN1.<key id>.<payload>.<signature>``: the payload is the
certificate's fields as compact JSON in base64url, and the signature (Ed25519, 64
bytes, base64url) covers everything before it, the key id included. The QR code holds
the verification address with the statement as its fragment, so a phone opening the
address asks our server as before (browsers never send the fragment), while an office
without access checks the statement against a public key it keeps.

Keys live as PEM files in CERT_KEY_DIR/offline (``<key id>.pem``; ``current`` names
the one that signs). Rotation adds a key and keeps the old ones, so certificates
signed before still verify. Several app servers must share that folder.

Nothing here touches the database: the command-line check and the tests use it as is.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PREFIX = "GCN1"
# The payload's fields, in the order of its JSON array (short: the QR code stays small).
FIELDS = ("serial", "full_name", "course_code", "course_title", "starts_on", "ends_on",
          "issuing_unit", "issued_on")
MAX_STATEMENT = 2000  # characters; a QR code at the printed size holds far less


class StatementError(ValueError):
    """A statement that cannot be read or does not verify; str() is the user's message key."""


@dataclass(frozen=True)
class Statement:
    serial: str
    full_name: str
    course_code: str
    course_title: str
    starts_on: str   # ISO dates, as printed on the certificate
    ends_on: str
    issuing_unit: str
    issued_on: str
    key_id: str = ""

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in (*FIELDS, "key_id")}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    if not text or not all(c.isascii() and (c.isalnum() or c in "-_") for c in text):
        raise StatementError("garbled")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise StatementError("garbled") from None


def key_id(public_key: Ed25519PublicKey) -> str:
    """Eight hex digits of the SHA-256 of the raw public key: short, and stable."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:8]


def public_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(serialization.Encoding.PEM,
                                   serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def load_public_keys(pem_text: str) -> dict[str, Ed25519PublicKey]:
    """Every Ed25519 public key in a PEM file (one or several blocks), by key id."""
    keys: dict[str, Ed25519PublicKey] = {}
    marker = "-----END PUBLIC KEY-----"
    for block in pem_text.split(marker):
        if "-----BEGIN PUBLIC KEY-----" not in block:
            continue
        try:
            key = serialization.load_pem_public_key((block.strip() + "\n" + marker + "\n").encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raise StatementError("bad_key") from None
        if not isinstance(key, Ed25519PublicKey):
            raise StatementError("bad_key")
        keys[key_id(key)] = key
    if not keys:
        raise StatementError("bad_key")
    return keys


def load_keys_json(text: str) -> dict[str, Ed25519PublicKey]:
    """The keys of /verify/keys.json, by key id."""
    try:
        entries = json.loads(text)["keys"]
        return {entry["id"]: next(iter(load_public_keys(entry["pem"]).values())) for entry in entries}
    except (ValueError, KeyError, TypeError, StopIteration):
        raise StatementError("bad_key") from None


class KeyStore:
    """The signing keys in a folder: the current one signs, all of them verify."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)

    def _private_keys(self) -> dict[str, Ed25519PrivateKey]:
        keys = {}
        for path in sorted(self.folder.glob("*.pem")):
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
            if isinstance(key, Ed25519PrivateKey):
                keys[path.stem] = key
        return keys

    def current(self) -> tuple[str, Ed25519PrivateKey]:
        """The signing key, made on first use (the embedded default of `make run`)."""
        marker = self.folder / "current"
        if marker.exists():
            kid = marker.read_text().strip()
            path = self.folder / f"{kid}.pem"
            if path.exists():
                return kid, serialization.load_pem_private_key(path.read_bytes(), password=None)
        return self.rotate()

    def rotate(self) -> tuple[str, Ed25519PrivateKey]:
        """Make a new signing key; the old ones stay for verifying what they signed."""
        self.folder.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        kid = key_id(key.public_key())
        path = self.folder / f"{kid}.pem"
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pem)
        temporary = self.folder / "current.tmp"
        temporary.write_text(kid)
        temporary.replace(self.folder / "current")  # atomic: a reader sees the old or the new id
        return kid, key

    def public_keys(self) -> dict[str, Ed25519PublicKey]:
        self.current()
        return {kid: key.public_key() for kid, key in self._private_keys().items()}

    def keys_document(self) -> dict:
        current_id, _key = self.current()
        return {"current": current_id,
                "keys": [{"id": kid, "algorithm": "Ed25519", "pem": public_pem(key)}
                         for kid, key in sorted(self.public_keys().items())]}


def sign_statement(statement: Statement, kid: str, key: Ed25519PrivateKey) -> str:
    payload = json.dumps([getattr(statement, name) for name in FIELDS], ensure_ascii=False,
                         separators=(",", ":")).encode("utf-8")
    signed = f"{PREFIX}.{kid}.{_b64(payload)}"
    return f"{signed}.{_b64(key.sign(signed.encode('ascii')))}"


def extract_statement(text: str) -> str:
    """The statement in a scanned text: the whole text, or the fragment of the address."""
    text = (text or "").strip()
    if "#" in text:
        text = text.rsplit("#", 1)[1]
    return text


def verify_statement(text: str, keys: dict[str, Ed25519PublicKey]) -> Statement:
    """The statement's fields when its signature holds under one of keys; StatementError if not.

    The error's message says which: ``garbled`` (not a statement, truncated), ``unknown_key``
    (signed by a key not in keys) or ``bad_signature`` (changed after signing).
    """
    text = extract_statement(text)
    if len(text) > MAX_STATEMENT:
        raise StatementError("garbled")
    parts = text.split(".")
    if len(parts) != 4 or parts[0] != PREFIX:
        raise StatementError("garbled")
    _prefix, kid, payload_text, signature_text = parts
    payload, signature = _unb64(payload_text), _unb64(signature_text)
    if len(signature) != 64:  # Ed25519: a shorter one is a truncated scan, not a forgery
        raise StatementError("garbled")
    if kid not in keys:
        raise StatementError("unknown_key")
    try:
        keys[kid].verify(signature, f"{PREFIX}.{kid}.{payload_text}".encode("ascii"))
    except InvalidSignature:
        raise StatementError("bad_signature") from None
    try:
        values = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise StatementError("garbled") from None
    if not isinstance(values, list) or len(values) != len(FIELDS) or not all(isinstance(v, str) for v in values):
        raise StatementError("garbled")
    return Statement(*values, key_id=kid)


# --- the revocation list for offline sites --------------------------------------------

def sign_revocation_list(entries: list[dict], kid: str, key: Ed25519PrivateKey,
                         now: datetime | None = None) -> dict:
    """The signed list of revoked and replaced serials: the exact bytes signed travel as base64url."""
    body = {"issued_at": (now or datetime.now(timezone.utc)).replace(microsecond=0).isoformat(),
            "entries": entries}
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return {"key_id": kid, "list": _b64(data), "signature": _b64(key.sign(data))}


def verify_revocation_list(document: dict, keys: dict[str, Ed25519PublicKey]) -> dict:
    """The list's body ({issued_at, entries}) when its signature holds; StatementError if not."""
    try:
        kid, data, signature = document["key_id"], _unb64(document["list"]), _unb64(document["signature"])
    except (KeyError, TypeError):
        raise StatementError("garbled_list") from None
    if kid not in keys:
        raise StatementError("unknown_key")
    try:
        keys[kid].verify(signature, data)
    except InvalidSignature:
        raise StatementError("bad_list_signature") from None
    return json.loads(data.decode("utf-8"))


def revoked_entry(body: dict, serial: str) -> dict | None:
    return next((entry for entry in body.get("entries", []) if entry.get("serial") == serial), None)
