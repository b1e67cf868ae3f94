"""Handoffs, notifications, the dashboard and the console's event stream.

A handoff page shows only what the person wrote since the handoff and the office's
replies: no name, no channel id. A web chat's handoff is answered here (the reply is a
transcript row that the person's open page receives by its event stream); a Telegram
handoff is answered here too: the reply goes through the outbox, which the Telegram process
delivers (only it can send to Telegram) and announces in the group, so the group does not
answer the same question again. Each reply is stored and sent once.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from bot.channels.telegram.handoffs import CONSOLE_REPLY_GROUP
from bot.channels.web.chat import end_office_handoff, office_reply
from bot.i18n.languages import get_language
from bot.office import texts
from bot.office.accounts import aware
from bot.office.dashboard import CHARTS, _language_name, dashboard_charts
from bot.office.figures import Period
from bot.registrations import coordination as admin
from bot.storage import repository
from bot.storage.models import Handoff, OutboxMessage, WebMessage

from .base import account_of, flash, form_of, format_moment, office, page, render, see_other
from .registrations import _day
from .sessions import COOKIE_NAME

MAX_REPLY_CHARS = 2000
EVENT_SECONDS = 3.0
RECENT_NOTIFICATIONS = 50


def _channel(person_ref: str) -> str:
    if person_ref.startswith("web:"):
        return "web"
    if person_ref.startswith("telegram"):
        return "telegram"
    return "other"


def _language(context: Any, code: str) -> str:
    return _language_name(code, get_language(context.language).babel_locale)


@page()
async def handoff_list(request: Request) -> Response:
    """Show the open handoffs of every channel."""
    context = office(request)

    def read() -> list[dict[str, Any]]:
        with context.sessions() as db:
            rows = db.scalars(
                select(Handoff).where(Handoff.ended_at.is_(None)).order_by(Handoff.id)
            )
            return [
                {
                    "id": row.id,
                    "channel": _channel(row.person_ref),
                    "language": _language(context, row.language),
                    "started_at": row.started_at,
                }
                for row in rows
            ]

    return await render(request, "handoffs.html", {"handoffs": await asyncio.to_thread(read)})


def _handoff_view(context: Any, handoff_id: int) -> dict[str, Any] | None:
    with context.sessions() as db:
        handoff = db.get(Handoff, handoff_id)
        if handoff is None or handoff.ended_at is not None:
            return None
        messages: list[dict[str, Any]] = []
        if _channel(handoff.person_ref) in ("web", "telegram"):
            started = aware(handoff.started_at) or handoff.started_at
            rows = list(
                db.scalars(
                    select(WebMessage)
                    .where(WebMessage.sender_id == handoff.person_ref)
                    .order_by(WebMessage.id)
                )
            )
            # The question that led to the handoff was stored just before it opened.
            first = next(
                (i for i, r in enumerate(rows) if (aware(r.created_at) or started) >= started),
                len(rows),
            )
            # (Telegram records the question after the handoff opened.)
            web = _channel(handoff.person_ref) == "web"
            before = [r for r in rows[:first] if r.role == "user"][-1:] if web else []
            since = [r for r in rows[first:] if r.role in ("user", "office")]
            messages = [
                {"id": r.id, "role": r.role, "text": r.text, "at": r.created_at}
                for r in before + since
            ]
        return {
            "handoff": {
                "id": handoff.id,
                "channel": _channel(handoff.person_ref),
                "language": _language(context, handoff.language),
                "started_at": handoff.started_at,
            },
            "messages": messages,
        }


async def _handoff_page(
    request: Request, handoff_id: int, *, errors: list[dict[str, str]], status_code: int = 200
) -> Response:
    context = office(request)
    values = await asyncio.to_thread(_handoff_view, context, handoff_id)
    if values is None:
        return await render(
            request, "message.html", {"message": context.texts.handoff_gone}, status_code=404
        )
    values["errors"] = errors
    values["last_id"] = max((m["id"] for m in values["messages"]), default=0)
    return await render(request, "handoff.html", values, status_code=status_code)


@page()
async def handoff_events(request: Request) -> Response:
    """Stream a handoff's new messages to its open page (server-sent events).

    Ends when the handoff ends or is erased (an ``ended`` event) or the session does.
    """
    context = office(request)
    token = request.cookies.get(COOKIE_NAME)
    handoff_id = int(request.path_params["handoff_id"])
    try:
        after = int(request.headers.get("last-event-id") or request.query_params.get("after") or 0)
    except ValueError:
        after = 0

    async def stream() -> AsyncIterator[str]:
        last = after
        yield "retry: 3000\n\n"
        while context.store.peek(token):
            view = await asyncio.to_thread(_handoff_view, context, handoff_id)
            if view is None:
                yield "event: ended\ndata: {}\n\n"
                return
            for message in view["messages"]:
                if message["id"] <= last:
                    continue
                last = message["id"]
                who = (
                    context.texts.from_office
                    if message["role"] == "office"
                    else context.texts.from_person
                )
                data = {
                    "role": message["role"],
                    "text": message["text"],
                    "meta": f"{who}, {format_moment(context, message['at'])}",
                }
                shown = json.dumps(data, ensure_ascii=False)
                yield f"id: {last}\nevent: message\ndata: {shown}\n\n"
            await asyncio.sleep(EVENT_SECONDS)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@page()
async def handoff_detail(request: Request) -> Response:
    """Show one open handoff: the person's messages since, the office's replies."""
    return await _handoff_page(request, int(request.path_params["handoff_id"]), errors=[])


def reply_to_handoff(context: Any, handoff_id: int, text: str) -> None:
    """Answer an open handoff in its channel.

    A web chat gets a transcript row (its page shows it within a second); a Telegram user
    gets it through the outbox, which the Telegram process delivers (and tells the group).

    Raises:
        LookupError: If the handoff is not open (ended, erased, or never was).
    """
    with context.sessions() as db:
        handoff = db.get(Handoff, handoff_id)
        if handoff is None or handoff.ended_at is not None:
            raise LookupError(handoff_id)
        person_ref, language = handoff.person_ref, handoff.language
    if _channel(person_ref) == "web":
        office_reply(context.sessions, context.catalogs, handoff_id=handoff_id, text=text)
        if context.settings.coordinator_chat_id is not None:
            # The group sees the answer too (a reply to it reaches the page as well).
            note = context.catalogs.pgettext("de", *CONSOLE_REPLY_GROUP).format(
                reference=handoff_id, text=text
            )
            with context.sessions.begin() as db:
                repository.add_handoff_notice(session=db, person_ref=person_ref, text_de=note)
        return
    with context.sessions.begin() as db:
        repository.add_office_reply(session=db, person_ref=person_ref, text=text)
        # Shown on the console's page like a web chat's reply (erased with the person).
        repository.add_web_message(
            session=db, sender_id=person_ref, role="office", text=text, language=language
        )


def end_handoff(context: Any, handoff_id: int, actor: str) -> bool:
    """End a handoff; the person is told in their language (web: at once, Telegram: queued)."""
    with context.sessions() as db:
        handoff = db.get(Handoff, handoff_id)
        person_ref = handoff.person_ref if handoff else ""
    ended = end_office_handoff(
        context.sessions, context.catalogs, handoff_id=handoff_id, actor=actor
    )
    if ended and _channel(person_ref) == "telegram":
        with context.sessions.begin() as db:
            repository.add_office_reply(
                session=db, person_ref=person_ref, text="", topic=repository.OFFICE_END_TOPIC
            )
    return ended


@page()
async def handoff_reply(request: Request) -> Response:
    """Answer a web chat's handoff; the person's page shows it within a second."""
    context = office(request)
    handoff_id = int(request.path_params["handoff_id"])
    text = form_of(request).get("text", "").strip()[:MAX_REPLY_CHARS]
    if not text:
        errors = [{"field": "text", "message": context.texts.reply_empty}]
        return await _handoff_page(request, handoff_id, errors=errors, status_code=400)
    try:
        await asyncio.to_thread(reply_to_handoff, context, handoff_id, text)
    except LookupError:
        return await render(
            request, "message.html", {"message": context.texts.handoff_gone}, status_code=404
        )
    flash(request, context.texts.reply_sent)
    return see_other(f"/office/handoffs/{handoff_id}#reply")


@page()
async def handoff_end(request: Request) -> Response:
    """End a handoff: the assistant answers again (a web chat is told so)."""
    context = office(request)
    account = account_of(request)
    handoff_id = int(request.path_params["handoff_id"])
    ended = await asyncio.to_thread(end_handoff, context, handoff_id, account.actor)
    flash(request, context.texts.handoff_ended if ended else context.texts.handoff_gone)
    return see_other("/office/handoffs")


def _notifications(context: Any) -> list[dict[str, Any]]:
    with context.sessions() as db:
        rows = db.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.topic.not_in(repository.OFFICE_TOPICS))
            .order_by(OutboxMessage.id.desc())
            .limit(RECENT_NOTIFICATIONS)
        )
        return [
            {
                "id": row.id,
                "text": row.text,
                "at": row.created_at,
                "registration_id": row.registration_id,
                "new": row.sent_at is None,
            }
            for row in rows
        ]


@page()
async def notifications(request: Request) -> Response:
    """Show the latest notifications (the outbox), the undelivered ones marked new."""
    context = office(request)
    rows = await asyncio.to_thread(_notifications, context)
    return await render(
        request,
        "notifications.html",
        {
            "rows": rows,
            "group": context.settings.coordinator_chat_id is not None,
            "new_ids": ",".join(str(r["id"]) for r in rows if r["new"]),
        },
    )


@page()
async def notifications_read(request: Request) -> Response:
    """Mark the shown notifications delivered, as the Telegram group's delivery does.

    With a Telegram group configured the group delivers them (the outbox is one queue),
    so the console does not take them away from it.
    """
    context = office(request)
    if context.settings.coordinator_chat_id is None:
        ids = [int(part) for part in form_of(request).get("ids", "").split(",") if part.isdigit()]
        for message_id in ids[:RECENT_NOTIFICATIONS]:
            await asyncio.to_thread(admin.record_delivery, context.sessions, message_id, sent=True)
    flash(request, context.texts.marked_read)
    return see_other("/office/notifications")


def _period(request: Request) -> Period:
    return Period(
        start=_day(request.query_params.get("from")), end=_day(request.query_params.get("to"))
    )


@page()
async def dashboard(request: Request) -> Response:
    """Show the charts, each with its numbers as a table."""
    context = office(request)
    period = _period(request)

    def read() -> Any:
        with context.sessions() as db:
            return dashboard_charts(
                session=db, period=period, catalogs=context.catalogs, language=context.language
            )

    charts = await asyncio.to_thread(read)
    return await render(
        request,
        "dashboard.html",
        {
            "charts": [(key, charts[key]) for key in CHARTS],
            "period_from": period.start.isoformat() if period.start else "",
            "period_to": period.end.isoformat() if period.end else "",
            "count_heading": texts.tr(
                texts.CHART_COUNT_HEADING, catalogs=context.catalogs, language=context.language
            ),
        },
    )


@page()
async def chart_image(request: Request) -> Response:
    """Return one chart as an SVG file (for a report)."""
    context = office(request)
    key = request.path_params["key"]
    if key not in CHARTS:
        return Response(status_code=404)
    period = _period(request)

    def read() -> str:
        with context.sessions() as db:
            charts = dashboard_charts(
                session=db, period=period, catalogs=context.catalogs, language=context.language
            )
            return charts[key].svg

    svg = await asyncio.to_thread(read)
    return Response(svg, media_type="image/svg+xml")


def _counts(context: Any) -> dict[str, int]:
    with context.sessions() as db:
        pending = db.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.topic.not_in(repository.OFFICE_TOPICS),
            )
        )
        handoffs = db.scalar(select(func.count(Handoff.id)).where(Handoff.ended_at.is_(None)))
        return {"notifications": int(pending or 0), "handoffs": int(handoffs or 0)}


@page()
async def events(request: Request) -> Response:
    """Stream the counts of new notifications and open handoffs (server-sent events).

    The stream ends when the session does (logout, idle timeout).
    """
    context = office(request)
    token = request.cookies.get(COOKIE_NAME)

    async def stream() -> AsyncIterator[str]:
        yield "retry: 5000\n\n"
        last: dict[str, int] | None = None
        idle = timedelta(0)
        while context.store.peek(token):
            counts = await asyncio.to_thread(_counts, context)
            if counts != last:
                last = counts
                yield f"event: counts\ndata: {json.dumps(counts)}\n\n"
            else:
                idle += timedelta(seconds=EVENT_SECONDS)
                if idle >= timedelta(seconds=15):
                    idle = timedelta(0)
                    yield ": keep-alive\n\n"
            await asyncio.sleep(EVENT_SECONDS)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
