"""Logging in to the console (with lockout), changing one's password, enrolling TOTP.

Every function works in the caller's session and transaction and returns a typed
result; every login, failed login and change is audited in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.orm import Session

from bot.office import passwords, totp
from bot.office.accounts import (
    AccountView,
    ChangeResult,
    ChangeStatus,
    aware,
    find_account,
    view,
)
from bot.office.audit import AuditAction, office_actor, record
from bot.storage.models import CoordinatorAccount, utcnow

# Failed logins in a row that cost nothing; each further one locks the account for
# twice as long as the one before: 30 s, 1 min, 2 min … up to 15 min.
FREE_FAILURES = 5
FIRST_DELAY_SECONDS = 30
MAX_DELAY_SECONDS = 15 * 60


class LoginStatus(StrEnum):
    """The outcome of a login attempt."""

    OK = "ok"
    INVALID = "invalid"  # unknown name, wrong password or wrong code: the page says the same
    LOCKED = "locked"
    DISABLED = "disabled"
    # An unused one-time password past its days.
    PASSWORD_EXPIRED = "password_expired"  # noqa: S105 - an outcome
    TOTP_NEEDED = "totp_needed"  # password right: ask for the code (complete_login)


@dataclass(frozen=True)
class LoginResult:
    """A login attempt's outcome; ``account`` is set for OK and TOTP_NEEDED only."""

    status: LoginStatus
    account: AccountView | None = None
    retry_after_seconds: int = 0


def lockout_seconds(failures: int) -> int:
    """Return how long an account is locked after ``failures`` failed logins in a row."""
    if failures < FREE_FAILURES:
        return 0
    return int(min(FIRST_DELAY_SECONDS * 2 ** (failures - FREE_FAILURES), MAX_DELAY_SECONDS))


def _fail(
    session: Session, account: CoordinatorAccount, moment: datetime, reason: str
) -> LoginResult:
    account.failed_logins += 1
    delay = lockout_seconds(account.failed_logins)
    account.locked_until = moment + timedelta(seconds=delay) if delay else None
    record(
        session=session,
        actor=office_actor(account.name),
        action=AuditAction.LOGIN_FAILED,
        detail=reason,
    )
    return LoginResult(LoginStatus.INVALID)


def _succeed(
    session: Session, account: CoordinatorAccount, moment: datetime, detail: str
) -> LoginResult:
    account.failed_logins = 0
    account.locked_until = None
    account.last_login_at = moment
    record(
        session=session, actor=office_actor(account.name), action=AuditAction.LOGIN, detail=detail
    )
    return LoginResult(LoginStatus.OK, view(account))


def _refusal_before_password(
    session: Session, account: CoordinatorAccount, moment: datetime
) -> LoginResult | None:
    locked_until = aware(account.locked_until)
    if locked_until is not None and locked_until > moment:
        record(
            session=session,
            actor=office_actor(account.name),
            action=AuditAction.LOGIN_FAILED,
            detail="locked",
        )
        wait = (locked_until - moment).total_seconds()
        return LoginResult(LoginStatus.LOCKED, retry_after_seconds=max(1, int(wait + 0.999)))
    return None


def authenticate(
    *,
    session: Session,
    name: str,
    password: str,
    totp_code: str | None = None,
    now: datetime | None = None,
) -> LoginResult:
    """Check a login: name and password, and the TOTP code once the account has TOTP.

    Without a code for an account with TOTP the result is TOTP_NEEDED (nothing counted):
    ask for the code and call :func:`complete_login`, or call this again with it.
    An OK account may still have to change its password (``must_change_password``) or
    enrol TOTP (``must_enrol_totp``) before it may do anything else.
    """
    moment = now or utcnow()
    account = find_account(session=session, name=name)
    if account is None:
        # As slow as a known name; the typed name is not stored (it may be a password).
        passwords.verify_password(passwords.dummy_hash(), password)
        record(session=session, actor="", action=AuditAction.LOGIN_FAILED, detail="unknown_name")
        return LoginResult(LoginStatus.INVALID)
    refusal = _refusal_before_password(session, account, moment)
    if refusal is not None:
        return refusal
    if not passwords.verify_password(account.password_hash, password):
        return _fail(session, account, moment, "bad_password")
    if account.disabled_at is not None:
        record(
            session=session,
            actor=office_actor(account.name),
            action=AuditAction.LOGIN_FAILED,
            detail="disabled",
        )
        return LoginResult(LoginStatus.DISABLED)
    expires = aware(account.password_expires_at)
    if account.must_change_password and expires is not None and expires <= moment:
        record(
            session=session,
            actor=office_actor(account.name),
            action=AuditAction.LOGIN_FAILED,
            detail="one_time_password_expired",
        )
        return LoginResult(LoginStatus.PASSWORD_EXPIRED)
    if passwords.needs_rehash(account.password_hash):
        account.password_hash = passwords.hash_password(password)
    if account.totp_secret is None:
        return _succeed(session, account, moment, "password")
    if totp_code is None:
        return LoginResult(LoginStatus.TOTP_NEEDED, view(account))
    return complete_login(session=session, account_id=account.id, totp_code=totp_code, now=moment)


