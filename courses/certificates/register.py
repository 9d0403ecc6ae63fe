"""The issuance register (sổ cấp giấy chứng nhận): its rows, its two orders, its tables.

By default the register lists its numbers as they were issued; «Theo tên người được cấp»
(`?order=name`) lists the holders in the one Vietnamese order of lists of people (by given
name, courses.text.name_key). Number order stays the default because name order reads every
certificate's id and holder (no index can sort by given name), and the register has no filter
by default.
"""
from __future__ import annotations

from enum import StrEnum

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from courses.auth.models import User
from courses.certificates.lookups import status_text
from courses.certificates.models import Certificate
from courses.certificates.reports import ReportTable
from courses.enrollment.models import Enrollment
from courses.extensions import db
from courses.formatting import short_date
from courses.pagination import OrderedIdsPagination
from courses.text import name_key


class RegisterOrder(StrEnum):
    NUMBER = "number"
    NAME = "name"

    @property
    def label(self) -> str:
        return str(ORDER_LABELS[self])

    @property
    def query_value(self) -> str | None:
        """The value for `?order=` in links: none for the default, so its URLs stay as they were."""
        return None if self is RegisterOrder.NUMBER else self.value

    @classmethod
    def parse(cls, value: str | None) -> "RegisterOrder":
        """The order a query string asks for; anything else is the default, by number."""
        try:
            return cls(value or cls.NUMBER)
        except ValueError:
            return cls.NUMBER


ORDER_LABELS = {RegisterOrder.NUMBER: _l("Theo số"), RegisterOrder.NAME: _l("Theo tên người được cấp")}

# Shares of the landscape page's width: «STT» and the dates must not wrap, names may.
COLUMN_SHARES = [0.05, 0.14, 0.19, 0.28, 0.09, 0.13, 0.12]


# What a register row shows: the holder, the course, the certificate that replaced it.
_ROW_OPTIONS = (joinedload(Certificate.enrollment).joinedload(Enrollment.user),
                joinedload(Certificate.enrollment).joinedload(Enrollment.course),
                joinedload(Certificate.replaced_by))


def _filters(year: int | None, unit_code: str | None) -> list:
    filters = []
    if year:
        filters.append(Certificate.serial_year == year)
    if unit_code:
        filters.append(Certificate.issuing_unit_code == unit_code)
    return filters


_NUMBER_ORDER = (Certificate.issuing_unit_code, Certificate.serial_year, Certificate.serial_number)


def _by_number(year: int | None, unit_code: str | None):
    return select(Certificate.id).where(*_filters(year, unit_code)).order_by(*_NUMBER_ORDER)


def ordered_ids(year: int | None = None, unit_code: str | None = None,
                order: RegisterOrder = RegisterOrder.NUMBER) -> list[int]:
    """The ids of the register's certificates in the order asked for (one query)."""
    if order is RegisterOrder.NUMBER:
        return list(db.session.scalars(_by_number(year, unit_code)))
    rows = db.session.execute(
        select(Certificate.id, User.full_name, Certificate.issuing_unit_code, Certificate.serial_year,
               Certificate.serial_number)
        .join(Enrollment, Certificate.enrollment_id == Enrollment.id).join(User, Enrollment.user_id == User.id)
        .where(*_filters(year, unit_code))).all()
    # One holder's certificates (several courses) follow each other in number order.
    return [row.id for row in sorted(rows, key=lambda row: (name_key(row.full_name, 0), row.issuing_unit_code,
                                                            row.serial_year, row.serial_number))]


def load_certificates(ids: list[int]) -> list[Certificate]:
    """The certificates of ids with what a register row shows, in the order of ids."""
    if not ids:
        return []
    loaded = db.session.scalars(
        select(Certificate).where(Certificate.id.in_(ids))
        .options(*_ROW_OPTIONS)).unique().all()
    by_id = {certificate.id: certificate for certificate in loaded}
    return [by_id[i] for i in ids if i in by_id]


def register_page(year: int | None, order: RegisterOrder, page: int, per_page: int):
    """A page of the register: in number order one query and its count, as before; by name
    two queries (the sorted ids, then the page's certificates), whatever the register's size."""
    if order is RegisterOrder.NUMBER:
        statement = select(Certificate).where(*_filters(year, None)).options(*_ROW_OPTIONS).order_by(*_NUMBER_ORDER)
        return db.paginate(statement, page=page, per_page=per_page, error_out=False)
    return OrderedIdsPagination(ordered_ids(year, order=order), load_certificates, page, per_page)


def register_rows(year: int | None = None, unit_code: str | None = None,
                  order: RegisterOrder = RegisterOrder.NUMBER) -> list[Certificate]:
    """The whole register (for the PDF and XLSX exports)."""
    ids = ordered_ids(year, unit_code, order)
    # The id list of a large register is bound in slices, as SQLite limits a statement's parameters.
    return [c for start in range(0, len(ids), 500) for c in load_certificates(ids[start:start + 500])]


def register_years() -> list[int]:
    """The years that have certificates, newest first (the register's filter)."""
    return list(db.session.scalars(
        select(Certificate.serial_year).group_by(Certificate.serial_year).order_by(Certificate.serial_year.desc())
    ))


def register_tables(rows: list[Certificate]) -> list[ReportTable]:
    header = [_("STT"), _("Số"), _("Họ và tên"), _("Lớp"), _("Ngày cấp"), _("Trạng thái"), _("Ghi chú")]
    data = []
    for index, c in enumerate(rows, start=1):
        note = c.revoke_reason or c.manual_reason or ""
        course = c.enrollment.course
        data.append([index, c.serial, c.enrollment.user.full_name, f"{course.code} — {course.title}",
                     short_date(c.issued_at), status_text(c), note])
    return [ReportTable(_("Sổ cấp giấy chứng nhận"), header, data, column_shares=COLUMN_SHARES)]
