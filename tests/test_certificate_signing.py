"""Certificates that prove themselves: a PAdES-signed PDF and a QR code that verifies offline."""
import io
import json
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pypdfium2
import pytest
import zxingcpp

from courses.certificates import offline, signing
from courses.certificates.statements import key_store
from courses.enums import Role
from tests.factories import make_user
from tests.test_certificates import BASE, issue_course


def _log_in(client, role=Role.ORGANIZER):
    user = make_user(role)
    client.post("/auth/login", data={"email": user.email, "password": "Matkhau123"})
    return user


def _pdfsig(data: bytes, tmp_path) -> str:
    path = tmp_path / "signed.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout


def _pyhanko_status(data: bytes):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(io.BytesIO(data))
    assert len(reader.embedded_signatures) == 1
    embedded = reader.embedded_signatures[0]
    # The demo certificate is self-signed: trust it explicitly, as an office would its unit's.
    context = ValidationContext(trust_roots=[embedded.signer_cert])
    # pyHanko runs an event loop; the browser tests' Playwright leaves one running in this
    # thread, so validate in a thread of its own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(validate_pdf_signature, embedded, signer_validation_context=context,
                           skip_diff=False).result()


def _scanned(data: bytes) -> str:
    image = pypdfium2.PdfDocument(data)[0].render(scale=3).to_pil()
    texts = [barcode.text for barcode in zxingcpp.read_barcodes(image)]
    assert len(texts) == 1
    return texts[0]


# --- the PDF signature ------------------------------------------------------------------

def test_a_certificate_pdf_is_signed_and_both_verifiers_say_so(app, tmp_path):
    _course, _s, _e, (certificate, _other) = issue_course()
    client = app.test_client()
    _log_in(client)
    data = client.get(f"/certificates/{certificate.id}.pdf").get_data()
    report = _pdfsig(data, tmp_path)
    assert "Signature is Valid" in report and "Total document signed" in report
    assert "ETSI.CAdES.detached" in report  # PAdES
    status = _pyhanko_status(data)
    assert status.intact and status.valid
    from pyhanko.pdf_utils.reader import PdfFileReader

    signature = PdfFileReader(io.BytesIO(data)).embedded_signatures[0].sig_object
    assert signature["/Reason"] == "Giấy chứng nhận hoàn thành lớp bồi dưỡng"
    assert signature["/Name"] == "Trần Văn Mẫu"  # the signer named in the settings


def test_one_changed_byte_breaks_both_verifiers(app, tmp_path):
    _course, _s, _e, (certificate, _other) = issue_course()
    client = app.test_client()
    _log_in(client)
    data = bytearray(client.get(f"/certificates/{certificate.id}.pdf").get_data())
    # A byte inside the first page's drawing, well within the signed range.
    position = data.index(b"stream") + 20
    data[position] ^= 0x01
    assert "Signature is Valid" not in _pdfsig(bytes(data), tmp_path)
    status = _pyhanko_status(bytes(data))
    assert not status.intact


def test_the_course_file_and_the_preprinted_variant_carry_one_signature_each(app, tmp_path):
    course, _s, _e, _issued = issue_course(participants=3)
    client = app.test_client()
    _log_in(client)
    for suffix in ("", "?preprinted=1"):
        data = client.get(f"/certificates/courses/{course.id}/certificates.pdf{suffix}").get_data()
        assert len(pypdfium2.PdfDocument(data)) == 3
        report = _pdfsig(data, tmp_path)
        assert report.count("Signature #") == 1 and "Signature is Valid" in report


def test_production_without_a_key_refuses_to_print_unless_told_to(make_app, tmp_path):
    app = make_app(CERT_SIGNING_DEMO=False)
    with app.app_context():
        _course, _s, _e, (certificate, _other) = issue_course()
        client = app.test_client()
        _log_in(client)
        response = client.get(f"/certificates/{certificate.id}.pdf")
        assert response.status_code == 503
        assert "Chưa cấu hình khóa ký số" in response.get_data(as_text=True)
    app = make_app(CERT_SIGNING_DEMO=False, CERT_SIGNING="off")
    with app.app_context():
        client = app.test_client()
        _log_in(client)
        data = client.get(f"/certificates/{certificate.id}.pdf").get_data()
        assert data.startswith(b"%PDF") and "Signature #" not in _pdfsig(data, tmp_path)


