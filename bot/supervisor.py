"""Starts the Rasa server and the action server, waits for them, and stops them cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx
from pydantic import SecretStr

from bot.private_files import private_folder
from bot.settings import PROJECT_ROOT, Settings
from bot.storage.database import rasa_tracker_url

logger = logging.getLogger(__name__)

STARTUP_TIMEOUT_SECONDS = 300.0
STOP_TIMEOUT_SECONDS = 15.0
WATCH_INTERVAL_SECONDS = 1.0
RESTART_PAUSE_SECONDS = 1.0
MAX_RESTART_PAUSE_SECONDS = 30.0
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
PINNED_MODEL_FOLDER = "rasa-model"


class ChildFailedError(RuntimeError):
    """A server process ended or did not get ready; the message is for people."""


@dataclass
class Child:
    """A supervised server process."""

    label: str
    process: subprocess.Popen[bytes]
    log_path: Path
    command: list[str]


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


def pin_model(model: Path, data_dir: Path) -> Path:
    """Keep the model this bot starts with in the data folder, for restarts of the Rasa server.

    ``make train`` may write newer models and delete old ones while the bot runs; a Rasa
    server restarted after a crash must load the same model as before (the conversation's
    slots and forms belong to it). A hard link costs no space while ``models/`` still has
    the file; on another file system the model is copied.

    Returns:
        The pinned model file.
    """
    folder = private_folder(data_dir / PINNED_MODEL_FOLDER)
    pinned = folder / model.name
    if not pinned.exists():
        partial = folder / f"{model.name}.partial"
        partial.unlink(missing_ok=True)
        try:
            os.link(model, partial)
        except OSError:
            shutil.copyfile(model, partial)
        partial.replace(pinned)
    for old in folder.iterdir():
        if old != pinned:
            old.unlink()
    return pinned


def port_in_use(host: str, port: int) -> bool:
    """Return whether something already listens on ``host:port``."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        # As the servers bind: SO_REUSEADDR ignores connections of an earlier run that
        # are still closing (TIME_WAIT), but not a socket that listens.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def _die_with_parent() -> Callable[[], None] | None:
    """Return a pre-exec hook after which the child gets SIGTERM when this process dies.

    ``PR_SET_PDEATHSIG`` (Linux) covers the case no handler can: the supervisor killed
    with SIGKILL (OOM killer, ``kill -9``). The signal comes when the *thread* that
    started the child ends, so children are started from the main thread only.
    """
    if not sys.platform.startswith("linux"):
        return None
    # Loaded before the fork: the hook itself only calls a function pointer.
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    parent = os.getpid()

    def hook() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the hook ran: no signal comes
            os._exit(1)

    return hook


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
        preexec_fn=_die_with_parent(),  # only calls prctl: safe with threads
    )
    log.close()
    return Child(label, process, log_path, command)


def _kill_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    # The child leads its own process group: the signal reaches anything it started, too.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


