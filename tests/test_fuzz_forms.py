"""Property-based fuzzing of every form: no input gives a 500, a refused input changes nothing.

Every POST (PUT, PATCH, DELETE) endpoint of url_map is fuzzed, so the forms of features
merged later are covered without editing this file: the fields come from the forms the
pages render (tests/fuzzing.py discover_forms), or from every BaseForm subclass when no
page shows the form. Admins post to every endpoint; public endpoints (log-in, sign-up)
are fuzzed anonymously as well.

A submission counts as refused when the answer is not a redirect (the form came back
with its errors, or 4xx), or when it flashed a "danger" message; then the database must
be exactly as it was. Set FUZZ_EXAMPLES to run more examples (default 20 per endpoint).
"""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from config import TestingConfig
from courses import create_app
from courses.enrollment import import_files, importer
from courses.exceptions import DomainError
from courses.extensions import db
from courses.jobs.runner import wait_for_threads
from courses.permissions import access_rule_for
from tests.conftest import migrate_to_head
from tests.fuzzing import (
    base_form_fields,
    discover_forms,
    form_data,
    malformed_workbooks,
    spreadsheet_files,
    well_formed_spreadsheet_files,
)
from tests.route_walk import (
    STATE_CHANGING,
    MissingBuilder,
    _real_hash,
    all_routes,
    build_path,
    build_world,
    collection_app,
    describe_difference,
    flashed_categories,
    log_in,
    route_id,
    snapshot,
    url_arguments,
)
from tests.test_permission_matrix import entry_for

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # nothing written into the work tree; failures print their example
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
JOB_WAIT_SECONDS = 120
# Endpoints whose success is not a redirect (they answer 200 after changing data), so a
# 200 does not mean "refused": endpoint -> success statuses. The set-password links answer
# with their spreadsheet and write the download into the audit log.
SUCCESS_STATUSES: dict[str, set[int]] = {"enrollment.set_password_links": {200}}


def _fuzz_targets():
    """(role, endpoint, method, rule): admins on every state-changing route, anonymous on public ones."""
    app = collection_app()
    targets = []
    for endpoint, method, rule in all_routes():
        if method not in STATE_CHANGING:
            continue
        targets.append(("admin", endpoint, method, rule))
        with app.test_request_context():
            declared = access_rule_for(endpoint)
        if declared is not None and declared.public:
            targets.append(("anonymous", endpoint, method, rule))
    return targets


TARGETS = _fuzz_targets()


@pytest.fixture(scope="session")
def form_catalog(tmp_path_factory):
    """endpoint -> fields, read once from the pages of a private SQLite database."""
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'forms.sqlite3'}"
    migrate_to_head(url)
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    with pytest.MonkeyPatch.context() as patch, app.app_context():
        import courses.auth.models

        patch.setattr(courses.auth.models, "generate_password_hash", lambda password, *a, **k: _real_hash(password))
        catalog = discover_forms(app, build_world())
        db.session.remove()
        db.engine.dispose()
    return catalog


def test_forms_are_discovered_from_the_pages(form_catalog):
    """The fuzzer posts real field names: the sign-up and role forms are found with their options."""
    assert {"full_name", "email", "organization_id", "party_position", "password"} <= set(form_catalog["auth.register"])
    assert "secretary" in form_catalog["auth.register"]["party_position"].options
    assert set(form_catalog["admin.set_role"]["role"].options) >= {"admin", "participant"}


def test_every_base_form_field_is_known():
    fields = base_form_fields()
    assert {"email", "password", "role", "new_password"} <= set(fields)


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: f"{t[0]}:{route_id(t[1:])}")
def test_fuzzed_form_submissions(app, client, world, form_catalog, target):
    role, endpoint, method, rule = target
    case = entry_for(endpoint, method)
    try:
        values = url_arguments(rule, world, case.args if case else None)
    except MissingBuilder as error:
        pytest.fail(str(error))
    path = build_path(app, rule, values)
    fields = form_catalog.get(endpoint) or base_form_fields()
    fuzz_endpoint(client, endpoint, method, path, fields, world.admin if role == "admin" else None)


def fuzz_endpoint(client, endpoint, method, path, fields, user, fuzz_settings=FUZZ_SETTINGS) -> None:
    """Post hypothesis-made data to path as user; fail on a 500 or a refusal that changed data."""
    success = SUCCESS_STATUSES.get(endpoint, set())

    @fuzz_settings
    @given(data=form_data(fields))
    def submit(data):
        # Jobs an earlier example started run in threads of this process: let them finish
        # before anything here writes (the log-in row included), so the only writes between the
        # two snapshots are this request's. The test's own session ends its transaction first:
        # on SQLite its read lock would hold a job's commit back until the wait gave up. A
        # loaded machine can take long over a job: the wait is generous.
        db.session.rollback()
        wait_for_threads(timeout=JOB_WAIT_SECONDS)
        log_in(client, user)
        before = snapshot()
        response = client.open(path, method=method, data=data, content_type="multipart/form-data")
        db.session.rollback()
        wait_for_threads(timeout=JOB_WAIT_SECONDS)
        status = response.status_code
        assert status < 500, f"{method} {path} ({endpoint}) answered {status} for {data!r}"
        refused = (status not in (301, 302, 303) and status not in success) or "danger" in flashed_categories(client)
        if refused:
            after = snapshot()
            assert before == after, (
                f"{endpoint} refused {data!r} (HTTP {status}) but changed {describe_difference(before, after)}"
            )

    submit()


