"""Export of registrations for the coordinators (CSV for Excel, XLSX), with an audit record."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy.orm import Session, sessionmaker

from bot.core.safe_text import displayable
from bot.registrations.fields import DETAIL_KEYS
from bot.storage import repository
from bot.storage.models import Registration
from bot.storage.repository import RegistrationFilter

FORMATS = ("csv", "xlsx")
DETAIL_FIELDS = tuple(DETAIL_KEYS.values())
COLUMNS = (
    "id", "kind", "status", "created_at", "updated_at", "language", "source", "name",
    "contact_method", "phone", "email", "municipality", *DETAIL_FIELDS,
    "consent_notice_version", "consent_given_at",
)  # fmt: skip
# Spreadsheet programs run cells starting with these as formulas (OWASP: CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def cell_text(value: Any) -> str:
    """Return a value as the text of one cell, one line, without unsafe characters.

    Control and bidi-override characters become U+FFFD (see bot.core.safe_text): a single
    row must never break a file (XLSX cannot hold them) or disguise a value.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, list | tuple):
        value = ", ".join(str(item) for item in value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return displayable(str(value))


def looks_like_formula(text: str) -> bool:
    """Return whether a spreadsheet program would run this text as a formula."""
    return text.startswith(FORMULA_PREFIXES)


def safe_cell(value: Any) -> str:
    """Return a CSV cell that no spreadsheet program runs as a formula (prefixed ``'``).

    CSV has no types, so the apostrophe is the only way; XLSX writes typed text cells
    instead (see :func:`write_xlsx`).
    """
    text = cell_text(value)
    return "'" + text if looks_like_formula(text) else text


def registration_row(registration: Registration) -> list[str]:
    """Return one export row, in the order of :data:`COLUMNS`."""
    consent = registration.consent
    values: dict[str, Any] = {
        "id": registration.id,
        "kind": registration.kind,
        "status": registration.status,
        "created_at": registration.created_at,
        "updated_at": registration.updated_at,
        "language": registration.language,
        "source": registration.source,
        "name": registration.name,
        "contact_method": registration.contact_method,
        "phone": registration.phone,
        "email": registration.email,
        "municipality": registration.municipality,
        "consent_notice_version": consent.notice_version if consent else None,
        "consent_given_at": consent.given_at if consent else None,
    }
    values.update({key: registration.details.get(key) for key in DETAIL_FIELDS})
    return [cell_text(values[column]) for column in COLUMNS]


def _rows(session: Session, filters: RegistrationFilter) -> Iterator[list[str]]:
    registrations = repository.iter_registrations(session=session, filters=filters)
    for registration in registrations:
        yield registration_row(registration)


def batched_rows(
    sessions: sessionmaker[Session], filters: RegistrationFilter, *, batch_size: int = 1000
) -> Iterator[list[str]]:
    """Yield export rows of the registrations ``filters`` match, see :func:`rows_in_batches`."""

    def read_batch(session: Session, after_id: int, limit: int) -> Sequence[Registration]:
        return repository.registrations_after(
            session=session, filters=filters, after_id=after_id, limit=limit
        )

    return rows_in_batches(sessions, read_batch, batch_size=batch_size)


def rows_in_batches(
    sessions: sessionmaker[Session],
    read_batch: Callable[[Session, int, int], Sequence[Registration]],
    *,
    batch_size: int = 1000,
) -> Iterator[list[str]]:
    """Yield export rows, read in short transactions of ``batch_size`` registrations.

    Each batch is read and turned into rows in its own transaction, which is closed
    before the rows are handed on, so the file is written while no transaction is open.
    A long export then never holds a lock (SQLite) or an old snapshot (PostgreSQL) while
    the bot stores conversations. Rows are read in id order after the last one read, so
    a registration saved during the export is included once or not at all.

    Args:
        sessions: The session factory; one session per batch.
        read_batch: Reads up to ``limit`` registrations with ids above ``after_id``, in
            id order: ``read_batch(session, after_id, limit)``.
        batch_size: Registrations per transaction.
    """
    after_id = 0
    while True:
        with sessions() as session:
            batch = read_batch(session, after_id, batch_size)
            rows = [registration_row(registration) for registration in batch]
            if batch:
                after_id = batch[-1].id
        yield from rows
        if len(batch) < batch_size:
            return


def write_csv(rows: Iterable[list[str]], path: Path) -> int:
    """Write UTF-8 with BOM, which Excel opens with the right characters."""
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([safe_cell(value) for value in row])
            count += 1
    return count


def write_xlsx(rows: Iterable[list[str]], path: Path) -> int:
    """Write an XLSX file row by row (write-only mode keeps memory flat).

    Every cell is a typed text cell (an inline string): Excel shows it exactly as
    written, without the CSV's apostrophe, and never evaluates it, even if it starts
    with ``=``. Such cells also get Excel's own "quote prefix" style, so editing one
    keeps it text.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Anmeldungen")
    sheet.append([_text_cell(sheet, column) for column in COLUMNS])
    count = 0
    for row in rows:
        sheet.append([_text_cell(sheet, value) for value in row])
        count += 1
    workbook.save(path)
    return count


def _text_cell(sheet: WriteOnlyWorksheet, value: Any) -> Cell:
    text = cell_text(value)
    cell = WriteOnlyCell(sheet, value=text)
    # openpyxl stores a string starting with "=" as a formula; the type says otherwise.
    cell.data_type = "s"
    if looks_like_formula(text):
        cell.quotePrefix = True
    return cell


def export_registrations(
    *, session: Session, filters: RegistrationFilter, file_format: str, path: Path, actor: str
) -> int:
    """Write the matching registrations to ``path`` and record the export in the audit log.

    Returns:
        The number of rows written.
    """
    count = write_rows(_rows(session, filters), file_format=file_format, path=path)
    record_export(
        session=session, filters=filters, file_format=file_format, actor=actor, count=count
    )
    return count


def write_rows(rows: Iterable[list[str]], *, file_format: str, path: Path) -> int:
    """Write rows as CSV or XLSX; return how many were written."""
    if file_format not in FORMATS:
        raise ValueError(f"unknown format {file_format!r}")
    writer = write_csv if file_format == "csv" else write_xlsx
    return writer(rows, path)


def record_export(
    *, session: Session, filters: RegistrationFilter, file_format: str, actor: str, count: int
) -> None:
    """Write the audit record of an export (who, when, filters, row count; no data)."""
    audit_filters = {key: _jsonable(value) for key, value in asdict(filters).items() if value}
    repository.add_export_audit(
        session=session,
        actor=actor,
        file_format=file_format,
        filters=audit_filters,
        row_count=count,
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value
