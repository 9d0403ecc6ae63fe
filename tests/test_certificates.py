"""Certificates: numbering, issuing, revocation, PDFs with QR codes, verification, downloads."""
import io
import threading

import pypdf
import pypdfium2
import pytest
import zxingcpp
from openpyxl import load_workbook

from courses.audit.models import AuditEvent
from courses.certificates import issuing, lookups
from courses.certificates import settings as certificate_settings
from courses.certificates.models import Certificate
from courses.enums import AttendanceStatus, Role
from courses.exceptions import DomainError
from courses.extensions import db
from tests.factories import make_finished_course, make_user

BASE = "https://gcn.example.vn"


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def issue_course(topics=2, participants=2, **values):
    course, sessions, enrollments = make_finished_course(topics=topics, participants=participants, **values)
    course = lookups.load_course(course.id)
    return course, sessions, enrollments, issuing.issue_all(make_user(Role.ORGANIZER), course)


# --- numbering --------------------------------------------------------------------------

def test_serials_are_consecutive_and_formatted(app):
    _course, _s, _e, issued = issue_course(participants=3)
    assert [c.serial_number for c in issued] == [1, 2, 3]
    assert issued[0].serial == "0001/GCN-ĐUK"
    assert len({c.verification_code for c in issued}) == 3
    assert all(len(c.verification_code) == 16 for c in issued)  # 80 bits in base32


def test_format_and_starting_number_are_configurable(app):
    admin = make_user(Role.ADMIN)
    certificate_settings.update_settings(admin, {"serial_format": "{number:05d}/{year}/GCN-{unit}", "starting_number": 42,
                                     "issuing_unit_code": "BTC"})
    _c, _s, _e, issued = issue_course(participants=2)
    year = issued[0].serial_year
    assert [c.serial for c in issued] == [f"00042/{year}/GCN-BTC", f"00043/{year}/GCN-BTC"]


def test_a_bad_serial_format_is_refused(app):
    with pytest.raises(DomainError) as error:
        certificate_settings.update_settings(make_user(Role.ADMIN), {"serial_format": "{so}/GCN"})
    assert error.value.field == "serial_format"


def test_each_unit_and_year_has_its_own_sequence(app):
    assert issuing.next_serial_number("ĐUK", 2025, 1) == 1
    assert issuing.next_serial_number("ĐUK", 2025, 1) == 2
    assert issuing.next_serial_number("BTC", 2025, 1) == 1
    assert issuing.next_serial_number("ĐUK", 2026, 1) == 1
    db.session.rollback()  # a rolled-back issue gives its number back: no gap
    assert issuing.next_serial_number("ĐUK", 2025, 1) == 1


def test_two_issuers_at_once_never_share_or_skip_a_serial(app):
    course, _s, enrollments = make_finished_course(topics=1, participants=8)
    organizer = make_user(Role.ORGANIZER)
    ids, course_id, organizer_id = [e.id for e in enrollments], course.id, organizer.id
    db.session.remove()
    errors, barrier = [], threading.Barrier(len(ids))

    def issue(enrollment_id):
        with app.app_context():
            try:
                from courses.auth.models import User

                barrier.wait()
                issuing.issue_one(db.session.get(User, organizer_id), lookups.load_course(course_id),
                                   enrollment_id, None)
            except Exception as error:  # reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=issue, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(db.session.scalars(db.select(Certificate.serial_number)))
    assert numbers == list(range(1, len(ids) + 1))


def _both_pass_the_check_first(monkeypatch, parties=2):
    """Hold each issuer right after its "already has a valid certificate?" read until all have
    read, so every one of them inserts believing it is first (real sessions, real database)."""
    barrier = threading.Barrier(parties, timeout=20)
    real, seen = issuing.valid_certificates_by_enrollment, threading.local()

    def check_then_wait(course_id):
        result = real(course_id)
        if not getattr(seen, "waited", False):  # only the first read; re-reads after a rollback go on
            seen.waited = True
            barrier.wait()
        return result

    monkeypatch.setattr(issuing, "valid_certificates_by_enrollment", check_then_wait)


