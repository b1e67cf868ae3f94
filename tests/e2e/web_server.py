"""The real web chat on a free port, in a thread of its own, for browser tests."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from pydantic import SecretStr

from bot.app import build_service
from bot.channels.web.server import build_web, serve_web
from bot.i18n import Catalogs
from bot.rasa_client import RasaClient
from bot.settings import Settings
from bot.storage.database import make_engine, make_session_factory
from tests.e2e.conftest import free_port

WEB_SECRET = "e2e-web-secret-long-enough-to-sign-cookies"


def web_settings(servers: Settings, **overrides: object) -> Settings:
    """Return the servers' settings with a web chat on a free port."""
    values: dict[str, object] = {
        "web_port": free_port(),
        "web_secret": SecretStr(WEB_SECRET),
        "web_test_assets": True,
        **overrides,
    }
    return servers.model_copy(update=values)


@contextmanager
def running_web(settings: Settings) -> Iterator[str]:
    """Serve the web chat (Uvicorn, the real app) until the block ends; yield its URL."""
    started = threading.Event()
    holder: dict[str, object] = {}

    async def main() -> None:
        stop = asyncio.Event()
        holder["loop"], holder["stop"] = asyncio.get_running_loop(), stop
        rasa = RasaClient.for_settings(settings)
        catalogs = Catalogs(settings.path(settings.locale_dir))
        sessions = make_session_factory(make_engine(settings.database_url))
        erased: set[str] = set()
        service = build_service(
            settings, rasa, catalogs=catalogs, sessions=sessions, on_erase=erased.add
        )
        app = build_web(settings, service, sessions, catalogs, erased)
        started.set()
        try:
            await serve_web(app, settings, stop)
        finally:
            await rasa.aclose()

    thread = threading.Thread(target=lambda: asyncio.run(main()), daemon=True)
    thread.start()
    started.wait(30)
    url = f"http://127.0.0.1:{settings.web_port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    try:
        yield url
    finally:
        loop = holder["loop"]
        stop = holder["stop"]
        assert isinstance(loop, asyncio.AbstractEventLoop) and isinstance(stop, asyncio.Event)
        loop.call_soon_threadsafe(stop.set)
        thread.join(15)
