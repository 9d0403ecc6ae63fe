"""Spreadsheet import of participants: check every row, then apply them at once.

courses.enrollment.import_files.parse_spreadsheet() turns the file into rows or refuses it
with a message; plan_import() checks the rows against the database (bulk reads, nothing
written) and says what would happen; apply_import() writes the plan in one
transaction. Importing the same file twice changes nothing the second time.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import insert, select

from courses.addresses import is_valid_address
from courses.audit.services import record
from courses.auth.models import User
from courses.db_types import utcnow
from courses.enrollment.csv_reader import HEADER_SEARCH_ROWS, MAX_ROWS
from courses.enrollment.locking import lock_course
from courses.enrollment.models import Enrollment
from courses.enrollment.seats import seat_counts
from courses.enums import EnrollmentSource, EnrollmentStatus, OrganizationKind, PartyPosition, Role
from courses.exceptions import DomainError
from courses.extensions import db
from courses.organizations.services import grassroots_id, organizations_by_id

# The template's columns, in order: (key, header).
COLUMNS = [
    ("full_name", "Họ và tên"),
    ("email", "Email"),
    ("unit", "Đơn vị"),
    ("party_position", "Chức vụ Đảng"),
    ("job_title", "Chức vụ chính quyền"),
    ("phone", "Điện thoại"),
]
REQUIRED = ("full_name", "email", "unit", "party_position")
# Read when present, not in the template: only organizers and admins ever see it.
OPTIONAL_COLUMNS = [("party_card_number", "Số thẻ đảng viên")]
HEADER_ALIASES = {
    "full_name": {"ho va ten", "ho ten", "ten", "full name", "name"},
    "email": {"email", "e-mail", "thu dien tu", "dia chi email"},
    "unit": {"don vi", "to chuc dang", "chi bo", "organization", "unit"},
    "party_position": {"chuc vu dang", "chuc vu trong dang", "party position"},
    "job_title": {"chuc vu chinh quyen", "chuc vu", "job title"},
    "phone": {"dien thoai", "so dien thoai", "phone"},
    "party_card_number": {"so the dang vien", "so the dang", "the dang vien"},
}
CHUNK = 500


def fold(text) -> str:
    """Lower case, no diacritics, single spaces: how headers and names are compared."""
    text = unicodedata.normalize("NFD", str(text or "")).replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return " ".join(text.lower().split())


# ---------------------------------------------------------------- checking rows

@dataclass
class Problem:
    """One problem of one row: spreadsheet row number, column header, message."""

    row: int
    column: str
    message: str


@dataclass
class PlannedRow:
    """A valid row and what importing it will do."""

    row: int
    full_name: str
    email: str
    organization_id: int
    unit_name: str
    party_position: PartyPosition
    job_title: str
    phone: str
    party_card_number: str = ""
    user_id: int | None = None        # an existing account matched by email
    already_enrolled: bool = False


@dataclass
class ImportPlan:
    """The outcome of checking a file: valid rows, problems, and counts for the preview."""

    rows: list[PlannedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    total_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)

    @property
    def new_accounts(self) -> int:
        return sum(1 for r in self.rows if r.user_id is None)

    @property
    def existing_accounts(self) -> int:
        return sum(1 for r in self.rows if r.user_id is not None)

    @property
    def new_enrollments(self) -> int:
        return sum(1 for r in self.rows if not r.already_enrolled)

    @property
    def unchanged(self) -> int:
        return sum(1 for r in self.rows if r.already_enrolled)


def _organization_index() -> dict[str, int | None]:
    """Lookup keys (code, name, «cell, grassroots») → organization id; None marks an ambiguous name."""
    orgs = organizations_by_id()
    index: dict[str, int | None] = {}

    def put(key: str, org_id: int) -> None:
        key = fold(key)
        if key in index and index[key] != org_id:
            index[key] = None
        else:
            index[key] = org_id

    for org in orgs.values():
        if org.kind == OrganizationKind.BLOC:
            continue
        put(org.code, org.id)
        put(org.name, org.id)
        parent = orgs.get(org.parent_id) if org.parent_id else None
        if parent is not None and org.kind == OrganizationKind.CELL:
            for separator in (", ", " - ", " – ", " / ", " thuộc "):
                put(f"{org.name}{separator}{parent.name}", org.id)
                put(f"{org.name}{separator}{parent.code}", org.id)
    # Codes win over names that happen to fold to the same text.
    for org in orgs.values():
        if org.kind != OrganizationKind.BLOC:
            index[fold(org.code)] = org.id
    return index, orgs


def _position_index() -> dict[str, PartyPosition]:
    index = {}
    for position in PartyPosition:
        index[fold(position.value)] = position
        index[fold(str(position.label))] = position
    index.update({"bi thu": PartyPosition.SECRETARY, "pho bi thu": PartyPosition.DEPUTY_SECRETARY,
                  "cap uy": PartyPosition.COMMITTEE_MEMBER, "uy vien": PartyPosition.COMMITTEE_MEMBER})
    return index


def _find_header(rows: list[list[str]]) -> tuple[int, dict[str, int]]:
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        mapping = {}
        for position, cell in enumerate(row):
            folded = fold(cell)
            for key, aliases in HEADER_ALIASES.items():
                if folded in aliases and key not in mapping:
                    mapping[key] = position
        if "full_name" in mapping and "email" in mapping:
            return index, mapping
    raise DomainError(_("Không tìm thấy dòng tiêu đề (Họ và tên, Email, Đơn vị, Chức vụ Đảng…). "
                        "Hãy tải tệp mẫu và điền theo đúng các cột."))


def plan_import(course, rows: list[list[str]]) -> ImportPlan:
    """Check every row (bulk reads only) and say what importing them would do."""
    header_index, mapping = _find_header(rows)
    missing = [header for key, header in COLUMNS if key in REQUIRED and key not in mapping]
    if missing:
        raise DomainError(_("Thiếu cột: %(columns)s. Hãy dùng tệp mẫu.", columns=", ".join(missing)))
    headers = dict(COLUMNS + OPTIONAL_COLUMNS)
    org_index, orgs = _organization_index()
    positions = _position_index()
    plan = ImportPlan()
    seen_emails: dict[str, int] = {}
    body = rows[header_index + 1:]
    if len(body) > MAX_ROWS:
        raise DomainError(_("Tệp có quá %(max)s dòng; hãy chia thành nhiều tệp.", max=MAX_ROWS))
    for offset, row in enumerate(body):
        number = header_index + 2 + offset  # the spreadsheet's own row number

        def cell(key: str, row: list = row) -> str:
            position = mapping.get(key)
            return row[position] if position is not None and position < len(row) else ""

        values = {key: cell(key) for key, _header in COLUMNS + OPTIONAL_COLUMNS}
        if not any(values.values()):
            continue  # blank line
        plan.total_rows += 1
        problems = []
        for key in REQUIRED:
            if not values[key]:
                problems.append(Problem(number, headers[key], _("Chưa điền.")))
        email = values["email"].lower()
        if email and not is_valid_address(email):
            problems.append(Problem(number, headers["email"], _("Email không hợp lệ: «%(email)s».", email=values["email"])))
        elif email in seen_emails:
            problems.append(Problem(number, headers["email"],
                                    _("Email trùng với dòng %(row)s.", row=seen_emails[email])))
        org_id = None
        if values["unit"]:
            key = fold(values["unit"])
            if key not in org_index:
                problems.append(Problem(number, headers["unit"], _("Không có đơn vị «%(unit)s». Ghi mã đơn vị hoặc tên như trong danh sách đơn vị.", unit=values["unit"])))
            elif org_index[key] is None:
                problems.append(Problem(number, headers["unit"], _("Có nhiều đơn vị tên «%(unit)s»; hãy ghi mã đơn vị hoặc «tên chi bộ, tên đảng bộ».", unit=values["unit"])))
            else:
                org_id = org_index[key]
        position = None
        if values["party_position"]:
            position = positions.get(fold(values["party_position"]))
            if position is None:
                problems.append(Problem(number, headers["party_position"], _(
                    "Không rõ chức vụ Đảng «%(value)s»; dùng: %(choices)s.", value=values["party_position"],
                    choices=", ".join(str(p.label) for p in PartyPosition))))
        for key, limit in (("full_name", 255), ("job_title", 255), ("phone", 40), ("party_card_number", 40)):
            if len(values[key]) > limit:
                problems.append(Problem(number, headers[key], _("Dài quá %(max)s ký tự.", max=limit)))
        if email and email not in seen_emails:
            seen_emails[email] = number
        if problems:
            plan.problems.extend(problems)
            continue
        plan.rows.append(PlannedRow(number, values["full_name"], email, org_id, orgs[org_id].name, position,
                                    values["job_title"], values["phone"], values["party_card_number"]))
    if plan.total_rows == 0:
        raise DomainError(_("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề."))
    _match_existing(course, plan)
    return plan


def _match_existing(course, plan: ImportPlan) -> None:
    """Fill user_id and already_enrolled from the database, in chunks (no query per row)."""
    by_email = {r.email: r for r in plan.rows}
    emails = list(by_email)
    users: dict[str, int] = {}
    for start in range(0, len(emails), CHUNK):
        users.update(db.session.execute(
            select(User.email, User.id).where(User.email.in_(emails[start:start + CHUNK]))).all())
    enrolled = set()
    if course is not None:
        enrolled = set(db.session.scalars(select(Enrollment.user_id).where(Enrollment.course_id == course.id)))
    for email, row in by_email.items():
        row.user_id = users.get(email)
        row.already_enrolled = row.user_id in enrolled


# ---------------------------------------------------------------- applying

@dataclass
class ImportResult:
    """What an import wrote: counts and the new accounts (for their set-password links)."""

    confirmed: int = 0
    waitlisted: int = 0
    unchanged: int = 0
    new_users: list[User] = field(default_factory=list)


def apply_import(actor, course_id: int, plan: ImportPlan) -> ImportResult:
    """Write a checked plan in one transaction: new accounts, then enrollments while seats last."""
    if plan.problems:
        raise DomainError(_("Tệp còn lỗi; hãy sửa rồi tải lên lại."))
    course = lock_course(course_id)
    if course is None:
        raise DomainError(_("Không tìm thấy lớp học."))
    _match_existing(course, plan)  # again, under the lock: someone may have registered meanwhile
    now = utcnow()
    new_rows = [r for r in plan.rows if r.user_id is None]
    if new_rows:
        db.session.execute(insert(User), [
            {"email": r.email, "full_name": r.full_name, "role": Role.PARTICIPANT, "organization_id": r.organization_id,
             "party_position": r.party_position, "job_title": r.job_title or None, "phone": r.phone or None,
             "party_card_number": r.party_card_number or None,
             "password_hash": None, "is_active_account": True, "created_at": now}
            for r in new_rows])
        _match_existing(course, plan)
    orgs = organizations_by_id()
    counts = seat_counts(course)
    result = ImportResult(unchanged=plan.unchanged)
    user_orgs = {}
    ids = [r.user_id for r in plan.rows if not r.already_enrolled]
    for start in range(0, len(ids), CHUNK):
        user_orgs.update(db.session.execute(
            select(User.id, User.organization_id).where(User.id.in_(ids[start:start + CHUNK]))).all())
    enrollments = []
    for row in plan.rows:
        if row.already_enrolled:
            continue
        org_id = grassroots_id(user_orgs.get(row.user_id), orgs)
        if counts.has_seat(org_id, use_quotas=False):
            status = EnrollmentStatus.CONFIRMED
            counts.take(org_id)
            result.confirmed += 1
        else:
            status = EnrollmentStatus.WAITLISTED
            result.waitlisted += 1
        enrollments.append({"user_id": row.user_id, "course_id": course.id, "status": status,
                            "source": EnrollmentSource.IMPORT, "quota_organization_id": org_id,
                            "requested_at": now, "decided_at": now, "updated_at": now})
    if not enrollments and not new_rows:
        db.session.rollback()  # the same file again: nothing to write, not even an audit line
        return result
    if enrollments:
        db.session.execute(insert(Enrollment), enrollments)
    record(actor, "enrollment.import", course, after={
        "rows": len(plan.rows), "new_accounts": len(new_rows), "confirmed": result.confirmed,
        "waitlisted": result.waitlisted, "unchanged": result.unchanged})
    db.session.commit()
    new_emails = [r.email for r in new_rows]
    for start in range(0, len(new_emails), CHUNK):
        result.new_users.extend(db.session.scalars(
            select(User).where(User.email.in_(new_emails[start:start + CHUNK]))))
    result.new_users.sort(key=lambda u: u.id)
    return result