def test_the_fuzzer_finds_a_crash_and_a_partial_write(app, client, world):
    """Not vacuous: a view that crashes on some text, and one that writes before refusing, are caught."""
    from flask import request

    from courses.audit.services import record
    from courses.permissions import admin_required
    from tests.fuzzing import FieldSpec

    @app.route("/fuzz-crash", methods=["POST"], endpoint="fuzz_crash")
    @admin_required
    def crash():
        return str(int(request.form.get("number") or 0))  # ValueError on text: a 500

    @app.route("/fuzz-partial", methods=["POST"], endpoint="fuzz_partial")
    @admin_required
    def partial():
        record(None, "fuzz.partial")
        db.session.commit()  # written, then the form is refused: partial data
        return "refused", 200

    no_shrinking = settings(FUZZ_SETTINGS, phases=[Phase.generate])  # the failure is enough here
    with pytest.raises(AssertionError, match="answered 500"):
        fuzz_endpoint(client, "fuzz_crash", "POST", "/fuzz-crash", {"number": FieldSpec("number")},
                      world.admin, no_shrinking)
    with pytest.raises(AssertionError, match="changed audit_events"):
        fuzz_endpoint(client, "fuzz_partial", "POST", "/fuzz-partial", {"x": FieldSpec("x")},
                      world.admin, no_shrinking)


# --- The spreadsheet parser -----------------------------------------------------------------
# HOOK for the enrollment branch: append its participant-list parser here as
# (name, parse, expected_errors), where parse(filename, content_bytes) reads a CSV or XLSX
# file and expected_errors are the exceptions it raises for a bad file (DomainError …).
# The test below then fuzzes it with tests/fuzzing.py spreadsheet_files: CSV in UTF-8 and
# Windows-1258, XLSX, and random bytes. Any other exception fails the test.
def _parse_and_check(filename: str, content: bytes):
    """What the import page does with an upload before showing the preview (nothing written)."""
    return importer.plan_import(None, import_files.parse_spreadsheet(filename, content))


SPREADSHEET_PARSERS: list[tuple[str, object, tuple[type[BaseException], ...]]] = [
    ("enrollment.parse_spreadsheet", import_files.parse_spreadsheet, (DomainError,)),
    ("enrollment.parse_and_plan_import", _parse_and_check, (DomainError,)),
]


@pytest.mark.parametrize("parser", SPREADSHEET_PARSERS, ids=lambda p: p[0])
def test_spreadsheet_parser_never_crashes(app, parser):
    _name, parse, expected_errors = parser

    @FUZZ_SETTINGS
    @given(upload=spreadsheet_files)
    def run(upload):
        filename, content = upload
        try:
            parse(filename, content)
        except expected_errors:
            pass

    run()


def test_spreadsheet_strategies_make_files_a_parser_can_read():
    """The hook's well-formed files are real CSV and XLSX files (checked with the csv module and
    openpyxl), and its broken workbooks are broken."""
    import csv
    import io

    from openpyxl import load_workbook

    @settings(max_examples=10, deadline=None, database=None)
    @given(upload=well_formed_spreadsheet_files)
    def check(upload):
        filename, content = upload
        assert isinstance(content, bytes)
        if filename.endswith(".xlsx"):
            workbook = load_workbook(io.BytesIO(content), read_only=True)
            list(workbook.worksheets[0].iter_rows(values_only=True))
            workbook.close()
        else:
            list(csv.reader(io.StringIO(content.decode("utf-8-sig", errors="replace"), newline="")))

    check()

    outcomes = []

    @settings(max_examples=30, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(content=malformed_workbooks())
    def broken(content):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                workbook = load_workbook(io.BytesIO(content), read_only=True)
                for sheet in workbook.worksheets:
                    # Bounded: plain openpyxl pads a sheet to its declared size, and one of the
                    # nasty sheets declares A1:XFD1048576 (the parser guards against it; this
                    # check of the strategy itself must not need 20 GB either).
                    list(sheet.iter_rows(max_row=50, max_col=50, values_only=True))
                workbook.close()
            except Exception:  # openpyxl refused it: broken, as meant
                outcomes.append("refused")
                return
        outcomes.append("read")  # a part openpyxl can do without, or a byte it ignores

    broken()
    assert outcomes.count("refused") >= len(outcomes) // 3, outcomes
