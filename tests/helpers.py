"""Helpers the tests import (fixtures stay in the conftest files; pytest finds those)."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

from rasa_sdk import Tracker

from bot.core.state import ConversationStore
from bot.i18n.catalogs import Catalogs
from bot.nlg.renderer import ResponseRenderer
from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
TRACKERS = Path(__file__).resolve().parent / "fixtures" / "trackers"


def free_port() -> int:
    """Return a loopback port that is free now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_settings(data_dir: Path) -> Settings:
    """Return settings for servers of our own, on free ports, with data in ``data_dir``."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        rasa_port=free_port(),
        action_port=free_port(),
        data_dir=data_dir,
        telegram_bot_token=None,
    )


def rendered(expected: ResponseRenderer, response: str, language: str, **arguments: str) -> str:
    """Return a response's text as the user sees it after the first message."""
    tracker = {"slots": {"language": language}, "events": [{"event": "bot"}]}
    return str(expected.render(response, tracker, arguments)["text"])


def button(catalogs: Catalogs, language: str, response: str, title: str) -> str:
    """Return a response button's title in a language."""
    return catalogs.pgettext(language, f"{response}|button", title)


def tracker_from_json(name: str, **slots: Any) -> Tracker:
    """Return the tracker of ``tests/fixtures/trackers/<name>.json`` (slots overridable).

    The files hold what Rasa sends to the action server (``sender_id``, ``slots``,
    ``latest_message``, ``events``, ``active_loop``), as RasaHQ/financial-demo's tests do.
    """
    state = json.loads((TRACKERS / f"{name}.json").read_text(encoding="utf-8"))
    state["slots"] = {**state.get("slots", {}), **slots}
    return Tracker.from_dict(state)


def sqlite_store(folder: Path) -> ConversationStore:
    """Return a conversation state store on a new, migrated SQLite database in ``folder``."""
    from bot.storage.database import make_engine, make_session_factory, upgrade_database

    engine = make_engine(f"sqlite:///{folder / 'state.sqlite'}")
    upgrade_database(engine)
    return ConversationStore(make_session_factory(engine))


def free_ports(count: int) -> int:
    """Return the first of ``count`` consecutive loopback ports that are free now."""
    for _ in range(100):
        first = free_port()
        sockets = []
        try:
            for port in range(first, first + count):
                sock = socket.socket()
                sockets.append(sock)
                sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
        return first
    raise RuntimeError(f"no {count} consecutive free ports")
