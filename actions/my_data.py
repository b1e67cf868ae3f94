"""Data-protection rights in the chat: see what is stored, erase everything."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import resources
from bot.core import payloads
from bot.registrations.use_cases import erase_person
from bot.storage import repository

"""Tells the front end to erase this conversation from the tracker store after the turn.

Rasa writes the turn's events when the turn ends, so erasing them from inside an action
would be undone; the front end erases them once Rasa has answered.
"""


class ActionShowMyData(Action):
    """Show the person exactly what is stored about them."""

    def name(self) -> str:
        """Return the action's name as used in the domain."""
        return "action_show_my_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """List registrations and consent records, and count the chat messages."""
        with resources.session_factory()() as session:
            registrations = repository.registrations_of(
                session=session, person_ref=tracker.sender_id
            )
            consents = repository.consents_of(session=session, person_ref=tracker.sender_id)
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
            consent_times = [consent.given_at.isoformat() for consent in consents]
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
        with resources.session_factory()() as session:
            erase_person(session=session, person_ref=tracker.sender_id, include_conversation=False)
            session.commit()
        dispatcher.utter_message(response="utter_data_deleted")
        dispatcher.utter_message(json_message=payloads.ERASE_CONVERSATION)
        return []
