"""The registrations inbox: filters, search by name, counts per status, newest first.

Pages are read by keyset ("seek") pagination on (created_at, id), newest first: the
100,000th row costs what the first does (indexes in migration 0004). A page costs two
queries: the rows and the counts per status.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, literal, select, tuple_
from sqlalchemy.orm import Session

from bot.registrations.workflow import STATUSES
from bot.storage.models import Registration

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class InboxFilter:
    """The inbox's filters; ``None`` means any. Dates are whole days (UTC), both included."""

    kind: str | None = None
    status: str | None = None
    municipality: str | None = None
    language: str | None = None
    source: str | None = None
    created_from: date | None = None
    created_to: date | None = None
    name: str | None = None


@dataclass(frozen=True)
class InboxRow:
    """One line of the inbox (the fields a list shows; the rest is on the detail page)."""

    id: int
    kind: str
    status: str
    name: str
    municipality: str
    language: str
    source: str | None
    created_at: datetime
    assigned_to: str | None


@dataclass(frozen=True)
class InboxPage:
    """One page of the inbox.

    Attributes:
        rows: The registrations, newest first.
        next_cursor: Pass it as ``cursor`` for the next page; None on the last page.
        counts: Registrations per status under every filter but the status one (every
            status is a key, also with 0), so the status tabs show what each holds.
        total: How many match all filters.
    """

    rows: list[InboxRow]
    next_cursor: str | None
    counts: Mapping[str, int] = field(default_factory=dict)
    total: int = 0


def audit_filters(filters: InboxFilter) -> dict[str, Any]:
    """Return the filters as the audit log keeps them: a name search only as a flag.

    A searched name is personal data and must not outlive an erasure in the audit log.
    """
    kept: dict[str, Any] = {
        key: value.isoformat() if isinstance(value, date) else value
        for key, value in (
            ("kind", filters.kind),
            ("status", filters.status),
            ("municipality", filters.municipality),
            ("language", filters.language),
            ("source", filters.source),
            ("created_from", filters.created_from),
            ("created_to", filters.created_to),
        )
        if value is not None
    }
    if filters.name:
        kept["name_search"] = True
    return kept


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def apply_filters(
    statement: Select[Any], filters: InboxFilter, *, with_status: bool = True
) -> Select[Any]:
    """Add the filters' conditions to a statement on ``registrations``."""
    equal = (
        (Registration.kind, filters.kind),
        (Registration.status, filters.status if with_status else None),
        (Registration.municipality, filters.municipality),
        (Registration.language, filters.language),
        (Registration.source, filters.source),
    )
    for column, value in equal:
        if value is not None:
            statement = statement.where(column == value)
    if filters.created_from is not None:
        statement = statement.where(Registration.created_at >= _start_of(filters.created_from))
    if filters.created_to is not None:
        end = _start_of(filters.created_to + timedelta(days=1))
        statement = statement.where(Registration.created_at < end)
    if filters.name and filters.name.strip():
        # ILIKE: case-insensitive in every script on PostgreSQL, ASCII only on SQLite.
        pattern = _like_pattern(filters.name.strip())
        statement = statement.where(Registration.name.ilike(pattern, escape="\\"))
    return statement


def encode_cursor(created_at: datetime, registration_id: int) -> str:
    """Return an opaque cursor for the row after which the next page starts."""
    raw = f"{created_at.replace(tzinfo=None).isoformat()}|{registration_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    """Return the (created_at, id) of a cursor, or None if it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, _, number = raw.partition("|")
        return datetime.fromisoformat(moment).replace(tzinfo=UTC), int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def status_counts(*, session: Session, filters: InboxFilter) -> dict[str, int]:
    """Return registrations per status under every filter but the status one."""
    statement = apply_filters(
        select(Registration.status, func.count(Registration.id)), filters, with_status=False
    ).group_by(Registration.status)
    counts = dict.fromkeys(STATUSES, 0)
    for status, count in session.execute(statement):
        counts[str(status)] = int(count)
    return counts


def inbox_page(
    *,
    session: Session,
    filters: InboxFilter,
    cursor: str | None = None,
    page_size: int = PAGE_SIZE,
) -> InboxPage:
    """Return one page of the inbox, newest first, with the counts per status.

    An unknown or forged cursor gives the first page.
    """
    size = max(1, min(page_size, MAX_PAGE_SIZE))
    statement = apply_filters(select(Registration), filters)
    position = decode_cursor(cursor) if cursor else None
    if position is not None:
        moment, registration_id = position
        after = tuple_(
            literal(moment, Registration.created_at.type),
            literal(registration_id, Registration.id.type),
        )
        statement = statement.where(tuple_(Registration.created_at, Registration.id) < after)
    statement = statement.order_by(Registration.created_at.desc(), Registration.id.desc())
    found = list(session.scalars(statement.limit(size + 1)))
    rows = [
        InboxRow(
            id=registration.id,
            kind=registration.kind,
            status=registration.status,
            name=registration.name,
            municipality=registration.municipality,
            language=registration.language,
            source=registration.source,
            created_at=registration.created_at,
            assigned_to=registration.assigned_to,
        )
        for registration in found[:size]
    ]
    next_cursor = None
    if len(found) > size:
        last = found[size - 1]
        next_cursor = encode_cursor(last.created_at, last.id)
    counts = status_counts(session=session, filters=filters)
    total = counts.get(filters.status, 0) if filters.status else sum(counts.values())
    return InboxPage(rows=rows, next_cursor=next_cursor, counts=counts, total=total)
