"""The language switcher's form (a POST from every page's header)."""
from __future__ import annotations

from wtforms import HiddenField, SelectField

from courses.forms import BaseForm

# Each language is named in its own language, whatever the page's language.
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}


class LanguageForm(BaseForm):
    """Choose the interface language; `next` is the page to go back to."""

    lang = SelectField(choices=list(LANGUAGE_NAMES.items()))
    next = HiddenField()
