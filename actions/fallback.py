"""What the assistant does when it is not sure what the user means."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.nlu_results import ranked_topics
from bot.nlg.topics import TOPIC_TITLES

# A topic is offered only if it has at least this score; otherwise we ask to rephrase.
MIN_SUGGESTION_SCORE = 0.05
SUGGESTIONS = 2


class ActionDidYouMean(Action):
    """Offer the two likeliest topics as buttons, or ask the user to rephrase."""

    def name(self) -> str:
        """Return the action's name as used in the domain."""
        return "action_did_you_mean"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Send the "did you mean …?" buttons, never a confident guess."""
        choices = [
            key
            for key, score in ranked_topics(tracker.latest_message)
            if key in TOPIC_TITLES and score >= MIN_SUGGESTION_SCORE
        ][:SUGGESTIONS]
        if choices:
            dispatcher.utter_message(response="utter_did_you_mean", choices=choices)
        else:
            dispatcher.utter_message(response="utter_rephrase")
        return []
