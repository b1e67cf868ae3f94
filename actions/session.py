"""The start of a conversation session: which slots the new session keeps."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

# Only the language choice goes on into a new session. The registration form's slots
# (name, phone, e-mail …) do not: carried over, they would be copied into every new
# session with a new date, and so would never reach the chat retention period.
CARRIED_SLOTS = ("language", "language_explicit")
# Rasa sets this slot from the metadata of the message that starts the session; the NLG
# endpoint reads it (a session started for size reasons does not introduce the bot again).
METADATA_SLOT = "session_started_metadata"


class ActionSessionStart(Action):
    """Start a new session (after an hour of silence, or when a session grew too long)."""

    def name(self) -> str:
        """Return the action's name; it replaces Rasa's default ``action_session_start``."""
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Return the session start, the carried slots and the wait for the user."""
        events: list[EventType] = [SessionStarted()]
        for name in (*CARRIED_SLOTS, METADATA_SLOT):
            value = tracker.get_slot(name)
            if value is not None:
                events.append(SlotSet(name, value))
        events.append(ActionExecuted("action_listen"))
        return events
