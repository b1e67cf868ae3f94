"""Repository functions. Each takes the caller's session and never commits it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Result, Select, delete, func, select, text
from sqlalchemy.orm import Session, joinedload

from bot.storage import conversation_state
from bot.storage.models import (
    ConsentRecord,
    ExportAudit,
    Handoff,
    HandoffMessage,
    OutboxMessage,
    Registration,
    RegistrationNote,
    StatusChange,
    WebMessage,
    utcnow,
)

# Outbox rows that the console sends to a Telegram user (a reply, the end of a handoff),
# not notifications for the coordinators.
HANDOFF_TOPIC = "handoff"
OFFICE_REPLY_TOPIC = "office_reply"
OFFICE_END_TOPIC = "office_end"
OFFICE_TOPICS = (OFFICE_REPLY_TOPIC, OFFICE_END_TOPIC)
RASA_EVENTS_TABLE = "events"


@dataclass(frozen=True)
class RegistrationFilter:
    """Filters of an export or listing; ``None`` means any."""

    kind: str | None = None
    statuses: tuple[str, ...] = ()
    since: datetime | None = None


def find_registration(
    *, session: Session, person_ref: str, kind: str, statuses: Sequence[str]
) -> Registration | None:
    """Return the person's newest registration of this kind in one of ``statuses``, if any."""
    statement = select(Registration).where(
        Registration.person_ref == person_ref,
        Registration.kind == kind,
        Registration.status.in_(statuses),
    )
    return session.scalars(statement.order_by(Registration.id.desc())).first()


def add_consent(
    *, session: Session, person_ref: str, kind: str, notice_version: str, language: str
) -> ConsentRecord:
    """Store a consent record."""
    record = ConsentRecord(
        person_ref=person_ref, kind=kind, notice_version=notice_version, language=language
    )
    session.add(record)
    session.flush()
    return record


def add_status_change(
    *, session: Session, registration: Registration, new_status: str, changed_by: str
) -> StatusChange:
    """Record a status step and set the registration's status."""
    change = StatusChange(
        registration=registration,
        old_status=registration.status if registration.id else None,
        new_status=new_status,
        changed_by=changed_by,
    )
    registration.status = new_status
    registration.updated_at = utcnow()
    session.add(change)
    return change


def add_outbox_message(
    *,
    session: Session,
    topic: str,
    text_de: str,
    person_ref: str | None,
    registration_id: int | None,
) -> OutboxMessage:
    """Queue a notification for the coordinators."""
    message = OutboxMessage(
        topic=topic, text=text_de, person_ref=person_ref, registration_id=registration_id
    )
    session.add(message)
    return message


def add_handoff_notice(*, session: Session, person_ref: str, text_de: str) -> OutboxMessage:
    """Queue a message about a handoff for the coordinators (its group message is linked)."""
    return add_outbox_message(
        session=session,
        topic=HANDOFF_TOPIC,
        text_de=text_de,
        person_ref=person_ref,
        registration_id=None,
    )


def pending_outbox(*, session: Session, limit: int = 50) -> Sequence[OutboxMessage]:
    """Return undelivered notifications, oldest first (not the office's replies to users)."""
    statement = select(OutboxMessage).where(
        OutboxMessage.sent_at.is_(None), OutboxMessage.topic.not_in(OFFICE_TOPICS)
    )
    return session.scalars(statement.order_by(OutboxMessage.id).limit(limit)).all()


def add_office_reply(
    *, session: Session, person_ref: str, text: str, topic: str = OFFICE_REPLY_TOPIC
) -> OutboxMessage:
    """Queue a coordinator's reply (from the console) for a Telegram user's handoff.

    ``topic`` is :data:`OFFICE_END_TOPIC` (with an empty text) when the console ended the
    handoff: the user is then told so in their language.

    The Telegram process delivers it (only it can send to Telegram); it lives in the
    outbox, so it is delivered once, retried until Telegram confirms, and erased with the
    person's data.
    """
    message = OutboxMessage(topic=topic, text=text, person_ref=person_ref, registration_id=None)
    session.add(message)
    return message


def pending_office_replies(*, session: Session, limit: int = 50) -> Sequence[OutboxMessage]:
    """Return the office's undelivered replies to Telegram users, oldest first."""
    statement = select(OutboxMessage).where(
        OutboxMessage.sent_at.is_(None), OutboxMessage.topic.in_(OFFICE_TOPICS)
    )
    return session.scalars(statement.order_by(OutboxMessage.id).limit(limit)).all()


def _filtered(statement: Select[Any], filters: RegistrationFilter) -> Select[Any]:
    if filters.kind:
        statement = statement.where(Registration.kind == filters.kind)
    if filters.statuses:
        statement = statement.where(Registration.status.in_(filters.statuses))
    if filters.since:
        statement = statement.where(Registration.created_at >= filters.since)
    return statement