def _race(app, work, parties=2):
    """Run work(i) in parties threads, each in its own app context and session; their outcomes."""
    outcomes = [None] * parties

    def run(i):
        with app.app_context():
            try:
                outcomes[i] = ("ok", work())
            except DomainError as error:
                outcomes[i] = ("refused", error.message)
            except Exception as error:  # what the test is about: anything else is a 500
                outcomes[i] = ("crash", repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(parties)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _counter_value():
    from courses.certificates.models import SerialCounter

    return db.session.scalar(db.select(SerialCounter.last_number))


def test_two_issuing_one_certificate_to_the_same_person_at_once(app, monkeypatch):
    course, _s, (enrollment,) = make_finished_course(topics=1, participants=1)
    organizer = make_user(Role.ORGANIZER)
    certificate_settings.get_settings()
    db.session.commit()
    course_id, enrollment_id, organizer_id = course.id, enrollment.id, organizer.id
    db.session.remove()
    _both_pass_the_check_first(monkeypatch)

    def issue():
        from courses.auth.models import User

        return issuing.issue_one(db.session.get(User, organizer_id), lookups.load_course(course_id),
                                  enrollment_id, None).serial

    outcomes = _race(app, issue)
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    serial = next(value for kind, value in outcomes if kind == "ok")
    refusal = next(value for kind, value in outcomes if kind == "refused")
    assert f"vừa được cấp giấy chứng nhận số {serial}" in refusal
    assert db.session.scalars(db.select(Certificate.serial)).all() == [serial]
    assert _counter_value() == 1  # the loser's number went back: no gap
    actions = [e.action for e in db.session.scalars(db.select(AuditEvent))]
    assert actions.count("certificate.issue") == 1


def test_two_issuing_all_of_a_course_at_once(app, monkeypatch):
    course, _s, enrollments = make_finished_course(topics=1, participants=3)
    organizer = make_user(Role.ORGANIZER)
    certificate_settings.get_settings()
    db.session.commit()
    course_id, organizer_id, enrollment_ids = course.id, organizer.id, sorted(e.id for e in enrollments)
    db.session.remove()
    _both_pass_the_check_first(monkeypatch)

    def issue():
        from courses.auth.models import User

        return len(issuing.issue_all(db.session.get(User, organizer_id), lookups.load_course(course_id)))

    outcomes = _race(app, issue)
    # The one that lost the unique index starts over and finds nothing left to issue.
    assert sorted(outcomes) == [("ok", 0), ("ok", 3)], outcomes
    numbers = sorted(db.session.scalars(db.select(Certificate.serial_number)))
    assert numbers == [1, 2, 3] and _counter_value() == 3
    assert sorted(db.session.scalars(db.select(Certificate.enrollment_id))) == enrollment_ids


def test_issuing_page_says_so_when_someone_issued_first(app, as_user, monkeypatch):
    course, _s, (enrollment,) = make_finished_course(topics=1, participants=1)
    organizer = make_user(Role.ORGANIZER)
    certificate_settings.get_settings()
    db.session.commit()
    course_id, enrollment_id, organizer_id = course.id, enrollment.id, organizer.id
    client = as_user(organizer)
    real, first = issuing.valid_certificates_by_enrollment, []

    def other_organizer_issues_meanwhile(cid):
        result = real(cid)
        if not first:  # between the page's check and its insert, another request issues and commits
            first.append(True)

            def other():
                with app.app_context():
                    from courses.auth.models import User

                    first.append(issuing.issue_one(db.session.get(User, organizer_id),
                                                    lookups.load_course(course_id), enrollment_id, None).serial)
                    db.session.remove()

            thread = threading.Thread(target=other)
            thread.start()
            thread.join()
        return result

    monkeypatch.setattr(issuing, "valid_certificates_by_enrollment", other_organizer_issues_meanwhile)
    response = client.post(f"/certificates/courses/{course_id}/issue/{enrollment_id}", data={"reason": ""})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"vừa được cấp giấy chứng nhận số {first[1]}" in page
    db.session.expire_all()
    assert db.session.scalars(db.select(Certificate.serial)).all() == [first[1]]
    assert _counter_value() == 1


# --- issuing ----------------------------------------------------------------------------

def test_issue_all_gives_only_the_qualifying_and_only_once(app):
    course, sessions, (done, missed) = make_finished_course(topics=2)
    from courses.attendance.models import Attendance

    db.session.query(Attendance).filter_by(enrollment_id=missed.id, session_id=sessions[0].id).one().status = \
        AttendanceStatus.ABSENT
    db.session.commit()
    course = lookups.load_course(course.id)
    organizer = make_user(Role.ORGANIZER)
    issued = issuing.issue_all(organizer, course)
    assert [c.enrollment_id for c in issued] == [done.id]
    assert issuing.issue_all(organizer, course) == []
    with pytest.raises(DomainError) as error:
        issuing.issue_one(organizer, course, missed.id, "")
    assert error.value.field == "reason"
    by_hand = issuing.issue_one(organizer, course, missed.id, "Vắng vì công tác đột xuất, đã học bù")
    assert by_hand.manual_reason.startswith("Vắng vì công tác")
    with pytest.raises(DomainError):
        issuing.issue_one(organizer, course, done.id, "lần nữa")
    actions = [e.action for e in db.session.scalars(db.select(AuditEvent))]
    assert actions.count("certificate.issue") == 2


def test_revoke_and_reissue(app):
    _course, _s, _e, (certificate, _other) = issue_course()
    admin = make_user(Role.ADMIN)
    with pytest.raises(DomainError):
        issuing.revoke(admin, certificate, "  ")
    new = issuing.reissue(admin, certificate, "Sai tên đơn vị")
    assert new.serial_number == 3 and new.enrollment_id == certificate.enrollment_id
    db.session.refresh(certificate)
    assert certificate.revoked_at is not None and certificate.replaced_by_id == new.id
    assert lookups.status_text(certificate) == f"Đã thay bằng số {new.serial}"
    issuing.revoke(admin, new, "Phát hiện gian lận điểm danh")
    assert not new.is_valid
    actions = [e.action for e in db.session.scalars(db.select(AuditEvent))]
    assert {"certificate.issue", "certificate.reissue", "certificate.revoke"} <= set(actions)


# --- PDF --------------------------------------------------------------------------------

def test_certificate_pdf_text_has_correct_diacritics(make_app, as_user):
    app = make_app(PUBLIC_BASE_URL=BASE)
    with app.app_context():
        course, sessions, enrollments = make_finished_course(topics=1, participants=1, is_demo=True)
        user = enrollments[0].user
        user.full_name = "Nguyễn Đức Minh"
        db.session.commit()
        (certificate,) = issuing.issue_all(None, lookups.load_course(course.id))
        client = app.test_client()
        client.post("/auth/login", data={"email": user.email, "password": "Matkhau123"})
        response = client.get(f"/certificates/{certificate.id}.pdf")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        data = response.get_data()
        text = pdf_text(data)
        assert "Nguyễn Đức Minh" in text
        assert "GIẤY CHỨNG NHẬN" in text and "ĐẢNG CỘNG SẢN VIỆT NAM" in text
        assert f"Số: {certificate.serial}" in text
        assert "T/M BAN THƯỜNG VỤ" in text
        assert "BẢN MẪU" in pdf_text(data).replace("\n", "") or "BẢN MẪU" in _raw_words(data)
        page = pypdf.PdfReader(io.BytesIO(data)).pages[0]
        assert round(float(page.mediabox.width)) == 842 and round(float(page.mediabox.height)) == 595
        fonts = str(page["/Resources"]["/Font"].get_object())
        assert "LiberationSerif" in str([f.get_object()["/BaseFont"] for f in page["/Resources"]["/Font"].values()])
        assert fonts


def _raw_words(data: bytes) -> str:
    """The specimen mark is drawn rotated; read it glyph by glyph."""
    import pypdfium2 as pdfium

    page = pdfium.PdfDocument(data)[0]
    return page.get_textpage().get_text_range().replace("\n", "").replace("\r", "").replace(" ", "")


def test_qr_code_on_the_page_decodes_to_the_verification_url(make_app):
    app = make_app(PUBLIC_BASE_URL=BASE)
    with app.app_context():
        _course, _s, _e, (certificate, _o) = issue_course()
        client = app.test_client()
        client.post("/auth/login", data={"email": make_user(Role.ORGANIZER).email, "password": "Matkhau123"})
        data = client.get(f"/certificates/{certificate.id}.pdf").get_data()
    image = pypdfium2.PdfDocument(data)[0].render(scale=2).to_pil()
    decoded = [barcode.text for barcode in zxingcpp.read_barcodes(image)]
    # The address, then the signed statement as its fragment (a browser never sends it).
    assert len(decoded) == 1
    address, _hash, statement = decoded[0].partition("#")
    assert address == f"{BASE}/verify/{certificate.verification_code}"
    assert statement.startswith("GCN1.")


def test_bulk_pdf_prints_valid_certificates_in_roster_order(app, as_user):
    course, _s, enrollments = make_finished_course(topics=1, participants=3)
    for enrollment, name in zip(enrollments, ("Trần Văn Yên", "Lê Thị Bình", "Phạm Minh Hải")):
        enrollment.user.full_name = name
    db.session.commit()
    course = lookups.load_course(course.id)
    issued = issuing.issue_all(None, course)
    bình = next(c for c in issued if c.enrollment_id == enrollments[1].id)
    issuing.revoke(make_user(Role.ADMIN), bình, "Thu hồi thử")
    client = as_user(make_user(Role.ORGANIZER))
    response = client.get(f"/certificates/courses/{course.id}/certificates.pdf")
    pages = [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.get_data())).pages]
    names = [next(n for n in ("Trần Văn Yên", "Lê Thị Bình", "Phạm Minh Hải") if n in page) for page in pages]
    assert names == ["Phạm Minh Hải", "Trần Văn Yên"]  # by given name; the revoked one is left out


