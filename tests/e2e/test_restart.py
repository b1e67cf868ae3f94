"""The whole `python -m bot run` killed with SIGKILL in the middle of a registration, on
Telegram and PostgreSQL: nothing is left running, Telegram's repeat of the last update
is handled once, the restarted bot continues the form (an old button included) and
exactly one registration is stored."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.i18n.catalogs import Catalogs
from bot.nlg.renderer import ResponseRenderer
from bot.storage.database import make_engine, make_session_factory
from bot.storage.models import Registration
from tests.e2e.registration_form import finish_form_after_phone
from tests.e2e.test_processes import STARTUP_SECONDS, kill_all, start, stderr_of
from tests.helpers import button, rendered
from tests.processes import alive, children_of, wait_until
from tests.storage.postgres import PostgresServer, required_postgres_server
from tests.telegram.driver import TelegramChat
from tests.telegram.emulator import TOKEN, BotApiEmulator, User

pytestmark = pytest.mark.e2e

ERIKA = User(7001, "Erika", "de")


@pytest.fixture
def postgres() -> Iterator[PostgresServer]:
    with required_postgres_server() as server:
        yield server


async def _started(emulator: BotApiEmulator, data: Path, database: str) -> subprocess.Popen[str]:
    profiles = len(emulator.calls("setMyShortDescription"))
    bot = start(
        data,
        stdin=subprocess.DEVNULL,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=emulator.base_url,
        DATABASE_URL=database,
        # No "one moment, please" before slow answers: the chat driver would take it for
        # the whole answer on this busy machine.
        PATENBOT_SLOW_REPLY_NOTICE_SECONDS="120",
    )
    # The bot registers its profile in 7 languages once its servers are ready.
    await emulator.wait_for(
        lambda e: len(e.calls("setMyShortDescription")) >= profiles + 7, within=STARTUP_SECONDS
    )
    return bot


async def test_a_killed_bot_continues_the_form_and_stores_one_registration(
    tmp_path: Path,
    postgres: PostgresServer,
    catalogs: Catalogs,
    expected: ResponseRenderer,
) -> None:
    data = tmp_path / "data"
    emulator = BotApiEmulator()
    emulator.start()
    bot = await _started(emulator, data, postgres.url)
    servers = children_of(bot.pid)
    try:
        chat = TelegramChat(emulator, ERIKA)
        consent = await chat.say("Ich möchte Pate werden und mich anmelden")
        assert rendered(expected, "utter_ask_reg_consent", "de")[:40] in consent
        await chat.press(button(catalogs, "de", "utter_ask_reg_consent", "Ja, einverstanden"))
        asked = rendered(expected, "utter_ask_reg_name", "de")
        await emulator.wait_for_text(ERIKA.id, asked, after=len(chat.messages) - 1)
        before = len(chat.messages)
        name = {
            "message_id": 9001,
            "date": int(time.time()),
            "chat": ERIKA.private_chat(),
            "from": ERIKA.as_json(),
            "text": "Erika",
        }
        update_id = emulator.push_update({"message": name})
        contact = rendered(expected, "utter_ask_reg_contact_method", "de")
        await emulator.wait_for_text(ERIKA.id, contact, after=before, within=120)
        await asyncio.sleep(1)

        bot.kill()  # SIGKILL: no handler runs
        bot.wait()
        if bot.stdout is not None:
            bot.stdout.close()
        wait_until(lambda: not any(alive(pid) for pid in servers), 15, "no server outlives it")
        # Telegram had no confirmation of the last update: it sends it again.
        emulator.push_update({"message": name}, redeliver_of=update_id)

        shown = len(chat.messages)
        bot = await _started(emulator, data, postgres.url)
        servers = children_of(bot.pid)
        await emulator.wait_for(lambda e: e.redeliveries_pending() == 0)  # fetched
        await asyncio.sleep(3)
        assert len(chat.messages) == shown  # the repeat was not handled again

        # The contact-method button was issued before the kill: it still works.
        phone = await chat.press(button(catalogs, "de", "utter_ask_reg_contact_method", "Telefon"))
        assert rendered(expected, "utter_ask_reg_phone", "de") in phone
        await finish_form_after_phone(chat, catalogs, expected)

        # SIGTERM while a turn runs: the answer still comes, then everything stops.
        typing_before = len(emulator.calls("sendChatAction"))
        before = len(chat.messages)
        emulator.user_sends(ERIKA, "Was kostet eine Patenschaft?")
        await emulator.wait_for(lambda e: len(e.calls("sendChatAction")) > typing_before)
        bot.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(bot.wait, 90) == 0
        answer = "\n".join(m.get("text") or "" for m in chat.messages[before:])
        # Answered before the servers stopped:
        assert rendered(expected, "utter_faq/costs_and_expenses", "de")[:30] in answer
        assert not [pid for pid in servers if alive(pid)]
        assert "Traceback" not in stderr_of(data)
        engine = make_engine(postgres.url)
        with make_session_factory(engine)() as session:
            stored = select(func.count()).where(Registration.person_ref == "telegram-7001")
            assert session.scalar(stored) == 1
        engine.dispose()
    finally:
        kill_all(bot, servers)
        if bot.stdout is not None:
            bot.stdout.close()
        emulator.stop()
