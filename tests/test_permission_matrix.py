"""The permission matrix: every endpoint × every kind of user, against ONE table of expectations.

The routes come from `app.url_map`, so a new endpoint appears here by itself, and
fails until MATRIX says who may call it. To add an endpoint:

    "enrollment.cancel": OWN.but(data={"reason": "Bận công tác"}),

- the profile (PUBLIC, LOGGED_IN, OWN, STAFF, ADMIN, or `access(...)` for anything
  else) gives the outcome for each of ROLES: ALLOW, LOGIN (sent to log in) or DENY
  (403 or 404);
- URL arguments are built from the world by their name (tests/route_walk.py
  ARG_BUILDERS: course_id, session_id, enrollment_id, …), or by the entry's `args`;
- `data` is posted with PUT/POST/PATCH/DELETE, `query` goes in the query string;
- a key "endpoint METHOD" (e.g. "auth.login POST") overrides the endpoint's entry for
  that method only.

URL arguments point at the objects of the world's "participant" (tests/route_walk.py
World); "other_participant" is enrolled in another course only, so OWN pages must
refuse them: that is the object-level check (changing an id in the URL).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable, Mapping

import pytest

from tests.route_walk import (
    ROLES,
    STATE_CHANGING,
    MissingBuilder,
    all_routes,
    build_path,
    log_in,
    route_id,
    url_arguments,
)

ALLOW = "allow"  # the view ran: 2xx, a redirect other than to log in, or 400 on bad input
LOGIN = "login"  # redirected to the log-in page
DENY = "deny"    # 403 or 404: the user may not, or may not even know it exists


@dataclass(frozen=True)
class Case:
    """The expected outcome per role, and how to call the endpoint."""

    expect: Mapping[str, str]
    args: dict | Callable | None = None
    data: dict | Callable | None = None
    query: dict | Callable | None = None
    note: str = ""  # why an entry differs from its profile, for the next reader

    def but(self, **changes: Any) -> "Case":
        """A copy with some roles' outcomes (by role name) or fields (args, data, …) changed."""
        roles = {name: changes.pop(name) for name in list(changes) if name in ROLES}
        return replace(self, expect={**self.expect, **roles}, **changes)


def access(anonymous: str, participant: str, other_participant: str, organizer: str, admin: str) -> Case:
    """A profile: the outcome for each role, in the order of ROLES."""
    return Case(expect=dict(zip(ROLES, (anonymous, participant, other_participant, organizer, admin))))


PUBLIC = access(ALLOW, ALLOW, ALLOW, ALLOW, ALLOW)
LOGGED_IN = access(LOGIN, ALLOW, ALLOW, ALLOW, ALLOW)
OWN = access(LOGIN, ALLOW, DENY, ALLOW, ALLOW)       # the participant's own objects; staff see all
ENROLLED = OWN                                        # pages of a course the participant attends
STAFF = access(LOGIN, DENY, DENY, ALLOW, ALLOW)       # organizers and admins
ADMIN = access(LOGIN, DENY, DENY, DENY, ALLOW)
# Unit coordinators only (their own unit's nominations); none of the world's users is one,
# and neither organizers nor admins act for a unit.
COORDINATOR = access(LOGIN, DENY, DENY, DENY, DENY)

