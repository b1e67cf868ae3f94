"""`python -m bot run` as operators run it: crashes, signals, kills, files and logs.

Each test starts the real supervisor with the real Rasa server and action server (30 to
60 s), so each combines several checks.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import httpx
import pytest

from bot.channels.telegram.coordinators import NOT_ALLOWED
from bot.i18n.catalogs import Catalogs
from bot.nlg.renderer import ResponseRenderer
from tests.e2e.test_terminal_chat import render
from tests.helpers import ROOT, free_port
from tests.processes import alive, bot_environment, children_of, connected_to, wait_until
from tests.telegram.driver import TelegramChat
from tests.telegram.emulator import TOKEN, BotApiEmulator, User

pytestmark = pytest.mark.e2e

STARTUP_SECONDS = 300.0
UNREACHABLE = (
    "frontend",
    "Entschuldigung, ich bin gerade nicht erreichbar. "
    "Bitte schreiben Sie Ihre Nachricht in ein paar Minuten noch einmal.",
)


def start(data: Path, *, stdin: int | None = None, **env: str) -> subprocess.Popen[str]:
    """Start `python -m bot run` on free ports; stderr goes to ``data/../stderr.txt``."""
    with (data.parent / "stderr.txt").open("w") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=ROOT,
            env=bot_environment(
                data,
                PATENBOT_RASA_PORT=str(free_port()),
                PATENBOT_ACTION_PORT=str(free_port()),
                **env,
            ),
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )


def stderr_of(data: Path) -> str:
    return (data.parent / "stderr.txt").read_text()


def server_pid(bot: subprocess.Popen[str], marker: str) -> int:
    """Return the pid of the server whose command line contains ``marker``."""
    for pid in children_of(bot.pid):
        if marker in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
            return pid
    raise AssertionError(f"no server {marker!r} among the children")


def kill_all(bot: subprocess.Popen[str], also: set[int]) -> None:
    """Clean up after a failed test: nothing may outlive it."""
    leftovers = children_of(bot.pid) | also
    bot.kill()
    bot.wait()
    if bot.stdin is not None:
        bot.stdin.close()
    for pid in leftovers:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


class Lines:
    """Reads a process's stdout in a thread, so the test can wait with a timeout."""

    def __init__(self, stream: IO[str]) -> None:
        self._lines: queue.Queue[str] = queue.Queue()
        self._stream = stream
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Wait for the end of the output (the process has ended) and close the pipe."""
        self._thread.join(timeout=10)
        self._stream.close()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self._lines.put(line)

    def turn(self, within: float = 120.0) -> str:
        """Return the replies of one turn (the chat ends a turn with an empty line)."""
        collected: list[str] = []
        while (line := self._lines.get(timeout=within)) != "\n":
            collected.append(line)
        return "".join(collected)


def test_a_crashed_server_is_restarted_and_all_die_with_a_killed_supervisor(
    tmp_path: Path, catalogs: Catalogs, expected: ResponseRenderer
) -> None:
    data = tmp_path / "data"
    bot = start(data, stdin=subprocess.PIPE)
    assert bot.stdin is not None and bot.stdout is not None
    replies, servers = Lines(bot.stdout), set[int]()
    try:
        ready = "The Rasa server is ready."
        wait_until(lambda: ready in stderr_of(data), STARTUP_SECONDS, "servers ready")
        servers = children_of(bot.pid)
        action_server = server_pid(bot, "action-server")

        os.kill(action_server, signal.SIGKILL)
        wait_until(lambda: not alive(action_server), 5, "the action server died")
        bot.stdin.write("Patenlik nedir?\n")
        bot.stdin.flush()
        assert replies.turn() == catalogs.pgettext("tr", *UNREACHABLE) + "\n"

        log = data / "logs" / "patenbot.log"
        wait_until(lambda: "The action server answers again." in log.read_text(), 60, "restart")
        assert "The action server stopped (exit code -9); restarting it in 1 s" in log.read_text()
        assert bot.poll() is None
        bot.stdin.write("Patenlik nedir?\n")
        bot.stdin.flush()
        assert render(expected, "utter_faq/what_is_mentoring", "tr") in replies.turn()

        servers = children_of(bot.pid)
        assert len(servers) == 2
        bot.kill()  # SIGKILL: no handler runs; the servers must go by themselves
        bot.wait()
        wait_until(lambda: not any(alive(pid) for pid in servers), 10, "servers died too")
    finally:
        kill_all(bot, servers)
        replies.close()


async def test_telegram_stops_quietly_on_ctrl_c_and_keeps_files_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    emulator = BotApiEmulator()
    emulator.start()
    bot = start(
        data,
        stdin=subprocess.DEVNULL,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=emulator.base_url,
        PATENBOT_COORDINATOR_CHAT_ID="-1001234567890",
        PATENBOT_COORDINATOR_IDS="42",
    )
    servers = set[int]()
    try:
        await emulator.wait_for(
            lambda e: len(e.calls("setMyShortDescription")) >= 7, within=STARTUP_SECONDS
        )
        servers = children_of(bot.pid)
        assert len(servers) == 2
        stranger = TelegramChat(emulator, User(666, "Mallory", "en"))
        catalogs = Catalogs(ROOT / "locale")
        assert await stranger.say("/export csv") == catalogs.pgettext("en", *NOT_ALLOWED)

        bot.send_signal(signal.SIGINT)  # what Ctrl-C sends
        assert await asyncio.to_thread(bot.wait, 60) == 130
        stderr = stderr_of(data)
        assert "CRITICAL" not in stderr
        assert "Traceback" not in stderr
        assert "Stopping the servers" in stderr
        assert not [pid for pid in servers if alive(pid)]

        log = (data / "logs" / "patenbot.log").read_text()
        assert "Refused a coordinator function (export) for a non-coordinator" in log
        assert TOKEN not in log
        for path in (data, data / "logs", data / "rasa-model"):
            assert path.stat().st_mode & 0o777 == 0o700, path
        for path in (
            data / "patenbot.sqlite",
            data / "logs" / "patenbot.log",
            data / "logs" / "rasa.log",
            data / "logs" / "action-server.log",
        ):
            assert path.stat().st_mode & 0o777 == 0o600, path
    finally:
        kill_all(bot, servers)
        if bot.stdout is not None:
            bot.stdout.close()
        emulator.stop()


def test_the_web_chat_runs_next_to_the_terminal_and_stops_on_sigterm(tmp_path: Path) -> None:
    data = tmp_path / "data"
    port = free_port()
    bot = start(data, stdin=subprocess.PIPE, PATENBOT_WEB_PORT=str(port))
    assert bot.stdin is not None and bot.stdout is not None
    replies, servers = Lines(bot.stdout), set[int]()
    try:
        wait_until(
            lambda: f"Web chat: http://127.0.0.1:{port}/" in stderr_of(data),
            STARTUP_SECONDS,
            "the web chat's address printed",
        )
        servers = children_of(bot.pid)
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=10)
        assert page.status_code == 200 and 'role="log"' in page.text
        bot.stdin.write("Patenlik nedir?\n")  # the terminal chat works at the same time
        bot.stdin.flush()
        assert replies.turn().strip()
        bot.send_signal(signal.SIGTERM)
        assert bot.wait(timeout=60) == 0
        with pytest.raises(httpx.TransportError):
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
        wait_until(lambda: not any(alive(pid) for pid in servers), 10, "servers stopped")
        assert "Traceback" not in stderr_of(data)
    finally:
        kill_all(bot, servers)
        replies.close()


def stored_bot_texts(data: Path) -> list[str]:
    """Return the texts of every bot message in Rasa's tracker store (the bot has ended)."""
    with sqlite3.connect(data / "patenbot.sqlite") as connection:
        rows = connection.execute(
            "SELECT data FROM events WHERE type_name = 'bot' ORDER BY id"
        ).fetchall()
    return [str(json.loads(row[0]).get("text")) for row in rows]


