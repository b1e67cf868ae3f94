"""Exports from the console: the inbox's filters, the command line's formula-safe writer.

The console's download route reads rows with :func:`inbox_rows` (short transactions,
see :func:`bot.export.batched_rows`), writes them with :func:`bot.export.write_rows`
(CSV with BOM or XLSX) and records the export with :func:`record_export`.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, sessionmaker

from bot.office.audit import AuditAction, record
from bot.office.inbox import InboxFilter, apply_filters, audit_filters
from bot.registrations.export import FORMATS, registration_row
from bot.storage.models import AuditEvent, Registration


def inbox_rows(
    sessions: sessionmaker[Session], filters: InboxFilter, *, batch_size: int = 1000
) -> Iterator[list[str]]:
    """Yield export rows of the registrations the inbox's filters match, in id order.

    Each batch is read in its own short transaction, closed before its rows are handed
    on, so a long download never holds the database up; memory stays at one batch.
    """
    after_id = 0
    while True:
        with sessions() as session:
            statement = (
                apply_filters(select(Registration), filters)
                .where(Registration.id > after_id)
                .options(joinedload(Registration.consent))
                .order_by(Registration.id)
                .limit(batch_size)
            )
            batch = session.scalars(statement).unique().all()
            rows = [registration_row(registration) for registration in batch]
            if batch:
                after_id = batch[-1].id
        yield from rows
        if len(batch) < batch_size:
            return


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