# THE table: every endpoint of url_map must have an entry (endpoints merged later get
# theirs when they land; the test names any endpoint that has none).
MATRIX: dict[str, Case] = {
    "static": PUBLIC.but(args={"filename": "css/app.css"}),
    # Catalogue
    "catalog.index": PUBLIC,
    "catalog.course": PUBLIC,  # a published course
    # Accounts: the log-in and sign-up pages send logged-in users home (ALLOW)
    "auth.login": PUBLIC,
    "auth.login POST": PUBLIC.but(data={"email": "nobody@example.vn", "password": "Sai12345"}),
    "auth.register": PUBLIC,
    "auth.logout": PUBLIC,
    "auth.change_password": LOGGED_IN,
    "auth.profile": LOGGED_IN,
    "auth.logout_everywhere": LOGGED_IN,
    # Administration
    "admin.users": ADMIN,
    "admin.edit_user": ADMIN,
    "admin.set_role": ADMIN.but(data={"role": "participant"}),
    "admin.set_active": ADMIN.but(data={"active": "0"}),
    "audit.index": ADMIN,
    "audit.export": ADMIN,
    # Operations
    "security.healthz": PUBLIC,
    # Catalogue (public pages; personal calendar)
    "catalog.catalogue": PUBLIC,
    "catalog.course_calendar": PUBLIC,
    "catalog.programme": PUBLIC,
    "catalog.speaker_photo": PUBLIC,  # speakers and their photos are on public course pages
    "catalog.material": OWN,  # an enrolled-only material: its course's participants and staff
    "catalog.my_calendar": LOGGED_IN,
    "catalog.calendar_feed": PUBLIC.but(args=lambda w: {"token": _feed_token(w.participant)},
                                        note="the secret token stands for the log-in"),
    "catalog.renew_calendar_feed": LOGGED_IN.but(data={"understood": "y"}, note="one's own feed address only"),
    # Language
    "i18n.set_language": PUBLIC.but(data={"language": "en", "next": "/"}),
    # Organizer dashboard
    "dashboard.index": STAFF,
    # Scheduling (organizer pages)
    "scheduling.courses": STAFF,
    "scheduling.create_course": STAFF,
    "scheduling.course": STAFF,
    "scheduling.edit_course": STAFF,
    "scheduling.change_status": STAFF.but(args={"action": "close"}),
    "scheduling.cancel_course": STAFF,
    "scheduling.clone_course": STAFF,
    "scheduling.add_session": STAFF,
    "scheduling.edit_session": STAFF,
    "scheduling.delete_session": STAFF,
    "scheduling.add_material": STAFF,
    "scheduling.edit_material": STAFF,
    "scheduling.delete_material": STAFF,
    "scheduling.topics": STAFF,
    "scheduling.edit_topic": STAFF,
    "scheduling.speakers": STAFF,
    "scheduling.create_speaker": STAFF,
    "scheduling.speaker": STAFF,
    "scheduling.edit_speaker": STAFF,
    # Enrollment: a participant's own registration and page
    "enrollment.register": LOGGED_IN,
    "enrollment.cancel": LOGGED_IN.but(data={"reason": "Bận công tác"}),
    "enrollment.dashboard": LOGGED_IN,
    "enrollment.set_password": PUBLIC,  # the token in the link stands for the log-in
    # Enrollment: organizer pages
    "enrollment.courses": STAFF,
    "enrollment.roster": STAFF,
    "enrollment.add": STAFF,
    "enrollment.change_status": STAFF,
    "enrollment.approve": STAFF,
    "enrollment.quotas": STAFF,
    "enrollment.import_template": STAFF,
    "enrollment.import_upload": STAFF,
    "enrollment.import_confirm": STAFF,
    "enrollment.export_xlsx": STAFF,
    "enrollment.export_csv": STAFF,
    "enrollment.set_password_links": STAFF,
    "enrollment.sign_in_sheet": STAFF,
    # Enrollment: unit coordinators
    "enrollment.unit": COORDINATOR,
    "enrollment.unit_course": COORDINATOR,
    "enrollment.nominate": COORDINATOR,
    "enrollment.substitute": COORDINATOR,
    # Attendance: organizer pages
    "attendance.index": STAFF,
    "attendance.course": STAFF,
    "attendance.completion_rule": STAFF,
    "attendance.roll_call": STAFF,
    "attendance.mark": STAFF,
    "attendance.all_present": STAFF,
    "attendance.check_in_screen": STAFF,
    "attendance.new_code": STAFF,
    "attendance.close_check_in": STAFF,
    "attendance.check_in_status": STAFF,
    "attendance.check_in_qr": STAFF.but(args=lambda w: {"code": w.check_in_code.code}),
    "attendance.reopen": ADMIN.but(data={"reason": "Sửa điểm danh theo biên bản"}),
    # Attendance: participants
    "attendance.participant": OWN,
    "attendance.check_in_form": LOGGED_IN,
    "attendance.check_in": LOGGED_IN,
    # Certificates
    "certificates.course": STAFF,
    "certificates.issue_all": STAFF,
    "certificates.issue_one": STAFF,
    "certificates.course_pdf": STAFF,
    "certificates.register": STAFF,
    "certificates.register_export": STAFF,
    "certificates.report": STAFF,
    "certificates.revoke": ADMIN,
    "certificates.reissue": ADMIN,
    "certificates.settings": ADMIN,
    "certificates.sample": ADMIN,
    "certificates.download": OWN,
    "certificates.mine": LOGGED_IN,
    "certificates.verify_form": PUBLIC,
    "certificates.verify": PUBLIC,
    "offline_verification.public_key": PUBLIC,
    "offline_verification.keys": PUBLIC,
    "offline_verification.revoked": PUBLIC,
    "offline_verification.page": PUBLIC,
    # Background jobs: the participant's own job of an admin-only kind
    "jobs.index": LOGGED_IN,
    "jobs.start": LOGGED_IN,
    "jobs.show": OWN.but(organizer=DENY, note="the job's kind is admin-only: organizers may not see it"),
    "jobs.status": OWN.but(organizer=DENY, note="the job's kind is admin-only"),
    "jobs.download": OWN.but(organizer=DENY, note="the job's kind is admin-only: its owner and admins"),
    "jobs.retry": OWN.but(organizer=DENY, note="the job's kind is admin-only"),
}


