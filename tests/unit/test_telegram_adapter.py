"""The Telegram adapter offline: python-telegram-bot with an offline request object.

As in python-telegram-bot's own tests, the Bot API is replaced by a request object that
answers every call locally and records it; the conversation core is a stand-in that
returns fixed replies. The end-to-end tests (tests/e2e/test_telegram.py) run it all for real.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.error import NetworkError
from telegram.ext import Application, ApplicationBuilder
from telegram.request import BaseRequest, RequestData

from bot.channels.telegram.app import setup_handlers
from bot.channels.telegram.context import CONTEXT_TYPES, TelegramChannel
from bot.channels.telegram.coordinators import EXPORT_FAILED, NOT_ALLOWED
from bot.channels.telegram.handoff import HANDOFF_STARTED
from bot.channels.telegram.handoffs import HandoffRef, Handoffs
from bot.channels.telegram.users import SLOW_REPLY
from bot.core.conversation import Choice, ConversationService, Reply
from bot.core.state import ConversationStore
from bot.i18n.catalogs import Catalogs
from bot.registrations import coordination
from bot.registrations.use_cases import RegistrationData, save_registration
from bot.settings import Settings
from bot.storage.database import make_engine, make_session_factory, upgrade_database
from tests.telegram.emulator import BOT_USER

USER = {"id": 77, "is_bot": False, "first_name": "Lea", "language_code": "en"}


class OfflineRequest(BaseRequest):
    """Answers Bot API calls without a network and records them."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.network_failures = 0  # how many next sendMessage calls fail on the network
        self.delays: dict[str, float] = {}  # the next call of a method takes this long
        self.refused: set[str] = set()  # methods the Bot API answers with an error

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, **_: Any
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data else {}
        if name in self.delays:
            await asyncio.sleep(self.delays.pop(name))
        self.calls.append((name, params))
        if name in self.refused:
            error = {"ok": False, "error_code": 400, "description": "Bad Request: too big"}
            return 400, json.dumps(error).encode()
        if name == "sendMessage" and self.network_failures:
            self.network_failures -= 1
            raise NetworkError("connection reset")
        result: Any = True
        if name == "getMe":
            result = BOT_USER
        elif name in {"sendMessage", "sendDocument"}:
            result = {
                "message_id": len(self.calls),
                "date": 0,
                "chat": {"id": params["chat_id"], "type": "private"},
                "text": params.get("text", ""),
            }
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def sent(self, method: str) -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name == method]


class StandInService:
    """The conversation core's interface, with fixed replies (and the real state store)."""

    # The real counting of "not sure" turns, on the real store.
    needs_handoff = ConversationService.needs_handoff

    def __init__(self, replies: list[Reply], store: ConversationStore) -> None:
        self.replies = replies
        self.seen: list[tuple[str, str, str]] = []
        self._store = store

    @property
    def store(self) -> ConversationStore:
        return self._store

    async def handle_text(self, sender_id: str, text: str, **_: Any) -> list[Reply]:
        self.seen.append(("text", sender_id, text))
        return self.replies

    async def handle_button(self, sender_id: str, token: str, **_: Any) -> list[Reply]:
        self.seen.append(("button", sender_id, token))
        return self.replies

    async def handle_command(self, sender_id: str, command: str, **_: Any) -> list[Reply]:
        self.seen.append(("command", sender_id, command))
        return self.replies

    def local_reply(
        self, sender_id: str, message: tuple[str, str], *, language: str | None = None, **_: Any
    ) -> Reply:
        return Reply(f"[{message[1]}]", language or "en")


@pytest.fixture
async def adapter(
    tmp_path: Path, catalogs: Catalogs
) -> AsyncIterator[
    tuple[Application[Any, Any, Any, Any, Any, Any], OfflineRequest, StandInService]
]:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    upgrade_database(engine)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        coordinator_chat_id=-100,
        coordinator_ids="42",
        slow_reply_notice_seconds=0.2,
    )
    service = StandInService(
        [
            Reply("Erste Antwort. " * 400, "en"),
            Reply("Wählen Sie:", "en", (Choice("Ja", "tok1"), Choice("Nein", "tok2"))),
        ],
        ConversationStore(make_session_factory(engine)),
    )
    channel = TelegramChannel(
        settings,
        service,  # type: ignore[arg-type]
        make_session_factory(engine),
        catalogs,
        {},
    )
    request = OfflineRequest()
    application = (
        ApplicationBuilder()
        .token("1:offline")
        .context_types(CONTEXT_TYPES)
        .request(request)
        .updater(None)
        .build()
    )
    setup_handlers(application, channel)
    await application.initialize()
    yield application, request, service
    await application.shutdown()
    engine.dispose()


def update(application: Application[Any, Any, Any, Any, Any, Any], data: dict[str, Any]) -> Update:
    return Update.de_json(data, application.bot)


