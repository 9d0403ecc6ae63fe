"""What /healthz asks of the parts the app cannot serve without."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import text

from courses.extensions import db


def database_answers() -> bool:
    """Whether the database answers a trivial query; the connection goes back to the pool."""
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception:  # any database failure means "not healthy", never a 500 page
        db.session.rollback()
        current_app.logger.warning("health check: database unreachable", exc_info=True)
        return False
    finally:
        db.session.remove()  # return the connection: monitors call this often
