"""Repository functions for the state between turns: language, source, counters, buttons.

Like bot/storage/repository.py, every function takes the caller's session and never
commits. Writes are single statements (an upsert, an insert that may find the row
there), so two front-end workers writing the same conversation do not collide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.storage.models import ConversationState, IssuedButton, ReceivedUpdate, utcnow

MAX_ISSUED_BUTTONS = 64
"""How many issued buttons are kept per conversation (older ones expire)."""


@dataclass(frozen=True)
class StoredState:
    """A conversation's state between turns."""

    language: str | None
    language_explicit: bool
    source: str | None
    unsure_turns: int


def _upsert(session: Session, values: dict[str, Any], changes: dict[str, Any]) -> None:
    """Insert the conversation's row, or apply ``changes`` to the one already there."""
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(ConversationState)
    statement = insert.values(
        **{"language_explicit": False, "unsure_turns": 0, "updated_at": utcnow(), **values}
    ).on_conflict_do_update(
        index_elements=[ConversationState.sender_id], set_={**changes, "updated_at": utcnow()}
    )
    session.execute(statement)


def get_state(*, session: Session, sender_id: str) -> StoredState | None:
    """Return the conversation's stored state, if there is one."""
    row = session.get(ConversationState, sender_id)
    if row is None:
        return None
    return StoredState(row.language, row.language_explicit, row.source, row.unsure_turns)


def save_language(
    *, session: Session, sender_id: str, language: str, explicit: bool, source: str | None
) -> None:
    """Store the conversation's language (and the source of its link, if it has one)."""
    values: dict[str, Any] = {"language": language, "language_explicit": explicit}
    if source is not None:
        values["source"] = source
    _upsert(session, {"sender_id": sender_id, **values}, values)


def save_source(*, session: Session, sender_id: str, source: str) -> None:
    """Store where the conversation came from (a flyer's link)."""
    _upsert(session, {"sender_id": sender_id, "source": source}, {"source": source})


def count_unsure(*, session: Session, sender_id: str, unsure: bool) -> int:
    """Count an "I am not sure" turn (or reset the count after a sure one); return it."""
    if not unsure:
        _upsert(session, {"sender_id": sender_id}, {"unsure_turns": 0})
        return 0
    _upsert(
        session,
        {"sender_id": sender_id, "unsure_turns": 1},
        {"unsure_turns": ConversationState.unsure_turns + 1},
    )
    count = session.scalar(
        select(ConversationState.unsure_turns).where(ConversationState.sender_id == sender_id)
    )
    return int(count or 0)


def reset_unsure(*, session: Session, sender_id: str) -> None:
    """Set the conversation's "not sure" count back to zero."""
    session.execute(
        update(ConversationState)
        .where(ConversationState.sender_id == sender_id)
        .values(unsure_turns=0)
    )


def add_buttons(*, session: Session, sender_id: str, buttons: dict[str, str]) -> None:
    """Store issued button tokens and their payloads; keep the newest ones only."""
    if not buttons:
        return
    now = utcnow()
    session.add_all(
        IssuedButton(token=token, sender_id=sender_id, payload=payload, issued_at=now)
        for token, payload in buttons.items()
    )
    session.flush()
    expired = (
        select(IssuedButton.id)
        .where(IssuedButton.sender_id == sender_id)
        .order_by(IssuedButton.id.desc())
        .offset(MAX_ISSUED_BUTTONS)
    )
    stale = list(session.scalars(expired))
    if stale:
        session.execute(delete(IssuedButton).where(IssuedButton.id.in_(stale)))


def button_payload(*, session: Session, sender_id: str, token: str) -> str | None:
    """Return the payload of a token issued to this conversation (None if unknown)."""
    return session.scalar(
        select(IssuedButton.payload).where(
            IssuedButton.token == token, IssuedButton.sender_id == sender_id
        )
    )


def delete_state(*, session: Session, sender_id: str) -> None:
    """Erase the conversation's state and buttons."""
    session.execute(delete(IssuedButton).where(IssuedButton.sender_id == sender_id))
    session.execute(delete(ConversationState).where(ConversationState.sender_id == sender_id))


def delete_states_before(*, session: Session, cutoff: datetime) -> int:
    """Erase the state of conversations untouched since ``cutoff``, and old buttons.

    Returns:
        The number of conversation states erased.
    """
    session.execute(delete(IssuedButton).where(IssuedButton.issued_at < cutoff))
    result = session.execute(
        delete(ConversationState).where(ConversationState.updated_at < cutoff)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def delete_received_updates_before(*, session: Session, cutoff: datetime) -> None:
    """Forget Telegram update ids received before ``cutoff``.

    Telegram sends an unconfirmed update again for at most 24 hours, and after a week
    without updates it may start its ids anew at random: ids are kept for a couple of
    days only, so an old id never hides a new update.
    """
    session.execute(delete(ReceivedUpdate).where(ReceivedUpdate.received_at < cutoff))


def first_delivery(*, session: Session, update_id: int) -> bool:
    """Record a Telegram update id; return False if it was recorded before (a repeat)."""
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(ReceivedUpdate)
    statement = (
        insert.values(update_id=update_id, received_at=utcnow())
        .on_conflict_do_nothing()
        .returning(ReceivedUpdate.update_id)
    )
    return session.execute(statement).first() is not None
