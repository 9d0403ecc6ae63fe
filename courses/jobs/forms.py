"""Forms of the jobs pages (CSRF only: the parameters belong to each kind)."""
from __future__ import annotations

from wtforms import HiddenField

from courses.forms import BaseForm


class StartJobForm(BaseForm):
    """Start a job of a kind; the kind reads its own fields from the same form data."""

    kind = HiddenField()


class RetryJobForm(BaseForm):
    """Run a failed job again."""
