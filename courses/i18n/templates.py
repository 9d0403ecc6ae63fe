"""The templates' gettext: Flask-Babel's translations, looked up once per page, not per string.

Flask-Babel's own template callables find the domain, the locale and the catalogue again
for every `_()` (tens of microseconds each); a 500-row page calls `_()` thousands of
times. These keep the catalogue in `g` beside the locale it was found for, so a
`flask_babel.refresh()` (the locale changing mid-request) still takes effect.
"""
from __future__ import annotations

from flask import Flask, g, has_app_context
from flask_babel import get_locale, get_translations


def page_translations():
    """The current request's translations, cached for as long as its locale stays the same."""
    if not has_app_context():
        return get_translations()
    locale = get_locale()
    cached = g.get("_page_translations")
    if cached is not None and cached[0] is locale:
        return cached[1]
    translations = get_translations()
    g._page_translations = (locale, translations)
    return translations


def install(app: Flask) -> None:
    """Replace the gettext callables Flask-Babel installed in app's Jinja environment."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: page_translations().ugettext(string),
        ngettext=lambda singular, plural, n: page_translations().ungettext(singular, plural, n),
        pgettext=lambda context, string: page_translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: page_translations().unpgettext(
            context, singular, plural, n),
        newstyle=True,
    )