def test_certificates_are_dated_in_the_party_format_with_leading_zeros(app, as_user):
    """«Hà Nội, ngày 05 tháng 01 năm 2023» on the single certificate and in the course's file
    (the two builders of certificate data share one dateline)."""
    from datetime import datetime, timezone

    course, _s, _e, (certificate,) = issue_course(participants=1)
    certificate.issued_at = datetime(2023, 1, 5, 2, 0, tzinfo=timezone.utc)  # 09:00 in Hà Nội
    db.session.commit()
    client = as_user(make_user(Role.ADMIN))
    for url in (f"/certificates/{certificate.id}.pdf", f"/certificates/courses/{course.id}/certificates.pdf"):
        text = pdf_text(client.get(url).get_data())
        assert "Hà Nội, ngày 05 tháng 01 năm 2023" in text, url


def test_preprinted_mode_prints_only_the_variable_fields_where_asked(app, as_user):
    admin = make_user(Role.ADMIN)
    settings = certificate_settings.get_settings()
    settings.form_positions = {"full_name": [100, 50]}
    db.session.commit()
    course, _s, _e, _issued = issue_course(participants=1)
    client = as_user(admin)
    data = client.get(f"/certificates/courses/{course.id}/certificates.pdf?preprinted=1").get_data()
    text = pdf_text(data)
    assert "GIẤY CHỨNG NHẬN" not in text and "ĐẢNG CỘNG SẢN" not in text
    page = pypdfium2.PdfDocument(data)[0]
    textpage = page.get_textpage()
    name = _e[0].user.full_name
    found = textpage.search(name).get_next()
    left, bottom, _r, _t = textpage.get_charbox(found[0])
    assert abs(left - 100 * 72 / 25.4) < 2
    assert abs((595.28 - bottom) - 50 * 72 / 25.4) < 6


