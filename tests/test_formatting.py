"""Every date, time and number filter, in Vietnamese and in English."""
from datetime import date, datetime, timezone

import pytest
from flask_babel import force_locale

from courses import formatting

FRIDAY = date(2022, 12, 2)
# 00:30 UTC on 2 December is 07:30 in Hà Nội; 20:00 UTC on 1 December is already the 2nd there.
MORNING = datetime(2022, 12, 2, 0, 30, tzinfo=timezone.utc)
LATE_UTC = datetime(2022, 12, 1, 20, 0, tzinfo=timezone.utc)

EXPECTED = {
    "vi": {
        "weekday_date": "Thứ Sáu, 2/12/2022",
        "short_date": "2/12/2022",
        "long_date": "ngày 2 tháng 12 năm 2022",
        "clock": "07:30",
        "local_datetime": "07:30 2/12/2022",
        "number": "5.000",
        "decimal": "1.234,5",
        "percent": "88%",
    },
    "en": {
        "weekday_date": "Friday, 2 December 2022",
        "short_date": "2 Dec 2022",
        "long_date": "2 December 2022",
        "clock": "07:30",
        "local_datetime": "2 Dec 2022, 07:30",
        "number": "5,000",
        "decimal": "1,234.5",
        "percent": "88%",
    },
}


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_filter_reads_naturally_in_each_language(app, language):
    expected = EXPECTED[language]
    with app.test_request_context(), force_locale(language):
        assert formatting.weekday_date(FRIDAY) == expected["weekday_date"]
        assert formatting.short_date(FRIDAY) == expected["short_date"]
        assert formatting.long_date(FRIDAY) == expected["long_date"]
        assert formatting.clock(MORNING) == expected["clock"]
        assert formatting.local_datetime(MORNING) == expected["local_datetime"]
        assert formatting.number(5000) == expected["number"]
        assert formatting.number(1234.5) == expected["decimal"]
        assert formatting.percent(0.875) == expected["percent"]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_datetimes_are_shown_on_the_date_they_fall_in_vietnam(app, language):
    with app.test_request_context(), force_locale(language):
        assert formatting.weekday_date(LATE_UTC) == EXPECTED[language]["weekday_date"]
        assert formatting.clock(LATE_UTC) == "03:00"


def test_percent_with_a_decimal_uses_the_locale_separator(app):
    with app.test_request_context():
        with force_locale("vi"):
            assert formatting.percent(0.8751, digits=1) == "87,5%"
        with force_locale("en"):
            assert formatting.percent(0.8751, digits=1) == "87.5%"


def test_empty_values_print_nothing(app):
    with app.test_request_context():
        for name in ("weekday_date", "short_date", "long_date", "clock", "local_datetime", "number", "percent"):
            assert getattr(formatting, name)(None) == ""


def test_filters_are_available_in_templates(app):
    with app.test_request_context(), force_locale("en"):
        rendered = app.jinja_env.from_string(
            "{{ d|weekday_date }} | {{ n|number }} | {{ r|percent }}"
        ).render(d=FRIDAY, n=60, r=0.5)
    assert rendered == "Friday, 2 December 2022 | 60 | 50%"


def test_a_party_documents_dateline_pads_days_under_10_and_the_first_two_months():
    """Hướng dẫn 36-HD/VPTW: «ngày 05 tháng 01 năm 2023», «ngày 15 tháng 12 năm 2022»."""
    assert formatting.document_date("Hà Nội", date(2023, 1, 5)) == "Hà Nội, ngày 05 tháng 01 năm 2023"
    assert formatting.document_date("Hà Nội", date(2023, 2, 28)) == "Hà Nội, ngày 28 tháng 02 năm 2023"
    assert formatting.document_date("Hà Nội", date(2023, 3, 2)) == "Hà Nội, ngày 02 tháng 3 năm 2023"
    assert formatting.document_date("Huế", date(2022, 12, 15)) == "Huế, ngày 15 tháng 12 năm 2022"
