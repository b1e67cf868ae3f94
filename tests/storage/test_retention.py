"""Retention: each record is erased by its own age (issue 9, item 11), SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bot.office import work
from bot.registrations.use_cases import RegistrationData, purge_expired, save_registration
from bot.storage import repository
from bot.storage.models import (
    AuditEvent,
    ConsentRecord,
    Handoff,
    HandoffMessage,
    OutboxMessage,
    Registration,
    RegistrationNote,
    StatusChange,
    utcnow,
)

NOW = utcnow()


def registration(kind: str, person: str = "telegram-7") -> RegistrationData:
    return RegistrationData(
        person_ref=person, kind=kind, language="uk", name="Olena", contact_method="email",
        email="olena@example.org", municipality="Leonberg",
    )  # fmt: skip


def purge(session: Session) -> tuple[int, int, int, int]:
    result = purge_expired(session=session, registration_days=365, conversation_days=30, now=NOW)
    session.commit()
    return result.registrations, result.conversations, result.events, result.handoffs


@pytest.fixture
def events(session: Session) -> Iterator[None]:
    """Rasa's events table (Rasa creates it; only the columns the purge reads)."""
    session.execute(
        text(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), "
            "type_name VARCHAR(255), timestamp FLOAT)"
        )
    )
    session.commit()
    yield
    session.rollback()
    session.execute(text("DROP TABLE events"))
    session.commit()


def add_event(session: Session, event_id: int, sender: str, at: datetime) -> None:
    session.execute(
        text(
            "INSERT INTO events (id, sender_id, type_name, timestamp) VALUES (:i, :s, 'user', :t)"
        ),
        {"i": event_id, "s": sender, "t": at.timestamp()},
    )


def test_an_old_registration_goes_and_the_same_persons_new_one_stays(session: Session) -> None:
    old = save_registration(session=session, data=registration("family"))
    new = save_registration(session=session, data=registration("mentor"))
    old_row = session.get(Registration, old.registration_id)
    assert old_row is not None and old_row.consent is not None
    old_row.updated_at = NOW - timedelta(days=400)
    old_row.consent.given_at = NOW - timedelta(days=400)
    session.commit()

    assert purge(session)[0] == 1

    remaining = session.scalars(select(Registration)).all()
    assert [r.id for r in remaining] == [new.registration_id]
    assert remaining[0].consent is not None
    consents = session.scalars(select(ConsentRecord)).all()
    assert [c.id for c in consents] == [remaining[0].consent.id]
    outbox = session.scalars(select(OutboxMessage)).all()
    assert [m.registration_id for m in outbox] == [new.registration_id]
    steps = session.scalars(select(StatusChange.registration_id)).all()
    assert set(steps) == {new.registration_id}


def test_superseded_consent_records_go_by_their_own_age(session: Session) -> None:
    first = save_registration(session=session, data=registration("mentor"))
    session.commit()
    superseded = repository.consents_of(session=session, person_ref="telegram-7")[0]
    superseded.given_at = NOW - timedelta(days=400)
    again = save_registration(session=session, data=registration("mentor"))
    session.commit()
    assert again.updated and again.registration_id == first.registration_id

    purge(session)

    kept = repository.consents_of(session=session, person_ref="telegram-7")
    assert [c.id for c in kept] != [superseded.id] and len(kept) == 1
    assert session.get(Registration, first.registration_id) is not None


@pytest.mark.usefixtures("events")
def test_old_events_go_and_the_recent_part_of_the_conversation_stays(session: Session) -> None:
    add_event(session, 1, "returning", NOW - timedelta(days=200))
    add_event(session, 2, "returning", NOW - timedelta(days=200))
    add_event(session, 3, "returning", NOW - timedelta(days=1))
    add_event(session, 4, "gone", NOW - timedelta(days=40))
    add_event(session, 5, "recent", NOW - timedelta(hours=1))
    session.commit()

    assert purge(session)[1:3] == (2, 3)

    rows = session.execute(text("SELECT id, sender_id FROM events ORDER BY id")).all()
    assert [tuple(row) for row in rows] == [(3, "returning"), (5, "recent")]


def test_handoffs_go_by_their_own_age_with_their_messages(session: Session) -> None:
    old = Handoff(person_ref="telegram-7", language="uk", started_at=NOW - timedelta(days=60))
    old.ended_at = NOW - timedelta(days=59)
    stale_open = Handoff(
        person_ref="telegram-8", language="de", started_at=NOW - timedelta(days=45)
    )
    recent = Handoff(person_ref="telegram-7", language="uk", started_at=NOW - timedelta(days=2))
    session.add_all([old, stale_open, recent])
    session.flush()
    session.add_all(
        [
            HandoffMessage(handoff_id=old.id, group_message_id=101),
            HandoffMessage(handoff_id=recent.id, group_message_id=102),
        ]
    )
    session.commit()
    recent_id = recent.id

    assert purge(session)[3] == 2

    assert session.scalars(select(Handoff.id)).all() == [recent_id]
    assert session.scalars(select(HandoffMessage.group_message_id)).all() == [102]


def test_notes_go_with_their_registration_and_the_audit_stays(session: Session) -> None:
    """Issue 13: the coordinators' notes are erased by age with their registration."""
    old = save_registration(session=session, data=registration("family")).registration_id
    new = save_registration(session=session, data=registration("mentor")).registration_id
    for registration_id in (old, new):
        work.add_note(
            session=session,
            registration_id=registration_id,
            author="office:a",
            text="Olena, Rückruf",
        )
        work.take_over(session=session, registration_id=registration_id, actor="office:a")
    stale = session.get(Registration, old)
    assert stale is not None
    stale.updated_at = NOW - timedelta(days=400)
    session.commit()

    assert purge(session)[0] == 1

    assert session.scalars(select(RegistrationNote.registration_id)).all() == [new]
    changes = select(StatusChange).where(StatusChange.registration_id == old)
    assert session.scalars(changes).all() == []
    kept = select(AuditEvent.action).where(AuditEvent.registration_id == old)
    assert session.scalars(kept).all() == ["note_added", "registration_taken_over"]


def test_web_transcripts_follow_the_chat_retention(session: Session) -> None:
    old = repository.add_web_message(
        session=session, sender_id="web:old", role="user", text="alt", language="de"
    )
    old.created_at = NOW - timedelta(days=31)
    recent = repository.add_web_message(
        session=session, sender_id="web:old", role="bot", text="neu", language="de"
    )
    recent.created_at = NOW - timedelta(days=29)
    session.commit()
    purge(session)
    texts = [m.text for m in repository.web_messages(session=session, sender_id="web:old")]
    assert texts == ["neu"]


def test_deleting_a_conversation_erases_its_web_transcript(session: Session) -> None:
    for sender in ("web:a", "web:b"):
        repository.add_web_message(
            session=session, sender_id=sender, role="user", text="Hallo", language="de"
        )
    session.commit()
    repository.delete_conversation(session=session, sender_id="web:a")
    session.commit()
    assert not repository.web_messages(session=session, sender_id="web:a")
    assert repository.web_messages(session=session, sender_id="web:b")