def private_text(update_id: int, text: str, user: dict[str, Any] = USER) -> dict[str, Any]:
    message = {
        "message_id": update_id,
        "date": 0,
        "chat": {"id": user["id"], "type": "private"},
        "from": user,
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [
            {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
        ]
    return {"update_id": update_id, "message": message}


async def test_replies_are_split_and_buttons_become_an_inline_keyboard(adapter: Any) -> None:
    application, request, service = adapter
    await application.process_update(update(application, private_text(1, "Hallo")))
    assert service.seen == [("text", "telegram-77", "Hallo")]
    sent = request.sent("sendMessage")
    assert len(sent) == 3  # the long reply in two parts, then the question with buttons
    assert all(len(params["text"]) <= 4096 for params in sent)
    assert "reply_markup" not in sent[0] and "reply_markup" not in sent[1]
    keyboard = sent[2]["reply_markup"]["inline_keyboard"]
    assert [row[0]["callback_data"] for row in keyboard] == ["b:tok1", "b:tok2"]
    assert request.sent("sendChatAction")


async def test_a_pressed_button_is_answered_disabled_and_sent_as_its_token(adapter: Any) -> None:
    application, request, service = adapter
    message = {
        "message_id": 5,
        "date": 0,
        "chat": {"id": 77, "type": "private"},
        "from": BOT_USER,
        "text": "Wählen Sie:",
        "reply_markup": {"inline_keyboard": [[{"text": "Ja", "callback_data": "b:tok1"}]]},
    }
    query = {"id": "q1", "from": USER, "chat_instance": "c", "data": "b:tok1", "message": message}
    await application.process_update(
        update(application, {"update_id": 2, "callback_query": query})
    )
    assert request.sent("answerCallbackQuery")[0]["callback_query_id"] == "q1"
    edited = request.sent("editMessageText")[0]
    assert edited["text"] == "Wählen Sie:\n\n→ Ja" and "reply_markup" not in edited
    assert service.seen == [("button", "telegram-77", "tok1")]


async def test_a_repeated_update_is_handled_once(adapter: Any) -> None:
    application, _request, service = adapter
    for _ in range(2):
        await application.process_update(update(application, private_text(3, "Hallo")))
    assert len(service.seen) == 1


async def test_group_chats_of_strangers_are_ignored(adapter: Any) -> None:
    application, request, service = adapter
    data = private_text(4, "Hallo")
    data["message"]["chat"] = {"id": -555, "type": "group", "title": "Eltern"}
    await application.process_update(update(application, data))
    assert service.seen == [] and request.sent("sendMessage") == []


async def test_coordinator_commands_are_refused_to_others_without_logging_content(
    adapter: Any, caplog: pytest.LogCaptureFixture
) -> None:
    application, request, service = adapter
    with caplog.at_level(logging.INFO):
        await application.process_update(
            update(application, private_text(6, "/export csv kind=secret-words"))
        )
    assert [params["text"] for params in request.sent("sendMessage")] == [f"[{NOT_ALLOWED[1]}]"]
    assert request.sent("sendDocument") == [] and service.seen == []
    assert "Refused" in caplog.text and "secret-words" not in caplog.text


async def test_a_coordinator_gets_the_statistics(adapter: Any) -> None:
    application, request, _service = adapter
    coordinator = {**USER, "id": 42}
    await application.process_update(update(application, private_text(7, "/stats", coordinator)))
    assert "Nach Status:" in request.sent("sendMessage")[0]["text"]


async def test_a_slow_answer_gets_a_notice_first(adapter: Any) -> None:
    application, request, service = adapter

    async def slow(sender_id: str, text: str, **_: Any) -> list[Reply]:
        await asyncio.sleep(0.5)
        return [Reply("Endlich.", "en")]

    service.handle_text = slow
    await application.process_update(update(application, private_text(8, "Hallo")))
    texts = [params["text"] for params in request.sent("sendMessage")]
    assert texts == [f"[{SLOW_REPLY[1]}]", "Endlich."]


async def test_two_unsure_answers_in_a_row_hand_the_question_to_a_person(adapter: Any) -> None:
    application, request, service = adapter
    service.replies = [Reply("Meinten Sie …?", "en", signals=frozenset({"unsure"}))]
    await application.process_update(update(application, private_text(9, "blorp zorp")))
    assert not [p for p in request.sent("sendMessage") if p["chat_id"] == -100]
    await application.process_update(update(application, private_text(10, "zorp blorp again")))
    to_group = [p for p in request.sent("sendMessage") if p["chat_id"] == -100]
    assert len(to_group) == 1 and "zorp blorp again" in to_group[0]["text"]
    assert "Lea" not in to_group[0]["text"] and "77" not in to_group[0]["text"]
    assert request.sent("sendMessage")[-1]["text"] == f"[{HANDOFF_STARTED[1]}]"


async def test_a_reply_that_fails_on_the_network_is_sent_again(adapter: Any) -> None:
    application, request, service = adapter
    service.replies = [Reply("Hallo!", "en")]
    request.network_failures = 2
    await application.process_update(update(application, private_text(11, "Hallo")))
    attempts = [p["text"] for name, p in request.calls if name == "sendMessage"]
    assert attempts == ["Hallo!", "Hallo!", "Hallo!"]


def button_press(update_id: int, token: str) -> dict[str, Any]:
    message = {
        "message_id": 500 + update_id,
        "date": 0,
        "chat": {"id": 77, "type": "private"},
        "from": BOT_USER,
        "text": "Wählen Sie:",
        "reply_markup": {"inline_keyboard": [[{"text": "Ja", "callback_data": f"b:{token}"}]]},
    }
    query = {
        "id": f"q{update_id}",
        "from": USER,
        "chat_instance": "c",
        "data": f"b:{token}",
        "message": message,
    }
    return {"update_id": update_id, "callback_query": query}


async def process_concurrently(
    application: Application[Any, Any, Any, Any, Any, Any], *updates: dict[str, Any]
) -> None:
    """Process updates as python-telegram-bot does with concurrent updates: a task each."""
    await asyncio.gather(*(application.process_update(update(application, u)) for u in updates))


async def test_a_slow_handoff_lookup_does_not_let_a_later_message_overtake(
    adapter: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    application, _request, service = adapter
    lookups = 0
    original = Handoffs.active

    def first_lookup_slow(self: Handoffs, sender: str) -> HandoffRef | None:
        nonlocal lookups
        lookups += 1
        if lookups == 1:
            time.sleep(0.3)  # the database was busy for the first question only
        return original(self, sender)

    monkeypatch.setattr(Handoffs, "active", first_lookup_slow)
    await process_concurrently(
        application, private_text(20, "Frage eins"), private_text(21, "Frage zwei")
    )
    assert service.seen == [
        ("text", "telegram-77", "Frage eins"),
        ("text", "telegram-77", "Frage zwei"),
    ]


async def test_a_slow_button_answer_does_not_let_a_later_message_overtake(adapter: Any) -> None:
    application, request, service = adapter
    request.delays["answerCallbackQuery"] = 0.3
    await process_concurrently(application, button_press(22, "tok1"), private_text(23, "Danach"))
    assert service.seen == [("button", "telegram-77", "tok1"), ("text", "telegram-77", "Danach")]


async def test_a_flood_is_dropped_without_queueing_behind_the_running_turn(
    adapter: Any,
) -> None:
    application, request, service = adapter
    limit = 20  # PATENBOT_USER_MESSAGES_PER_MINUTE's default
    await process_concurrently(
        application, *(private_text(100 + n, f"Nachricht {n}") for n in range(limit + 5))
    )
    assert [seen[2] for seen in service.seen] == [f"Nachricht {n}" for n in range(limit)]
    texts = [params["text"] for params in request.sent("sendMessage")]
    assert (
        texts.count(
            "[Sie schreiben gerade sehr schnell. Bitte warten Sie kurz, dann "
            "antworte ich wieder gern.]"
        )
        == 1
    )


async def test_an_export_of_a_stored_row_with_control_characters_is_sent(
    adapter: Any, tmp_path: Path
) -> None:
    application, request, _service = adapter
    sessions = make_session_factory(make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}"))
    with sessions.begin() as session:
        save_registration(
            session=session,
            data=RegistrationData(
                person_ref="telegram-5", kind="mentor", language="de",
                name="Zoe\x1b[H\x1b[J\u202eKontrolle\x00", contact_method="chat",
                municipality="Aidlingen",
            ),
        )  # fmt: skip
    coordinator = {**USER, "id": 42}
    await application.process_update(update(application, private_text(30, "/export", coordinator)))
    documents = request.sent("sendDocument")
    assert len(documents) == 1 and documents[0]["caption"] == "Export: 1 Anmeldung"


async def test_a_failed_export_gets_a_kind_answer_and_a_log_line_without_data(
    adapter: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    catalogs: Catalogs,
) -> None:
    application, request, _service = adapter

    def broken(*_args: Any, **_kwargs: Any) -> int:
        raise RuntimeError("Zoe Kontrolle cannot be used in worksheets.")

    monkeypatch.setattr(coordination, "run_export", broken)
    coordinator = {**USER, "id": 42}
    with caplog.at_level(logging.INFO):
        await application.process_update(
            update(application, private_text(31, "/export xlsx", coordinator))
        )
    assert request.sent("sendDocument") == []
    assert [p["text"] for p in request.sent("sendMessage")] == [
        catalogs.pgettext("de", *EXPORT_FAILED)
    ]
    assert "RuntimeError" in caplog.text and "Zoe" not in caplog.text


async def test_an_export_telegram_refuses_to_take_gets_a_kind_answer(
    adapter: Any, catalogs: Catalogs
) -> None:
    application, request, _service = adapter
    request.refused.add("sendDocument")
    coordinator = {**USER, "id": 42}
    await application.process_update(update(application, private_text(32, "/export", coordinator)))
    assert [p["text"] for p in request.sent("sendMessage")] == [
        catalogs.pgettext("de", *EXPORT_FAILED)
    ]
