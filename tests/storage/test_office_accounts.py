"""Console accounts (issue 13): one-time password, lockout in the database, TOTP, audit."""

from __future__ import annotations

from datetime import timedelta

import pyotp
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.office import accounts, login
from bot.office.accounts import ChangeStatus
from bot.office.audit import AuditAction, audit_entries
from bot.office.login import LoginStatus
from bot.office.passwords import PasswordProblem
from bot.storage.models import AuditEvent, CoordinatorAccount, utcnow

NOW = utcnow()
NEW_PASSWORD = "Sonnenblume-im-Garten-42"


def create(session: Session, name: str = "anna", role: str = "coordinator") -> str:
    result = accounts.create_account(session=session, name=name, role=role, actor="cli:root")
    assert result.status is ChangeStatus.OK and result.one_time_password
    session.commit()
    return result.one_time_password


def attempt(session: Session, password: str, *, at_seconds: float = 0, name: str = "anna"):  # type: ignore[no-untyped-def]
    result = login.authenticate(
        session=session, name=name, password=password, now=NOW + timedelta(seconds=at_seconds)
    )
    session.commit()
    return result


def test_a_new_account_logs_in_with_its_one_time_password_and_must_change_it(
    session: Session,
) -> None:
    password = create(session, name="Anna.Berg")
    stored = session.scalars(select(CoordinatorAccount)).one()
    assert stored.name == "anna.berg" and password not in stored.password_hash
    assert stored.password_hash.startswith("$argon2id$")

    result = attempt(session, password, name="ANNA.berg")

    assert result.status is LoginStatus.OK and result.account is not None
    assert result.account.must_change_password
    assert result.account.actor == "office:anna.berg"
    login.logout(session=session, account_id=result.account.id)
    login.logout(session=session, account_id=999)
    session.commit()
    latest = audit_entries(session=session, limit=2)
    assert [(e.actor, e.action) for e in latest] == [
        ("office:anna.berg", AuditAction.LOGOUT),
        ("office:anna.berg", AuditAction.LOGIN),
    ]


def test_names_roles_and_duplicates_are_refused(session: Session) -> None:
    create(session)
    refused = [
        accounts.create_account(session=session, name=name, role=role, actor="cli:root").status
        for name, role in (("anna", "admin"), ("a b", "admin"), ("x", "admin"), ("bob", "boss"))
    ]
    assert refused == [
        ChangeStatus.NAME_TAKEN,
        ChangeStatus.INVALID_NAME,
        ChangeStatus.INVALID_NAME,
        ChangeStatus.INVALID_ROLE,
    ]


def test_the_sixth_wrong_password_in_a_row_is_delayed_and_the_delay_grows(
    session: Session, engine: Engine
) -> None:
    password = create(session)
    for _ in range(5):
        assert attempt(session, "wrong").status is LoginStatus.INVALID
    # The lockout is in the database: a fresh session (another worker) sees it.
    with Session(engine) as other:
        sixth = login.authenticate(session=other, name="anna", password=password, now=NOW)
        other.commit()
    assert sixth.status is LoginStatus.LOCKED and sixth.retry_after_seconds == 30
    assert attempt(session, "wrong", at_seconds=31).status is LoginStatus.INVALID
    locked = attempt(session, password, at_seconds=32)
    assert locked.status is LoginStatus.LOCKED and 55 <= locked.retry_after_seconds <= 60
    assert attempt(session, password, at_seconds=92).status is LoginStatus.OK
    stored = session.scalars(select(CoordinatorAccount)).one()
    assert stored.failed_logins == 0 and stored.locked_until is None


def test_lockout_delays_double_up_to_fifteen_minutes() -> None:
    delays = [login.lockout_seconds(failures) for failures in range(1, 13)]
    assert delays == [0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900, 900]


def test_an_unknown_name_is_refused_like_a_wrong_password_and_not_stored(
    session: Session,
) -> None:
    create(session)
    result = attempt(session, "whatever", name="my-secret-password")
    assert result.status is LoginStatus.INVALID
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event is not None and event.action == AuditAction.LOGIN_FAILED
    assert event.actor == "" and event.detail == "unknown_name"
    assert "my-secret-password" not in repr(
        [(e.actor, e.detail, e.target_account) for e in session.scalars(select(AuditEvent))]
    )