def test_cli_prints_the_demo_course(app, runner):
    from courses.demo import seed_demo

    seed_demo()
    out = app.config["UPLOAD_DIR"] + "/x.pdf"
    import os
    os.makedirs(app.config["UPLOAD_DIR"], exist_ok=True)
    result = runner.invoke(args=["certificates", "print", "BDNV-2022-01", out])
    assert result.exit_code == 0, result.output
    assert "Đã cấp 55 giấy chứng nhận mới; đã in 55" in result.output
    assert len(pypdf.PdfReader(out).pages) == 55
    again = runner.invoke(args=["certificates", "print", "BDNV-2022-01", out])
    assert "Đã cấp 0 giấy chứng nhận mới; đã in 55" in again.output
    assert runner.invoke(args=["certificates", "print", "KHONG-CO", out]).exit_code != 0


# --- verification -----------------------------------------------------------------------

def test_verification_page_for_valid_revoked_and_unknown_codes(app, client):
    _course, _s, (holder, _o), (certificate, other) = issue_course()
    page = client.get(f"/verify/{certificate.verification_code}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "còn hiệu lực" in text and holder.user.full_name in text and certificate.serial in text
    assert holder.user.email not in text
    issuing.revoke(make_user(Role.ADMIN), certificate, "Cấp nhầm")
    text = client.get(f"/verify/{certificate.verification_code.lower()}").get_data(as_text=True)
    assert "đã bị thu hồi ngày" in text
    unknown = client.get("/verify/AAAAAAAAAAAAAAAA")
    assert unknown.status_code == 404
    assert "Không tìm thấy giấy chứng nhận" in unknown.get_data(as_text=True)
    typed = client.get(f"/verify?code={other.verification_code}")
    assert typed.headers["Location"].endswith(f"/verify/{other.verification_code}")


def test_verification_is_rate_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True, VERIFY_RATE_LIMIT="3 per minute")
    client = app.test_client()
    codes = [client.get("/verify/AAAAAAAAAAAAAAAA").status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]