def _feed_token(user) -> str:
    from courses.catalog.views import feed_token

    return feed_token(user)


def entry_for(endpoint: str, method: str) -> Case | None:
    """The entry of endpoint for method ("endpoint METHOD" first, then "endpoint")."""
    return MATRIX.get(f"{endpoint} {method}") or MATRIX.get(endpoint)


def classify(response) -> str:
    """What a user would notice: ALLOW, LOGIN, DENY, or the HTTP status when it is none of them."""
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        return LOGIN if "/auth/login" in response.headers.get("Location", "") else ALLOW
    if status == 401:
        return LOGIN
    if status in (403, 404):
        return DENY
    if status < 300 or status == 400:
        return ALLOW
    return f"HTTP {status}"


def _value(given, world):
    return given(world) if callable(given) else dict(given or {})


ROUTES = all_routes()


def missing_entries(routes) -> list[str]:
    """The endpoints of routes that MATRIX says nothing about."""
    return sorted({endpoint for endpoint, method, _rule in routes if entry_for(endpoint, method) is None})


def test_every_endpoint_has_an_entry():
    """The whole list at once, so the lead sees every missing entry in one run."""
    missing = missing_entries(ROUTES)
    assert not missing, (
        "Endpoints without an entry in tests/test_permission_matrix.py MATRIX: " + ", ".join(missing)
    )


def test_a_new_endpoint_without_an_entry_is_named(make_app):
    from courses.permissions import login_required

    app = make_app()

    @app.route("/brand-new/<int:course_id>", methods=["GET", "POST"], endpoint="feature.brand_new")
    @login_required
    def brand_new(course_id):
        return "new"

    routes = [(rule.endpoint, method, rule) for rule in app.url_map.iter_rules() for method in rule.methods]
    assert missing_entries(routes) == ["feature.brand_new"]


def test_every_entry_names_an_existing_endpoint():
    known = {endpoint for endpoint, _method, _rule in ROUTES}
    stale = sorted(key for key in MATRIX if key.split(" ")[0] not in known)
    assert not stale, f"MATRIX entries for endpoints that no longer exist: {', '.join(stale)}"


def test_every_outcome_is_known():
    for key, case in MATRIX.items():
        assert set(case.expect) == set(ROLES), f"{key}: give an outcome for each of {ROLES}"
        assert set(case.expect.values()) <= {ALLOW, LOGIN, DENY}, key


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_permission_matrix(app, client, world, route, role):
    endpoint, method, rule = route
    case = entry_for(endpoint, method)
    if case is None:
        pytest.fail(f"Endpoint {endpoint!r} ({method} {rule.rule}) has no entry in "
                    f"tests/test_permission_matrix.py MATRIX: declare who may call it.")
    try:
        values = url_arguments(rule, world, case.args)
    except MissingBuilder as error:
        pytest.fail(str(error))
    path = build_path(app, rule, values, _value(case.query, world))
    log_in(client, world.user(role))
    data = _value(case.data, world) if method in STATE_CHANGING else None
    response = client.open(path, method=method, data=data)
    outcome = classify(response)
    expected = case.expect[role]
    assert outcome == expected, (
        f"{endpoint} {method} {path} as {role}: expected {expected}, got {outcome} "
        f"(HTTP {response.status_code}{', Location ' + response.headers['Location'] if response.location else ''})"
    )


def test_matrix_catches_a_wrong_declaration(app, client, world):
    """The matrix is not vacuous: an admin page opened to every logged-in user is caught."""
    from courses.permissions import AccessRule

    view = app.view_functions["admin.users"]
    original = view.access_rule
    view.access_rule = AccessRule()  # as if someone wrote @login_required by mistake
    try:
        log_in(client, world.participant)
        assert classify(client.get("/admin/users")) == ALLOW != MATRIX["admin.users"].expect["participant"]
    finally:
        view.access_rule = original
