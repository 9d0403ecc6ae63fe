"""Dates, times and numbers the Vietnamese way (or the user's locale)."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask
from flask_babel import format_date, format_decimal, get_locale

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def to_local(value: datetime) -> datetime:
    """An aware datetime shown in Vietnam's time zone."""
    return value.astimezone(LOCAL_TZ)


def weekday_date(value: date | datetime | None) -> str:
    """«Thứ Sáu, 2/12/2022» in Vietnamese; «Friday, 2/12/2022» in English."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return format_date(value, "EEEE, d/M/yyyy")


def short_date(value: date | datetime | None) -> str:
    """«2/12/2022»."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return f"{value.day}/{value.month}/{value.year}"


def long_date(value: date | datetime | None) -> str:
    """«ngày 2 tháng 12 năm 2022», the form of official documents."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    if str(get_locale()) == "en":
        return format_date(value, "d MMMM yyyy")
    return f"ngày {value.day} tháng {value.month} năm {value.year}"


def clock(value: datetime | None) -> str:
    """«07:30», local time."""
    if value is None:
        return ""
    return to_local(value).strftime("%H:%M")


def local_datetime(value: datetime | None) -> str:
    """«07:30 2/12/2022», local time."""
    if value is None:
        return ""
    return f"{clock(value)} {short_date(value)}"


def number(value) -> str:
    """A number with the locale's grouping: 5.000 in Vietnamese."""
    return format_decimal(value)


def register(app: Flask) -> None:
    """Install the filters."""
    for func in (weekday_date, short_date, long_date, clock, local_datetime, number):
        app.add_template_filter(func)
