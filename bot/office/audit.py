"""The console's audit log: who logged in, changed an account, viewed or exported data.

It never holds the personal data itself: a registration appears only by its number, an
export by its filters (a name search only as "searched by name") and its row count. The
rows outlive erasure and the retention purge (see docs/decisions.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.models import AuditEvent

OFFICE_ACTOR_PREFIX = "office:"


class AuditAction(StrEnum):
    """What an audit row records."""

    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    ACCOUNT_CREATED = "account_created"
    ACCOUNT_DISABLED = "account_disabled"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - an action name
    PASSWORD_RESET = "password_reset"  # noqa: S105 - an action name
    TOTP_ENROLLED = "totp_enrolled"
    TOTP_RESET = "totp_reset"
    TOTP_REQUIRED = "totp_required"
    TOTP_NOT_REQUIRED = "totp_not_required"
    REGISTRATION_VIEWED = "registration_viewed"
    REGISTRATION_TAKEN_OVER = "registration_taken_over"
    STATUS_CHANGED = "status_changed"
    NOTE_ADDED = "note_added"
    EXPORT = "export"


def office_actor(account_name: str) -> str:
    """Return how a console account appears in the status history and the audit log."""
    return f"{OFFICE_ACTOR_PREFIX}{account_name}"


@dataclass(frozen=True)
class AuditEntry:
    """One audit row as the admins' page shows it."""

    id: int
    at: datetime
    actor: str
    action: str
    registration_id: int | None
    target_account: str | None
    detail: str | None
    filters: Mapping[str, Any] | None
    row_count: int | None


def record(
    *,
    session: Session,
    actor: str,
    action: AuditAction,
    registration_id: int | None = None,
    target_account: str | None = None,
    detail: str | None = None,
    filters: Mapping[str, Any] | None = None,
    row_count: int | None = None,
) -> AuditEvent:
    """Add an audit row in the caller's transaction (committed with what it records).

    Args:
        session: The caller's session.
        actor: Who acted (:func:`office_actor`, ``cli:<user>``), ``""`` for an unknown name.
        action: What happened.
        registration_id: The registration concerned, by number only.
        target_account: The account changed (account changes).
        detail: A short code, e.g. why a login failed (``bad_password``, ``locked``).
        filters: An export's or listing's filters, without personal data
            (see :func:`bot.office.inbox.audit_filters`).
        row_count: How many rows an export had.
    """
    event = AuditEvent(
        actor=actor,
        action=str(action),
        registration_id=registration_id,
        target_account=target_account,
        detail=detail,
        filters=dict(filters) if filters is not None else None,
        row_count=row_count,
    )
    session.add(event)
    return event


def audit_entries(
    *,
    session: Session,
    limit: int = 100,
    before_id: int | None = None,
    actor: str | None = None,
    registration_id: int | None = None,
) -> Sequence[AuditEntry]:
    """Return audit rows, newest first, one page at a time (``before_id``: the last shown)."""
    statement = select(AuditEvent)
    if before_id is not None:
        statement = statement.where(AuditEvent.id < before_id)
    if actor is not None:
        statement = statement.where(AuditEvent.actor == actor)
    if registration_id is not None:
        statement = statement.where(AuditEvent.registration_id == registration_id)
    events = session.scalars(statement.order_by(AuditEvent.id.desc()).limit(limit))
    return [
        AuditEntry(
            id=event.id,
            at=event.at,
            actor=event.actor,
            action=event.action,
            registration_id=event.registration_id,
            target_account=event.target_account,
            detail=event.detail,
            filters=event.filters,
            row_count=event.row_count,
        )
        for event in events
    ]
