"""Serves the web chat with Uvicorn inside ``python -m bot run``'s own event loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Generator
from typing import Any

import uvicorn
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette

from bot.core.conversation import ConversationService
from bot.i18n.catalogs import Catalogs
from bot.nlg.district import load_district
from bot.nlg.renderer import ResponseRenderer
from bot.nlg.responses import load_responses
from bot.settings import Settings

from .app import build_web_app
from .chat import WebChat
from .office.app import build_office
from .security import load_or_create_secret

logger = logging.getLogger(__name__)
SHUTDOWN_SECONDS = 3


class _EmbeddedServer(uvicorn.Server):
    """A Uvicorn server that leaves signals to its host (``bot.app`` stops it)."""

    def __init__(self, config: uvicorn.Config, on_started: Callable[[], None] | None) -> None:
        """Serve with ``config``; ``on_started`` runs once the socket listens."""
        super().__init__(config)
        self._on_started = on_started

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        """Install no handlers: SIGINT/SIGTERM/SIGHUP already stop the whole bot."""
        yield

    async def startup(self, sockets: Any = None) -> None:
        """Bind the socket, then tell the host (an address printed earlier might not answer)."""
        await super().startup(sockets=sockets)
        if self.started and self._on_started is not None:
            self._on_started()


def web_secret(settings: Settings) -> str:
    """Return the cookie secret: ``PATENBOT_WEB_SECRET``, else the one kept in the data folder."""
    if settings.web_secret is not None:
        return settings.web_secret.get_secret_value()
    return load_or_create_secret(settings.path(settings.data_dir))


def build_web(
    settings: Settings,
    service: ConversationService,
    sessions: sessionmaker[Session],
    catalogs: Catalogs,
    erased: set[str],
) -> Starlette:
    """Build the web chat's app over a conversation core whose erase hook fills ``erased``."""
    district = load_district(settings.path(settings.district_file))
    renderer = ResponseRenderer(
        responses=load_responses(settings.path(settings.domain_file)),
        catalogs=catalogs,
        district=district,
    )
    chat = WebChat(
        service,
        sessions,
        catalogs,
        erased=erased,
        coordinators_group=settings.coordinator_chat_id is not None,
    )
    app = build_web_app(
        settings,
        chat,
        catalogs=catalogs,
        district=district,
        renderer=renderer,
        secret=web_secret(settings),
    )
    app.mount("/office", build_office(settings, sessions, catalogs))  # the console (issue 13)
    return app


async def serve_web(
    app: Starlette,
    settings: Settings,
    stop: asyncio.Event,
    on_started: Callable[[], None] | None = None,
) -> None:
    """Serve ``app`` on ``PATENBOT_WEB_HOST:PATENBOT_WEB_PORT`` until ``stop`` is set.

    ``on_started`` runs once the socket listens, so an address printed there answers.
    """
    config = uvicorn.Config(
        app,
        host=settings.web_host,
        port=settings.web_port,
        log_config=None,
        access_log=False,  # request lines would put addresses and paths in the log
        lifespan="off",
        timeout_graceful_shutdown=SHUTDOWN_SECONDS,
        server_header=False,
    )
    server = _EmbeddedServer(config, on_started)
    serving = asyncio.create_task(server.serve())
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
    server.should_exit = True
    stopping.cancel()
    await serving
