"""Take-over, status steps, notes and the audited detail view; erasure keeps the audit."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.office import work
from bot.office.audit import AuditAction, audit_entries
from bot.office.work import WorkStatus
from bot.registrations import RegistrationData, erase_person, purge_expired, save_registration
from bot.storage.models import AuditEvent, Registration, RegistrationNote, StatusChange, utcnow

ANNA = "office:anna"
NOTE = "Rückruf mit Frau Kaya am Dienstag, Tel. 0170 555"


def registration(session: Session, person: str = "telegram-1") -> int:
    saved = save_registration(
        session=session,
        data=RegistrationData(
            person_ref=person, kind="mentor", language="tr", name="Ayşe Kaya",
            contact_method="phone", phone="+49 170 5550000", municipality="Leonberg",
        ),
    )  # fmt: skip
    session.commit()
    return saved.registration_id


def test_take_over_status_steps_and_notes_are_recorded(session: Session) -> None:
    number = registration(session)
    assert (
        work.take_over(session=session, registration_id=number, actor=ANNA).status is WorkStatus.OK
    )
    moved = work.set_status(
        session=session, registration_id=number, new_status="contacted", actor=ANNA
    )
    assert moved == work.WorkResult(WorkStatus.OK, ("matched", "declined", "withdrawn"))
    refused = work.set_status(
        session=session, registration_id=number, new_status="new", actor=ANNA
    )
    assert refused.status is WorkStatus.NOT_ALLOWED
    assert (
        work.add_note(session=session, registration_id=number, author=ANNA, text=NOTE).status
        is WorkStatus.OK
    )
    assert (
        work.add_note(session=session, registration_id=number, author=ANNA, text="  ").status
        is WorkStatus.EMPTY
    )
    assert (
        work.add_note(session=session, registration_id=number, author=ANNA, text="x" * 4001).status
        is WorkStatus.TOO_LONG
    )
    assert (
        work.add_note(session=session, registration_id=999, author=ANNA, text="x").status
        is WorkStatus.NOT_FOUND
    )
    assert (
        work.take_over(session=session, registration_id=999, actor=ANNA).status
        is WorkStatus.NOT_FOUND
    )
    session.commit()

    detail = work.view_registration(session=session, registration_id=number, actor="office:bob")
    session.commit()
    assert detail is not None
    assert detail.registration.assigned_to == ANNA and detail.registration.status == "contacted"
    assert [(s.old_status, s.new_status, s.changed_by) for s in detail.history] == [
        (None, "new", "patenbot"),
        ("new", "contacted", ANNA),
    ]
    assert [note.text for note in detail.notes] == [NOTE]
    assert detail.allowed_statuses == ("matched", "declined", "withdrawn")
    actions = [
        (e.actor, e.action, e.registration_id, e.detail)
        for e in reversed(audit_entries(session=session))
    ]
    assert actions == [
        (ANNA, AuditAction.REGISTRATION_TAKEN_OVER, number, None),
        (ANNA, AuditAction.STATUS_CHANGED, number, "contacted"),
        (ANNA, AuditAction.NOTE_ADDED, number, None),
        ("office:bob", AuditAction.REGISTRATION_VIEWED, number, None),
    ]
    assert work.view_registration(session=session, registration_id=999, actor=ANNA) is None


def test_a_second_coordinator_takes_over_from_the_first(session: Session) -> None:
    number = registration(session)
    work.take_over(session=session, registration_id=number, actor=ANNA)
    work.take_over(session=session, registration_id=number, actor="office:bob")
    session.commit()
    latest = audit_entries(session=session, limit=1)[0]
    assert latest.actor == "office:bob" and latest.detail == ANNA
    assert session.get(Registration, number).assigned_to == "office:bob"  # type: ignore[union-attr]


def _audit_text(session: Session) -> str:
    return repr([
        (e.actor, e.action, e.registration_id, e.target_account, e.detail, e.filters, e.row_count)
        for e in session.scalars(select(AuditEvent))
    ])  # fmt: skip


def test_delete_erases_notes_and_keeps_the_audit_without_personal_data(session: Session) -> None:
    number = registration(session)
    other = registration(session, person="telegram-2")
    for registration_id in (number, other):
        work.add_note(session=session, registration_id=registration_id, author=ANNA, text=NOTE)
        work.view_registration(session=session, registration_id=registration_id, actor=ANNA)
    session.commit()

    assert erase_person(session=session, person_ref="telegram-1") == 1
    session.commit()

    notes = session.scalars(select(RegistrationNote.registration_id)).all()
    assert notes == [other]
    assert (
        session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.registration_id == number)
        )
        == 2
    )
    assert "Kaya" not in _audit_text(session) and "0170" not in _audit_text(session)


def test_the_retention_purge_erases_notes_with_their_registration(session: Session) -> None:
    old = registration(session)
    new = registration(session, person="telegram-2")
    for registration_id in (old, new):
        work.add_note(session=session, registration_id=registration_id, author=ANNA, text=NOTE)
        work.take_over(session=session, registration_id=registration_id, actor=ANNA)
    stale = session.get(Registration, old)
    assert stale is not None
    stale.updated_at = utcnow() - timedelta(days=400)
    session.commit()

    result = purge_expired(session=session, registration_days=365, conversation_days=30)
    session.commit()

    assert result.registrations == 1
    assert session.scalars(select(RegistrationNote.registration_id)).all() == [new]
    assert (
        session.scalar(
            select(func.count(StatusChange.id)).where(StatusChange.registration_id == old)
        )
        == 0
    )
    assert (
        session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.registration_id == old))
        == 2
    )
