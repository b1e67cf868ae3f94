"""The German source responses, read from ``domain.yml``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class SourceButton:
    """A button of a source response."""

    title: str
    payload: str


@dataclass(frozen=True)
class SourceResponse:
    """One response of the domain: its German text and buttons.

    Attributes:
        name: The response name, e.g. ``utter_greet`` or ``utter_faq/insurance``.
        text: The German source text with ``{placeholders}``.
        buttons: The buttons in their source order.
        translator_note: An optional hint for translators (``metadata.translator_note``).
    """

    name: str
    text: str
    buttons: tuple[SourceButton, ...]
    translator_note: str | None = None


def button_context(response_name: str) -> str:
    """Return the translation context of a response's button titles."""
    return f"{response_name}|button"


def parse_responses(domain: dict[str, Any]) -> dict[str, SourceResponse]:
    """Return the responses of a parsed domain, keyed by name.

    Only the first variation of each response is used: Patenbot keeps one text per
    response so that every language says the same.
    """
    result = {}
    for name, variations in (domain.get("responses") or {}).items():
        first = variations[0]
        buttons = tuple(
            SourceButton(title=str(button["title"]), payload=str(button["payload"]))
            for button in first.get("buttons") or ()
        )
        note = (first.get("metadata") or {}).get("translator_note")
        result[name] = SourceResponse(name, str(first.get("text", "")), buttons, note)
    return result


def load_responses(domain_file: Path) -> dict[str, SourceResponse]:
    """Read the responses of ``domain.yml``."""
    with domain_file.open(encoding="utf-8") as handle:
        return parse_responses(yaml.safe_load(handle))
