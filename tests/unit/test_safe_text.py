"""Cleaning typed text once at input, and showing stored text safely in every writer."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest

from actions.validators import clean_free_text, clean_name
from bot.core.conversation import ConversationService
from bot.core.rasa_client import RasaClient
from bot.core.safe_text import clean_input, displayable
from bot.i18n.catalogs import Catalogs
from bot.i18n.detection import LanguageDetection
from bot.registrations.use_cases import notification_text
from bot.storage.models import Registration
from tests.helpers import sqlite_store

# The name from the defect report: clears a terminal, then reverses what follows.
HOSTILE = "Zoe\x1b[H\x1b[J\u202eKontrolle"
UNSAFE = ["\x00", "\x07", "\x1b", "\x7f", "\x9b", "\u202a", "\u202e", "\u2066", "\u2069"]


@pytest.mark.parametrize(
    ("typed", "cleaned"),
    [
        (HOSTILE, "ZoeKontrolle"),
        ("Ali\x00ce", "Alice"),
        ("a\u202ab\u202bc\u202cd\u202de\u202ef\u2066g\u2067h\u2068i\u2069j", "abcdefghij"),
        ("\x1b]0;evil title\x07Hallo", "Hallo"),
        ("\x1b[31mrot\x1b[0m", "rot"),
        ("\x9b2JHallo", "Hallo"),
        ("eins\r\nzwei\rdrei\x85vier\u2028fünf", "eins\nzwei\ndrei\nvier\nfünf"),
        ("Tab\there\x0bvt\x0cff", "Tab here vt ff"),
        ("kaputt \udcff\udcfe Bytes", "kaputt \ufffd\ufffd Bytes"),
        ("\x01\x02\x03\x7f\x80\x9f", ""),
        # Kept: every script, emoji with joiners, the plain direction marks.
        ("مرحبا\u200f Привіт Ayşe 👩‍👧 ﷺ", "مرحبا\u200f Привіт Ayşe 👩‍👧 ﷺ"),
    ],
)
def test_typed_text_is_cleaned(typed: str, cleaned: str) -> None:
    assert clean_input(typed) == cleaned


def test_displayable_marks_every_unsafe_character_and_keeps_text() -> None:
    shown = displayable("".join(UNSAFE) + "ok\ud800")
    assert shown == "\ufffd" * len(UNSAFE) + "ok\ufffd"
    assert displayable("Name: a\nb") == "Name: a b"
    assert displayable("Zeile 1\r\nZeile 2", keep_newlines=True) == "Zeile 1\nZeile 2"
    assert displayable("Ayşe 👩‍👧 مرحبا\u200f") == "Ayşe 👩‍👧 مرحبا\u200f"


def test_the_form_stores_names_and_free_text_cleaned() -> None:
    assert clean_name(HOSTILE) == "ZoeKontrolle"
    assert clean_name("\x00\x1b[2J\u202e") is None
    assert clean_free_text("Flyer\x00 im\u202e Rathaus\x1b[H", 500) == "Flyer im Rathaus"


def test_the_coordinators_notification_shows_no_unsafe_characters() -> None:
    registration = Registration(
        id=7,
        person_ref="p",
        kind="mentor",
        status="new",
        language="de",
        name=HOSTILE,
        contact_method="email",
        email="x\x1b@example.org",
        municipality="Aidlingen\u2066",
        details={"heard_from": "Flyer\nName: gefälscht", "languages": ["de\x07"]},
    )
    text = notification_text(registration, updated=False)
    assert not any(char in text for char in UNSAFE)
    assert "Zoe\ufffd[H\ufffd[J\ufffdKontrolle" in text
    # A value cannot start a line of its own (e.g. a forged "Name:" line).
    assert "\nName: gefälscht" not in text


class FakeRasa:
    """Records what the conversation core sends to Rasa."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def language_state(self, sender_id: str) -> None:
        return None

    async def send(
        self, sender_id: str, message: str, metadata: dict[str, Any]
    ) -> list[dict[str, Any]]:
        self.sent.append(message)
        return [{"text": "ok"}]


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        (HOSTILE, "ZoeKontrolle"),
        ("Was kostet\x00 das\u202e?", "Was kostet das?"),
        # Undecodable bytes arrive as lone surrogates; the detector used to raise on them.
        ("Wie werde ich Pate? \udcff\udcfe", "Wie werde ich Pate? \ufffd\ufffd"),
    ],
)
async def test_every_message_is_cleaned_before_it_goes_to_rasa(
    catalogs: Catalogs, detection: LanguageDetection, typed: str, sent: str, tmp_path: Path
) -> None:
    rasa = FakeRasa()
    service = ConversationService(
        cast(RasaClient, rasa),
        catalogs,
        detection,
        max_message_chars=1000,
        erase_conversation=lambda _sender: None,
        store=sqlite_store(tmp_path),
    )
    replies = await service.handle_text("unit-clean", typed)
    assert [reply.text for reply in replies] == ["ok"]
    assert rasa.sent == [sent]
