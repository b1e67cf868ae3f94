"""The supervisor: owns the Rasa servers and the action server while the front end runs.

It starts them (``servers.py``, ``children.py``), waits until they answer
(``probes.py``), restarts one that stops (``restarts.py``), takes a Rasa replica that
keeps failing out of the routing, and stops them all at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import time
from collections.abc import Callable
from typing import IO

from bot.private_files import private_folder
from bot.settings import Settings
from bot.supervision.children import (
    Child,
    ChildFailedError,
    kill_group,
    spawn,
    stop_children,
)
from bot.supervision.probes import http_ok, rasa_ready
from bot.supervision.restarts import RestartPolicy
from bot.supervision.servers import (
    action_server_command,
    latest_model,
    pin_model,
    rasa_command,
    refuse_taken_ports,
    replica_label,
    replica_log_name,
    server_environment,
)

logger = logging.getLogger(__name__)

STARTUP_TIMEOUT_SECONDS = 300.0
WATCH_INTERVAL_SECONDS = 1.0


class Supervisor:
    """Owns the server processes for as long as the front end runs."""

    def __init__(self, settings: Settings, *, progress: IO[str] = sys.stderr) -> None:
        """Prepare; nothing is started until :meth:`start`."""
        self._settings = settings
        self._progress = progress
        self._children: list[Child] = []
        self._restarts = RestartPolicy(
            settings.child_restart_limit, settings.child_restart_window_seconds
        )
        self._env: dict[str, str] = {}
        self._restarted: set[str] = set()
        self._retired: set[str] = set()
        self.on_restart: Callable[[str], None] | None = None
        """Called with a server's label whenever it is restarted (for the metrics)."""

    @property
    def pids(self) -> dict[str, int]:
        """Return the process id of each server, by label (for logs and tests)."""
        return {child.label: child.process.pid for child in self._children}

    @property
    def retired(self) -> set[str]:
        """Return the labels of replicas taken out of the routing after failing too often."""
        return set(self._retired)

    def retired_replicas(self) -> set[str]:
        """Return the names of the replicas taken out of the routing (``rasa-2`` …)."""
        return {c.replica.name for c in self._children if c.replica and c.label in self._retired}

    def available_replicas(self) -> int:
        """Return how many Rasa replicas take turns now."""
        return sum(self.replica_available(c.replica.name) for c in self._children if c.replica)

    def _child_up(self, child: Child) -> bool:
        return (
            child.label not in self._restarted
            and child.label not in self._retired
            and child.process.poll() is None
        )

    def _action_server_up(self) -> bool:
        return any(c.replica is None and self._child_up(c) for c in self._children)

    def servers_up(self) -> bool:
        """Return whether the action server and at least one Rasa replica take turns."""
        return self._action_server_up() and any(
            c.replica is not None and self._child_up(c) for c in self._children
        )

    def replica_available(self, name: str) -> bool:
        """Return whether the Rasa replica ``name`` may take turns now (for the router).

        A replica is available while it runs, is not waiting to answer after a restart
        and was not taken out of the routing, and while the action server is up.
        """
        if not self._action_server_up():
            return False
        return any(
            c.replica is not None and c.replica.name == name and self._child_up(c)
            for c in self._children
        )

    def start(self) -> None:
        """Start the action server and the Rasa server.

        Raises:
            ChildFailedError: If there is no model, or a port is taken (by servers of an
                earlier start that still run, or by another program).
        """
        settings = self._settings
        data_dir = private_folder(settings.path(settings.data_dir))
        replicas = settings.rasa_replica_list
        refuse_taken_ports(settings)
        model = pin_model(latest_model(settings), data_dir)
        env = server_environment(settings)
        logs = data_dir / "logs"
        self._children.append(
            spawn("action server", action_server_command(), env, logs / "action-server.log")
        )
        for index, replica in enumerate(replicas):
            command = rasa_command(settings, index, model)
            label = replica_label(replica, len(replicas))
            log = logs / replica_log_name(index)
            self._children.append(spawn(label, command, env, log, replica))
        self._env = env
        logger.info("Servers started: %s; model %s.", self.pids, model.name)

    async def wait_until_ready(self, stop: asyncio.Event | None = None) -> bool:
        """Wait for all servers, showing progress.

        Returns:
            True when all are ready, False if ``stop`` was set first.

        Raises:
            ChildFailedError: If a server dies or is not ready in time.
        """
        started = time.monotonic()
        for label in [child.label for child in self._children]:
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
            if code is not None and child.label not in self._retired:
                raise ChildFailedError(
                    f"The {child.label} stopped unexpectedly (exit code {code}). "
                    f"{self._log_hint(child.label)}"
                )

    async def watch(self) -> None:
        """Restart a server that ends, with a growing pause; return never, or raise.

        Meanwhile the front end keeps running: users get the "write again in a few
        minutes" apology until the server answers again.

        A Rasa replica that fails ``child_restart_limit`` times within
        ``child_restart_window_seconds`` is taken out of the routing (its conversations
        stay with their next replica) and reported, as long as another replica runs.

        Raises:
            ChildFailedError: When the action server, or the last Rasa replica, has
                failed ``child_restart_limit`` times within the window.
        """
        while True:
            for index, child in enumerate(self._children):
                if child.label in self._retired:
                    continue
                code = child.process.poll()
                if code is not None:
                    pause = self._count_crash(child, code)
                    if pause is None:
                        self._retire(child, code)
                        continue
                    self._restarted.add(child.label)
                    await asyncio.sleep(pause)
                    self._children[index] = self._restart(child)
                    if self.on_restart is not None:
                        self.on_restart(child.label)
                elif child.label in self._restarted and await self._ready(child.label):
                    self._restarted.discard(child.label)
                    logger.warning("The %s answers again.", child.label)
            await asyncio.sleep(WATCH_INTERVAL_SECONDS)

    async def _ready(self, label: str) -> bool:
        settings = self._settings
        for child in self._children:
            if child.label == label and child.replica is not None:
                return await rasa_ready(child.replica.url, settings.rasa_token)
        return await http_ok(f"{settings.action_url}/health")

    async def ready_report(self) -> dict[str, bool]:
        """Return, per server label, whether it answers now (for ``/readyz``).

        A replica taken out of the routing is reported as not ready.
        """
        return {
            child.label: child.label not in self._retired and await self._ready(child.label)
            for child in list(self._children)
        }

    def _retire(self, child: Child, code: int) -> None:
        """Take a replica that keeps failing out of the routing, and say so."""
        self._retired.add(child.label)
        self._restarted.discard(child.label)
        kill_group(child.process, signal.SIGKILL)
        logger.error(
            "The %s stopped (exit code %s) %d times within %.0f s; it is taken out of the "
            "routing and not restarted. Its conversations go to the other replicas. "
            "Details are in %s.",
            child.label,
            code,
            self._restarts.stops(child.label),
            self._settings.child_restart_window_seconds,
            child.log_path,
        )

    def _count_crash(self, child: Child, code: int) -> float | None:
        """Record a crash; return the pause before the restart, or None to retire a replica.

        Raises:
            ChildFailedError: If the action server or the last replica keeps failing.
        """
        others_running = any(
            other.replica is not None and other is not child and other.label not in self._retired
            for other in self._children
        )
        return self._restarts.record(
            child, code, others_running=others_running, log_hint=self._log_hint(child.label)
        )

    def _restart(self, child: Child) -> Child:
        # Anything the old server started goes too, so the port is free again.
        kill_group(child.process, signal.SIGKILL)
        new = spawn(child.label, child.command, self._env, child.log_path, child.replica)
        logger.warning("Restarted the %s (pid %d).", child.label, new.process.pid)
        return new

    def stop(self) -> None:
        """Stop all servers: SIGTERM first, then SIGKILL after a grace period."""
        stop_children(self._children)
        self._children.clear()

    def _log_hint(self, label: str) -> str:
        for child in self._children:
            if child.label == label:
                return f"Details are in {child.log_path}."
        return ""