# --- permissions on downloads -----------------------------------------------------------

def test_participant_downloads_only_their_own_certificate(app, as_user):
    course, _s, (mine, theirs), issued = issue_course()
    # issue_all returns roster order (by given name), which need not be the enrolment order
    my_cert, their_cert = sorted(issued, key=lambda cert: cert.enrollment_id != mine.id)
    client = as_user(mine.user)
    assert client.get(f"/certificates/{my_cert.id}.pdf").status_code == 200
    assert client.get(f"/certificates/{their_cert.id}.pdf").status_code == 403
    assert client.get("/certificates/999999.pdf").status_code == 404
    for url in (f"/certificates/courses/{course.id}/certificates.pdf", f"/certificates/courses/{course.id}/report.pdf",
                f"/certificates/courses/{course.id}/report.xlsx", "/certificates/register.pdf",
                "/certificates/register.xlsx", "/certificates/register", f"/certificates/courses/{course.id}",
                "/certificates/settings"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/certificates/{their_cert.id}/revoke", data={"reason": "x"}).status_code == 403
    assert client.post(f"/certificates/courses/{course.id}/issue").status_code == 403
    mine_page = client.get("/certificates/mine").get_data(as_text=True)
    assert my_cert.serial in mine_page and their_cert.serial not in mine_page
    issuing.revoke(make_user(Role.ADMIN), my_cert, "Cấp nhầm")
    assert client.get(f"/certificates/{my_cert.id}.pdf").status_code == 404


@pytest.mark.parametrize("role", [Role.ORGANIZER, Role.ADMIN])
def test_staff_download_every_certificate_and_report(app, as_user, role):
    course, _s, (first, _second), (cert, _other) = issue_course()
    client = as_user(make_user(role))
    assert client.get(f"/certificates/{cert.id}.pdf").status_code == 200
    page = client.get(f"/certificates/courses/{course.id}").get_data(as_text=True)
    assert cert.serial in page and first.user.full_name in page
    register = client.get("/certificates/register.pdf")
    assert register.mimetype == "application/pdf" and cert.serial in pdf_text(register.get_data())
    sheet = load_workbook(io.BytesIO(client.get("/certificates/register.xlsx").get_data())).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == [cert.serial, _other.serial]
    report = client.get(f"/certificates/courses/{course.id}/report.pdf")
    assert "BÁO CÁO KẾT QUẢ LỚP BỒI DƯỠNG" in pdf_text(report.get_data())
    book = load_workbook(io.BytesIO(client.get(f"/certificates/courses/{course.id}/report.xlsx").get_data()))
    totals = [row for row in book.worksheets[0].iter_rows(values_only=True) if row[0] == "Tổng cộng"]
    assert totals == [("Tổng cộng", 2, 2, 2, 2)]


def test_register_is_paginated_and_keeps_its_filter(app, as_user):
    from courses.certificates.views import REGISTER_PER_PAGE

    course, _s, enrollments = make_finished_course(topics=1, participants=REGISTER_PER_PAGE + 3)
    issued = issuing.issue_all(None, lookups.load_course(course.id))
    year = issued[0].serial_year
    serials = [c.serial for c in issued]
    client = as_user(make_user(Role.ORGANIZER))

    def shown(url):
        text = client.get(url).get_data(as_text=True)
        return text, [s for s in serials if f"<td>{s}</td>" in text]

    first_text, first = shown("/certificates/register")
    assert first == serials[:REGISTER_PER_PAGE]
    assert "/certificates/register?page=2" in first_text
    second_text, second = shown("/certificates/register?page=2")
    assert second == serials[REGISTER_PER_PAGE:]  # the rest, in number order
    filtered_text, filtered = shown(f"/certificates/register?year={year}")
    assert filtered == serials[:REGISTER_PER_PAGE]
    assert f"/certificates/register?page=2&amp;year={year}" in filtered_text
    assert shown(f"/certificates/register?year={year}&page=2")[1] == serials[REGISTER_PER_PAGE:]
    assert shown(f"/certificates/register?year={year - 1}")[1] == []
    # The exports are the whole register, not a page of it.
    sheet = load_workbook(io.BytesIO(client.get("/certificates/register.xlsx").get_data())).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == serials
    # «STT» counts on across pages, on the page as in the export.
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == list(range(1, len(serials) + 1))
    assert f"<tr><td>{REGISTER_PER_PAGE + 1}</td><td>{serials[REGISTER_PER_PAGE]}</td>" in second_text


def test_register_lists_numbers_as_issued_or_holders_in_vietnamese_order(app, as_user):
    """By default the numbers as they were issued; «Theo tên người được cấp» (?order=name) the
    one Vietnamese order of given names (Đức before Em, which a code-point sort puts last)."""
    course, _s, enrollments = make_finished_course(topics=1, participants=3)
    for enrollment, name in zip(enrollments, ("Trần Thị Em", "Vương Văn An", "Nguyễn Văn Đức")):
        enrollment.user.full_name = name
    db.session.commit()
    organizer = make_user(Role.ORGANIZER)
    course = lookups.load_course(course.id)
    issued = [issuing.issue_one(organizer, course, e.id, None) for e in enrollments]
    by_name = ["Vương Văn An", "Nguyễn Văn Đức", "Trần Thị Em"]
    by_number = ["Trần Thị Em", "Vương Văn An", "Nguyễn Văn Đức"]
    assert sorted(by_name, key=lambda n: n.split()[-1]) != by_name  # a code-point sort gets it wrong
    client = as_user(organizer)

    def names_in(text):
        return sorted(by_name, key=text.index)

    page = client.get("/certificates/register").get_data(as_text=True)
    assert names_in(page) == by_number
    assert "Thứ tự" in page and "Theo tên người được cấp" in page and "Theo số" in page
    named = client.get("/certificates/register?order=name").get_data(as_text=True)
    assert names_in(named) == by_name
    assert 'value="name" selected' in named
    assert "/certificates/register.pdf?order=name" in named
    for url, names, serials in (("/certificates/register.xlsx?order=name", by_name,
                                 [issued[i].serial for i in (1, 2, 0)]),
                                ("/certificates/register.xlsx", by_number, [c.serial for c in issued])):
        sheet = load_workbook(io.BytesIO(client.get(url).get_data())).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:3] == ("STT", "Số", "Họ và tên")
        assert [row[0] for row in rows[1:]] == [1, 2, 3]
        assert [row[1] for row in rows[1:]] == serials, url
        assert [row[2] for row in rows[1:]] == names, url
    text = pdf_text(client.get("/certificates/register.pdf?order=name").get_data())
    assert sorted(by_name, key=text.index) == by_name and "STT" in text
    number_text = pdf_text(client.get("/certificates/register.pdf").get_data())
    assert sorted(by_name, key=number_text.index) == by_number
    # An order it does not know is the default one, not an error.
    assert names_in(client.get("/certificates/register?order=%F0%9F%98%80").get_data(as_text=True)) == by_number


