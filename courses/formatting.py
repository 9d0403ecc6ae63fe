"""Dates, times and numbers in the page's language (Vietnamese by default, or English).

Vietnamese reads «Thứ Sáu, 2/12/2022» and «ngày 2 tháng 12 năm 2022»; English reads
«Friday, 2 December 2022» (day before month, so neither language can misread it).
Every datetime is shown in Vietnam's time zone whatever the language.
"""
from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask import Flask, g, has_request_context
from flask_babel import format_decimal, format_percent, get_locale

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# Babel date patterns per language; Vietnamese is the fallback for any other locale.
PATTERNS = {
    "vi": {
        "weekday_date": "EEEE, d/M/yyyy",
        "short_date": "d/M/yyyy",
        "long_date": "'ngày' d 'tháng' M 'năm' yyyy",
        "local_datetime": "{time} {date}",
    },
    "en": {
        "weekday_date": "EEEE, d MMMM yyyy",
        "short_date": "d MMM yyyy",
        "long_date": "d MMMM yyyy",
        "local_datetime": "{date}, {time}",
    },
}


def _language() -> str:
    # The request's language, chosen once by the before_request hook (g.locale); asking
    # Flask-Babel costs more than formatting a date, and a long page formats thousands.
    language = g.get("locale") if has_request_context() else None
    if language is None:
        try:
            locale = get_locale()
        except RuntimeError:  # outside a request or app context
            locale = None
        language = locale.language if locale is not None else "vi"
    return language if language in PATTERNS else "vi"


def _pattern(name: str) -> str:
    return PATTERNS[_language()][name]


def to_local(value: datetime) -> datetime:
    """An aware datetime shown in Vietnam's time zone."""
    return value.astimezone(LOCAL_TZ)


# A timetable shows the same few start and end times on every row and every page: each
# is converted to Vietnam's time once, not once per row (zoneinfo's conversion costs more
# than the cache's lookup).
@lru_cache(maxsize=8192)
def _local_date(value: datetime) -> date:
    return to_local(value).date()


@lru_cache(maxsize=8192)
def _local_clock(value: datetime) -> str:
    return to_local(value).strftime("%H:%M")


def _as_local_date(value: date | datetime) -> date:
    return _local_date(value) if isinstance(value, datetime) else value


@lru_cache(maxsize=8192)
def _formatted_date(value: date, pattern_name: str, language: str) -> str:
    # A long page shows the same few dates hundreds of times; Babel formats each anew.
    return format_date(value, PATTERNS[language][pattern_name], locale=language)


def _date_text(value: date | datetime | None, pattern_name: str) -> str:
    if value is None:
        return ""
    return _formatted_date(_as_local_date(value), pattern_name, _language())


def weekday_date(value: date | datetime | None) -> str:
    """«Thứ Sáu, 2/12/2022» in Vietnamese; «Friday, 2 December 2022» in English."""
    return _date_text(value, "weekday_date")


def short_date(value: date | datetime | None) -> str:
    """«2/12/2022» in Vietnamese; «2 Dec 2022» in English."""
    return _date_text(value, "short_date")


def long_date(value: date | datetime | None) -> str:
    """«ngày 2 tháng 12 năm 2022», the form of official documents; «2 December 2022» in English."""
    return _date_text(value, "long_date")


def document_date(place: str, value: date) -> str:
    """The dateline of a party document, in Vietnamese whatever the reader's language.

    Hướng dẫn 36-HD/VPTW writes days under 10 and the months 1 and 2 with a leading zero
    («ngày 05 tháng 01 năm 2023», «ngày 15 tháng 12 năm 2022»), so no date can be altered.
    """
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    return f"{place}, ngày {value.day:02d} tháng {month} năm {value.year}"


def clock(value: datetime | None) -> str:
    """«07:30», local time, 24-hour in both languages."""
    if value is None:
        return ""
    return _local_clock(value)


def local_datetime(value: datetime | None) -> str:
    """«07:30 2/12/2022» in Vietnamese; «2 Dec 2022, 07:30» in English; local time."""
    if value is None:
        return ""
    return _pattern("local_datetime").format(time=clock(value), date=short_date(value))


def number(value) -> str:
    """A number with the locale's grouping: 5.000 in Vietnamese, 5,000 in English."""
    if value is None:
        return ""
    return format_decimal(value)


def percent(value, digits: int = 0) -> str:
    """A ratio (0.875) as a percentage: «87,5 %» style per locale, whole numbers by default."""
    if value is None:
        return ""
    pattern = "#,##0%" if digits <= 0 else "#,##0." + "0" * digits + "%"
    return format_percent(value, pattern)


def register(app: Flask) -> None:
    """Install the filters."""
    for func in (weekday_date, short_date, long_date, clock, local_datetime, number, percent):
        app.add_template_filter(func)
