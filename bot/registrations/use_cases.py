"""Registration use cases: save with consent and notification, status steps, erasure, retention."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.core.safe_text import displayable
from bot.nlg.registration_texts import DETAIL_SLOTS
from bot.registrations import coordinator_texts, workflow
from bot.storage import conversation_state, repository
from bot.storage.models import Registration, utcnow

KINDS = ("mentor", "family")
PRIVACY_NOTICE_VERSION = "2026-11-v1"
SYSTEM_ACTOR = "patenbot"


class StatusChangeError(ValueError):
    """The requested status step is not allowed from the current status."""

    def __init__(self, current: str, requested: str) -> None:
        """Keep both statuses, so that each reader can name them in its language."""
        super().__init__(f"{current} → {requested}")
        self.current = current
        self.requested = requested


@dataclass(frozen=True)
class RegistrationData:
    """What a registration form collected (only what the first contact needs).

    Attributes:
        person_ref: The conversation's sender id; it identifies the person per channel.
        kind: ``"mentor"`` or ``"family"``.
        language: The language the person used.
        name: How to address the person.
        contact_method: ``"chat"``, ``"phone"`` or ``"email"``.
        municipality: A municipality of the district, or ``"other"``.
        details: The kind-specific answers (interests, languages, child's age band …).
    """

    person_ref: str
    kind: str
    language: str
    name: str
    contact_method: str
    municipality: str
    phone: str | None = None
    email: str | None = None
    source: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SaveResult:
    """The saved registration's id and whether an open one was updated."""

    registration_id: int
    updated: bool


def notification_text(registration: Registration, *, updated: bool) -> str:
    """Return the coordinators' summary (German) of a new or updated registration.

    Labels and answers read as the form showed them in German ("Interesse: Kinder",
    "Sprachen: Türkisch, Deutsch"), never as stored keys and values.
    """
    texts = coordinator_texts.registration_texts()
    kind = coordinator_texts.kind_name(registration.kind)
    if updated:
        heading = coordinator_texts.tr("coordinators", "Anmeldung Nr. {id} aktualisiert: {kind}")
    else:
        heading = coordinator_texts.tr("coordinators", "Neue Anmeldung Nr. {id}: {kind}")
    slots = {
        "reg_kind": registration.kind,
        "reg_name": registration.name,
        "reg_contact_method": registration.contact_method,
        "reg_phone": registration.phone,
        "reg_email": registration.email,
        "reg_municipality": registration.municipality,
        **{
            DETAIL_SLOTS[key]: value
            for key, value in registration.details.items()
            if key in DETAIL_SLOTS
        },
    }
    # Every value the person typed is shown on one line without control or bidi-override
    # characters (bot.core.safe_text), whatever was stored.
    slots = {slot: _shown(value) for slot, value in slots.items()}
    lines = [
        heading.format(id=registration.id, kind=kind),
        texts.summary(slots),
        coordinator_texts.tr("coordinators", "Sprache im Chat: {language}").format(
            language=coordinator_texts.language_name(registration.language)
        ),
    ]
    lines.extend(
        f"{key}: {_plain(value)}"
        for key, value in sorted(registration.details.items())
        if key not in DETAIL_SLOTS
    )
    return "\n".join(lines)


def _shown(value: Any) -> Any:
    """Return a stored answer (text or list of texts) with unsafe characters made visible."""
    if isinstance(value, str):
        return displayable(value)
    if isinstance(value, list | tuple):
        return [displayable(item) if isinstance(item, str) else item for item in value]
    return value


def _plain(value: Any) -> str:
    # An answer the form does not know (yet): shown as stored rather than hidden.
    if isinstance(value, list | tuple):
        return displayable(", ".join(str(item) for item in value)) or "—"
    return "—" if value in (None, "") else displayable(str(value))


def save_registration(*, session: Session, data: RegistrationData) -> SaveResult:
    """Store a consented registration and queue the coordinators' notification.

    Everything is written in the caller's transaction: the registration, its consent
    record, the status step and the outbox entry are committed together or not at all.
    A person's open registration of the same kind is updated instead of duplicated.
    """
    if data.kind not in KINDS:
        raise ValueError(f"unknown registration kind {data.kind!r}")
    consent = repository.add_consent(
        session=session,
        person_ref=data.person_ref,
        kind=data.kind,
        notice_version=PRIVACY_NOTICE_VERSION,
        language=data.language,
    )
    registration = repository.find_registration(
        session=session,
        person_ref=data.person_ref,
        kind=data.kind,
        statuses=workflow.OPEN_STATUSES,
    )
    updated = registration is not None
    if registration is None:
        registration = Registration(person_ref=data.person_ref, kind=data.kind, status="new")
        session.add(registration)
    registration.language = data.language
    registration.name = data.name
    registration.contact_method = data.contact_method
    registration.phone = data.phone
    registration.email = data.email
    registration.municipality = data.municipality
    registration.source = data.source or registration.source
    registration.details = dict(data.details)
    registration.consent = consent
    registration.updated_at = utcnow()
    if not updated:
        repository.add_status_change(
            session=session, registration=registration, new_status="new", changed_by=SYSTEM_ACTOR
        )
    session.flush()
    repository.add_outbox_message(
        session=session,
        topic="registration_updated" if updated else "registration_new",
        text_de=notification_text(registration, updated=updated),
        person_ref=data.person_ref,
        registration_id=registration.id,
    )
    return SaveResult(registration_id=registration.id, updated=updated)


def change_status(
    *, session: Session, registration_id: int, new_status: str, changed_by: str
) -> Registration:
    """Move a registration one step in its workflow.

    Raises:
        LookupError: If there is no such registration.
        StatusChangeError: If the step is not allowed from the current status.
    """
    registration = session.get(Registration, registration_id)
    if registration is None:
        raise LookupError(registration_id)
    if not workflow.can_move(registration.status, new_status):
        raise StatusChangeError(registration.status, new_status)
    repository.add_status_change(
        session=session, registration=registration, new_status=new_status, changed_by=changed_by
    )
    return registration


def erase_person(*, session: Session, person_ref: str, include_conversation: bool = True) -> int:
    """Erase everything stored about a person and tell the coordinators, without their data.

    Args:
        session: The caller's session.
        person_ref: The person's conversation id.
        include_conversation: Also erase the Rasa conversation. Inside a running Rasa
            turn this must be left to the front end, because Rasa writes the turn's
            events when the turn ends.

    Returns:
        The number of registrations erased.
    """
    erased = repository.delete_person(session=session, person_ref=person_ref)
    if include_conversation:
        repository.delete_conversation(session=session, sender_id=person_ref)
    if erased:
        repository.add_outbox_message(
            session=session,
            topic="registration_withdrawn",
            text_de=coordinator_texts.coordinator_catalogs()
            .npgettext(
                coordinator_texts.COORDINATOR_LANGUAGE,
                "coordinators",
                "{count} Anmeldung wurde auf Wunsch der Person zurückgezogen und gelöscht.",
                "{count} Anmeldungen wurden auf Wunsch der Person zurückgezogen und gelöscht.",
                erased,
            )
            .format(count=erased),
            person_ref=None,
            registration_id=None,
        )
    return erased


RECEIVED_UPDATES_DAYS = 2
"""Days a Telegram update id is kept (bot.storage.conversation_state)."""


@dataclass(frozen=True)
class PurgeResult:
    """What a retention run erased.

    Attributes:
        registrations: Registrations erased.
        conversations: Conversations that lost (some or all of their) events.
        events: Conversation events erased.
        handoffs: Handoffs to the coordinators erased.
    """

    registrations: int
    conversations: int
    events: int = 0
    handoffs: int = 0


def purge_expired(
    *,
    session: Session,
    registration_days: int,
    conversation_days: int,
    now: datetime | None = None,
) -> PurgeResult:
    """Erase what is past its retention period, each record by its own age.

    Args:
        session: The caller's session.
        registration_days: Registrations not updated for this many days are erased,
            with their consent record, status steps and notifications; the same
            person's newer registrations stay.
        conversation_days: Conversation events older than this are erased, in every
            conversation (the recent part of a conversation stays), and so are handoffs
            that ended (or started, if still open) before then, with their messages.
        now: The current time (for tests).
    """
    moment = now or utcnow()
    registrations = repository.delete_registrations_untouched_since(
        session=session, cutoff=moment - timedelta(days=registration_days)
    )
    chat_cutoff = moment - timedelta(days=conversation_days)
    conversations, events = repository.delete_events_before(session=session, cutoff=chat_cutoff)
    handoffs = repository.delete_handoffs_inactive_since(session=session, cutoff=chat_cutoff)
    conversation_state.delete_states_before(session=session, cutoff=chat_cutoff)
    conversation_state.delete_received_updates_before(
        session=session, cutoff=moment - timedelta(days=RECEIVED_UPDATES_DAYS)
    )
    repository.delete_web_messages_before(session=session, cutoff=chat_cutoff)
    return PurgeResult(
        registrations=registrations, conversations=conversations, events=events, handoffs=handoffs
    )