def test_a_configured_pkcs12_signs_and_a_wrong_password_stops_start_up(make_app, tmp_path):
    path = signing.make_demo_p12(tmp_path / "unit.p12", unit_name="Đảng ủy Khối thử")
    app = make_app(CERT_SIGNING_P12=str(path), CERT_SIGNING_PASSWORD=signing.DEMO_PASSWORD.decode())
    with app.app_context():
        _course, _s, _e, (certificate, _other) = issue_course()
        client = app.test_client()
        _log_in(client)
        report = _pdfsig(client.get(f"/certificates/{certificate.id}.pdf").get_data(), tmp_path)
        assert "Đảng ủy Khối thử" in report and "Signature is Valid" in report
    with pytest.raises(RuntimeError, match="Không mở được khóa ký số"):
        make_app(CERT_SIGNING_P12=str(path), CERT_SIGNING_PASSWORD="sai-mat-khau")


# --- the offline statement --------------------------------------------------------------

def test_the_qr_code_verifies_offline_with_the_published_key(make_app):
    app = make_app(PUBLIC_BASE_URL=BASE)
    with app.app_context():
        course, _s, _e, (certificate, _other) = issue_course()
        client = app.test_client()
        _log_in(client)
        scanned = _scanned(client.get(f"/certificates/{certificate.id}.pdf").get_data())
        pem = client.get("/verify/public-key.pem").get_data(as_text=True)
        statement = offline.verify_statement(scanned, offline.load_public_keys(pem))
        assert statement.serial == certificate.serial
        assert statement.full_name == certificate.enrollment.user.full_name
        assert (statement.course_code, statement.course_title) == (course.code, course.title)
        assert statement.starts_on == course.starts_on.isoformat()
        assert statement.issuing_unit == "Đảng ủy Khối các cơ quan Trung ương"


def _sample_statement(store):
    kid, key = store.current()
    statement = offline.Statement("0042/GCN-ĐUK", "Nguyễn Thị Mẫu", "BDNV-2022-01", "Lớp bồi dưỡng",
                                  "2022-12-02", "2022-12-02", "Đảng ủy Khối", "2022-12-05")
    return offline.sign_statement(statement, kid, key)


def test_a_changed_field_an_unknown_key_and_garbled_text_each_have_their_reason(tmp_path):
    store = offline.KeyStore(tmp_path)
    text = _sample_statement(store)
    keys = store.public_keys()
    assert offline.verify_statement(text, keys).full_name == "Nguyễn Thị Mẫu"
    prefix, kid, payload, signature = text.split(".")
    forged = json.loads(offline._unb64(payload))
    forged[1] = "Trần Văn Giả"
    forged_payload = offline._b64(json.dumps(forged, ensure_ascii=False, separators=(",", ":")).encode())
    with pytest.raises(offline.StatementError, match="bad_signature"):
        offline.verify_statement(".".join((prefix, kid, forged_payload, signature)), keys)
    other = offline.KeyStore(tmp_path / "other")
    with pytest.raises(offline.StatementError, match="unknown_key"):
        offline.verify_statement(text, other.public_keys())
    for garbled in (text[:-30], text[:40], "GCN1.x.y", "https://example.vn/verify/ABC", "", "GCN1.%.%.%"):
        with pytest.raises(offline.StatementError, match="garbled|unknown_key"):
            offline.verify_statement(garbled, keys)


def test_a_rotated_key_still_verifies_old_certificates(tmp_path):
    store = offline.KeyStore(tmp_path)
    old = _sample_statement(store)
    old_id = store.current()[0]
    new_id, _key = store.rotate()
    assert new_id != old_id and store.current()[0] == new_id
    document = store.keys_document()
    assert {entry["id"] for entry in document["keys"]} == {old_id, new_id}
    keys = offline.load_keys_json(json.dumps(document))
    assert offline.verify_statement(old, keys).serial == "0042/GCN-ĐUK"
    assert offline.verify_statement(_sample_statement(store), keys).key_id == new_id


