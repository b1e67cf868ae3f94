"""Answering the FAQ retrieval intent."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.nlu_results import selected_faq_topic

FAQ_RESPONSE_PREFIX = "utter_faq/"


class ActionAnswerFaq(Action):
    """Answer a FAQ: the topic from a button, else the ResponseSelector's choice."""

    def name(self) -> str:
        """Return the action's name as used in the domain."""
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Send the answer of the selected FAQ topic, or ask to rephrase."""
        topic = next(tracker.get_latest_entity_values("faq_topic"), None)
        if topic is None:
            topic = selected_faq_topic(tracker.latest_message)
        response = f"{FAQ_RESPONSE_PREFIX}{topic}" if topic else None
        if response and response in (domain.get("responses") or {}):
            dispatcher.utter_message(response=response)
        else:
            dispatcher.utter_message(response="utter_rephrase")
        return []
