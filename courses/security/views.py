"""Operational endpoints: /healthz for load balancers and monitoring."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from courses.extensions import db
from courses.permissions import public

bp = Blueprint("security", __name__)


@bp.route("/healthz")
@public
def healthz():
    """200 {"status": "ok"} when the database answers, 503 when it does not."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not healthy", never a 500 page
        db.session.rollback()
        current_app.logger.warning("health check: database unreachable", exc_info=True)
        return jsonify(status="error", database="unreachable"), 503
    finally:
        db.session.remove()  # return the connection: monitors call this often
    return jsonify(status="ok", database="ok")
