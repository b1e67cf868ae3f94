"""Human handoff: a conversation handed to the coordinators' group and back."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.i18n.catalogs import NC_
from bot.storage import repository
from bot.storage.models import Handoff

# Shown in the coordinators' Telegram group when the web console answered a handoff, so
# that nobody there answers the same question again.
CONSOLE_REPLY_GROUP = NC_(
    "coordinators", "Antwort aus der Web-Konsole an Gespräch #{reference}:\n\n{text}"
)


@dataclass(frozen=True)
class HandoffRef:
    """An open handoff: its number (the conversation reference shown to coordinators)."""

    id: int
    person_ref: str
    language: str
    open: bool


def _ref(handoff: Handoff) -> HandoffRef:
    return HandoffRef(handoff.id, handoff.person_ref, handoff.language, handoff.ended_at is None)


class Handoffs:
    """Stores handoffs, so that a restart keeps them and ``/delete`` erases them."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        """Use the given database."""
        self._sessions = sessions

    def active(self, person_ref: str) -> HandoffRef | None:
        """Return the person's open handoff, if any."""
        with self._sessions() as session:
            handoff = repository.active_handoff(session=session, person_ref=person_ref)
            return _ref(handoff) if handoff else None

    def latest(self, person_ref: str) -> HandoffRef | None:
        """Return the person's most recent handoff, open or ended (None if erased)."""
        with self._sessions() as session:
            handoff = session.scalars(
                select(Handoff)
                .where(Handoff.person_ref == person_ref)
                .order_by(Handoff.id.desc())
                .limit(1)
            ).first()
            return _ref(handoff) if handoff else None

    def start(self, person_ref: str, language: str) -> HandoffRef:
        """Open a handoff (or return the open one)."""
        with self._sessions.begin() as session:
            return _ref(
                repository.start_handoff(session=session, person_ref=person_ref, language=language)
            )

    def record(self, handoff: HandoffRef, role: str, text: str) -> None:
        """Keep a handoff message for the web console ("user" or "office").

        Stored like a web chat's transcript rows (``web_messages``, by the person's id),
        so "delete my data" and the chat retention period erase them too.
        """
        with self._sessions.begin() as session:
            repository.add_web_message(
                session=session,
                sender_id=handoff.person_ref,
                role=role,
                text=text[:4000],
                language=handoff.language,
            )

    def remember_group_message(self, handoff_id: int, group_message_id: int) -> None:
        """Note a group message whose replies go to this handoff's person."""
        with self._sessions.begin() as session:
            repository.add_handoff_message(
                session=session, handoff_id=handoff_id, group_message_id=group_message_id
            )

    def of_group_message(self, group_message_id: int) -> HandoffRef | None:
        """Return the handoff a group message belongs to."""
        with self._sessions() as session:
            handoff = repository.handoff_of_group_message(
                session=session, group_message_id=group_message_id
            )
            return _ref(handoff) if handoff else None

    def end(self, *, handoff_id: int, ended_by: str) -> HandoffRef | None:
        """Close a handoff; return it as it was (None if unknown or already closed)."""
        with self._sessions.begin() as session:
            handoff = session.get(Handoff, handoff_id)
            if handoff is None or handoff.ended_at is not None:
                return None
            ref = _ref(handoff)
            repository.end_handoff(session=session, handoff=handoff, ended_by=ended_by)
            return ref

    def end_for_person(self, person_ref: str, *, ended_by: str) -> bool:
        """Close the person's open handoff (e.g. on ``/start``); return whether one was open."""
        ref = self.active(person_ref)
        return ref is not None and self.end(handoff_id=ref.id, ended_by=ended_by) is not None
