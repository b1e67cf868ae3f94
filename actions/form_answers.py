"""Reading a form answer: a pressed button's choice, a yes/no, or typed text."""

from __future__ import annotations

from typing import Any

from rapidfuzz import fuzz, process

from actions import resources
from bot.core import payloads
from bot.i18n.languages import SOURCE_LANGUAGE
from bot.nlg.responses import button_context

SKIP = "skip"
CHOICE_MIN_SCORE = 80
# Payloads of the form's own buttons (a choice, yes, no). Every other payload is a
# command (/delete, /help …) or a topic button, which the rules answer instead.
ANSWER_PAYLOAD_INTENTS = frozenset({"inform", "affirm", "deny"})
# "stop" cancels the form wherever it is typed (a rule does that).
STOP_INTENT = "stop"
# At a yes/no question a typed question ("is it free?") is answered first (a rule),
# then asked again: it is part of informed consent. At free-text questions a name or
# a town can look like a question to the NLU, so typed text is always the answer there.
YES_NO_SLOTS = frozenset({"reg_consent", "reg_adult"})
FAQ_INTENT = "faq"
FORM = "registration_form"
# Events Rasa adds between a user's message and the form's run: slots set from the
# message, and the policies' note on how the message was featurized.
BOOKKEEPING_EVENTS = frozenset({"slot", "user_featurization"})


def is_payload(message: dict[str, Any]) -> bool:
    """Return whether a message is a payload (a button or a command), not typed text.

    The front end sends typed text starting with "/" as a command, never as it is,
    so only payloads it issued start with "/".
    """
    return str(message.get("text") or "").startswith("/")


def answer_to(slot: str, message: dict[str, Any]) -> str | None:
    """Return the latest message as the answer to the open question ``slot``.

    Returns:
        The message text (or button payload), or ``None`` when the message is not an
        answer: "stop", a question at a yes/no question, or a command such as
        ``/delete_my_data``. The form then steps aside and the rules handle it.
    """
    intent = (message.get("intent") or {}).get("name")
    if intent == STOP_INTENT:
        return None
    if slot in YES_NO_SLOTS and intent == FAQ_INTENT:
        return None
    if is_payload(message) and intent not in ANSWER_PAYLOAD_INTENTS:
        return None
    return str(message.get("text") or "")


def answered_since_form_ran(events: list[dict[str, Any]]) -> bool:
    """Return whether the user wrote since the form last ran.

    Rasa runs the form (and its validation) again after an answered question or a
    command; the latest message then has been dealt with and is no answer. The form's
    own current run (the last action event) and bookkeeping events are skipped.
    """
    seen_form_run = False
    for event in reversed(events):
        kind = event.get("event")
        if kind in BOOKKEEPING_EVENTS:
            continue
        if kind == "action" and event.get("name") == FORM and not seen_form_run:
            seen_form_run = True
            continue
        return bool(kind == "user")
    return False


def pressed_choice(message: dict[str, Any]) -> str | None:
    """Return the ``choice`` of a pressed ``/inform{"choice": …}`` button, if any."""
    if (message.get("intent") or {}).get("name") != "inform":
        return None
    for entity in message.get("entities") or ():
        if entity.get("entity") == "choice" and isinstance(entity.get("value"), str):
            return str(entity["value"])
    return None


def yes_or_no(message: dict[str, Any]) -> bool | None:
    """Return True for yes (``affirm``), False for no (``deny``), else None."""
    intent = (message.get("intent") or {}).get("name")
    return {"affirm": True, "deny": False}.get(str(intent))


def button_choices(response_name: str, language: str) -> dict[str, list[str]]:
    """Map each ``choice`` offered by a response's buttons to its titles (German and user's)."""
    source = resources.responses().get(response_name)
    if source is None:
        return {}
    choices: dict[str, list[str]] = {}
    for button in source.buttons:
        choice = payloads.informed_choice(button.payload)
        if choice is None:
            continue
        translated = resources.catalogs().pgettext(
            language, button_context(response_name), button.title
        )
        choices[choice] = [button.title, translated]
    return choices


def typed_choice(text: str, response_name: str, language: str) -> str | None:
    """Match typed text to one of the choices a response offers, tolerating typos."""
    choices = button_choices(response_name, language or SOURCE_LANGUAGE)
    titles = {title.casefold(): choice for choice, names in choices.items() for title in names}
    if not text.strip() or not titles:
        return None
    best = process.extractOne(text.strip().casefold(), list(titles), scorer=fuzz.WRatio)
    if best is None or best[1] < CHOICE_MIN_SCORE:
        return None
    return titles[best[0]]