def test_a_disabled_account_and_an_expired_one_time_password_cannot_log_in(
    session: Session,
) -> None:
    password = create(session)
    assert attempt(session, password, at_seconds=8 * 86400).status is LoginStatus.PASSWORD_EXPIRED
    accounts.disable_account(session=session, name="anna", actor="cli:root")
    session.commit()
    assert attempt(session, password).status is LoginStatus.DISABLED
    assert attempt(session, "wrong").status is LoginStatus.INVALID


def test_a_password_change_follows_the_policy_and_ends_the_one_time_password(
    session: Session,
) -> None:
    password = create(session)
    account_id = session.scalars(select(CoordinatorAccount.id)).one()

    def change(current: str, new: str) -> accounts.ChangeResult:
        return login.change_password(
            session=session, account_id=account_id, current=current, new=new
        )

    assert change("wrong", NEW_PASSWORD).status is ChangeStatus.WRONG_PASSWORD
    short = change(password, "kurz")
    assert short.status is ChangeStatus.POLICY and short.problems == [PasswordProblem.TOO_SHORT]
    assert change(password, "xx-Anna-xx-long").problems == [PasswordProblem.CONTAINS_NAME]
    assert change(password, password).problems == [PasswordProblem.SAME_AS_CURRENT]
    assert change(password, NEW_PASSWORD).status is ChangeStatus.OK
    session.commit()

    assert attempt(session, password).status is LoginStatus.INVALID
    result = attempt(session, NEW_PASSWORD, at_seconds=30 * 86400)
    assert result.status is LoginStatus.OK and result.account is not None
    assert not result.account.must_change_password


def test_totp_enrolment_then_login_needs_a_fresh_code(session: Session) -> None:
    password = create(session)
    account_id = session.scalars(select(CoordinatorAccount.id)).one()
    started = login.start_totp_enrolment(session=session, account_id=account_id)
    assert started.enrolment is not None
    assert started.enrolment.uri.startswith("otpauth://totp/Patenbot:anna?secret=")
    assert started.enrolment.qr_svg.startswith("<svg") and "<path" in started.enrolment.qr_svg
    app = pyotp.TOTP(started.enrolment.secret)
    wrong = login.confirm_totp_enrolment(
        session=session, account_id=account_id, totp_code="000000", now=NOW
    )
    assert wrong.status is ChangeStatus.WRONG_CODE
    confirmed = login.confirm_totp_enrolment(
        session=session, account_id=account_id, totp_code=app.at(NOW), now=NOW
    )
    assert confirmed.status is ChangeStatus.OK and confirmed.account is not None
    assert confirmed.account.totp_enabled
    session.commit()

    later = NOW + timedelta(seconds=90)
    first = attempt(session, password, at_seconds=90)
    assert first.status is LoginStatus.TOTP_NEEDED and first.account is not None
    code = app.at(later)
    done = login.complete_login(session=session, account_id=account_id, totp_code=code, now=later)
    assert done.status is LoginStatus.OK
    # The same code again (replay) is refused and counts as a failure.
    again = login.complete_login(session=session, account_id=account_id, totp_code=code, now=later)
    assert again.status is LoginStatus.INVALID
    session.commit()
    assert session.scalars(select(CoordinatorAccount.failed_logins)).one() == 1
    next_step = later + timedelta(seconds=30)
    one_step = login.authenticate(
        session=session, name="anna", password=password, totp_code=app.at(next_step), now=next_step
    )
    assert one_step.status is LoginStatus.OK


def test_an_admin_can_make_totp_mandatory_and_reset_it(session: Session) -> None:
    password = create(session)
    result = accounts.set_totp_required(session=session, name="anna", required=True, actor="x")
    assert result.account is not None and result.account.must_enrol_totp
    session.commit()
    logged_in = attempt(session, password)
    assert logged_in.account is not None and logged_in.account.must_enrol_totp
    assert (
        accounts.reset_totp(session=session, name="nobody", actor="x").status
        is ChangeStatus.NOT_FOUND
    )


def test_reset_password_lifts_a_lockout_and_every_change_is_audited(session: Session) -> None:
    create(session)
    for _ in range(6):
        attempt(session, "wrong")
    reset = accounts.reset_password(session=session, name="anna", actor="cli:root")
    session.commit()
    assert reset.one_time_password is not None
    assert attempt(session, reset.one_time_password).status is LoginStatus.OK
    actions = [entry.action for entry in reversed(audit_entries(session=session))]
    assert actions == [
        AuditAction.ACCOUNT_CREATED,
        *[AuditAction.LOGIN_FAILED] * 6,
        AuditAction.PASSWORD_RESET,
        AuditAction.LOGIN,
    ]
    assert accounts.count_active_admins(session=session) == 0
