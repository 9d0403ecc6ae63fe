"""Access rules: every view declares who may call it, and one hook enforces it.

A view without a declaration is refused (403), so a forgotten decorator fails
closed and the permission tests name it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import abort, current_app, request
from flask_login import current_user

from courses.enums import Role
from courses.extensions import login_manager


@dataclass(frozen=True)
class AccessRule:
    """Who may call a view: anyone, any logged-in user, or users holding one of roles."""

    public: bool = False
    roles: tuple[Role, ...] = ()

    def describe(self) -> str:
        if self.public:
            return "public"
        if not self.roles:
            return "login"
        return "+".join(role.value for role in self.roles)


def _declare(rule: AccessRule) -> Callable:
    def decorator(view: Callable) -> Callable:
        view.access_rule = rule
        return view
    return decorator


public = _declare(AccessRule(public=True))
"""Open to anyone, logged in or not."""

login_required = _declare(AccessRule())
"""Open to any logged-in user."""


def role_required(*roles: Role) -> Callable:
    """Open to users with one of roles (admins hold every role)."""
    if not roles:
        raise ValueError("role_required needs at least one role")
    return _declare(AccessRule(roles=tuple(roles)))


staff_required = role_required(Role.ORGANIZER)
"""Open to organizers and admins."""

admin_required = role_required(Role.ADMIN)
"""Open to admins only."""


def access_rule_for(endpoint: str | None) -> AccessRule | None:
    """The declared rule of an endpoint, or None when it has none."""
    if endpoint is None:
        return None
    if endpoint == "static" or endpoint.endswith(".static"):
        return AccessRule(public=True)
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access_rule", None)


def enforce_access():
    """before_request hook: apply the view's declared rule before the view runs."""
    if request.endpoint is None:
        return None  # no route matched: Flask answers 404/405 itself
    rule = access_rule_for(request.endpoint)
    if rule is None:
        current_app.logger.error("endpoint %s declares no access rule", request.endpoint)
        abort(403)
    if rule.public:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if rule.roles and not current_user.has_role(*rule.roles):
        abort(403)
    return None


def require(condition: bool) -> None:
    """Object-level check in a view: refuse with 403 unless condition holds."""
    if not condition:
        abort(403)


def is_staff(user) -> bool:
    """Organizers and admins run courses."""
    return bool(user and user.is_authenticated and user.has_role(Role.ORGANIZER))

