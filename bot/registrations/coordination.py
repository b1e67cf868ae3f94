"""Coordinators' functions (export, statistics, outbox, status, retention).

The command line (bot.cli.coordinators) and Telegram (bot.channels.telegram.coordinators)
call these same functions.
"""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from bot.nlg.district import District
from bot.registrations import coordinator_texts
from bot.registrations.export import batched_rows, record_export, write_rows
from bot.registrations.use_cases import PurgeResult, change_status, purge_expired
from bot.storage import repository
from bot.storage.models import OutboxMessage, utcnow
from bot.storage.repository import RegistrationFilter

STATS_COLUMNS = ("status", "kind", "municipality", "language")


def local_actor() -> str:
    """Return who runs a command on this machine, for the audit log."""
    return f"cli:{getpass.getuser()}"


def run_export(
    sessions: sessionmaker[Session],
    *,
    file_format: str,
    filters: RegistrationFilter,
    path: Path,
    actor: str,
) -> int:
    """Export registrations to ``path`` and audit it; return the row count.

    Rows are read in short transactions and the file is written outside any (see
    :func:`bot.registrations.export.batched_rows`), so a long export does not hold up the bot.
    """
    count = write_rows(batched_rows(sessions, filters), file_format=file_format, path=path)
    with sessions.begin() as session:
        record_export(
            session=session, filters=filters, file_format=file_format, actor=actor, count=count
        )
    return count


def stats(sessions: sessionmaker[Session]) -> dict[str, list[tuple[str, int]]]:
    """Return registration counts by status, kind, municipality and language."""
    with sessions() as session:
        return {
            column: repository.count_by(session=session, column=column) for column in STATS_COLUMNS
        }


def format_stats(counts: dict[str, list[tuple[str, int]]]) -> str:
    """Return the statistics as coordinators read them (German labels and values)."""
    return coordinator_texts.format_stats(counts)


@dataclass(frozen=True)
class Delivery:
    """One outbox message handed to a channel."""

    message_id: int
    created_at: datetime
    text: str
    registration_id: int | None = None
    topic: str = ""
    person_ref: str | None = None


async def deliver_outbox(
    sessions: sessionmaker[Session], send: Callable[[Delivery], Awaitable[bool]]
) -> int:
    """Hand pending notifications to ``send`` in order; mark those it confirms as sent.

    The one delivery loop of every channel. A message ``send`` does not confirm (returns
    False or raises) stays pending and ends this round: the channel is not reachable
    now, and the next call tries it again, so nothing is lost and nothing is sent twice
    once confirmed. The database work runs in a worker thread.

    Returns:
        The number of messages confirmed.
    """
    confirmed = 0
    for delivery in await asyncio.to_thread(pending_outbox, sessions):
        sent = False
        try:
            sent = await send(delivery)
        finally:
            await asyncio.to_thread(record_delivery, sessions, delivery.message_id, sent=sent)
        if not sent:
            break
        confirmed += 1
    return confirmed


def _delivery(message: OutboxMessage) -> Delivery:
    """Return the plain data of one outbox row."""
    return Delivery(
        message.id,
        message.created_at,
        message.text,
        message.registration_id,
        message.topic,
        message.person_ref,
    )


def pending_outbox(sessions: sessionmaker[Session]) -> list[Delivery]:
    """Return the pending notifications without marking them."""
    with sessions() as session:
        return [
            _delivery(message)
            for message in repository.pending_outbox(session=session, limit=1000)
        ]


def pending_office_replies(sessions: sessionmaker[Session]) -> list[Delivery]:
    """Return the console's replies to Telegram users that are not delivered yet."""
    with sessions() as session:
        return [
            _delivery(message) for message in repository.pending_office_replies(session=session)
        ]


def record_delivery(sessions: sessionmaker[Session], message_id: int, *, sent: bool) -> None:
    """Count a delivery attempt of one notification; mark it sent if it was confirmed.

    For channels that send asynchronously (Telegram): a confirmed message is not sent
    again; an unconfirmed one stays pending and is retried.
    """
    with sessions.begin() as session:
        message = session.get(OutboxMessage, message_id)
        if message is None:
            return
        message.attempts += 1
        if sent:
            message.sent_at = utcnow()


def set_status(
    sessions: sessionmaker[Session], *, registration_id: int, status: str, actor: str
) -> None:
    """Move a registration to ``status`` (see bot.registrations.workflow)."""
    with sessions.begin() as session:
        change_status(
            session=session, registration_id=registration_id, new_status=status, changed_by=actor
        )


def purge(sessions: sessionmaker[Session], district: District) -> PurgeResult:
    """Apply the retention periods of the district settings."""
    with sessions.begin() as session:
        return purge_expired(
            session=session,
            registration_days=district.registration_retention_days,
            conversation_days=district.chat_retention_days,
        )
