"""Actions that keep the conversation's language slots in step with the front end."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.i18n.languages import SOURCE_LANGUAGE, is_supported


class ActionResolveLanguage(Action):
    """Copy the front end's language decision from the message metadata into the slots.

    The decision itself is made once, in ``bot.i18n.decision.resolve_language``, by the shared
    front end. This action only stores it in the conversation (slots ``language`` and
    ``language_explicit``) so that the NLG endpoint renders replies in it. A client
    that sends no decision keeps the current language.
    """

    def name(self) -> str:
        """Return the action's name as used in the domain."""
        return "action_resolve_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Return the slot events for the language of the latest message."""
        metadata: dict[str, Any] = tracker.latest_message.get("metadata") or {}
        language = metadata.get("language")
        current = tracker.get_slot("language")
        if not is_supported(language):
            language = current if is_supported(current) else SOURCE_LANGUAGE
        explicit = bool(metadata.get("language_explicit", tracker.get_slot("language_explicit")))
        events: list[EventType] = []
        if language != current:
            events.append(SlotSet("language", language))
        if explicit != bool(tracker.get_slot("language_explicit")):
            events.append(SlotSet("language_explicit", explicit))
        return events


class ActionChangeLanguage(Action):
    """Confirm a language the user picked, or offer the language picker."""

    def name(self) -> str:
        """Return the action's name as used in the domain."""
        return "action_change_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Send the confirmation if a language button was pressed, else the picker."""
        picked = next(tracker.get_latest_entity_values("language"), None)
        if is_supported(picked):
            dispatcher.utter_message(response="utter_language_changed")
        else:
            dispatcher.utter_message(response="utter_choose_language")
        return []
