"""Roster exports (XLSX, CSV) and the data behind sign-in sheets."""
from __future__ import annotations

import csv
import io

from courses.exports import Spreadsheet, safe_cell
from courses.organizations.services import unit_display_name
from courses.text import vietnamese_key

ROSTER_HEADERS = ["STT", "Họ và tên", "Email", "Đơn vị", "Đảng bộ cơ sở", "Chức vụ Đảng",
                  "Chức vụ chính quyền", "Điện thoại", "Số thẻ đảng viên", "Trạng thái", "Nguồn",
                  "Ngày đăng ký"]


def roster_rows(enrollments) -> list[list]:
    """One row per enrollment, in roster order; every text cell made formula-safe."""
    from courses.formatting import local_datetime

    rows = []
    for number, enrollment in enumerate(enrollments, start=1):
        user = enrollment.user
        rows.append([number] + [safe_cell(value) for value in (
            user.full_name, user.email, unit_display_name(user.organization),
            unit_display_name(enrollment.quota_organization),
            str(user.party_position.label) if user.party_position else "", user.job_title or "",
            user.phone or "", user.party_card_number or "", str(enrollment.status.label),
            str(enrollment.source.label), local_datetime(enrollment.requested_at),
        )])
    return rows


def roster_xlsx(title: str, enrollments) -> bytes:
    """The roster as an XLSX workbook: the title line, then a bold, frozen header."""
    spreadsheet = Spreadsheet()
    sheet = spreadsheet.add_sheet("Danh sách học viên", ROSTER_HEADERS, heading=title, freeze=True,
                                  widths=(6, 28, 30, 30, 40, 18, 24, 14, 16, 16, 18, 18))
    for row in roster_rows(enrollments):
        sheet.append(row)
    return spreadsheet.to_bytes()


def roster_csv(enrollments) -> bytes:
    """The roster as UTF-8 CSV with a byte-order mark (so Excel shows Vietnamese correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(ROSTER_HEADERS)
    writer.writerows(roster_rows(enrollments))
    return buffer.getvalue().encode("utf-8-sig")


def sign_in_groups(enrollments) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """Confirmed participants grouped by grassroots organization: (group, [(name, position, unit)]).

    Within a group people keep the order they come in: the roster's (courses.text.person_key).
    """
    groups: dict[tuple, list] = {}
    for enrollment in enrollments:
        user = enrollment.user
        org = enrollment.quota_organization
        name = org.name if org else "Đơn vị khác"
        key = (org is None, org.sort_order if org else 0, vietnamese_key(name), name)
        position = ", ".join(p for p in (
            str(user.party_position.label) if user.party_position else "", user.job_title or "") if p)
        groups.setdefault(key, []).append(
            (user.full_name, position, user.organization.name if user.organization else ""))
    return [(key[3], people) for key, people in sorted(groups.items(), key=lambda item: item[0])]
