"""Wires the front end to the servers: the body of ``python -m bot run`` and ``chat``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from bot import admin
from bot.conversation import ConversationService
from bot.district import load_district
from bot.evaluation import evaluate_language, held_out_examples, markdown_table
from bot.facts import district_facts
from bot.i18n import Catalogs
from bot.language_detection import LanguageDetection
from bot.languages import LANGUAGES
from bot.rasa_client import RasaClient
from bot.settings import PROJECT_ROOT, Settings
from bot.storage import repository
from bot.storage.database import (
    enable_wal,
    make_engine,
    make_session_factory,
    upgrade_database,
)
from bot.supervisor import ChildFailedError, Supervisor
from bot.terminal import TerminalChat

logger = logging.getLogger(__name__)
PURGE_INTERVAL_SECONDS = 24 * 60 * 60


def build_service(
    settings: Settings,
    rasa: RasaClient,
    *,
    catalogs: Catalogs | None = None,
    sessions: sessionmaker[Session] | None = None,
) -> ConversationService:
    """Create the shared conversation core every channel uses.

    A channel that needs the catalogs or the database itself passes its own, so they
    are loaded once.
    """
    sessions = sessions or make_session_factory(make_engine(settings.database_url))
    district = load_district(settings.path(settings.district_file))

    def erase_conversation(sender_id: str) -> None:
        with sessions.begin() as session:
            repository.delete_conversation(session=session, sender_id=sender_id)

    return ConversationService(
        rasa,
        catalogs or Catalogs(settings.path(settings.locale_dir)),
        LanguageDetection(district.municipalities),
        max_message_chars=settings.max_message_chars,
        erase_conversation=erase_conversation,
    )


async def run_chat(settings: Settings, *, sender_id: str | None = None) -> int:
    """Chat in the terminal with servers that are already running."""
    rasa = RasaClient.for_settings(settings)
    try:
        await TerminalChat(build_service(settings, rasa), sender_id=sender_id).run()
    finally:
        await rasa.aclose()
    return 0


async def run_telegram(settings: Settings, stop: asyncio.Event | None = None) -> int:
    """Serve the bot on Telegram with servers that are already running, until ``stop``."""
    from bot.telegram.frontend import TelegramFrontEnd, serve  # only needed with a token

    rasa = RasaClient.for_settings(settings)
    district = load_district(settings.path(settings.district_file))
    catalogs = Catalogs(settings.path(settings.locale_dir))
    facts = district_facts(district, catalogs, "de", now=datetime.now(UTC))
    sessions = make_session_factory(make_engine(settings.database_url))
    front_end = TelegramFrontEnd(
        settings,
        build_service(settings, rasa, catalogs=catalogs, sessions=sessions),
        sessions,
        catalogs,
        facts,
    )
    sys.stderr.write("Patenbot is serving Telegram. Stop with Ctrl-C.\n")
    try:
        await serve(front_end, settings, stop or asyncio.Event())
    finally:
        await rasa.aclose()
    return 0


async def run_supervised(settings: Settings) -> int:
    """Start both servers, run the front end, and stop everything at the end.

    With ``TELEGRAM_BOT_TOKEN`` set the front end is the Telegram bot, else the
    terminal chat.
    """
    prepare_database(settings)
    supervisor = Supervisor(settings)
    try:
        supervisor.start()
        await supervisor.wait_until_ready()
        front_end = (
            run_telegram(settings)
            if settings.telegram_bot_token is not None
            else run_chat(settings)
        )
        chat: asyncio.Task[object] = asyncio.create_task(front_end)
        watch: asyncio.Task[object] = asyncio.create_task(supervisor.watch())
        retention = asyncio.create_task(purge_daily(settings))
        done, _ = await asyncio.wait({chat, watch}, return_when=asyncio.FIRST_COMPLETED)
        retention.cancel()
        for task in (chat, watch):
            if task not in done:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, ChildFailedError):
                    await task
        for task in done:
            task.result()
        return 0
    except ChildFailedError as error:
        sys.stderr.write(f"\n{error}\n")
        return 1
    except (KeyboardInterrupt, asyncio.CancelledError):
        return 130
    finally:
        sys.stderr.write("Stopping the servers …\n")
        supervisor.stop()


def prepare_database(settings: Settings) -> None:
    """Create the data folder and bring the database schema up to date."""
    settings.path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    enable_wal(engine)
    upgrade_database(engine)
    engine.dispose()


async def purge_daily(settings: Settings) -> None:
    """Apply the retention periods now and then once a day, while the bot runs."""
    sessions = make_session_factory(make_engine(settings.database_url))
    district = load_district(settings.path(settings.district_file))
    while True:
        try:
            await asyncio.to_thread(admin.purge, sessions, district)
        except Exception:
            logger.exception("The daily retention run failed; it is tried again tomorrow.")
        await asyncio.sleep(PURGE_INTERVAL_SECONDS)


async def run_evaluation(settings: Settings) -> int:
    """Start the servers and print the NLU accuracy per language as a Markdown table."""
    prepare_database(settings)
    supervisor = Supervisor(settings)
    try:
        supervisor.start()
        await supervisor.wait_until_ready()
        detection = LanguageDetection(
            load_district(settings.path(settings.district_file)).municipalities
        )
        reports = []
        for language in LANGUAGES:
            examples = held_out_examples(PROJECT_ROOT / "tests" / "nlu", language.code)
            if examples:
                reports.append(
                    await asyncio.to_thread(
                        evaluate_language,
                        settings.rasa_url,
                        language.code,
                        examples,
                        detection,
                        token=settings.rasa_token.get_secret_value(),
                    )
                )
        sys.stdout.write(markdown_table(reports) + "\n")
        return 0
    except ChildFailedError as error:
        sys.stderr.write(f"\n{error}\n")
        return 1
    finally:
        supervisor.stop()
