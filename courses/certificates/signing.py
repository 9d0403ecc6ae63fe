"""A PAdES signature on every certificate PDF, made with pyHanko.

The issuing unit's key and certificate come from CERT_SIGNING_P12 (with
CERT_SIGNING_PASSWORD) or from CERT_SIGNING_KEY and CERT_SIGNING_CERT (PEM). Without
them, development and the demo sign with a demo key made once under CERT_KEY_DIR and
named as a demo; production refuses to print unsigned certificates unless
CERT_SIGNING=off says so on purpose. One signature covers a whole file, so a bulk
print of 2,000 certificates costs one signature.
"""
from __future__ import annotations

import io
import shutil
import tempfile
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l

from courses.exceptions import DomainError

FIELD_NAME = "ChuKySo"
DEMO_FILE = "demo-signing.p12"
DEMO_PASSWORD = b"demo-only"
REASON = "Giấy chứng nhận hoàn thành lớp bồi dưỡng"
DEFAULT_BOX_MM = (200.0, 12.0, 285.0, 30.0)  # x1, y1, x2, y2 from the bottom left, A4 landscape

_signers: dict[tuple, object] = {}
_lock = threading.Lock()


class SigningUnavailable(DomainError):
    """Production without a signing key: certificates are not printed unsigned."""


def signing_enabled() -> bool:
    return str(current_app.config.get("CERT_SIGNING", "on")).strip().lower() not in ("off", "0", "false", "no")


def make_demo_p12(path: Path, unit_name: str = "Đảng ủy Khối (MẪU)") -> Path:
    """A self-signed demo key and certificate, clearly named as a demo, as a PKCS#12 file."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, f"{unit_name} - KHÓA MẪU, KHÔNG CÓ GIÁ TRỊ"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Bản trình diễn (demo)"),
    ])
    now = datetime.now(timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .sign(key, hashes.SHA256())
    )
    data = pkcs12.serialize_key_and_certificates(b"demo", key, certificate, None,
                                                  serialization.BestAvailableEncryption(DEMO_PASSWORD))
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(data)
    temporary.replace(path)
    return path


def _source() -> tuple:
    config = current_app.config
    if config.get("CERT_SIGNING_P12"):
        return ("p12", config["CERT_SIGNING_P12"], (config.get("CERT_SIGNING_PASSWORD") or "").encode("utf-8"))
    if config.get("CERT_SIGNING_KEY") and config.get("CERT_SIGNING_CERT"):
        return ("pem", config["CERT_SIGNING_KEY"], config["CERT_SIGNING_CERT"],
                (config.get("CERT_SIGNING_PASSWORD") or "").encode("utf-8") or None)
    if config.get("CERT_SIGNING_DEMO", True):
        path = Path(config["CERT_KEY_DIR"]) / DEMO_FILE
        if not path.exists():
            with _lock:
                if not path.exists():
                    make_demo_p12(path)
        return ("p12", str(path), DEMO_PASSWORD)
    raise SigningUnavailable(_l("Chưa cấu hình khóa ký số (CERT_SIGNING_P12): giấy chứng nhận không được in "
                                "khi chưa ký. Liên hệ quản trị hệ thống."))


def prepare_keys() -> list[str]:
    """Make the demo signing key and the QR statement key where missing; say what is used."""
    from courses.certificates.statements import key_store

    kid, _key = key_store().current()
    lines = [f"Khóa ký mã QR (Ed25519): {kid}, công bố tại /verify/keys.json."]
    if not signing_enabled():
        return lines + ["Giấy chứng nhận in không ký số (CERT_SIGNING=off)."]
    source = _source()
    if source[1].endswith(DEMO_FILE):
        lines.append(f"Ký số PDF bằng khóa MẪU {source[1]} (chỉ để trình diễn).")
    else:
        lines.append(f"Ký số PDF bằng {source[1]}.")
    return lines


def _key_caching_signer_class():
    """pyHanko's SimpleSigner, keeping the parsed private key between signatures.

    SimpleSigner parses its key from DER for every signature; for an RSA key that check
    costs tens of milliseconds, more than the rest of a single certificate's signing.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko_certvalidator.util import get_pyca_cryptography_hash

    class KeyCachingSigner(SimpleSigner):
        _parsed_key = None

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            if self._parsed_key is None:
                self._parsed_key = serialization.load_der_private_key(self.signing_key.dump(), password=None)
            key = self._parsed_key
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)["algorithm"].native
            hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
            if mechanism in ("rsassa_pkcs1v15", "sha256_rsa", "sha384_rsa", "sha512_rsa") and isinstance(key, RSAPrivateKey):
                return key.sign(data, PKCS1v15(), hash_algorithm)
            if mechanism.endswith("ecdsa") and isinstance(key, EllipticCurvePrivateKey):
                return key.sign(data, ECDSA(hash_algorithm))
            return super().sign_raw(data, digest_algorithm)

    return KeyCachingSigner