def test_register_by_name_pages_in_that_order_with_its_row_numbers(app, as_user):
    from courses.certificates.views import REGISTER_PER_PAGE
    from courses.text import name_key

    course, _s, enrollments = make_finished_course(topics=1, participants=REGISTER_PER_PAGE + 2)
    organizer = make_user(Role.ORGANIZER)
    course = lookups.load_course(course.id)
    issued = [issuing.issue_one(organizer, course, e.id, None) for e in reversed(enrollments)]
    by_name = sorted(issued, key=lambda c: name_key(c.enrollment.user.full_name, 0))
    assert by_name != issued
    client = as_user(organizer)
    second = client.get("/certificates/register?order=name&page=2").get_data(as_text=True)
    rows = [f"<tr><td>{REGISTER_PER_PAGE + i + 1}</td><td>{c.serial}</td>" for i, c in
            enumerate(by_name[REGISTER_PER_PAGE:])]
    assert all(row in second for row in rows), second
    assert "/certificates/register?page=1&amp;order=name" in second


def test_only_admins_revoke(app, as_user):
    _course, _s, _e, (cert, _o) = issue_course()
    client = as_user(make_user(Role.ORGANIZER))
    assert client.post(f"/certificates/{cert.id}/revoke", data={"reason": "x"}).status_code == 403
    db.session.refresh(cert)
    assert cert.is_valid


