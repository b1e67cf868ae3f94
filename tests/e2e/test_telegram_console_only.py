"""Telegram without a coordinators' group: the web console alone answers handoffs.

In a module of its own, so that no other bot (with a group) runs at the same time and
delivers the console's replies through another emulator.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest

from bot.app import run_telegram
from bot.channels.telegram.handoff import HANDOFF_REPLY, HANDOFF_STARTED
from bot.channels.telegram.handoffs import Handoffs
from bot.channels.web.office.handoffs import _handoff_view, end_handoff, reply_to_handoff
from bot.i18n.catalogs import Catalogs
from bot.settings import Settings
from bot.storage.database import make_engine, make_session_factory
from tests.e2e.test_telegram import telegram_settings
from tests.telegram.driver import TelegramChat
from tests.telegram.emulator import BotApiEmulator, User

pytestmark = pytest.mark.e2e


@contextlib.asynccontextmanager
async def bot_without_group(
    servers: Settings, *, web_enabled: bool
) -> AsyncIterator[BotApiEmulator]:
    """Serve Telegram through a fresh emulator with no coordinators' group configured."""
    emulator = BotApiEmulator()
    emulator.start()
    settings = telegram_settings(
        servers,
        emulator,
        coordinator_chat_id=None,
        web_enabled=web_enabled,
        slow_reply_notice_seconds=60.0,
    )
    stop = asyncio.Event()
    bot = asyncio.create_task(run_telegram(settings, stop))
    try:
        await emulator.wait_for(lambda e: len(e.calls("setMyShortDescription")) >= 7, within=30)
        yield emulator
    finally:
        stop.set()
        await asyncio.wait_for(bot, timeout=30)
        emulator.stop()


async def test_without_a_group_the_console_alone_answers_a_telegram_handoff(
    servers: Settings, catalogs: Catalogs
) -> None:
    # An office that may not use a Telegram group works in the console only.
    async with bot_without_group(servers, web_enabled=True) as emulator:
        chat = TelegramChat(emulator, User(5041, "Taras", "uk"))
        answer = await chat.say("Я хочу поговорити з живою людиною, будь ласка")
        assert catalogs.pgettext("uk", *HANDOFF_STARTED) in answer
        sessions = make_session_factory(make_engine(servers.database_url))
        handoff = Handoffs(sessions).active("telegram-5041")
        assert handoff is not None
        # During a handoff the bot does not answer; the message waits for the console.
        emulator.user_sends(chat.user, "Мені потрібна допомога з документами для сина")
        console = SimpleNamespace(
            sessions=sessions, catalogs=catalogs, settings=servers, language="de"
        )

        def shown_roles() -> list[str]:
            shown = _handoff_view(console, handoff.id)
            return [m["role"] for m in shown["messages"]] if shown else []

        await emulator.wait_for(lambda _: shown_roles() == ["user", "user"], within=30)
        before = len(chat.messages)
        reply_to_handoff(console, handoff.id, "Добрий день! Ми зателефонуємо завтра.")
        relayed = (await chat.replies_after(before))[0]["text"]
        assert relayed.startswith(catalogs.pgettext("uk", *HANDOFF_REPLY))
        assert "Ми зателефонуємо завтра." in relayed
        assert end_handoff(console, handoff.id, "office:anna")


async def test_without_group_and_console_there_is_no_handoff(
    servers: Settings, catalogs: Catalogs
) -> None:
    async with bot_without_group(servers, web_enabled=False) as emulator:
        chat = TelegramChat(emulator, User(5042, "Petro", "uk"))
        answer = await chat.say("Я хочу поговорити з живою людиною, будь ласка")
        assert catalogs.pgettext("uk", *HANDOFF_STARTED) not in answer
        sessions = make_session_factory(make_engine(servers.database_url))
        assert Handoffs(sessions).active("telegram-5042") is None
