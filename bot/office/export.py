"""Exports from the console: the inbox's filters, the command line's formula-safe writer.

The console's download route reads rows with :func:`inbox_rows` (short transactions,
see :func:`bot.registrations.export.rows_in_batches`), writes them with
:func:`bot.registrations.export.write_rows` (CSV with BOM or XLSX) and records the
export with :func:`record_export`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, sessionmaker

from bot.office.audit import AuditAction, record
from bot.office.inbox import InboxFilter, apply_filters, audit_filters
from bot.registrations.export import FORMATS, rows_in_batches
from bot.storage.models import AuditEvent, Registration


def inbox_rows(
    sessions: sessionmaker[Session], filters: InboxFilter, *, batch_size: int = 1000
) -> Iterator[list[str]]:
    """Yield export rows of the registrations the inbox's filters match, in id order.

    Each batch is read in its own short transaction, closed before its rows are handed
    on, so a long download never holds the database up; memory stays at one batch.
    """

    def read_batch(session: Session, after_id: int, limit: int) -> Sequence[Registration]:
        statement = (
            apply_filters(select(Registration), filters)
            .where(Registration.id > after_id)
            .options(joinedload(Registration.consent))
            .order_by(Registration.id)
            .limit(limit)
        )
        return session.scalars(statement).unique().all()

    return rows_in_batches(sessions, read_batch, batch_size=batch_size)


def record_export(
    *, session: Session, actor: str, filters: InboxFilter, file_format: str, row_count: int
) -> AuditEvent:
    """Audit a console export: who, when, which filters (a name search only as a flag), rows."""
    if file_format not in FORMATS:
        raise ValueError(f"unknown format {file_format!r}")
    return record(
        session=session,
        actor=actor,
        action=AuditAction.EXPORT,
        detail=file_format,
        filters=audit_filters(filters),
        row_count=row_count,
    )
