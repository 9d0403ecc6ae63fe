"""The parameters of a job kind, read by a form class of the kind's own.

A kind's form is filled from the submitted data (the jobs page or a feature's page),
validated by WTForms, and its params() gives what the job stores. CSRF is checked once by
the jobs page's StartJobForm, so parameter forms do not ask for a second token.
"""
from __future__ import annotations

from typing import Mapping

from werkzeug.datastructures import MultiDict

from courses.exceptions import DomainError
from courses.forms import BaseForm


class JobParamsForm(BaseForm):
    """Base of every kind's parameter form: fields, validators, and params()."""

    class Meta:
        csrf = False

    def params(self) -> dict:
        """The job's parameters from the validated fields (may raise DomainError)."""
        return {}


def read_params(form_class: type[JobParamsForm], form_data: Mapping[str, str]) -> dict:
    """Validate form_data with form_class; the first refused field becomes a DomainError."""
    data = form_data if isinstance(form_data, MultiDict) else MultiDict(form_data)
    form = form_class(formdata=data)
    if not form.validate():
        name, messages = next(iter(form.errors.items()))
        raise DomainError(str(messages[0]), field=name)
    return form.params()
