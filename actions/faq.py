"""Answering the FAQ retrieval intent."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.audience import audience_named_in, conversation_audience
from actions.nlu_results import selected_faq_topic

FAQ_RESPONSE_PREFIX = "utter_faq/"
# The cost answer differs per audience. The ResponseSelector cannot tell who asks
# "does it cost me anything?", so the message's own words ("my son") decide, else the
# conversation; unknown: both in one reply.
COST_ANSWERS = {"mentor": "costs_and_expenses", "family": "parent_costs"}
COSTS_FOR_EVERYONE = "utter_costs_for_everyone"
# Topics only one audience asks about: answering one shows who is asking (the
# greeting's "become a mentor" and "for parents" buttons lead to the first of each).
AUDIENCE_OF_TOPIC = {
    "how_to_apply": "mentor",
    "who_can_mentor": "mentor",
    "police_certificate": "mentor",
    "training_and_support": "mentor",
    "mentor_benefits": "mentor",
    "interpreter_pool": "mentor",
    "parent_get_mentor": "family",
    "parent_child_safety": "family",
    "parent_mentor_language": "family",
}


def _response_for(topic: str, *, chosen_by_button: bool, audience: str | None) -> str:
    if topic in COST_ANSWERS.values() and not chosen_by_button:
        return FAQ_RESPONSE_PREFIX + COST_ANSWERS[audience] if audience else COSTS_FOR_EVERYONE
    return FAQ_RESPONSE_PREFIX + topic


class ActionAnswerFaq(Action):
    """Answer a FAQ: the topic from a button, else the ResponseSelector's choice."""

    def name(self) -> str:
        """Return the action's name as used in the domain."""
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Send the answer for the topic (and audience), or ask to rephrase."""
        button_topic = next(tracker.get_latest_entity_values("faq_topic"), None)
        topic = button_topic or selected_faq_topic(tracker.latest_message)
        if not topic:
            dispatcher.utter_message(response="utter_rephrase")
            return []
        audience = audience_named_in(
            str(tracker.latest_message.get("text") or "")
        ) or conversation_audience(tracker)
        response = _response_for(
            topic, chosen_by_button=button_topic is not None, audience=audience
        )
        if response not in (domain.get("responses") or {}):
            dispatcher.utter_message(response="utter_rephrase")
            return []
        dispatcher.utter_message(response=response)
        # A cost topic pressed as a button ("Parents: what does it cost?") says who asks.
        shown = AUDIENCE_OF_TOPIC.get(topic) or (
            next((who for who, key in COST_ANSWERS.items() if key == topic), None)
            if button_topic
            else None
        )
        if shown and shown != tracker.get_slot("audience"):
            return [SlotSet("audience", shown)]
        return []
