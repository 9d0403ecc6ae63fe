"""One Vietnamese order for every list of people (issue 17): by given name (the last word),
then the rest of the name, in the Vietnamese alphabet (a ă â b c d đ e ê … ư v x y; tones
after letters), through the real pages and downloads.

A code-point sort (the database's ORDER BY full_name) puts «Đỗ» and «Ưng» after «Vương» and
sorts by family name; each list below would come out in that order without courses.text.
"""
from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from courses.enums import Role
from courses.text import person_key
from tests.factories import make_course, make_enrollment, make_party_tree, make_session, make_user

# The order a reader expects: Ánh < Ân (a before â), Bình (Trần before Ưng: t before ư),
# Dũng < Đức (d before đ), Ưng (ư after u), Vương.
EXPECTED = ["Vương Thị Ánh", "Đỗ Văn Ân", "Trần Văn Bình", "Ưng Thị Bình", "Bùi Văn Dũng", "Lê Văn Đức",
            "Phạm Văn Ưng", "Nguyễn Văn Vương"]
DAY = date.today() + timedelta(days=20)


def order_in(text: str, names=EXPECTED) -> list[str]:
    """The names as they appear in text, first to last."""
    found = sorted((text.index(name), name) for name in names if name in text)
    assert len(found) == len(names), [n for n in names if n not in text]
    return [name for _, name in found]


def plain(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


@pytest.fixture
def course():
    """A course whose confirmed participants are EXPECTED, created in a scrambled order."""
    course = make_course(starts_on=DAY)
    make_session(course)
    for name in sorted(EXPECTED, key=lambda n: n.encode("utf-8")):
        make_enrollment(make_user(full_name=name), course)
    return course


@pytest.fixture
def organizer(client, as_user):
    as_user(make_user(Role.ORGANIZER))
    return client


def test_the_order_itself():
    class Person:
        def __init__(self, full_name, id):
            self.full_name, self.id = full_name, id

    people = [Person(name, n) for n, name in enumerate(reversed(EXPECTED))]
    assert [p.full_name for p in sorted(people, key=person_key)] == EXPECTED
    assert sorted(EXPECTED) != EXPECTED  # what a code-point sort gives instead


def test_roster_page(organizer, course):
    assert order_in(plain(organizer.get(f"/enrollment/courses/{course.id}/roster"))) == EXPECTED


def test_roster_page_filtered_and_paged_keeps_the_order(organizer, course, monkeypatch):
    from courses.enrollment import roster_views

    monkeypatch.setattr(roster_views, "PER_PAGE", 3)
    pages = [plain(organizer.get(f"/enrollment/courses/{course.id}/roster?status=confirmed&page={n}"))
             for n in (1, 2, 3)]
    seen = [order_in(page, [name for name in EXPECTED if name in page]) for page in pages]
    assert seen == [EXPECTED[0:3], EXPECTED[3:6], EXPECTED[6:8]]
    searched = plain(organizer.get(f"/enrollment/courses/{course.id}/roster?q=Văn"))
    with_van = [n for n in EXPECTED if "Văn" in n]
    assert order_in(searched, [n for n in with_van if n in searched]) == with_van[:3]  # the first page


def test_roster_csv(organizer, course):
    response = organizer.get(f"/enrollment/courses/{course.id}/roster.csv")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == EXPECTED
    assert [row[0] for row in rows[1:]] == [str(n) for n in range(1, 9)]


def test_roster_xlsx(organizer, course):
    response = organizer.get(f"/enrollment/courses/{course.id}/roster.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)] == EXPECTED


def test_sign_in_sheet(organizer, course):
    response = organizer.get(f"/enrollment/courses/{course.id}/sign-in-sheet.pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert order_in(re.sub(r"\s+", " ", text)) == EXPECTED


def test_sign_in_sheet_groups_units_in_vietnamese_order_and_people_within_them(organizer, course):
    from courses.enrollment.models import Enrollment
    from courses.extensions import db

    dong, (dong_cell,) = make_party_tree(cells=1, name="Đảng bộ Đông Anh")
    vinh, (vinh_cell,) = make_party_tree(cells=1, name="Đảng bộ Vĩnh Phúc")
    for index, enrollment in enumerate(db.session.query(Enrollment).filter_by(course_id=course.id)):
        unit, cell = (dong, dong_cell) if index % 2 else (vinh, vinh_cell)
        enrollment.quota_organization_id = unit.id
        enrollment.user.organization_id = cell.id
    db.session.commit()
    response = organizer.get(f"/enrollment/courses/{course.id}/sign-in-sheet.pdf")
    text = re.sub(r"\s+", " ", "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages))
    # «Đ» sorts after «D» and before «V», not after «V» as its code point would
    head_dong, head_vinh = text.index("Đảng bộ Đông Anh (4)"), text.index("Đảng bộ Vĩnh Phúc (4)")
    assert head_dong < head_vinh
    dong_part, vinh_part = text[head_dong:head_vinh], text[head_vinh:]
    in_dong = [n for n in EXPECTED if n in dong_part]
    assert in_dong and order_in(dong_part, in_dong) == in_dong
    in_vinh = [n for n in EXPECTED if n in vinh_part]
    assert in_vinh and order_in(vinh_part, in_vinh) == in_vinh


def test_unit_members_offered_to_a_coordinator(client, as_user):
    unit, (cell,) = make_party_tree(cells=1)
    for name in sorted(EXPECTED, key=lambda n: n.encode("utf-8")):
        make_user(full_name=name, organization=cell)
    coordinator = make_user(Role.COORDINATOR, full_name="Zô Điều Phối", organization=unit)
    course = make_course(starts_on=DAY)
    make_session(course)
    from courses.quotas import services as quotas

    assert [m.full_name for m in quotas.unit_members(coordinator) if m.full_name in EXPECTED] == EXPECTED


def test_attendance_summary_and_roll_call(organizer, course):
    session = course.sessions[0]
    assert order_in(plain(organizer.get(f"/attendance/courses/{course.id}"))) == EXPECTED
    assert order_in(plain(organizer.get(f"/attendance/sessions/{session.id}/roll-call"))) == EXPECTED
