"""courses.events: listeners hear an event once, in order, inside the caller's transaction."""
from courses import events
from courses.events import Event


def test_listeners_hear_the_event_with_its_payload_once_each():
    heard = []

    def first(event, **payload):
        heard.append(("first", event, payload["course"]))

    def second(event, **payload):
        heard.append(("second", event, payload["course"]))

    events.listen(Event.COURSE_CANCELLED)(first)
    events.listen(Event.COURSE_CANCELLED)(first)  # a second app in the same process
    events.listen(Event.COURSE_CANCELLED)(second)
    try:
        events.emit(Event.COURSE_CANCELLED, course="BDNV-2026-01", actor=None)
        events.emit(Event.COURSE_PUBLISHED, course="other", actor=None)
        assert heard == [("first", Event.COURSE_CANCELLED, "BDNV-2026-01"),
                         ("second", Event.COURSE_CANCELLED, "BDNV-2026-01")]
    finally:
        events._listeners[Event.COURSE_CANCELLED].remove(first)
        events._listeners[Event.COURSE_CANCELLED].remove(second)