def test_the_statement_fits_a_qr_code_that_scans_from_paper(app):
    _course, _s, _e, (certificate, _other) = issue_course(title="Lớp bồi dưỡng nghiệp vụ công tác Đảng năm 2022 "
                                                                "cho cấp ủy viên và bí thư chi bộ")
    client = app.test_client()
    _log_in(client)
    data = client.get(f"/certificates/{certificate.id}.pdf").get_data()
    scanned = _scanned(data)
    assert len(scanned.encode()) < 700
    barcode = zxingcpp.create_barcode(scanned, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    modules = barcode.to_image(scale=1, add_quiet_zones=False).shape[1]
    assert 36 / modules >= 0.35  # mm per module at the printed 36 mm


# --- keys, revocation list and the command line -----------------------------------------

def test_keys_and_the_signed_revocation_list_are_published(app, client):
    _course, _s, _e, (certificate, other) = issue_course()
    services_user = make_user(Role.ORGANIZER)
    from courses.certificates import issuing

    replacement = issuing.reissue(services_user, other, "Sai tên")
    issuing.revoke(services_user, certificate, "Cấp nhầm")
    keys = offline.load_keys_json(client.get("/verify/keys.json").get_data(as_text=True))
    document = client.get("/verify/revoked.json").get_json()
    body = offline.verify_revocation_list(document, keys)
    assert offline.revoked_entry(body, certificate.serial)["status"] == "revoked"
    assert offline.revoked_entry(body, other.serial) == {
        "serial": other.serial, "revoked_on": body["entries"][0]["revoked_on"], "status": "replaced",
        "replaced_by": replacement.serial}
    document["list"] = document["list"][:-4] + "AAAA"
    with pytest.raises(offline.StatementError):
        offline.verify_revocation_list(document, keys)


def test_the_command_checks_a_scanned_text_without_the_database(app, runner, tmp_path):
    text = _sample_statement(key_store())
    key_file = tmp_path / "key.pem"
    key_file.write_text(app.test_client().get("/verify/public-key.pem").get_data(as_text=True))
    result = runner.invoke(args=["certificates", "verify-offline", f"{BASE}/verify/X#{text}", "--key", str(key_file)])
    assert result.exit_code == 0, result.output
    assert "Họ và tên: Nguyễn Thị Mẫu" in result.output and result.output.rstrip().endswith("hợp lệ")
    tampered = text[:-3] + ("A" if text[-3] != "A" else "B") + text[-2:]
    result = runner.invoke(args=["certificates", "verify-offline", tampered, "--key", str(key_file)])
    assert result.exit_code == 1 and "không hợp lệ" in result.output and "Chữ ký không khớp" in result.output
    result = runner.invoke(args=["certificates", "verify-offline", "rác", "--key", str(key_file)])
    assert result.exit_code == 1 and "không hợp lệ" in result.output


def test_rotate_key_command_keeps_old_keys_published(make_app, runner, tmp_path):
    app = make_app(CERT_KEY_DIR=str(tmp_path / "keys"))
    with app.app_context():
        client = app.test_client()
        first = client.get("/verify/keys.json").get_json()["current"]
        result = app.test_cli_runner().invoke(args=["certificates", "rotate-key"])
        assert result.exit_code == 0, result.output
        document = client.get("/verify/keys.json").get_json()
        assert document["current"] != first and {k["id"] for k in document["keys"]} == {first, document["current"]}


def test_the_offline_page_holds_the_keys_and_the_list_and_says_what_it_cannot_know(client):
    body = client.get("/verify/offline").get_data(as_text=True)
    assert "nacl.min.js" in body and "verify_offline.js" in body
    assert "không biết giấy chứng nhận bị thu hồi sau ngày" in body
    assert "data-keys=" in body and "data-revoked=" in body


def test_the_demo_course_certificates_are_signed_and_verify_offline(app, runner, tmp_path):
    from sqlalchemy import select

    from courses.certificates import issuing, lookups
    from courses.extensions import db
    from courses.scheduling.models import Course

    result = runner.invoke(args=["seed-demo"])
    assert "Ký số PDF bằng khóa MẪU" in result.output, result.output
    course = lookups.load_course(db.session.scalar(select(Course.id).where(Course.code == "BDNV-2022-01")))
    issued = issuing.issue_all(make_user(Role.ORGANIZER), course)
    assert issued
    client = app.test_client()
    _log_in(client)
    data = client.get(f"/certificates/{issued[0].id}.pdf").get_data()
    assert "Signature is Valid" in _pdfsig(data, tmp_path)
    key_file = tmp_path / "keys.json"
    key_file.write_text(client.get("/verify/keys.json").get_data(as_text=True))
    result = runner.invoke(args=["certificates", "verify-offline", _scanned(data), "--key", str(key_file)])
    assert result.exit_code == 0 and "Kết quả: hợp lệ" in result.output, result.output
