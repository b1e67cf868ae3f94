"""Every payload and marker that passes between the channels, Rasa and the NLG endpoint.

Button payloads are Rasa's ``/intent{"entity": "value"}`` strings; the custom markers are
the ``custom.patenbot`` values of a bot message. Both are built and read only here, so
the channels, the NLG endpoint and the actions agree on one spelling. Imported by both
processes (channels and action server), so this module depends on nothing but ``json``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

MARKER_KEY = "patenbot"
"""The key of our markers in a bot message's ``custom`` payload."""
ERASE_CONVERSATION = {MARKER_KEY: "erase_conversation"}
"""Sent by ``action_delete_my_data``: the channel erases this conversation after the turn."""
HANDOFF = "handoff"
"""Marker: a person was asked for."""
UNSURE = "unsure"
"""Marker: the assistant was unsure what the user meant."""
SIGNALS = frozenset({HANDOFF, UNSURE})
"""Markers a turn can carry for the channel."""


def intent_payload(intent: str, entities: Mapping[str, Any] | None = None) -> str:
    """Return the payload that sends ``intent`` (with ``entities``) to Rasa directly."""
    return f"/{intent}{json.dumps(dict(entities))}" if entities else f"/{intent}"


def parse_payload(payload: str) -> tuple[str, dict[str, Any]] | None:
    """Return intent and entities of a ``/intent{...}`` payload, or None if malformed."""
    if not payload.startswith("/"):
        return None
    intent, brace, rest = payload[1:].partition("{")
    if not intent:
        return None
    if not brace:
        return intent, {}
    try:
        entities = json.loads(brace + rest)
    except json.JSONDecodeError:
        return None
    return (intent, entities) if isinstance(entities, dict) else None


def _entity(payload: str, intent: str, entity: str) -> str | None:
    parsed = parse_payload(payload)
    if parsed is None or parsed[0] != intent:
        return None
    value = parsed[1].get(entity)
    return value if isinstance(value, str) else None


def change_language(code: str) -> str:
    """Return the payload of the button that switches to language ``code``."""
    return intent_payload("change_language", {"language": code})


def chosen_language(payload: str) -> str | None:
    """Return the language a ``/change_language{...}`` payload picks, if any."""
    return _entity(payload, "change_language", "language")


def inform_choice(choice: str) -> str:
    """Return the payload of a form button that answers with ``choice``."""
    return intent_payload("inform", {"choice": choice})


def informed_choice(payload: str) -> str | None:
    """Return the ``choice`` of an ``/inform{"choice": …}`` payload, if it is one."""
    return _entity(payload, "inform", "choice")


def faq(topic: str, intent: str = "faq") -> str:
    """Return the payload that asks the FAQ ``topic`` directly."""
    return intent_payload(intent, {"faq_topic": topic})


def topic(key: str) -> str:
    """Return the payload of a topic key such as ``faq/privacy`` or ``greet``."""
    intent, _, faq_topic = key.partition("/")
    return faq(faq_topic, intent) if faq_topic else intent_payload(intent)


def marker(signal: str) -> dict[str, str]:
    """Return the ``custom`` payload that attaches ``signal`` to a bot message."""
    return {MARKER_KEY: signal}


def signals_of(messages: Iterable[Mapping[str, Any]]) -> frozenset[str]:
    """Return the known markers attached to any of Rasa's bot messages."""
    found = set()
    for item in messages:
        custom = item.get("custom")
        if isinstance(custom, dict) and custom.get(MARKER_KEY) in SIGNALS:
            found.add(str(custom[MARKER_KEY]))
    return frozenset(found)


def asks_to_erase(messages: Iterable[Mapping[str, Any]]) -> bool:
    """Return whether the turn asked the channel to erase the conversation."""
    return any(item.get("custom") == ERASE_CONVERSATION for item in messages)
