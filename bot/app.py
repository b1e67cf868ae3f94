"""Wires the front end to the servers: the body of ``python -m bot run`` and ``chat``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.channels.terminal import TerminalChat
from bot.core.conversation import ConversationService
from bot.core.rasa_client import RasaClient
from bot.core.state import ConversationStore
from bot.i18n.catalogs import Catalogs
from bot.i18n.detection import LanguageDetection
from bot.i18n.evaluation import evaluate_language, held_out_examples, markdown_table
from bot.i18n.languages import LANGUAGES
from bot.nlg.district import load_district
from bot.nlg.facts import district_facts
from bot.ops import health, metrics
from bot.ops.health import OpsServer, Readiness
from bot.registrations import coordination
from bot.settings import PROJECT_ROOT, Settings
from bot.storage import repository
from bot.storage.database import make_engine, make_session_factory, prepare_database
from bot.supervision.children import ChildFailedError
from bot.supervision.servers import port_in_use
from bot.supervision.stopping import bound_shutdown, exit_code, install_stop_signals
from bot.supervision.supervisor import Supervisor

logger = logging.getLogger(__name__)
PURGE_INTERVAL_SECONDS = 24 * 60 * 60


class TelegramTokenRefusedError(RuntimeError):
    """Telegram refused the bot token; the message never contains the token."""


def build_service(
    settings: Settings,
    rasa: RasaClient,
    *,
    catalogs: Catalogs | None = None,
    sessions: sessionmaker[Session] | None = None,
    on_erase: Callable[[str], None] | None = None,
) -> ConversationService:
    """Create the shared conversation core every channel uses.

    A channel that needs the catalogs or the database itself passes its own, so they
    are loaded once; ``on_erase`` hears of each conversation "delete my data" erased.
    """
    sessions = sessions or make_session_factory(make_engine(settings.database_url))
    district = load_district(settings.path(settings.district_file))

    def erase_conversation(sender_id: str) -> None:
        with sessions.begin() as session:
            repository.delete_conversation(session=session, sender_id=sender_id)
        if on_erase is not None:
            on_erase(sender_id)

    return ConversationService(
        rasa,
        catalogs or Catalogs(settings.path(settings.locale_dir)),
        LanguageDetection(district.municipalities),
        max_message_chars=settings.max_message_chars,
        erase_conversation=erase_conversation,
        store=ConversationStore(sessions),
    )


async def run_chat(
    settings: Settings,
    stop: asyncio.Event | None = None,
    *,
    sender_id: str | None = None,
    replica_up: Callable[[str], bool] | None = None,
) -> int:
    """Chat in the terminal with servers that are already running, until ``stop``.

    After ``stop`` the chat takes no further line and finishes the turn in progress
    (``run_supervised`` bounds that by the grace period). ``replica_up`` (the
    supervisor's view of each Rasa replica) routes turns around restarted servers.
    """
    rasa = RasaClient.for_settings(settings, available=replica_up)
    try:
        await TerminalChat(build_service(settings, rasa), sender_id=sender_id).run(stop)
    finally:
        await rasa.aclose()
    return 0


async def run_telegram(
    settings: Settings,
    stop: asyncio.Event | None = None,
    *,
    replica_up: Callable[[str], bool] | None = None,
) -> int:
    """Serve the bot on Telegram with servers that are already running, until ``stop``.

    ``replica_up`` (the supervisor's view of each Rasa replica) routes turns around
    restarted servers.

    Raises:
        TelegramTokenRefusedError: If Telegram refuses the token.
    """
    from telegram.error import InvalidToken  # only needed with a token

    from bot.channels.telegram.app import serve
    from bot.channels.telegram.context import TelegramChannel

    rasa = RasaClient.for_settings(settings, available=replica_up)
    district = load_district(settings.path(settings.district_file))
    catalogs = Catalogs(settings.path(settings.locale_dir))
    facts = district_facts(district, catalogs, "de", now=datetime.now(UTC))
    sessions = make_session_factory(make_engine(settings.database_url))
    channel = TelegramChannel(
        settings,
        build_service(settings, rasa, catalogs=catalogs, sessions=sessions),
        sessions,
        catalogs,
        facts,
    )
    sys.stderr.write("Patenbot is serving Telegram. Stop with Ctrl-C.\n")
    try:
        await serve(channel, stop or asyncio.Event())
    except InvalidToken:
        # python-telegram-bot's message quotes the whole token; ``from None`` keeps it
        # out of any traceback, too.
        raise TelegramTokenRefusedError(
            "The Telegram token was refused. Check TELEGRAM_BOT_TOKEN (BotFather shows it "
            "again with /token)."
        ) from None
    finally:
        await rasa.aclose()
    return 0


async def run_web(
    settings: Settings,
    stop: asyncio.Event,
    *,
    replica_up: Callable[[str], bool] | None = None,
    readiness: Readiness | None = None,
) -> None:
    """Serve the web chat (bot/channels/web) until ``stop``, next to the other front end.

    With ``readiness``, the web server also answers ``/healthz``, ``/readyz`` and
    ``/metrics`` (bot/ops/health.py; the reverse proxy keeps them from the public).
    """
    from bot.channels.web.server import build_web, serve_web

    rasa = RasaClient.for_settings(settings, available=replica_up)
    catalogs = Catalogs(settings.path(settings.locale_dir))
    sessions = make_session_factory(make_engine(settings.database_url))
    erased: set[str] = set()
    service = build_service(
        settings, rasa, catalogs=catalogs, sessions=sessions, on_erase=erased.add
    )
    app = build_web(settings, service, sessions, catalogs, erased)
    if readiness is not None:
        health.mount(app, readiness)
    try:
        await serve_web(
            app, settings, stop, on_started=lambda: _say(f"Web chat: {settings.web_url}\n")
        )
    finally:
        await rasa.aclose()


async def run_supervised(settings: Settings) -> int:
    """Start both servers, run the front end, and stop everything at the end.

    With ``TELEGRAM_BOT_TOKEN`` set the front end is the Telegram bot, else the
    terminal chat. SIGINT (Ctrl-C), SIGTERM (systemd, ``docker stop``) and SIGHUP (a
    closed terminal) end it in order: first the front end (it takes no new turn and
    finishes those in progress, within ``PATENBOT_SHUTDOWN_GRACE_SECONDS``), then the
    servers. A server that stops is restarted by the supervisor.

    Returns:
        The exit code: 0 after end of input, ``/quit`` or SIGTERM/SIGHUP, 130 after
        Ctrl-C, 1 if the servers cannot run.
    """
    stop = asyncio.Event()
    received = install_stop_signals(stop)
    prepare_database(settings)
    supervisor = Supervisor(settings)
    readiness, ops = start_operations(settings, supervisor)
    try:
        if settings.web_enabled and port_in_use(settings.web_host, settings.web_port):
            raise ChildFailedError(
                f"Port {settings.web_port} on {settings.web_host}, which the web chat needs, "
                "is already in use. Stop the program that uses it, set another port "
                "(PATENBOT_WEB_PORT), or turn the web chat off (PATENBOT_WEB_ENABLED=false)."
            )
        supervisor.start()
        if not await supervisor.wait_until_ready(stop):
            return exit_code(received)
        up = supervisor.replica_available
        front_end = (
            run_telegram(settings, stop, replica_up=up)
            if settings.telegram_bot_token is not None
            else run_chat(settings, stop, replica_up=up)
        )
        web_stop = asyncio.Event()
        web = (
            asyncio.create_task(run_web(settings, web_stop, replica_up=up, readiness=readiness))
            if settings.web_enabled
            else None
        )
        chat: asyncio.Task[int] = asyncio.create_task(front_end)
        watch: asyncio.Task[None] = asyncio.create_task(supervisor.watch())
        retention = asyncio.create_task(purge_daily(settings))
        deadline = asyncio.create_task(bound_shutdown(chat, stop, settings.shutdown_grace_seconds))
        done, _ = await asyncio.wait({chat, watch}, return_when=asyncio.FIRST_COMPLETED)
        retention.cancel()
        if web is not None:
            # The web chat stops with the front end (end of input, a signal, a failure).
            web_stop.set()
            with contextlib.suppress(Exception):
                await web
        if watch in done:
            # The supervisor gave up: end the front end as on a signal, then report.
            stop.set()
            with contextlib.suppress(TelegramTokenRefusedError, asyncio.CancelledError):
                await chat
            watch.result()
        watch.cancel()
        deadline.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watch
        if not chat.cancelled():
            chat.result()
        return exit_code(received)
    except (ChildFailedError, TelegramTokenRefusedError) as error:
        _say(f"\n{error}\n")
        return 1
    finally:
        _say("Stopping the servers …\n")
        supervisor.stop()
        if ops is not None:
            ops.stop()


def start_operations(
    settings: Settings, supervisor: Supervisor
) -> tuple[Readiness, OpsServer | None]:
    """Count restarts and replicas; serve /healthz, /readyz, /metrics if a port is set.

    Returns:
        The readiness checks (the web chat serves them too) and the server on
        ``PATENBOT_METRICS_PORT``, if one was started.
    """
    supervisor.on_restart = lambda label: metrics.RESTARTS.labels(metrics.server_of(label)).inc()
    metrics.watch_replicas(supervisor.available_replicas)
    sessions = make_session_factory(make_engine(settings.database_url))
    metrics.watch_database(sessions)
    readiness = Readiness.for_settings(settings, sessions, retired=supervisor.retired_replicas)
    if not settings.metrics_port:
        return readiness, None
    server = OpsServer(readiness, settings.host, settings.metrics_port)
    server.start()
    return readiness, server


def _say(text: str) -> None:
    # After SIGHUP the terminal may be gone; stopping must go on regardless.
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(text)
        sys.stderr.flush()


async def purge_daily(settings: Settings) -> None:
    """Apply the retention periods now and then once a day, while the bot runs."""
    sessions = make_session_factory(make_engine(settings.database_url))
    district = load_district(settings.path(settings.district_file))
    while True:
        try:
            await asyncio.to_thread(coordination.purge, sessions, district)
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
