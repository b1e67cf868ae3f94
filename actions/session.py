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
# Rasa sets this slot from the metadata of the message that starts a session after a
# silence. A session the REST channel starts for size reasons (rasa_plugins/rest_channel.py)
# is started by a "/session_start" message instead, whose metadata Rasa does not copy:
# this action does, so the NLG endpoint does not introduce the bot again (bot/nlg/renderer.py).
METADATA_SLOT = "session_started_metadata"
CONTINUED_KEY = "patenbot_session"


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
        for name in CARRIED_SLOTS:
            value = tracker.get_slot(name)
            if value is not None:
                events.append(SlotSet(name, value))
        message_metadata = tracker.latest_message.get("metadata") or {}
        metadata = (
            message_metadata
            if message_metadata.get(CONTINUED_KEY)
            else tracker.get_slot(METADATA_SLOT)
        )
        if metadata:
            events.append(SlotSet(METADATA_SLOT, metadata))
        events.append(ActionExecuted("action_listen"))
        return events
