"""iCalendar files: plain event data in, .ics bytes out (no Flask, no database)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class CalendarEvent:
    """One event: a session of a course."""

    uid: str
    summary: str
    starts_at: datetime
    ends_at: datetime
    location: str = ""
    description: str = ""
    url: str = ""
    status: str = "CONFIRMED"


def build_calendar(name: str, events: list[CalendarEvent], stamp: datetime | None = None) -> bytes:
    """A VCALENDAR with one VEVENT per event, times in Asia/Ho_Chi_Minh with its VTIMEZONE."""
    stamp = stamp or datetime.now(timezone.utc)
    calendar = Calendar()
    calendar.add("prodid", "-//Dang uy Khoi//Quan ly lop boi duong//VI")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Asia/Ho_Chi_Minh")
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", item.starts_at.astimezone(LOCAL_TZ))
        event.add("dtend", item.ends_at.astimezone(LOCAL_TZ))
        event.add("summary", item.summary)
        if item.location:
            event.add("location", item.location)
        if item.description:
            event.add("description", item.description)
        if item.url:
            event.add("url", item.url)
        event.add("status", item.status)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
