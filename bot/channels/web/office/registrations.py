"""The registrations inbox, the detail page with its actions, and the streamed exports."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from bot.i18n.languages import LANGUAGES, get_language
from bot.nlg.district import load_district
from bot.nlg.registration_texts import KIND_LABELS, STATUS_LABELS
from bot.office import export as office_export
from bot.office import texts, work
from bot.office.dashboard import _language_name
from bot.office.inbox import InboxFilter, InboxPage, inbox_page, status_counts
from bot.registrations.coordinator_texts import (
    OTHER_MUNICIPALITY,
    OTHER_MUNICIPALITY_LABEL,
    registration_texts,
)
from bot.registrations.export import COLUMNS, FORMATS, safe_cell, write_xlsx
from bot.registrations.fields import DETAIL_KEYS
from bot.registrations.workflow import STATUSES

from .base import OfficeContext, account_of, flash, form_of, office, page, render, see_other

FILTER_KEYS = ("kind", "status", "municipality", "language", "source", "from", "to", "name")
CHUNK_BYTES = 64 * 1024


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def parse_filters(params: Any) -> tuple[InboxFilter, dict[str, str], list[dict[str, str]]]:
    """Return the inbox's filters from the query, the values as typed, and date errors."""
    raw = {key: str(params.get(key) or "").strip()[:100] for key in FILTER_KEYS}
    errors = [
        {"field": key, "message": ""}
        for key in ("from", "to")
        if raw[key] and _day(raw[key]) is None
    ]
    filters = InboxFilter(
        kind=raw["kind"] if raw["kind"] in KIND_LABELS else None,
        status=raw["status"] if raw["status"] in STATUSES else None,
        municipality=raw["municipality"] or None,
        language=raw["language"] or None,
        source=raw["source"] or None,
        created_from=_day(raw["from"]),
        created_to=_day(raw["to"]),
        name=raw["name"] or None,
    )
    return filters, raw, errors


def _query(raw: dict[str, str], **extra: str) -> str:
    values = {key: value for key, value in {**raw, **extra}.items() if value}
    return urlencode(values)


def _labels(context: OfficeContext) -> dict[str, Any]:
    catalogs, language = context.catalogs, context.language
    district = load_district(context.settings.path(context.settings.district_file))
    other = texts.tr(OTHER_MUNICIPALITY_LABEL, catalogs=catalogs, language=language)
    locale = get_language(language).babel_locale
    return {
        "kinds": {key: catalogs.gettext(language, label) for key, label in KIND_LABELS.items()},
        "statuses": {
            key: catalogs.gettext(language, label) for key, label in STATUS_LABELS.items()
        },
        "municipalities": {
            **{name: name for name in district.municipalities},
            OTHER_MUNICIPALITY: other,
        },
        "languages": {item.code: _language_name(item.code, locale) for item in LANGUAGES},
    }


@page()
async def inbox(request: Request) -> Response:
    """Show the inbox: filters, counts per status, one page of registrations."""
    context = office(request)
    filters, raw, errors = parse_filters(request.query_params)
    for error in errors:
        error["message"] = context.texts.bad_date
    cursor = request.query_params.get("cursor") or None

    def read() -> InboxPage:
        with context.sessions() as db:
            return inbox_page(session=db, filters=filters, cursor=cursor)

    result = await asyncio.to_thread(read)
    return await render(
        request,
        "inbox.html",
        {
            "page": result,
            "raw": raw,
            "errors": errors,
            "labels": _labels(context),
            "status_keys": STATUSES,
            "query": _query(raw),
            "next_query": _query(raw, cursor=result.next_cursor or ""),
            "first_page": bool(cursor),
            "rows_text": context.texts.rows(result.total),
        },
        status_code=400 if errors else 200,
    )


def _detail_fields(registration: Any) -> list[tuple[str, str]]:
    """Return every given answer as label and value, as the form's summary shows them."""
    shown = registration_texts()
    answers: list[tuple[str, Any]] = [
        ("reg_name", registration.name),
        ("reg_contact_method", registration.contact_method),
        ("reg_phone", registration.phone),
        ("reg_email", registration.email),
        ("reg_municipality", registration.municipality),
    ]
    answers += [(slot, registration.details.get(key)) for slot, key in DETAIL_KEYS.items()]
    return [
        (shown.label(slot), shown.value(slot, value))
        for slot, value in answers
        if value not in (None, "", [])
    ]