def complete_login(
    *, session: Session, account_id: int, totp_code: str, now: datetime | None = None
) -> LoginResult:
    """Second step after TOTP_NEEDED: check the code; a wrong one counts as a failed login."""
    moment = now or utcnow()
    account = session.get(CoordinatorAccount, account_id)
    if account is None or account.disabled_at is not None or account.totp_secret is None:
        return LoginResult(LoginStatus.INVALID)
    refusal = _refusal_before_password(session, account, moment)
    if refusal is not None:
        return refusal
    step = totp.matching_step(
        account.totp_secret, totp_code, now=moment, after_step=account.totp_last_step
    )
    if step is None:
        return _fail(session, account, moment, "bad_totp_code")
    account.totp_last_step = step
    return _succeed(session, account, moment, "password+totp")


def change_password(
    *,
    session: Session,
    account_id: int,
    current: str,
    new: str,
    now: datetime | None = None,
) -> ChangeResult:
    """Change one's own password (also the one-time password at first login)."""
    account = session.get(CoordinatorAccount, account_id)
    if account is None or account.disabled_at is not None:
        return ChangeResult(ChangeStatus.NOT_FOUND)
    if not passwords.verify_password(account.password_hash, current):
        return ChangeResult(ChangeStatus.WRONG_PASSWORD, view(account))
    problems = passwords.password_problems(new, name=account.name, current=current)
    if problems:
        return ChangeResult(ChangeStatus.POLICY, view(account), problems=problems)
    account.password_hash = passwords.hash_password(new)
    account.must_change_password = False
    account.password_expires_at = None
    account.password_changed_at = now or utcnow()
    record(
        session=session,
        actor=office_actor(account.name),
        action=AuditAction.PASSWORD_CHANGED,
        target_account=account.name,
    )
    return ChangeResult(ChangeStatus.OK, view(account))


def start_totp_enrolment(*, session: Session, account_id: int) -> ChangeResult:
    """Make a new secret for one's own account; it counts once confirmed with a code."""
    account = session.get(CoordinatorAccount, account_id)
    if account is None or account.disabled_at is not None:
        return ChangeResult(ChangeStatus.NOT_FOUND)
    secret = totp.new_secret()
    account.totp_pending_secret = secret
    enrolment = totp.enrolment(secret, account.name)
    return ChangeResult(ChangeStatus.OK, view(account), enrolment=enrolment)


def confirm_totp_enrolment(
    *, session: Session, account_id: int, totp_code: str, now: datetime | None = None
) -> ChangeResult:
    """Turn the second factor on once the app shows a right code for the new secret."""
    account = session.get(CoordinatorAccount, account_id)
    if account is None or account.disabled_at is not None:
        return ChangeResult(ChangeStatus.NOT_FOUND)
    if account.totp_pending_secret is None:
        return ChangeResult(ChangeStatus.NOT_ENROLLING, view(account))
    step = totp.matching_step(
        account.totp_pending_secret, totp_code, now=now or utcnow(), after_step=None
    )
    if step is None:
        return ChangeResult(ChangeStatus.WRONG_CODE, view(account))
    account.totp_secret = account.totp_pending_secret
    account.totp_pending_secret = None
    account.totp_last_step = step
    record(
        session=session,
        actor=office_actor(account.name),
        action=AuditAction.TOTP_ENROLLED,
        target_account=account.name,
    )
    return ChangeResult(ChangeStatus.OK, view(account))


def logout(*, session: Session, account_id: int) -> None:
    """Audit a logout (the console ends its own session); an unknown account is ignored."""
    account = session.get(CoordinatorAccount, account_id)
    if account is not None:
        record(session=session, actor=office_actor(account.name), action=AuditAction.LOGOUT)