def test_admin_settings_form(app, as_user):
    client = as_user(make_user(Role.ADMIN))
    assert client.get("/certificates/settings").status_code == 200
    data = {"issuing_unit_name": "Đảng ủy Khối các cơ quan Trung ương", "issuing_unit_code": "ĐUK",
            "serial_format": "{number:04d}/GCN-{unit}", "starting_number": "1", "place": "Hà Nội",
            "signer_capacity": "T/M Ban Thường vụ", "signer_title": "Phó Bí thư", "signer_name": "Lê Văn Ký",
            "form_offset_x_mm": "1.5", "form_offset_y_mm": "-2", "form_positions": "full_name: 120, 90"}
    bad = client.post("/certificates/settings", data={**data, "form_positions": "ho_ten 1 2"})
    assert bad.status_code == 400 and "Dòng 1" in bad.get_data(as_text=True)
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGBA", (120, 50), (0, 0, 160, 255)).save(buffer, "PNG")
    png = buffer.getvalue()
    broken = client.post("/certificates/settings", data={**data, "signature": (io.BytesIO(png[:40]), "ky.png")},
                         content_type="multipart/form-data")
    assert broken.status_code == 400 and "không phải ảnh" in broken.get_data(as_text=True)
    ok = client.post("/certificates/settings", data={**data, "signature": (io.BytesIO(png), "ky.png")},
                     content_type="multipart/form-data")
    assert ok.status_code == 302
    settings = certificate_settings.get_settings()
    assert settings.signer_name == "Lê Văn Ký" and settings.form_positions == {"full_name": [120.0, 90.0]}
    assert settings.signature_stored_name
    sample = client.get("/certificates/settings/sample.pdf")
    assert "Lê Văn Ký" in pdf_text(sample.get_data())


def test_verification_form_is_public(client):
    page = client.get("/verify")
    assert page.status_code == 200 and "Mã xác thực" in page.get_data(as_text=True)
