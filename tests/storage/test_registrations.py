"""Saving, updating, status steps, erasure and retention, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from bot.office import work
from bot.registrations.use_cases import (
    PRIVACY_NOTICE_VERSION,
    RegistrationData,
    StatusChangeError,
    change_status,
    erase_person,
    purge_expired,
    save_registration,
)
from bot.storage import repository
from bot.storage.models import (
    AuditEvent,
    ConsentRecord,
    OutboxMessage,
    Registration,
    RegistrationNote,
    StatusChange,
    utcnow,
)


def mentor(person: str = "terminal-1", name: str = "Ayşe Yılmaz") -> RegistrationData:
    return RegistrationData(
        person_ref=person,
        kind="mentor",
        language="tr",
        name=name,
        contact_method="phone",
        phone="+49 170 1234567",
        municipality="Sindelfingen",
        details={"interests": ["children"], "languages": ["tr", "de"], "adult_confirmed": True},
    )


def count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_save_writes_registration_consent_status_and_outbox_together(session: Session) -> None:
    result = save_registration(session=session, data=mentor())
    session.commit()
    registration = session.get(Registration, result.registration_id)
    assert registration is not None and not result.updated
    assert registration.status == "new"
    assert registration.consent is not None
    assert registration.consent.notice_version == PRIVACY_NOTICE_VERSION
    assert registration.consent.language == "tr"
    assert [change.new_status for change in registration.status_changes] == ["new"]
    outbox = session.scalars(select(OutboxMessage)).all()
    assert len(outbox) == 1 and outbox[0].sent_at is None
    assert "Ayşe Yılmaz" in outbox[0].text and "Sindelfingen" in outbox[0].text


def test_failed_transaction_stores_nothing(session: Session) -> None:
    save_registration(session=session, data=mentor())
    session.rollback()
    assert count(session, Registration) == count(session, OutboxMessage) == 0


def test_registering_again_updates_the_open_registration(session: Session) -> None:
    first = save_registration(session=session, data=mentor())
    second = save_registration(session=session, data=mentor(name="Ayşe Y."))
    session.commit()
    assert second.updated and second.registration_id == first.registration_id
    assert count(session, Registration) == 1
    assert session.get(Registration, first.registration_id).name == "Ayşe Y."  # type: ignore[union-attr]
    assert count(session, OutboxMessage) == 2


def test_a_family_request_is_separate_from_a_mentor_registration(session: Session) -> None:
    save_registration(session=session, data=mentor())
    family = RegistrationData(
        person_ref="terminal-1", kind="family", language="ar", name="Fatima",
        contact_method="chat", municipality="Böblingen", details={"child_age_band": "6-10"},
    )  # fmt: skip
    save_registration(session=session, data=family)
    session.commit()
    assert count(session, Registration) == 2


def test_status_workflow_records_who_and_refuses_wrong_steps(session: Session) -> None:
    saved = save_registration(session=session, data=mentor())
    change_status(
        session=session,
        registration_id=saved.registration_id,
        new_status="contacted",
        changed_by="coord-7",
    )
    change_status(
        session=session,
        registration_id=saved.registration_id,
        new_status="matched",
        changed_by="coord-8",
    )
    session.commit()
    changes = session.scalars(select(StatusChange).order_by(StatusChange.id)).all()
    assert [(c.old_status, c.new_status, c.changed_by) for c in changes] == [
        (None, "new", "patenbot"),
        ("new", "contacted", "coord-7"),
        ("contacted", "matched", "coord-8"),
    ]
    with pytest.raises(StatusChangeError):
        change_status(
            session=session,
            registration_id=saved.registration_id,
            new_status="new",
            changed_by="x",
        )
    with pytest.raises(LookupError):
        change_status(session=session, registration_id=999, new_status="contacted", changed_by="x")


def test_after_a_final_status_registering_again_creates_a_new_registration(
    session: Session,
) -> None:
    saved = save_registration(session=session, data=mentor())
    change_status(
        session=session,
        registration_id=saved.registration_id,
        new_status="declined",
        changed_by="c",
    )
    again = save_registration(session=session, data=mentor())
    assert not again.updated and again.registration_id != saved.registration_id


def test_erasure_leaves_nothing_of_the_person_and_a_neutral_notice(session: Session) -> None:
    save_registration(session=session, data=mentor())
    save_registration(session=session, data=mentor(person="terminal-2", name="Other"))
    session.commit()
    assert erase_person(session=session, person_ref="terminal-1") == 1
    session.commit()
    assert repository.registrations_of(session=session, person_ref="terminal-1") == []
    assert repository.consents_of(session=session, person_ref="terminal-1") == []
    texts = [message.text for message in session.scalars(select(OutboxMessage))]
    assert not [t for t in texts if "Ayşe" in t]
    assert any("zurückgezogen" in t for t in texts)
    assert count(session, Registration) == 1


def test_erasure_removes_the_rasa_conversation(session: Session) -> None:
    session.execute(
        text(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), timestamp FLOAT)"
        )
    )
    session.execute(
        text(
            "INSERT INTO events (id, sender_id, timestamp) "
            "VALUES (1, 'terminal-1', 1.0), (2, 'x', 1.0)"
        )
    )
    erase_person(session=session, person_ref="terminal-1")
    assert session.scalar(text("SELECT COUNT(*) FROM events")) == 1
    session.execute(text("DROP TABLE events"))
    session.commit()


def test_purge_erases_stale_registrations_and_old_conversations(session: Session) -> None:
    old = save_registration(session=session, data=mentor(person="old"))
    save_registration(session=session, data=mentor(person="fresh"))
    registration = session.get(Registration, old.registration_id)
    assert registration is not None
    registration.updated_at = utcnow() - timedelta(days=400)
    now = utcnow()
    session.execute(
        text(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), timestamp FLOAT)"
        )
    )
    session.execute(
        text(
            "INSERT INTO events (id, sender_id, timestamp) VALUES (1, 'a', :old), (2, 'b', :new)"
        ),
        {"old": (now - timedelta(days=40)).timestamp(), "new": now.timestamp()},
    )
    result = purge_expired(session=session, registration_days=365, conversation_days=30, now=now)
    assert (result.registrations, result.conversations) == (1, 1)
    assert [r.person_ref for r in session.scalars(select(Registration))] == ["fresh"]
    assert count(session, ConsentRecord) == 1
    assert session.scalar(text("SELECT sender_id FROM events")) == "b"
    session.execute(text("DROP TABLE events"))
    session.commit()


def test_counts_by_status_kind_municipality_and_language(session: Session) -> None:
    save_registration(session=session, data=mentor(person="a"))
    save_registration(session=session, data=mentor(person="b"))
    assert repository.count_by(session=session, column="municipality") == [("Sindelfingen", 2)]
    assert repository.count_by(session=session, column="status") == [("new", 2)]


def test_erasure_takes_the_coordinators_notes_and_keeps_the_audit_without_data(
    session: Session,
) -> None:
    """Issue 13: notes are personal data; the console's audit rows name numbers only."""
    mine = save_registration(session=session, data=mentor()).registration_id
    other = save_registration(session=session, data=mentor(person="terminal-2", name="Other"))
    for registration_id in (mine, other.registration_id):
        note = "Ayşe Yılmaz ruft Dienstag zurück, +49 170 1234567"
        work.add_note(
            session=session, registration_id=registration_id, author="office:a", text=note
        )
        work.view_registration(session=session, registration_id=registration_id, actor="office:a")
    session.commit()

    assert erase_person(session=session, person_ref="terminal-1") == 1
    session.commit()

    assert session.scalars(select(RegistrationNote.registration_id)).all() == [
        other.registration_id
    ]
    audit = session.scalars(select(AuditEvent).where(AuditEvent.registration_id == mine)).all()
    assert [event.action for event in audit] == ["note_added", "registration_viewed"]
    stored = repr([
        (e.actor, e.action, e.target_account, e.detail, e.filters, e.row_count)
        for e in session.scalars(select(AuditEvent))
    ])  # fmt: skip
    assert "Ayşe" not in stored and "1234567" not in stored
