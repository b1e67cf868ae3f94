"""Reading Rasa's NLU results (intent ranking, ResponseSelector) from a message."""

from __future__ import annotations

from typing import Any

FALLBACK_INTENT = "nlu_fallback"
RETRIEVAL_INTENT = "faq"


def _faq_selector(message: dict[str, Any]) -> dict[str, Any]:
    selectors = message.get("response_selector") or {}
    return selectors.get(RETRIEVAL_INTENT) or selectors.get("default") or {}


def selected_faq_topic(message: dict[str, Any]) -> str | None:
    """Return the FAQ topic the ResponseSelector chose, e.g. ``"insurance"``."""
    response = _faq_selector(message).get("response") or {}
    key = response.get("intent_response_key") or ""
    intent, _, topic = key.partition("/")
    return topic if intent == RETRIEVAL_INTENT and topic else None


def ranked_topics(message: dict[str, Any]) -> list[tuple[str, float]]:
    """Return the likeliest topics of a message, best first.

    FAQ topics are scored as the intent's confidence times the ResponseSelector's
    confidence for the topic, so they compete fairly with the other intents.

    Returns:
        ``(key, score)`` pairs, where key is an intent or ``faq/<topic>``.
    """
    scores: dict[str, float] = {}
    for entry in message.get("intent_ranking") or ():
        name, confidence = entry.get("name"), float(entry.get("confidence") or 0.0)
        if not name or name == FALLBACK_INTENT:
            continue
        if name != RETRIEVAL_INTENT:
            scores[name] = confidence
            continue
        for candidate in _faq_selector(message).get("ranking") or ():
            key = candidate.get("intent_response_key")
            if key:
                scores[key] = confidence * float(candidate.get("confidence") or 0.0)
    return sorted(scores.items(), key=lambda item: item[1], reverse=True)
