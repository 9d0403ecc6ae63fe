"""An admin corrects an account: name, address, unit, party position, job title, phone.

A unit or position chosen wrongly at sign-up decides which courses a participant may register
for and whose quota their seat counts against, so only an admin changes them here (the role
and deactivation have their own buttons on the user list).
"""
from __future__ import annotations

from dataclasses import dataclass, fields

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from courses.addresses import is_valid_address
from courses.audit.services import changed, record, snapshot
from courses.auth.models import User
from courses.auth.profile import checked_details
from courses.auth.services import find_user_by_email, normalize_email
from courses.enums import PartyPosition
from courses.exceptions import DomainError
from courses.extensions import db
from courses.organizations.services import get_organization


@dataclass
class AccountData:
    """What the account form sends."""

    full_name: str
    email: str
    organization_id: int | None
    party_position: PartyPosition | None
    job_title: str | None = None
    phone: str | None = None

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(item.name for item in fields(cls))

    @classmethod
    def of(cls, user: User) -> AccountData:
        return cls(**{name: getattr(user, name) for name in cls.names()})


def _check(data: AccountData, user_id: int) -> AccountData:
    full_name, job_title, phone = checked_details(data.full_name, data.job_title, data.phone)
    email = normalize_email(data.email)
    if not is_valid_address(email):
        raise DomainError(_l("Địa chỉ email không hợp lệ."), field="email")
    owner = find_user_by_email(email)
    if owner is not None and owner.id != user_id:
        raise DomainError(_l("Email này đã được dùng cho một tài khoản khác."), field="email")
    if data.organization_id is not None and get_organization(data.organization_id) is None:
        raise DomainError(_l("Đơn vị không tồn tại."), field="organization_id")
    return AccountData(full_name=full_name, email=email, organization_id=data.organization_id,
                       party_position=data.party_position, job_title=job_title, phone=phone)


def update_account(actor: User, user: User, data: AccountData) -> bool:
    """Save the admin's corrections (audited, before and after); False when nothing changed."""
    data = _check(data, user.id)
    before = snapshot(user, AccountData.names())
    for name in AccountData.names():
        setattr(user, name, getattr(data, name))
    before, after = changed(before, snapshot(user, AccountData.names()))
    if not after:
        db.session.rollback()
        return False
    record(actor, "user.update", user, before=before, after=after)
    try:
        db.session.commit()
    except IntegrityError:  # the address was taken between the check and the save
        db.session.rollback()
        raise DomainError(_l("Email này đã được dùng cho một tài khoản khác."), field="email") from None
    return True
