"""Walks of url_map: every state-changing request needs a CSRF token; no GET changes the database.

Both walks cover endpoints merged later by themselves; URL arguments and form data
come from the endpoint's entry in tests/test_permission_matrix.py MATRIX (or the
builders of tests/route_walk.py).
"""
from __future__ import annotations

import re

import pytest

from tests.route_walk import (
    STATE_CHANGING,
    MissingBuilder,
    all_routes,
    build_path,
    describe_difference,
    log_in,
    route_id,
    snapshot,
    url_arguments,
)
from tests.test_permission_matrix import entry_for

CSRF_MESSAGE = "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ"
# Endpoints allowed to change state without a CSRF token, each with the reason.
# (None today. An API authenticated by something other than the session cookie could be one.)
CSRF_EXEMPT: dict[str, str] = {}
# GET endpoints allowed to write to the database, each with the reason. (None today.)
GET_MAY_WRITE: dict[str, str] = {}

STATE_CHANGING_ROUTES = [route for route in all_routes() if route[1] in STATE_CHANGING]
GET_ROUTES = [route for route in all_routes() if route[1] == "GET" and route[0] != "static"]


def _path_and_data(app, world, endpoint, method, rule):
    case = entry_for(endpoint, method)
    given_args = case.args if case else None
    try:
        values = url_arguments(rule, world, given_args)
    except MissingBuilder as error:
        pytest.fail(str(error))
    query = case.query(world) if case and callable(case.query) else dict(case.query or {}) if case else {}
    data = case.data(world) if case and callable(case.data) else dict(case.data or {}) if case else {}
    return build_path(app, rule, values, query), data


def csrf_token_from_page(client) -> str:
    """The token a script reads from the page's <meta name="csrf-token">."""
    page = client.get("/").get_data(as_text=True)
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
    assert match, "logged-in pages carry the CSRF token for scripts"
    return match.group(1)


def test_there_are_state_changing_routes_to_walk():
    assert {"auth.logout", "admin.set_role"} <= {endpoint for endpoint, *_ in STATE_CHANGING_ROUTES}


@pytest.mark.parametrize("route", STATE_CHANGING_ROUTES, ids=route_id)
def test_state_changing_request_without_csrf_token_is_refused(app, client, world, route):
    endpoint, method, rule = route
    if endpoint in CSRF_EXEMPT:
        pytest.skip(CSRF_EXEMPT[endpoint])
    path, data = _path_and_data(app, world, endpoint, method, rule)
    app.config["WTF_CSRF_ENABLED"] = True
    log_in(client, world.admin)  # an admin: permission is not what refuses
    before = snapshot()
    response = client.open(path, method=method, data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and CSRF_MESSAGE in body, (
        f"{method} {path} ({endpoint}) without a CSRF token answered {response.status_code}"
    )
    after = snapshot()
    assert before == after, f"{endpoint} changed {describe_difference(before, after)} without a token"


@pytest.mark.parametrize("route", STATE_CHANGING_ROUTES, ids=route_id)
def test_script_requests_pass_with_the_x_csrftoken_header(app, client, world, route):
    endpoint, method, rule = route
    path, data = _path_and_data(app, world, endpoint, method, rule)
    app.config["WTF_CSRF_ENABLED"] = True
    log_in(client, world.admin)
    token = csrf_token_from_page(client)
    response = client.open(path, method=method, data=data, headers={"X-CSRFToken": token})
    # The refusal is an HTML page; a file in answer (the set-password links) means it was accepted.
    body = response.get_data(as_text=True) if response.mimetype.startswith(("text/", "application/json")) else ""
    assert CSRF_MESSAGE not in body, f"{endpoint} refused a valid X-CSRFToken"
    assert response.status_code < 500


def test_a_wrong_x_csrftoken_header_is_refused(app, client, world):
    app.config["WTF_CSRF_ENABLED"] = True
    log_in(client, world.admin)
    csrf_token_from_page(client)
    response = client.post(f"/admin/users/{world.participant.id}/role", data={"role": "admin"},
                           headers={"X-CSRFToken": "forged"})
    assert response.status_code == 400
    assert world.participant.role.value == "participant"


def test_there_are_get_routes_to_walk():
    assert {"catalog.index", "admin.users", "audit.index"} <= {endpoint for endpoint, *_ in GET_ROUTES}


@pytest.mark.parametrize("route", GET_ROUTES, ids=route_id)
def test_get_requests_change_nothing_in_the_database(app, client, world, route):
    endpoint, method, rule = route
    if endpoint in GET_MAY_WRITE:
        pytest.skip(GET_MAY_WRITE[endpoint])
    path, _data = _path_and_data(app, world, endpoint, method, rule)
    log_in(client, world.admin)
    before = snapshot()
    response = client.get(path)
    assert response.status_code < 500, f"GET {path} ({endpoint}) answered {response.status_code}"
    after = snapshot()
    assert before == after, f"GET {path} ({endpoint}) changed {describe_difference(before, after)}"


# Every query-string name a view reads, with values no form would send.
QUERY_NAMES = ("page", "topic", "unit", "org", "session_id", "year", "month", "status", "role", "q", "code",
               "next", "all", "preprinted", "user", "object_type", "date_from", "date_to")
HOSTILE_VALUES = ("9" * 30, "-" + "9" * 30, "2147483648", "0", "-1", "1e9", "x" * 3000, "%")


def test_hostile_query_strings_never_end_in_a_server_error(app, client, world):
    """Each GET page, as an admin, with every query name set to huge, negative or junk values."""
    log_in(client, world.admin)
    failures = []
    for endpoint, method, rule in GET_ROUTES:
        path, _data = _path_and_data(app, world, endpoint, method, rule)
        base = path.split("?", 1)[0]
        for value in HOSTILE_VALUES:
            response = client.get(base, query_string={name: value for name in QUERY_NAMES})
            if response.status_code >= 500:
                failures.append(f"GET {base} ({endpoint}) with every argument = {value[:12]}…: "
                                f"{response.status_code}")
    assert not failures, "\n".join(failures)


def test_an_id_beyond_what_the_database_holds_is_a_404_page(client):
    for path in ("/courses/2147483648", "/courses/" + "9" * 30, "/speakers/" + "9" * 30 + "/photo"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Không tìm thấy trang" in response.get_data(as_text=True)
