"""A coordinator's work on one registration: view it, take it over, move it, add notes.

Status steps go through the existing workflow (bot.registrations.change_status and
bot.registrations.workflow.ALLOWED_TRANSITIONS) and its status history. Viewing a
registration's personal data is audited here, so no page can forget it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from bot.office.audit import AuditAction, record
from bot.registrations.use_cases import StatusChangeError, change_status
from bot.registrations.workflow import ALLOWED_TRANSITIONS
from bot.storage.models import Registration, RegistrationNote, StatusChange, utcnow

MAX_NOTE_CHARS = 4000


class WorkStatus(StrEnum):
    """The outcome of a step on a registration."""

    OK = "ok"
    NOT_FOUND = "not_found"
    NOT_ALLOWED = "not_allowed"
    EMPTY = "empty"
    TOO_LONG = "too_long"


@dataclass(frozen=True)
class WorkResult:
    """A step's outcome; ``allowed`` lists the statuses reachable from the current one."""

    status: WorkStatus
    allowed: tuple[str, ...] = ()


@dataclass(frozen=True)
class NoteView:
    """An internal note as the detail page shows it."""

    id: int
    author: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class HistoryStep:
    """One step of the status history."""

    old_status: str | None
    new_status: str
    changed_by: str
    changed_at: datetime


@dataclass(frozen=True)
class RegistrationDetail:
    """Everything the detail page shows about one registration (personal data)."""

    registration: Registration
    history: list[HistoryStep]
    notes: list[NoteView]
    allowed_statuses: tuple[str, ...]


def view_registration(
    *, session: Session, registration_id: int, actor: str
) -> RegistrationDetail | None:
    """Return a registration with its history and notes, and audit the view.

    Returns:
        None if there is no such registration (nothing is audited then).
    """
    statement = (
        select(Registration)
        .where(Registration.id == registration_id)
        .options(joinedload(Registration.consent))
    )
    registration = session.scalars(statement).first()
    if registration is None:
        return None
    steps = session.scalars(
        select(StatusChange)
        .where(StatusChange.registration_id == registration_id)
        .order_by(StatusChange.id)
    )
    record(
        session=session,
        actor=actor,
        action=AuditAction.REGISTRATION_VIEWED,
        registration_id=registration_id,
    )
    return RegistrationDetail(
        registration=registration,
        history=[
            HistoryStep(step.old_status, step.new_status, step.changed_by, step.changed_at)
            for step in steps
        ],
        notes=notes_of(session=session, registration_id=registration_id),
        allowed_statuses=ALLOWED_TRANSITIONS.get(registration.status, ()),
    )


def take_over(
    *, session: Session, registration_id: int, actor: str, now: datetime | None = None
) -> WorkResult:
    """Take a registration over ("Übernehmen"): the actor is now the one who works on it.

    A registration taken over by someone else passes to the actor; the audit row names
    the one before (``detail``).
    """
    registration = session.get(Registration, registration_id)
    if registration is None:
        return WorkResult(WorkStatus.NOT_FOUND)
    previous = registration.assigned_to
    if previous != actor:
        registration.assigned_to = actor
        registration.assigned_at = now or utcnow()
        record(
            session=session,
            actor=actor,
            action=AuditAction.REGISTRATION_TAKEN_OVER,
            registration_id=registration_id,
            detail=previous,
        )
    return WorkResult(WorkStatus.OK, ALLOWED_TRANSITIONS.get(registration.status, ()))


def set_status(
    *, session: Session, registration_id: int, new_status: str, actor: str
) -> WorkResult:
    """Move a registration one step along the workflow, recorded in its status history."""
    try:
        registration = change_status(
            session=session,
            registration_id=registration_id,
            new_status=new_status,
            changed_by=actor,
        )
    except LookupError:
        return WorkResult(WorkStatus.NOT_FOUND)
    except StatusChangeError as error:
        return WorkResult(WorkStatus.NOT_ALLOWED, ALLOWED_TRANSITIONS.get(error.current, ()))
    record(
        session=session,
        actor=actor,
        action=AuditAction.STATUS_CHANGED,
        registration_id=registration_id,
        detail=new_status,
    )
    return WorkResult(WorkStatus.OK, ALLOWED_TRANSITIONS.get(registration.status, ()))


def add_note(*, session: Session, registration_id: int, author: str, text: str) -> WorkResult:
    """Add an internal note (personal data: erased with the registration)."""
    text = text.strip()
    if not text:
        return WorkResult(WorkStatus.EMPTY)
    if len(text) > MAX_NOTE_CHARS:
        return WorkResult(WorkStatus.TOO_LONG)
    if session.get(Registration, registration_id) is None:
        return WorkResult(WorkStatus.NOT_FOUND)
    session.add(RegistrationNote(registration_id=registration_id, author=author, text=text))
    record(
        session=session,
        actor=author,
        action=AuditAction.NOTE_ADDED,
        registration_id=registration_id,
    )
    return WorkResult(WorkStatus.OK)


def notes_of(*, session: Session, registration_id: int) -> list[NoteView]:
    """Return a registration's notes, oldest first."""
    notes = session.scalars(
        select(RegistrationNote)
        .where(RegistrationNote.registration_id == registration_id)
        .order_by(RegistrationNote.id)
    )
    return [NoteView(note.id, note.author, note.text, note.created_at) for note in notes]
