"""The conversation core offline: ConversationService with a stand-in for the Rasa server.

The stand-in records what the core sends and answers as Rasa's REST channel does, so
these tests show what reaches Rasa (text, payload, language metadata) and what the
channel gets back, without a server. The end-to-end tests run the same paths for real.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.core import payloads
from bot.core.conversation import ConversationService, Reply
from bot.core.rasa_client import RasaConnection, RasaUnavailableError, TurnNotSavedError
from bot.core.state import ConversationStore
from bot.i18n.catalogs import Catalogs
from bot.i18n.decision import LanguageState
from bot.i18n.detection import LanguageDetection
from tests.helpers import sqlite_store

SENDER = "terminal-1"
UNREACHABLE = (
    "Entschuldigung, ich bin gerade nicht erreichbar. "
    "Bitte schreiben Sie Ihre Nachricht in ein paar Minuten noch einmal."
)
NOT_SAVED = (
    "Entschuldigung, ich konnte Ihre letzte Nachricht nicht speichern. "
    "Bitte schicken Sie sie noch einmal."
)
UNKNOWN_COMMAND = (
    "Diesen Befehl kenne ich nicht. Sie können einfach Ihre Frage schreiben. "
    "Befehle: /start, /help, /language, /privacy, /mydata, /delete, /cancel."
)
INVALID_BUTTON = (
    "Dieser Knopf ist nicht mehr gültig. Bitte schreiben Sie Ihre Frage oder tippen Sie /help."
)


class StandInRasa:
    """Answers like Rasa's REST channel; records every message sent to it."""

    def __init__(self, state: LanguageState | None = None) -> None:
        self.state = state
        self.sent: list[tuple[str, str, dict[str, Any]]] = []
        self.answer: list[dict[str, Any]] = [{"text": "Antwort"}]
        self.error: Exception | None = None

    async def send(
        self, sender_id: str, message: str, metadata: dict[str, Any]
    ) -> list[dict[str, Any]]:
        self.sent.append((sender_id, message, metadata))
        if self.error is not None:
            raise self.error
        return self.answer

    async def language_state(self, sender_id: str) -> LanguageState | None:
        return self.state


def service_for(
    rasa: RasaConnection,
    catalogs: Catalogs,
    detection: LanguageDetection,
    store: ConversationStore,
    erased: list[str] | None = None,
) -> ConversationService:
    return ConversationService(
        rasa,
        catalogs,
        detection,
        max_message_chars=1000,
        erase_conversation=(erased if erased is not None else []).append,
        store=store,
    )


@pytest.fixture
def store(tmp_path: Path) -> ConversationStore:
    return sqlite_store(tmp_path)


@pytest.fixture
def rasa() -> StandInRasa:
    return StandInRasa()


@pytest.fixture
def service(
    rasa: StandInRasa, catalogs: Catalogs, detection: LanguageDetection, store: ConversationStore
) -> ConversationService:
    return service_for(rasa, catalogs, detection, store)


async def test_a_clear_message_is_answered_in_its_language(
    service: ConversationService, rasa: StandInRasa
) -> None:
    replies = await service.handle_text(SENDER, "Merhaba, gönüllü olmak istiyorum lütfen")
    assert [(message, meta["language"]) for _, message, meta in rasa.sent] == [
        ("Merhaba, gönüllü olmak istiyorum lütfen", "tr")
    ]
    assert [(reply.text, reply.language) for reply in replies] == [("Antwort", "tr")]


async def test_a_short_message_keeps_the_conversations_language(
    catalogs: Catalogs, detection: LanguageDetection, store: ConversationStore
) -> None:
    rasa = StandInRasa(LanguageState("uk"))
    service = service_for(rasa, catalogs, detection, store)
    await service.handle_text(SENDER, "ok", client_language="en")
    assert rasa.sent[0][2]["language"] == "uk"
    assert rasa.sent[0][2]["client_language"] == "en"


async def test_a_typed_payload_is_an_unknown_command_and_starts_nothing(
    service: ConversationService, rasa: StandInRasa, catalogs: Catalogs
) -> None:
    replies = await service.handle_text(SENDER, '/inform{"consent": true}')
    assert rasa.sent == []
    assert [reply.text for reply in replies] == [
        catalogs.pgettext("de", "frontend", UNKNOWN_COMMAND)
    ]


async def test_a_known_command_sends_the_channels_own_payload(
    service: ConversationService, rasa: StandInRasa
) -> None:
    await service.handle_text(SENDER, "/privacy@patenbot extra words")
    assert [message for _, message, _ in rasa.sent] == [payloads.faq("privacy")]


