"""Access: every endpoint declares who may call it; roles are enforced by the one hook."""
import re

import pytest

from courses.enums import Role
from courses.permissions import access_rule_for
from tests.factories import make_user

# Endpoints reachable without logging in; every other endpoint must redirect anonymous users.
PUBLIC_ENDPOINTS = {"static", "catalog.index", "catalog.course", "auth.login", "auth.logout", "auth.register",
                    "catalog.catalogue", "catalog.course_calendar", "catalog.programme", "catalog.material",
                    "catalog.speaker_photo", "catalog.calendar_feed",
                    "enrollment.set_password", "certificates.verify", "certificates.verify_form",
                    "offline_verification.public_key", "offline_verification.keys",
                    "offline_verification.revoked", "offline_verification.page",
                    "security.healthz",
                    "i18n.set_language"}
ADMIN_ONLY_PAGES = ["/admin/users"]


def test_every_endpoint_declares_an_access_rule(app):
    undeclared = [rule.endpoint for rule in app.url_map.iter_rules() if access_rule_for(rule.endpoint) is None]
    assert undeclared == []


def test_public_endpoints_are_exactly_the_expected_ones(app):
    public = {rule.endpoint for rule in app.url_map.iter_rules() if access_rule_for(rule.endpoint).public}
    assert public == PUBLIC_ENDPOINTS


def concrete_urls(app):
    """One URL per non-public rule: 1 for every other argument, the first choice of an `any`."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        path = re.sub(r"<(?:(\w+)(?:\(([^)]*)\))?:)?\w+>",
                      lambda m: m.group(2).split(",")[0].strip() if m.group(1) == "any" else "1", rule.rule)
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        yield rule.endpoint, method, path


def test_anonymous_users_are_sent_to_log_in_everywhere_but_public_pages(app, client):
    for endpoint, method, path in concrete_urls(app):
        response = client.open(path, method=method)
        assert response.status_code == 302, (endpoint, response.status_code)
        assert "/auth/login?next=" in response.headers["Location"], endpoint


@pytest.mark.parametrize("url", ADMIN_ONLY_PAGES)
@pytest.mark.parametrize("role", [Role.PARTICIPANT, Role.ORGANIZER, Role.COORDINATOR])
def test_non_admins_get_403_on_admin_pages(as_user, url, role):
    client = as_user(make_user(role=role))
    response = client.get(url)
    assert response.status_code == 403
    assert "Không có quyền truy cập" in response.get_data(as_text=True)


def test_participant_cannot_change_roles(as_user):
    victim = make_user()
    client = as_user(make_user())
    assert client.post(f"/admin/users/{victim.id}/role", data={"role": "admin"}).status_code == 403
    assert victim.role == Role.PARTICIPANT


def test_an_undeclared_view_is_refused(make_app):
    app = make_app()

    @app.route("/forgotten")
    def forgotten():
        return "secret"

    assert app.test_client().get("/forgotten").status_code == 403