def load_signer(source: tuple | None = None):
    """The pyHanko signer of the configured key, loaded once per process."""
    source = source or _source()
    if source in _signers:
        return _signers[source]
    from pyhanko.sign import signers

    try:
        if source[0] == "p12":
            loaded = signers.SimpleSigner.load_pkcs12(source[1], passphrase=source[2] or None)
        else:
            loaded = signers.SimpleSigner.load(source[1], source[2], key_passphrase=source[3])
        signer = loaded and _key_caching_signer_class()(
            signing_cert=loaded.signing_cert, signing_key=loaded.signing_key,
            cert_registry=loaded.cert_registry, signature_mechanism=loaded.signature_mechanism)
    except (OSError, ValueError, TypeError):
        signer = None
    if signer is None:
        raise SigningUnavailable(_l("Không mở được khóa ký số: kiểm tra tệp và mật khẩu "
                                    "(CERT_SIGNING_P12, CERT_SIGNING_PASSWORD)."))
    _signers[source] = signer
    return signer


def check_configuration() -> None:
    """Refuse at start-up a key that cannot be opened (a wrong PKCS#12 password, say)."""
    config = current_app.config
    if signing_enabled() and (config.get("CERT_SIGNING_P12") or config.get("CERT_SIGNING_KEY")):
        load_signer()


def signature_box() -> tuple[float, float, float, float]:
    from reportlab.lib.units import mm

    value = current_app.config.get("CERT_SIGNATURE_BOX_MM") or DEFAULT_BOX_MM
    if isinstance(value, str):
        value = tuple(float(part) for part in value.split(","))
    return tuple(float(v) * mm for v in value)


def sign_pdf(source: BinaryIO, out: BinaryIO, signer_name: str, location: str = "") -> None:
    """Write source's PDF to out with one PAdES signature (a visible field on the first page)."""
    from pyhanko import stamp
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers, timestamps

    signer = load_signer()
    writer = IncrementalPdfFileWriter(source)
    fields.append_signature_field(writer, fields.SigFieldSpec(FIELD_NAME, on_page=0, box=signature_box()))
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME, reason=REASON, name=signer_name or None, location=location or None,
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    tsa = current_app.config.get("CERT_TSA_URL")
    timestamper = timestamps.HTTPTimeStamper(tsa) if tsa else None
    # The field's own text stays ASCII (pyHanko's built-in font has no Vietnamese); the
    # certificate itself prints who signed.
    style = stamp.TextStampStyle(stamp_text="Digitally signed\n%(ts)s", border_width=0)
    pdf_signer = signers.PdfSigner(metadata, signer=signer, timestamper=timestamper, stamp_style=style)
    _outside_event_loop(lambda: pdf_signer.sign_pdf(writer, output=out))


def _outside_event_loop(call):
    """Run call, which uses asyncio.run(), in a thread of its own if this one runs an event loop.

    pyHanko's synchronous API starts an event loop; a caller already inside one (an async
    server, a test driving a browser through Playwright) would otherwise get RuntimeError.
    """
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def signed_file(unsigned: BinaryIO, signer_name: str, location: str = "") -> BinaryIO:
    """A temporary file holding unsigned's PDF signed (or unsigned itself, when signing is off)."""
    unsigned.seek(0)
    if not signing_enabled():
        return unsigned
    out = tempfile.TemporaryFile()
    sign_pdf(unsigned, out, signer_name, location)
    unsigned.close()
    out.seek(0)
    return out


def sign_file_in_place(path: Path, signer_name: str, location: str = "") -> None:
    """Sign the PDF at path (a job's result file)."""
    if not signing_enabled():
        return
    with path.open("rb") as unsigned, tempfile.TemporaryFile() as out:
        sign_pdf(unsigned, out, signer_name, location)
        out.seek(0)
        with path.open("wb") as target:
            shutil.copyfileobj(out, target)


def sign_bytes(data: bytes, signer_name: str, location: str = "") -> bytes:
    if not signing_enabled():
        return data
    out = io.BytesIO()
    sign_pdf(io.BytesIO(data), out, signer_name, location)
    return out.getvalue()
