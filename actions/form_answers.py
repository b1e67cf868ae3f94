"""Reading a form answer: a pressed button's choice, a yes/no, or typed text."""

from __future__ import annotations

import json
from typing import Any

from rapidfuzz import fuzz, process

from actions import resources
from bot.languages import SOURCE_LANGUAGE
from bot.responses import button_context

SKIP = "skip"
CHOICE_MIN_SCORE = 80


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
        if not button.payload.startswith("/inform{"):
            continue
        choice = json.loads(button.payload.removeprefix("/inform"))["choice"]
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