async def test_buttons_are_tokens_and_only_issued_ones_send_their_payload(
    service: ConversationService, rasa: StandInRasa, catalogs: Catalogs
) -> None:
    arabic = payloads.change_language("ar")
    rasa.answer = [{"text": "Sprache?", "buttons": [{"title": "العربية", "payload": arabic}]}]
    (reply,) = await service.handle_text(SENDER, "/language")
    (choice,) = reply.choices
    assert choice.title == "العربية"
    assert choice.token != arabic and "{" not in choice.token

    rasa.answer = [{"text": "مرحبا"}]
    (answer,) = await service.handle_button(SENDER, choice.token)
    _, message, metadata = rasa.sent[-1]
    assert message == arabic
    assert (metadata["language"], metadata["language_explicit"]) == ("ar", True)
    assert answer.language == "ar"

    sent_before = len(rasa.sent)
    (refused,) = await service.handle_button(SENDER, arabic)  # a payload is no token
    assert len(rasa.sent) == sent_before
    assert refused.text == catalogs.pgettext("ar", "frontend", INVALID_BUTTON)


@pytest.mark.parametrize(
    ("error", "apology"),
    [(RasaUnavailableError("HTTP 500"), UNREACHABLE), (TurnNotSavedError("x"), NOT_SAVED)],
)
async def test_an_unreachable_rasa_gets_the_apology_in_the_users_language(
    service: ConversationService,
    rasa: StandInRasa,
    catalogs: Catalogs,
    error: Exception,
    apology: str,
) -> None:
    rasa.error = error
    replies = await service.handle_text(SENDER, "Добрый день, как стать наставником?")
    assert [(reply.text, reply.language) for reply in replies] == [
        (catalogs.pgettext("ru", "frontend", apology), "ru")
    ]


async def test_markers_become_signals_and_the_erase_marker_erases_the_conversation(
    rasa: StandInRasa, catalogs: Catalogs, detection: LanguageDetection, store: ConversationStore
) -> None:
    erased: list[str] = []
    service = service_for(rasa, catalogs, detection, store, erased)
    rasa.answer = [{"text": "Ich gebe weiter.", "custom": payloads.marker(payloads.HANDOFF)}]
    (reply,) = await service.handle_text(SENDER, "Ich möchte mit einem Menschen sprechen")
    assert reply.signals == {payloads.HANDOFF}
    assert erased == []

    rasa.answer = [{"text": "Gelöscht."}, {"custom": payloads.ERASE_CONVERSATION}]
    replies = await service.handle_command(SENDER, "delete")
    assert [reply.text for reply in replies] == ["Gelöscht."]
    assert erased == [SENDER]


async def test_a_restarted_front_end_continues_language_source_and_old_buttons(
    rasa: StandInRasa, catalogs: Catalogs, detection: LanguageDetection, tmp_path: Path
) -> None:
    before = service_for(rasa, catalogs, detection, sqlite_store(tmp_path))
    rasa.answer = [{"text": "Hallo", "buttons": [{"title": "Ja", "payload": "/affirm"}]}]
    (greeting,) = await before.start(SENDER, language="uk", source="flyer_uk")
    (choice,) = greeting.choices

    # A new process: nothing in memory, the same database. Rasa knows no language
    # (a stand-in without slots), so the language must come from the store.
    rasa.state = None
    after = service_for(rasa, catalogs, detection, sqlite_store(tmp_path))
    rasa.answer = [{"text": "Добре"}]
    await after.handle_button(SENDER, choice.token)
    _, message, metadata = rasa.sent[-1]
    assert message == "/affirm"  # the old button still works
    assert (metadata["language"], metadata["language_explicit"]) == ("uk", True)
    assert metadata["source"] == "flyer_uk"
    (sticker,) = [await after.unsupported_content_reply(SENDER, client_language="en")]
    assert sticker.language == "uk"
    # A token of another conversation is refused.
    (refused,) = await after.handle_button("terminal-2", choice.token)
    assert refused.text == catalogs.pgettext("de", "frontend", INVALID_BUTTON)


async def test_two_unsure_turns_in_a_row_ask_for_a_person_across_a_restart(
    rasa: StandInRasa, catalogs: Catalogs, detection: LanguageDetection, tmp_path: Path
) -> None:
    unsure = [Reply("Meinten Sie …?", "de", signals=frozenset({payloads.UNSURE}))]
    sure = [Reply("Antwort", "de")]
    first = service_for(rasa, catalogs, detection, sqlite_store(tmp_path))
    assert not await first.needs_handoff(SENDER, unsure)
    assert not await first.needs_handoff(SENDER, sure)  # a sure turn starts the count anew
    assert not await first.needs_handoff(SENDER, unsure)
    second = service_for(rasa, catalogs, detection, sqlite_store(tmp_path))
    assert await second.needs_handoff(SENDER, unsure)
    assert not await second.needs_handoff(SENDER, unsure)  # counted from zero again
    asked = [Reply("Ich gebe weiter.", "de", signals=frozenset({payloads.HANDOFF}))]
    assert await second.needs_handoff(SENDER, asked)