def iter_registrations(
    *, session: Session, filters: RegistrationFilter, batch_size: int = 1000
) -> Iterator[Registration]:
    """Yield matching registrations in id order, loading them in batches."""
    statement = (
        _filtered(select(Registration), filters)
        .options(joinedload(Registration.consent))
        .order_by(Registration.id)
    )
    yield from session.scalars(statement.execution_options(yield_per=batch_size))


def registrations_after(
    *, session: Session, filters: RegistrationFilter, after_id: int, limit: int
) -> Sequence[Registration]:
    """Return up to ``limit`` matching registrations with an id above ``after_id``, in order."""
    statement = (
        _filtered(select(Registration), filters)
        .where(Registration.id > after_id)
        .options(joinedload(Registration.consent))
        .order_by(Registration.id)
        .limit(limit)
    )
    return session.scalars(statement).unique().all()


def count_registrations(*, session: Session, filters: RegistrationFilter) -> int:
    """Return how many registrations match."""
    statement = _filtered(select(func.count(Registration.id)), filters)
    return int(session.scalar(statement) or 0)


def registrations_of(*, session: Session, person_ref: str) -> Sequence[Registration]:
    """Return everything registered by one person."""
    statement = select(Registration).where(Registration.person_ref == person_ref)
    return session.scalars(statement.order_by(Registration.id)).all()


def consents_of(*, session: Session, person_ref: str) -> Sequence[ConsentRecord]:
    """Return the person's consent records."""
    statement = select(ConsentRecord).where(ConsentRecord.person_ref == person_ref)
    return session.scalars(statement.order_by(ConsentRecord.id)).all()


def add_export_audit(
    *, session: Session, actor: str, file_format: str, filters: dict[str, Any], row_count: int
) -> ExportAudit:
    """Record an export (without any of the exported data)."""
    audit = ExportAudit(actor=actor, file_format=file_format, filters=filters, row_count=row_count)
    session.add(audit)
    return audit


def count_by(*, session: Session, column: str) -> list[tuple[str, int]]:
    """Return registration counts grouped by one column (status, kind, municipality, language)."""
    field = getattr(Registration, column)
    statement = select(field, func.count(Registration.id)).group_by(field).order_by(field)
    return [(str(value), int(count)) for value, count in session.execute(statement)]


def delete_person(*, session: Session, person_ref: str) -> int:
    """Erase a person's registrations (with their notes), consent records and outbox entries.

    The console's audit rows stay: they name registrations by number only.

    Returns:
        The number of registrations erased.
    """
    theirs = select(Registration.id).where(Registration.person_ref == person_ref)
    session.execute(delete(RegistrationNote).where(RegistrationNote.registration_id.in_(theirs)))
    erased = _rowcount(
        session.execute(delete(Registration).where(Registration.person_ref == person_ref))
    )
    session.execute(delete(ConsentRecord).where(ConsentRecord.person_ref == person_ref))
    session.execute(delete(OutboxMessage).where(OutboxMessage.person_ref == person_ref))
    handoffs = select(Handoff.id).where(Handoff.person_ref == person_ref)
    session.execute(delete(HandoffMessage).where(HandoffMessage.handoff_id.in_(handoffs)))
    session.execute(delete(Handoff).where(Handoff.person_ref == person_ref))
    session.execute(delete(WebMessage).where(WebMessage.sender_id == person_ref))
    return erased


def active_handoff(*, session: Session, person_ref: str) -> Handoff | None:
    """Return the person's open handoff to the coordinators, if any."""
    statement = select(Handoff).where(Handoff.person_ref == person_ref, Handoff.ended_at.is_(None))
    return session.scalars(statement.order_by(Handoff.id.desc()).limit(1)).first()


def start_handoff(*, session: Session, person_ref: str, language: str) -> Handoff:
    """Open a handoff for the person, or return the one already open."""
    handoff = active_handoff(session=session, person_ref=person_ref)
    if handoff is None:
        handoff = Handoff(person_ref=person_ref, language=language)
        session.add(handoff)
        session.flush()
    return handoff


def add_handoff_message(*, session: Session, handoff_id: int, group_message_id: int) -> None:
    """Remember a group message that belongs to a handoff."""
    session.add(HandoffMessage(handoff_id=handoff_id, group_message_id=group_message_id))


def handoff_of_group_message(*, session: Session, group_message_id: int) -> Handoff | None:
    """Return the handoff a group message belongs to, if any."""
    message = session.get(HandoffMessage, group_message_id)
    return message.handoff if message is not None else None


def end_handoff(*, session: Session, handoff: Handoff, ended_by: str) -> None:
    """Close a handoff: the bot answers the person again."""
    handoff.ended_at = utcnow()
    handoff.ended_by = ended_by


