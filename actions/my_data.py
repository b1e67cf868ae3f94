"""Data-protection rights in the chat: see what is stored, erase everything.

The database work runs in a worker thread (``asyncio.to_thread``), so a slow database
does not hold up the action server's other conversations, in one ``begin()`` block each.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import resources
from bot.core import payloads
from bot.registrations.use_cases import erase_person
from bot.storage import repository


class ActionShowMyData(Action):
    """Show the person exactly what is stored about them."""

    def name(self) -> str:
        """Return the action's name as used in the domain."""
        return "action_show_my_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """List registrations and consent records, and count the chat messages."""
        stored, consent_times = await asyncio.to_thread(_stored_data, tracker.sender_id)
        messages = sum(1 for event in tracker.events if event.get("event") == "user")
        if not stored and not consent_times:
            dispatcher.utter_message(response="utter_my_data_none")
        else:
            dispatcher.utter_message(
                response="utter_my_data",
                stored_registrations=stored,
                consents=consent_times,
                chat_messages=messages,
            )
        return []


class ActionDeleteMyData(Action):
    """Erase everything about the person once they confirmed it."""

    def name(self) -> str:
        """Return the action's name as used in the domain."""
        return "action_delete_my_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Ask first; on the confirmation button, erase and tell the coordinators."""
        confirmed = next(tracker.get_latest_entity_values("delete_confirmed"), None) == "yes"
        if not confirmed:
            dispatcher.utter_message(response="utter_ask_delete_confirm")
            return []
        await asyncio.to_thread(_erase, tracker.sender_id)
        dispatcher.utter_message(response="utter_data_deleted")
        # Rasa writes the turn's events when the turn ends, so erasing them from inside
        # an action would be undone; the channel erases them once Rasa has answered.
        dispatcher.utter_message(json_message=payloads.ERASE_CONVERSATION)
        return []


def _stored_data(person_ref: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Return the person's registrations and consent times (called in a worker thread)."""
    with resources.session_factory().begin() as session:
        registrations = repository.registrations_of(session=session, person_ref=person_ref)
        consents = repository.consents_of(session=session, person_ref=person_ref)
        stored = [
            {
                "kind": registration.kind,
                "status": registration.status,
                "created_at": registration.created_at.isoformat(),
                "name": registration.name,
                "contact_method": registration.contact_method,
                "phone": registration.phone,
                "email": registration.email,
                "municipality": registration.municipality,
                "language": registration.language,
                "details": registration.details,
            }
            for registration in registrations
        ]
        return stored, [consent.given_at.isoformat() for consent in consents]


def _erase(person_ref: str) -> None:
    """Erase everything about the person but the running conversation (in a worker thread)."""
    with resources.session_factory().begin() as session:
        erase_person(session=session, person_ref=person_ref, include_conversation=False)
