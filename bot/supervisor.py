"""Starts the Rasa server and the action server, waits for them, and stops them cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx
from pydantic import SecretStr

from bot.settings import PROJECT_ROOT, Settings
from bot.storage.database import rasa_tracker_url

logger = logging.getLogger(__name__)

STARTUP_TIMEOUT_SECONDS = 300.0
STOP_TIMEOUT_SECONDS = 15.0


class ChildFailedError(RuntimeError):
    """A server process ended or did not get ready; the message is for people."""


@dataclass
class Child:
    """A supervised server process."""

    label: str
    process: subprocess.Popen[bytes]
    log_path: Path


def server_environment(settings: Settings) -> dict[str, str]:
    """Return the environment the servers need (read by ``endpoints.yml``)."""
    env = dict(os.environ)
    # The action server reads its settings from the environment: hand ours down, so a
    # supervisor started with other ports or folders (tests, evaluation) is obeyed.
    env.update(
        PATENBOT_HOST=settings.host,
        PATENBOT_ACTION_PORT=str(settings.action_port),
        PATENBOT_RASA_PORT=str(settings.rasa_port),
        PATENBOT_DATA_DIR=str(settings.path(settings.data_dir)),
        PATENBOT_DISTRICT_FILE=str(settings.path(settings.district_file)),
        PATENBOT_DOMAIN_FILE=str(settings.path(settings.domain_file)),
        PATENBOT_LOCALE_DIR=str(settings.path(settings.locale_dir)),
        PATENBOT_LOG_LEVEL=settings.log_level,
        DATABASE_URL=settings.database_url,
    )
    env["PATENBOT_ACTION_URL"] = settings.action_url
    env["PATENBOT_TRACKER_URL"] = rasa_tracker_url(settings.database_url)
    # The servers' secrets travel only in the environment (readable by this user alone,
    # unlike a command line): rasa_plugins.server and the REST channel read the Rasa
    # token, endpoints.yml and the action server the action token.
    env["PATENBOT_RASA_TOKEN"] = settings.rasa_token.get_secret_value()
    env["PATENBOT_ACTION_TOKEN"] = settings.action_token.get_secret_value()
    env["PATENBOT_SESSION_MAX_EVENTS"] = str(settings.session_max_events)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


def latest_model(settings: Settings) -> Path:
    """Return the newest trained model.

    Raises:
        ChildFailedError: If there is none yet.
    """
    models = sorted(settings.path(settings.model_dir).glob("*.tar.gz"), key=os.path.getmtime)
    if not models:
        raise ChildFailedError("No trained model found. Run 'make train' (or 'make run') first.")
    return models[-1]


def _spawn(label: str, command: list[str], env: dict[str, str], log_path: Path) -> Child:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log: IO[bytes] = log_path.open("ab")
    # A new session keeps Ctrl-C away from the children: we stop them ourselves, in order.
    process = subprocess.Popen(  # noqa: S603 - our own fixed command lines
        command,
        cwd=PROJECT_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    return Child(label, process, log_path)


class Supervisor:
    """Owns the two server processes for as long as the front end runs."""

    def __init__(self, settings: Settings, *, progress: IO[str] = sys.stderr) -> None:
        """Prepare; nothing is started until :meth:`start`."""
        self._settings = settings
        self._progress = progress
        self._children: list[Child] = []

    def start(self) -> None:
        """Start the action server and the Rasa server."""
        settings = self._settings
        model = latest_model(settings)
        settings.path(settings.data_dir).mkdir(parents=True, exist_ok=True)
        env = server_environment(settings)
        logs = settings.path(settings.data_dir) / "logs"
        self._children.append(
            _spawn(
                "action server",
                [sys.executable, "-m", "bot", "action-server"],
                env,
                logs / "action-server.log",
            )
        )
        # rasa_plugins.server is `rasa run` plus the API token from the environment.
        python = str(settings.path(settings.rasa_executable).parent / "python")
        command = [
            python, "-m", "rasa_plugins.server", "run", "--enable-api",
            "--interface", settings.host,
            "--port", str(settings.rasa_port), "--model", str(model),
            "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
        ]  # fmt: skip
        self._children.append(_spawn("Rasa server", command, env, logs / "rasa.log"))

    async def wait_until_ready(self) -> None:
        """Wait for both servers, showing progress.

        Raises:
            ChildFailedError: If a server dies or is not ready in time.
        """
        settings = self._settings
        checks: list[tuple[str, Callable[[], Awaitable[bool]]]] = [
            ("action server", lambda: _http_ok(f"{settings.action_url}/health")),
            ("Rasa server", lambda: _rasa_ready(settings.rasa_url, settings.rasa_token)),
        ]
        started = time.monotonic()
        for label, check in checks:
            while not await check():
                self.raise_if_dead()
                waited = time.monotonic() - started
                if waited > STARTUP_TIMEOUT_SECONDS:
                    raise ChildFailedError(
                        f"The {label} did not start in time. {self._log_hint(label)}"
                    )
                self._progress.write(f"\rStarting the {label} … {waited:4.0f} s")
                self._progress.flush()
                await asyncio.sleep(1.0)
            self._progress.write(f"\rThe {label} is ready.{' ' * 20}\n")
            self._progress.flush()

    def raise_if_dead(self) -> None:
        """Raise a plain-words error if a server process has ended.

        Raises:
            ChildFailedError: If a server process has ended.
        """
        for child in self._children:
            code = child.process.poll()
            if code is not None:
                raise ChildFailedError(
                    f"The {child.label} stopped unexpectedly (exit code {code}). "
                    f"{self._log_hint(child.label)}"
                )

    async def watch(self) -> None:
        """Return (by raising) as soon as a server process ends.

        Raises:
            ChildFailedError: When a server process ends.
        """
        while True:
            self.raise_if_dead()
            await asyncio.sleep(1.0)

    def stop(self) -> None:
        """Stop both servers: SIGTERM first, then SIGKILL after a grace period."""
        for child in reversed(self._children):
            if child.process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for child in self._children:
            remaining = max(0.1, deadline - time.monotonic())
            try:
                child.process.wait(timeout=remaining)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.process.pid, signal.SIGKILL)
                child.process.wait()
        self._children.clear()

    def _log_hint(self, label: str) -> str:
        for child in self._children:
            if child.label == label:
                return f"Details are in {child.log_path}."
        return ""


async def _http_ok(url: str) -> bool:
    try:
        async with httpx.AsyncClient(timeout=2.0) as client:
            return (await client.get(url)).status_code == 200
    except httpx.HTTPError:
        return False


async def _rasa_ready(base_url: str, token: SecretStr) -> bool:
    try:
        async with httpx.AsyncClient(timeout=2.0) as client:
            params = {"token": token.get_secret_value()}
            answer = await client.get(f"{base_url}/status", params=params)
    except httpx.HTTPError:
        return False
    return answer.status_code == 200 and bool(answer.json().get("model_file"))
