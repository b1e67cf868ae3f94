"""Coordinator accounts: creation, one-time passwords, disabling, TOTP duty (admin side).

Logging in, changing one's password and enrolling TOTP are in bot/office/login.py.

Every function works in the caller's session and transaction (keyword-only ``session``)
and returns a typed result: a refusal (wrong password, locked, policy) is a normal
outcome, not an exception. Every login, failed login and account change is audited in
the same transaction (bot/office/audit.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.office import passwords, totp
from bot.office.audit import AuditAction, office_actor, record
from bot.storage.models import CoordinatorAccount, utcnow

ROLES = ("coordinator", "admin")
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
ONE_TIME_PASSWORD_DAYS = 7


class ChangeStatus(StrEnum):
    """The outcome of an account change."""

    OK = "ok"
    NOT_FOUND = "not_found"
    INVALID_NAME = "invalid_name"
    INVALID_ROLE = "invalid_role"
    NAME_TAKEN = "name_taken"
    WRONG_PASSWORD = "wrong_password"  # noqa: S105 - an outcome, not a password
    POLICY = "policy"
    WRONG_CODE = "wrong_code"
    NOT_ENROLLING = "not_enrolling"


@dataclass(frozen=True)
class AccountView:
    """An account as pages and commands show it (no hash, no secret)."""

    id: int
    name: str
    role: str
    disabled: bool
    must_change_password: bool
    totp_enabled: bool
    totp_required: bool
    created_at: datetime
    last_login_at: datetime | None

    @property
    def must_enrol_totp(self) -> bool:
        """Whether the account may do nothing but enrol TOTP (an admin requires it)."""
        return self.totp_required and not self.totp_enabled

    @property
    def actor(self) -> str:
        """How the account appears in the status history and the audit log."""
        return office_actor(self.name)


@dataclass(frozen=True)
class ChangeResult:
    """An account change's outcome.

    Attributes:
        status: What happened.
        account: The account after the change, if there is one.
        one_time_password: A new one-time password, to be shown once (add, reset).
        problems: Why a new password was refused (:class:`bot.office.passwords.PasswordProblem`).
        enrolment: The TOTP secret, URI and QR code (start_totp_enrolment).
    """

    status: ChangeStatus
    account: AccountView | None = None
    one_time_password: str | None = None
    problems: list[str] = field(default_factory=list)
    enrolment: totp.TotpEnrolment | None = None


def normalise_name(name: str) -> str:
    """Return an account name as stored: trimmed, lower case."""
    return name.strip().lower()


def aware(moment: datetime | None) -> datetime | None:
    """Return a stored time with its zone (SQLite returns stored UTC times without it)."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def view(account: CoordinatorAccount) -> AccountView:
    """Return the shown form of an account."""
    return AccountView(
        id=account.id,
        name=account.name,
        role=account.role,
        disabled=account.disabled_at is not None,
        must_change_password=account.must_change_password,
        totp_enabled=account.totp_secret is not None,
        totp_required=account.totp_required,
        created_at=account.created_at,
        last_login_at=account.last_login_at,
    )


def find_account(*, session: Session, name: str) -> CoordinatorAccount | None:
    """Return the account of this name (any case), if any."""
    statement = select(CoordinatorAccount).where(CoordinatorAccount.name == normalise_name(name))
    return session.scalars(statement).first()


def list_accounts(*, session: Session) -> list[AccountView]:
    """Return every account, by name."""
    accounts = session.scalars(select(CoordinatorAccount).order_by(CoordinatorAccount.name))
    return [view(account) for account in accounts]


def count_active_admins(*, session: Session) -> int:
    """Return how many admin accounts are not disabled."""
    statement = select(func.count(CoordinatorAccount.id)).where(
        CoordinatorAccount.role == "admin", CoordinatorAccount.disabled_at.is_(None)
    )
    return int(session.scalar(statement) or 0)


def _set_one_time_password(account: CoordinatorAccount, now: datetime) -> str:
    password = passwords.one_time_password()
    account.password_hash = passwords.hash_password(password)
    account.must_change_password = True
    account.password_expires_at = now + timedelta(days=ONE_TIME_PASSWORD_DAYS)
    account.password_changed_at = now
    account.failed_logins = 0
    account.locked_until = None
    return password


def create_account(
    *, session: Session, name: str, role: str, actor: str, now: datetime | None = None
) -> ChangeResult:
    """Create an account with a one-time password (returned once, stored only as a hash)."""
    name = normalise_name(name)
    if not NAME_PATTERN.fullmatch(name):
        return ChangeResult(ChangeStatus.INVALID_NAME)
    if role not in ROLES:
        return ChangeResult(ChangeStatus.INVALID_ROLE)
    if find_account(session=session, name=name) is not None:
        return ChangeResult(ChangeStatus.NAME_TAKEN)
    moment = now or utcnow()
    account = CoordinatorAccount(name=name, role=role, created_at=moment)
    password = _set_one_time_password(account, moment)
    session.add(account)
    session.flush()
    record(
        session=session,
        actor=actor,
        action=AuditAction.ACCOUNT_CREATED,
        target_account=name,
        detail=role,
    )
    return ChangeResult(ChangeStatus.OK, view(account), one_time_password=password)


def reset_password(
    *, session: Session, name: str, actor: str, now: datetime | None = None
) -> ChangeResult:
    """Give an account a new one-time password and lift its lockout (TOTP stays)."""
    account = find_account(session=session, name=name)
    if account is None:
        return ChangeResult(ChangeStatus.NOT_FOUND)
    password = _set_one_time_password(account, now or utcnow())
    record(
        session=session,
        actor=actor,
        action=AuditAction.PASSWORD_RESET,
        target_account=account.name,
    )
    return ChangeResult(ChangeStatus.OK, view(account), one_time_password=password)


def disable_account(
    *, session: Session, name: str, actor: str, now: datetime | None = None
) -> ChangeResult:
    """Disable an account: it cannot log in any more; its name stays in the history."""
    account = find_account(session=session, name=name)
    if account is None:
        return ChangeResult(ChangeStatus.NOT_FOUND)
    if account.disabled_at is None:
        account.disabled_at = now or utcnow()
        record(
            session=session,
            actor=actor,
            action=AuditAction.ACCOUNT_DISABLED,
            target_account=account.name,
        )
    return ChangeResult(ChangeStatus.OK, view(account))


def set_totp_required(*, session: Session, name: str, required: bool, actor: str) -> ChangeResult:
    """Make the second factor mandatory for an account (or optional again)."""
    account = find_account(session=session, name=name)
    if account is None:
        return ChangeResult(ChangeStatus.NOT_FOUND)
    if account.totp_required != required:
        account.totp_required = required
        action = AuditAction.TOTP_REQUIRED if required else AuditAction.TOTP_NOT_REQUIRED
        record(session=session, actor=actor, action=action, target_account=account.name)
    return ChangeResult(ChangeStatus.OK, view(account))


def reset_totp(*, session: Session, name: str, actor: str) -> ChangeResult:
    """Remove an account's second factor (a lost phone); it enrols again at the next login."""
    account = find_account(session=session, name=name)
    if account is None:
        return ChangeResult(ChangeStatus.NOT_FOUND)
    account.totp_secret = None
    account.totp_pending_secret = None
    account.totp_last_step = None
    record(
        session=session, actor=actor, action=AuditAction.TOTP_RESET, target_account=account.name
    )
    return ChangeResult(ChangeStatus.OK, view(account))
