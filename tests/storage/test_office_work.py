"""Take-over, status steps, notes and the audited detail view; erasure keeps the audit."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.office import work
from bot.office.audit import AuditAction, audit_entries
from bot.office.work import WorkStatus
from bot.registrations.use_cases import RegistrationData, save_registration
from bot.storage.models import Registration

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
