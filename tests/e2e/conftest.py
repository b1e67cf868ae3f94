"""Real servers for end-to-end tests: the Rasa server and the action server (with NLG)."""

from __future__ import annotations

import asyncio
import io
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.app import build_service, prepare_database
from bot.core.conversation import ConversationService
from bot.core.rasa_client import RasaClient
from bot.i18n.catalogs import Catalogs
from bot.nlg.district import District
from bot.nlg.renderer import ResponseRenderer
from bot.nlg.responses import SourceResponse
from bot.settings import Settings
from bot.supervisor import Supervisor


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_settings(data_dir: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        rasa_port=free_port(),
        action_port=free_port(),
        data_dir=data_dir,
        telegram_bot_token=None,
    )


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Start both servers once for the whole test session."""
    settings = make_settings(tmp_path_factory.mktemp("data"))
    prepare_database(settings)
    supervisor = Supervisor(settings, progress=io.StringIO())
    supervisor.start()
    try:
        asyncio.run(supervisor.wait_until_ready())
        yield settings
    finally:
        supervisor.stop()


@pytest.fixture
async def service(servers: Settings) -> AsyncIterator[ConversationService]:
    rasa = RasaClient.for_settings(servers)
    try:
        yield build_service(servers, rasa)
    finally:
        await rasa.aclose()


@pytest.fixture(scope="session")
def expected(
    responses: dict[str, SourceResponse], catalogs: Catalogs, district: District
) -> ResponseRenderer:
    """Renders what a response must look like in a language (after the first message)."""
    return ResponseRenderer(responses, catalogs, district)


def rendered(expected: ResponseRenderer, response: str, language: str, **arguments: str) -> str:
    """Return a response's text as the user sees it after the first message."""
    tracker = {"slots": {"language": language}, "events": [{"event": "bot"}]}
    return str(expected.render(response, tracker, arguments)["text"])


def button(catalogs: Catalogs, language: str, response: str, title: str) -> str:
    """Return a response button's title in a language."""
    return catalogs.pgettext(language, f"{response}|button", title)