async def _detail(request: Request, *, errors: list[dict[str, str]], status_code: int) -> Response:
    context = office(request)
    account = account_of(request)
    registration_id = int(request.path_params["registration_id"])

    def read() -> dict[str, Any] | None:
        with context.sessions.begin() as db:
            detail = work.view_registration(
                session=db, registration_id=registration_id, actor=account.actor
            )
            if detail is None:
                return None
            registration = detail.registration
            consent = registration.consent
            return {
                "registration": {
                    "id": registration.id,
                    "kind": registration.kind,
                    "status": registration.status,
                    "language": registration.language,
                    "source": registration.source or "",
                    "created_at": registration.created_at,
                    "assigned_to": registration.assigned_to,
                },
                "fields": _detail_fields(registration),
                "consent": (
                    {
                        "version": consent.notice_version,
                        "language": consent.language,
                        "given_at": consent.given_at,
                    }
                    if consent
                    else None
                ),
                "history": detail.history,
                "notes": detail.notes,
                "allowed": detail.allowed_statuses,
            }

    values = await asyncio.to_thread(read)
    if values is None:
        message = texts.work_message(
            work.WorkStatus.NOT_FOUND, catalogs=context.catalogs, language=context.language
        )
        return await render(request, "message.html", {"message": message}, status_code=404)
    values.update({"errors": errors, "labels": _labels(context), "me": account.actor})
    return await render(request, "detail.html", values, status_code=status_code)


@page()
async def detail(request: Request) -> Response:
    """Show one registration (audited as a view of personal data)."""
    return await _detail(request, errors=[], status_code=200)


@page()
async def detail_action(request: Request) -> Response:
    """Take over, change the status or add a note; then show the page again."""
    context = office(request)
    account = account_of(request)
    form = form_of(request)
    registration_id = int(request.path_params["registration_id"])
    action = form.get("action", "")

    def act() -> work.WorkResult:
        with context.sessions.begin() as db:
            if action == "take_over":
                return work.take_over(
                    session=db, registration_id=registration_id, actor=account.actor
                )
            if action == "status":
                return work.set_status(
                    session=db,
                    registration_id=registration_id,
                    new_status=form.get("status", ""),
                    actor=account.actor,
                )
            return work.add_note(
                session=db,
                registration_id=registration_id,
                author=account.actor,
                text=form.get("note", ""),
            )

    result = await asyncio.to_thread(act)
    if result.status == work.WorkStatus.OK:
        done = {
            "take_over": context.texts.taken_over,
            "status": context.texts.status_changed,
        }.get(action, context.texts.note_saved)
        flash(request, done)
        anchor = "#notes" if action == "note" else "#work"
        return see_other(f"/office/registrations/{registration_id}{anchor}")
    message = texts.work_message(
        result.status, catalogs=context.catalogs, language=context.language
    )
    if result.status == work.WorkStatus.NOT_FOUND:
        return await render(request, "message.html", {"message": message}, status_code=404)
    field = "note" if action == "note" else "status"
    return await _detail(request, errors=[{"field": field, "message": message}], status_code=400)


def _csv_chunks(rows: Iterator[list[str]]) -> Iterator[bytes]:
    """Yield the CSV file in chunks: UTF-8 with BOM, ';', formula-safe cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    buffer.write("\ufeff")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
        if buffer.tell() >= CHUNK_BYTES:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _xlsx_chunks(rows: Iterator[list[str]]) -> Iterator[bytes]:
    """Write the XLSX in write-only mode to a private temporary file, then stream it."""
    descriptor, name = tempfile.mkstemp(suffix=".xlsx")
    os.close(descriptor)
    try:
        write_xlsx(rows, Path(name))
        with open(name, "rb") as handle:
            while chunk := handle.read(CHUNK_BYTES):
                yield chunk
    finally:
        os.unlink(name)


@page()
async def export(request: Request) -> Response:
    """Download the registrations of the current filters, streamed; audited when complete."""
    context = office(request)
    account = account_of(request)
    file_format = request.path_params["file_format"]
    if file_format not in FORMATS:
        return Response(status_code=404)
    filters, _raw, _errors = parse_filters(request.query_params)
    rows = office_export.inbox_rows(context.sessions, filters)
    chunks = _csv_chunks(rows) if file_format == "csv" else _xlsx_chunks(rows)

    def audit() -> None:
        # Audited before the first byte, with the number of rows the filters match: a
        # download the browser breaks off is still recorded.
        with context.sessions.begin() as db:
            counts = status_counts(session=db, filters=filters)
            total = counts.get(filters.status, 0) if filters.status else sum(counts.values())
            office_export.record_export(
                session=db,
                actor=account.actor,
                filters=filters,
                file_format=file_format,
                row_count=total,
            )

    await asyncio.to_thread(audit)

    async def stream() -> AsyncIterator[bytes]:
        iterator = iter(chunks)
        while True:
            chunk = await asyncio.to_thread(next, iterator, None)
            if chunk is None:
                return
            yield chunk

    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    media = (
        "text/csv; charset=utf-8"
        if file_format == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return StreamingResponse(
        stream(),
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="anmeldungen-{stamp}.{file_format}"',
            "Cache-Control": "no-store",
        },
    )
