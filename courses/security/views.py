"""Operational endpoints: /healthz for load balancers and monitoring."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from courses.permissions import public
from courses.security.health import database_answers

bp = Blueprint("security", __name__)


@bp.route("/healthz")
@public
def healthz():
    """200 {"status": "ok"} when the database and the rate limit store answer; 200
    {"status": "degraded", "rate_limits": "unavailable"} without Redis; 503 without the database."""
    if not database_answers():
        return jsonify(status="error", database="unreachable"), 503
    if not _rate_limit_store_answers():
        # 200, not 503: limits are then counted in the database, as strict as before, so this
        # server can serve. Redis is shared by every server: a 503 would make the load
        # balancer take them all out at once, turning a Redis outage into a site outage.
        # Monitoring reads "degraded" and which part is missing.
        return jsonify(status="degraded", database="ok", rate_limits="unavailable")
    return jsonify(status="ok", database="ok")


def _rate_limit_store_answers() -> bool:
    """Whether the store of rate limits (Redis) answers; memory:// always does."""
    storage = current_app.extensions.get("rate_limit_storage")
    try:
        return storage is None or bool(storage.check())
    except Exception:  # noqa: BLE001  a store that fails to answer is unavailable, never a 500
        return False