class Supervisor:
    """Owns the two server processes for as long as the front end runs."""

    def __init__(self, settings: Settings, *, progress: IO[str] = sys.stderr) -> None:
        """Prepare; nothing is started until :meth:`start`."""
        self._settings = settings
        self._progress = progress
        self._children: list[Child] = []
        self._crashes: dict[str, list[float]] = {}
        self._env: dict[str, str] = {}
        self._restarted: set[str] = set()

    @property
    def pids(self) -> dict[str, int]:
        """Return the process id of each server, by label (for logs and tests)."""
        return {child.label: child.process.pid for child in self._children}

    def servers_up(self) -> bool:
        """Return whether both servers run and none is waiting to answer after a restart."""
        return not self._restarted and all(c.process.poll() is None for c in self._children)

    def start(self) -> None:
        """Start the action server and the Rasa server.

        Raises:
            ChildFailedError: If there is no model, or a port is taken (by servers of an
                earlier start that still run, or by another program).
        """
        settings = self._settings
        data_dir = private_folder(settings.path(settings.data_dir))
        for label, port in (
            ("Rasa server", settings.rasa_port),
            ("action server", settings.action_port),
        ):
            if port_in_use(settings.host, port):
                raise ChildFailedError(
                    f"Port {port} on {settings.host}, which the {label} needs, is already in "
                    "use. Is Patenbot already running (or were its servers left over)? Stop "
                    f"that first, e.g. find it with 'ss -ltnp sport = :{port}', or set other "
                    "ports (PATENBOT_RASA_PORT, PATENBOT_ACTION_PORT)."
                )
        model = pin_model(latest_model(settings), data_dir)
        env = server_environment(settings)
        logs = data_dir / "logs"
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
        self._env = env
        logger.info("Servers started: %s; model %s.", self.pids, model.name)

    async def wait_until_ready(self, stop: asyncio.Event | None = None) -> bool:
        """Wait for both servers, showing progress.

        Returns:
            True when both are ready, False if ``stop`` was set first.

        Raises:
            ChildFailedError: If a server dies or is not ready in time.
        """
        started = time.monotonic()
        for label in ("action server", "Rasa server"):
            while not await self._ready(label):
                self.raise_if_dead()
                waited = time.monotonic() - started
                if waited > STARTUP_TIMEOUT_SECONDS:
                    raise ChildFailedError(
                        f"The {label} did not start in time. {self._log_hint(label)}"
                    )
                self._progress.write(f"\rStarting the {label} … {waited:4.0f} s")
                self._progress.flush()
                if stop is not None:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), timeout=1.0)
                    if stop.is_set():
                        self._progress.write("\n")
                        return False
                else:
                    await asyncio.sleep(1.0)
            self._progress.write(f"\rThe {label} is ready.{' ' * 20}\n")
            self._progress.flush()
        return True

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
        """Restart a server that ends, with a growing pause; return never, or raise.

        Meanwhile the front end keeps running: users get the "write again in a few
        minutes" apology until the server answers again.

        Raises:
            ChildFailedError: When one server has failed ``child_restart_limit`` times
                within ``child_restart_window_seconds``.
        """
        while True:
            for index, child in enumerate(self._children):
                code = child.process.poll()
                if code is not None:
                    pause = self._count_crash(child, code)
                    await asyncio.sleep(pause)
                    self._children[index] = self._restart(child)
                    self._restarted.add(child.label)
                elif child.label in self._restarted and await self._ready(child.label):
                    self._restarted.discard(child.label)
                    logger.warning("The %s answers again.", child.label)
            await asyncio.sleep(WATCH_INTERVAL_SECONDS)

    async def _ready(self, label: str) -> bool:
        settings = self._settings
        if label == "Rasa server":
            return await _rasa_ready(settings.rasa_url, settings.rasa_token)
        return await _http_ok(f"{settings.action_url}/health")

    def _count_crash(self, child: Child, code: int) -> float:
        """Record a crash; return the pause before the restart.

        Raises:
            ChildFailedError: If the server keeps failing.
        """
        settings = self._settings
        now = time.monotonic()
        window = settings.child_restart_window_seconds
        crashes = [
            moment for moment in self._crashes.get(child.label, []) if now - moment < window
        ]
        crashes.append(now)
        self._crashes[child.label] = crashes
        if len(crashes) >= settings.child_restart_limit:
            logger.error(
                "The %s stopped (exit code %s) %d times within %.0f s; giving up.",
                child.label,
                code,
                len(crashes),
                window,
            )
            raise ChildFailedError(
                f"The {child.label} stopped {len(crashes)} times within "
                f"{window:.0f} s (last exit code {code}); Patenbot stops. "
                f"{self._log_hint(child.label)}"
            )
        pause = min(RESTART_PAUSE_SECONDS * 2.0 ** (len(crashes) - 1), MAX_RESTART_PAUSE_SECONDS)
        logger.warning(
            "The %s stopped (exit code %s); restarting it in %.0f s (%d stops within %.0f s; "
            "Patenbot gives up at %d).",
            child.label,
            code,
            pause,
            len(crashes),
            window,
            settings.child_restart_limit,
        )
        return pause

    def _restart(self, child: Child) -> Child:
        # Anything the old server started goes too, so the port is free again.
        _kill_group(child.process, signal.SIGKILL)
        new = _spawn(child.label, child.command, self._env, child.log_path)
        logger.warning("Restarted the %s (pid %d).", child.label, new.process.pid)
        return new

    def stop(self) -> None:
        """Stop both servers: SIGTERM first, then SIGKILL after a grace period."""
        for child in reversed(self._children):
            if child.process.poll() is None:
                _kill_group(child.process, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for child in self._children:
            remaining = max(0.1, deadline - time.monotonic())
            try:
                child.process.wait(timeout=remaining)
            except subprocess.TimeoutExpired:
                _kill_group(child.process, signal.SIGKILL)
                child.process.wait()
            # A process the server started may outlive it: take the group down with it.
            _kill_group(child.process, signal.SIGKILL)
            logger.info("The %s has stopped.", child.label)
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