@pytest.mark.parametrize("rasa_resumes", [True, False], ids=["turn-finishes", "turn-cut-off"])
def test_sigterm_during_a_terminal_turn_lets_it_finish_within_the_grace_period(
    tmp_path: Path, expected: ResponseRenderer, rasa_resumes: bool
) -> None:
    """As on Telegram: the turn in progress is answered and stored, then all stops.

    The turn is held up for real: the Rasa server is paused (SIGSTOP) before the line is
    sent, so the bot waits on its connection to Rasa when SIGTERM comes. With
    ``rasa_resumes`` Rasa goes on 3 s later, within the grace period; else the turn
    stays stuck and is cut off after the grace period, and nothing is left running.
    """
    data = tmp_path / "data"
    grace = "60" if rasa_resumes else "3"
    bot = start(data, stdin=subprocess.PIPE, PATENBOT_SHUTDOWN_GRACE_SECONDS=grace)
    assert bot.stdin is not None and bot.stdout is not None
    replies, servers, rasa = Lines(bot.stdout), set[int](), 0
    answer = render(expected, "utter_faq/what_is_mentoring", "tr")
    try:
        ready = "The Rasa server is ready."
        wait_until(lambda: ready in stderr_of(data), STARTUP_SECONDS, "servers ready")
        servers = children_of(bot.pid)
        rasa = server_pid(bot, "rasa_plugins.server")
        command = Path(f"/proc/{rasa}/cmdline").read_bytes().split(b"\0")
        rasa_port = int(command[command.index(b"--port") + 1])
        os.killpg(rasa, signal.SIGSTOP)  # the server leads its own process group
        bot.stdin.write("Patenlik nedir?\n")
        bot.stdin.flush()
        wait_until(lambda: connected_to(bot.pid, rasa_port), 30, "the turn reached Rasa")

        bot.send_signal(signal.SIGTERM)
        time.sleep(3)
        assert bot.poll() is None  # waiting for the turn, not cut off
        if rasa_resumes:
            os.killpg(rasa, signal.SIGCONT)
            assert answer in replies.turn(within=60)
            assert bot.wait(timeout=60) == 0
        else:
            assert bot.wait(timeout=60) == 0  # the grace period, then SIGKILL after 15 s
        stderr = stderr_of(data)
        assert "Traceback" not in stderr
        assert "Stopping the servers" in stderr
        wait_until(lambda: not any(alive(pid) for pid in servers), 10, "servers stopped")
        log = (data / "logs" / "patenbot.log").read_text()
        cut_off = "Turns still running 3 s after the stop signal; ending them."
        if rasa_resumes:
            assert cut_off not in log
            assert any(answer in text for text in stored_bot_texts(data))  # saved, too
        else:
            assert cut_off in log
    finally:
        if rasa:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(rasa, signal.SIGCONT)
        kill_all(bot, servers)
        replies.close()
