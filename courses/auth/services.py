"""Account rules: sign-up, authentication, password change, roles."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from courses.addresses import is_valid_address
from courses.audit.services import record
from courses.auth import sessions
from courses.auth.models import User
from courses.db_types import utcnow
from courses.enums import OrganizationKind, PartyPosition, Role
from courses.exceptions import DomainError
from courses.extensions import db
from courses.organizations.models import Organization

# Checked against when the email is unknown, so a failed log-in takes as long either way.
_DUMMY_HASH = "scrypt:32768:8:1$dummydummydummy$" + "0" * 128


def normalize_email(email: str) -> str:
    """Emails are compared and stored in lower case, without surrounding spaces."""
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    """The user with this email, whatever its case."""
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def register_participant(*, full_name: str, email: str, organization_id: int,
                         party_position: PartyPosition | str, job_title: str | None,
                         password: str) -> User:
    """Create a participant account; refuses a taken email or an unknown organization."""
    email = normalize_email(email)
    if not is_valid_address(email):
        raise DomainError(_l("Địa chỉ email không hợp lệ."), field="email")
    if find_user_by_email(email) is not None:
        raise DomainError(_l("Email này đã được dùng cho một tài khoản khác."), field="email")
    organization = db.session.get(Organization, organization_id)
    if organization is None or organization.kind == OrganizationKind.BLOC:
        raise DomainError(_l("Vui lòng chọn đảng bộ cơ sở hoặc chi bộ của bạn."), field="organization_id")
    user = User(
        full_name=full_name.strip(),
        email=email,
        role=Role.PARTICIPANT,
        organization=organization,
        party_position=PartyPosition(party_position),
        job_title=(job_title or "").strip() or None,
    )
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:
        # Two sign-ups with one email at the same moment: the database keeps one.
        db.session.rollback()
        raise DomainError(_l("Email này đã được dùng cho một tài khoản khác."), field="email") from None
    record(user, "user.register", user, after={"email": email})
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None; never says which part was wrong."""
    from werkzeug.security import check_password_hash

    user = find_user_by_email(email)
    if user is None or not user.password_hash:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not user.check_password(password or "") or not user.is_active:
        return None
    return user


def mark_logged_in(user: User) -> None:
    """Remember when the user last logged in."""
    user.last_login_at = utcnow()
    db.session.commit()


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change the user's password after checking the current one."""
    if not user.check_password(current_password):
        raise DomainError(_l("Mật khẩu hiện tại không đúng."), field="current_password")
    if current_password == new_password:
        raise DomainError(_l("Mật khẩu mới phải khác mật khẩu hiện tại."), field="new_password")
    user.set_password(new_password)
    # Whoever else holds a session or remember cookie of the account is logged out; the
    # browser making the change keeps its log-in (the view issues it the new version).
    sessions.end_sessions(user, keep_login_id=sessions.current_login_id(user))
    record(user, "user.change_password", user)
    db.session.commit()


def reset_password(user: User, new_password: str) -> None:
    """Set user's password through a set-password link: every session of the account ends."""
    user.set_password(new_password)
    sessions.end_sessions(user)
    record(user, "user.set_password", user)
    db.session.commit()


def end_every_session(user: User) -> None:
    """Log the account out everywhere, this browser included («Đăng xuất khỏi mọi thiết bị»)."""
    sessions.end_sessions(user)
    record(user, "user.logout_everywhere", user)
    db.session.commit()


def set_active(actor: User, user: User, active: bool) -> None:
    """Deactivate (every session of the account ends) or reactivate an account.

    An admin cannot deactivate their own account.
    """
    if user.is_active_account == active:
        return
    if not active and actor.id == user.id:
        raise DomainError(_l("Không thể tự khoá tài khoản của chính mình."))
    user.is_active_account = active
    if not active:
        sessions.end_sessions(user)
    record(actor, "user.activate" if active else "user.deactivate", user,
           before={"active": not active}, after={"active": active})
    db.session.commit()


def set_role(actor: User, user: User, role: Role | str) -> None:
    """Change a user's role; the last admin cannot be demoted."""
    role = Role(role)
    if user.role == role:
        return
    if user.role == Role.ADMIN:
        admins = db.session.scalar(select(func.count()).select_from(User).where(User.role == Role.ADMIN))
        if admins <= 1:
            raise DomainError(_l("Không thể đổi vai trò của quản trị viên cuối cùng."))
    before = {"role": user.role.value}
    user.role = role
    # Pages open in the account's other sessions were granted under the old role.
    sessions.end_sessions(user, keep_login_id=sessions.current_login_id(user))
    record(actor, "user.set_role", user, before=before, after={"role": role.value})
    db.session.commit()


def create_admin(email: str, full_name: str, password: str) -> User:
    """Create an admin account, or promote and reset the password of an existing one."""
    email = normalize_email(email)
    user = find_user_by_email(email)
    if user is None:
        user = User(email=email, full_name=full_name, role=Role.ADMIN)
        db.session.add(user)
    user.role = Role.ADMIN
    user.set_password(password)
    if user.id is not None:  # a new password: the old one's sessions end
        sessions.end_sessions(user)
    record(None, "user.create_admin", user, after={"email": email})
    db.session.commit()
    return user
