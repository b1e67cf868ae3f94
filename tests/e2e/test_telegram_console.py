"""The web console answers a Telegram user's handoff: the real bot, through the Bot API
emulator, delivers the console's reply (and the end of the handoff) to the user once, and
tells the coordinators' group, so nobody there answers the same question again."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from bot.channels.telegram.handoff import HANDOFF_ENDED, HANDOFF_REPLY, HANDOFF_STARTED
from bot.channels.telegram.handoffs import Handoffs
from bot.channels.web.office.handoffs import _handoff_view, end_handoff, reply_to_handoff
from bot.i18n.catalogs import Catalogs
from bot.settings import Settings
from bot.storage import repository
from bot.storage.database import make_engine, make_session_factory
from tests.e2e.test_telegram import (  # noqa: F401 - the bot's fixture
    GROUP,
    telegram,
    telegram_settings,
)
from tests.telegram.driver import TelegramChat
from tests.telegram.emulator import BotApiEmulator, User

pytestmark = pytest.mark.e2e


async def test_the_console_answers_a_telegram_handoff(
    telegram: BotApiEmulator,  # noqa: F811 - the imported fixture
    servers: Settings,
    catalogs: Catalogs,
) -> None:
    user = User(5040, "Olga", "ru")
    chat = TelegramChat(telegram, user)
    answer = await chat.say("Я хочу поговорить с живым человеком, пожалуйста")
    assert catalogs.pgettext("ru", *HANDOFF_STARTED) in answer
    await telegram.wait_for_text(GROUP, "поговорить с живым человеком")
    sessions = make_session_factory(make_engine(servers.database_url))
    handoff = Handoffs(sessions).active("telegram-5040")
    assert handoff is not None
    console = SimpleNamespace(
        sessions=sessions, catalogs=catalogs, settings=servers, language="de"
    )

    before = len(chat.messages)
    reply_to_handoff(console, handoff.id, "Добрый день! Мы позвоним вам завтра.")
    relayed = (await chat.replies_after(before))[0]["text"]
    assert relayed.startswith(catalogs.pgettext("ru", *HANDOFF_REPLY))
    assert "Мы позвоним вам завтра." in relayed
    note = await telegram.wait_for_text(GROUP, f"Web-Konsole an Gespräch #{handoff.id}")
    assert "Мы позвоним вам завтра." in note["text"] and "telegram-5040" not in note["text"]
    await asyncio.sleep(3)
    assert len(chat.messages) == before + 1  # delivered once
    # The console's page shows the question and the reply, and nothing of who it is.
    shown = _handoff_view(console, handoff.id)
    assert shown is not None
    assert [(m["role"], m["text"]) for m in shown["messages"]] == [
        ("user", "Я хочу поговорить с живым человеком, пожалуйста"),
        ("office", "Добрый день! Мы позвоним вам завтра."),
    ]
    assert "telegram-5040" not in str(shown) and "Olga" not in str(shown)
    with sessions() as session:
        assert not repository.pending_office_replies(session=session)
        # The console's replies are no notifications for the coordinators.
        assert all(m.topic != "office_reply" for m in repository.pending_outbox(session=session))

    assert end_handoff(console, handoff.id, "office:anna")
    ended = (await chat.replies_after(before + 1))[0]["text"]
    assert ended == catalogs.pgettext("ru", *HANDOFF_ENDED)
    with pytest.raises(LookupError):
        reply_to_handoff(console, handoff.id, "zu spät")
