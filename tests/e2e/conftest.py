"""Real servers for end-to-end tests: the Rasa server and the action server (with NLG)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Iterator

import pytest

from bot.app import build_service, prepare_database
from bot.core.conversation import ConversationService
from bot.core.rasa_client import RasaClient
from bot.i18n.catalogs import Catalogs
from bot.nlg.district import District
from bot.nlg.renderer import ResponseRenderer
from bot.nlg.responses import SourceResponse
from bot.settings import Settings
from bot.supervision.supervisor import Supervisor
from tests.helpers import make_settings


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