def delete_registrations_untouched_since(*, session: Session, cutoff: datetime) -> int:
    """Erase each registration not updated since ``cutoff``, with what belongs to it only.

    Its status steps (by the foreign key's cascade), its coordinators' notes, its consent
    record and its coordinators' notifications go with it. Consent records no
    registration refers to any more (superseded by a later save) go once they are older
    than ``cutoff``. The person's other, newer registrations and their records stay.

    Returns:
        The number of registrations erased.
    """
    expired = select(Registration.id).where(Registration.updated_at < cutoff)
    expired_consents = select(Registration.consent_id).where(
        Registration.updated_at < cutoff, Registration.consent_id.is_not(None)
    )
    session.execute(delete(OutboxMessage).where(OutboxMessage.registration_id.in_(expired)))
    session.execute(delete(RegistrationNote).where(RegistrationNote.registration_id.in_(expired)))
    consent_ids = list(session.scalars(expired_consents))
    erased = _rowcount(
        session.execute(delete(Registration).where(Registration.updated_at < cutoff))
    )
    if consent_ids:
        session.execute(delete(ConsentRecord).where(ConsentRecord.id.in_(consent_ids)))
    referenced = select(Registration.consent_id).where(Registration.consent_id.is_not(None))
    session.execute(
        delete(ConsentRecord).where(
            ConsentRecord.given_at < cutoff, ConsentRecord.id.not_in(referenced)
        )
    )
    # Notifications whose registration is gone (erased earlier) and that are as old.
    session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.person_ref.is_not(None),
            OutboxMessage.registration_id.is_(None),
            OutboxMessage.created_at < cutoff,
        )
    )
    return erased


def delete_handoffs_inactive_since(*, session: Session, cutoff: datetime) -> int:
    """Erase handoffs that ended (or, still open, started) before ``cutoff``, with their messages.

    Returns:
        The number of handoffs erased.
    """
    last_activity = func.coalesce(Handoff.ended_at, Handoff.started_at)
    old = select(Handoff.id).where(last_activity < cutoff)
    session.execute(delete(HandoffMessage).where(HandoffMessage.handoff_id.in_(old)))
    return _rowcount(session.execute(delete(Handoff).where(last_activity < cutoff)))


def delete_events_before(*, session: Session, cutoff: datetime) -> tuple[int, int]:
    """Erase every Rasa event older than ``cutoff``, in every conversation.

    A returning user's old history goes; the events since ``cutoff`` stay, so the
    conversation goes on. (Rasa reads only the latest session, which starts with a
    ``session_started`` event and the slots it keeps; see actions/session.py.)

    Returns:
        The number of conversations that lost events, and the number of events erased.
    """
    if not session.get_bind().dialect.has_table(session.connection(), RASA_EVENTS_TABLE):
        return 0, 0
    parameters = {"cutoff": cutoff.timestamp()}
    conversations = session.scalar(
        text(
            f"SELECT COUNT(DISTINCT sender_id) FROM {RASA_EVENTS_TABLE} "  # noqa: S608 - constant table name
            "WHERE timestamp < :cutoff"
        ),
        parameters,
    )
    result = session.execute(
        text(f"DELETE FROM {RASA_EVENTS_TABLE} WHERE timestamp < :cutoff"),  # noqa: S608 - constant table name
        parameters,
    )
    return int(conversations or 0), _rowcount(result)


def delete_conversation(*, session: Session, sender_id: str) -> int:
    """Erase a conversation's history from Rasa's tracker store (table ``events``).

    The front end's state of it (language, buttons, counters) goes too.

    Returns:
        The number of events erased (0 if Rasa has not created its table yet).
    """
    conversation_state.delete_state(session=session, sender_id=sender_id)
    session.execute(delete(WebMessage).where(WebMessage.sender_id == sender_id))
    if not session.get_bind().dialect.has_table(session.connection(), RASA_EVENTS_TABLE):
        return 0
    result = session.execute(
        text(f"DELETE FROM {RASA_EVENTS_TABLE} WHERE sender_id = :sender_id"),  # noqa: S608 - constant table name
        {"sender_id": sender_id},
    )
    return _rowcount(result)


def delete_web_messages_before(*, session: Session, cutoff: datetime) -> int:
    """Erase web chat messages older than ``cutoff`` (the chat retention period).

    Returns:
        The number of messages erased.
    """
    return _rowcount(session.execute(delete(WebMessage).where(WebMessage.created_at < cutoff)))


def add_web_message(
    *,
    session: Session,
    sender_id: str,
    role: str,
    text: str,
    language: str,
    choices: Sequence[tuple[str, str]] = (),
) -> WebMessage:
    """Append a message to a web conversation's transcript."""
    message = WebMessage(
        sender_id=sender_id,
        role=role,
        text=text,
        language=language,
        extra={"choices": [list(choice) for choice in choices]} if choices else {},
    )
    session.add(message)
    session.flush()
    return message


def web_messages(
    *, session: Session, sender_id: str, after: int = 0, limit: int = 500
) -> Sequence[WebMessage]:
    """Return a web conversation's messages after message ``after``, oldest first."""
    statement = (
        select(WebMessage)
        .where(WebMessage.sender_id == sender_id, WebMessage.id > after)
        .order_by(WebMessage.id)
        .limit(limit)
    )
    return session.scalars(statement).all()


def _rowcount(result: Result[Any]) -> int:
    return int(cast(CursorResult[Any], result).rowcount or 0)
