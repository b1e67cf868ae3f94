"""The Babel extractor for domain.yml responses."""

from __future__ import annotations

import io

from bot.i18n.babel_extractor import extract_domain

DOMAIN = """
version: "3.1"
intents: [greet]
responses:
  utter_greet:
    - text: "Hallo {office_name}!"
      buttons:
        - title: "Hilfe"
          payload: /help
  utter_changed:
    - text: "Jetzt auf Deutsch."
      metadata:
        translator_note: "Name THIS language."
"""


def test_texts_and_button_titles_are_extracted_with_context_and_line() -> None:
    found = list(extract_domain(io.BytesIO(DOMAIN.encode()), {}, (), {}))
    assert [(line, context, text) for line, _, (context, text), _ in found] == [
        (5, "utter_greet", "Hallo {office_name}!"),
        (5, "utter_greet|button", "Hilfe"),
        (10, "utter_changed", "Jetzt auf Deutsch."),
    ]
    assert "Name THIS language." in found[2][3]
    assert all(keyword == "tr" for _, keyword, _, _ in found)


def test_empty_file_yields_nothing() -> None:
    assert list(extract_domain(io.BytesIO(b""), {}, (), {})) == []
