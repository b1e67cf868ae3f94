"""One supervised server process: started in its own session, dying with its parent."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from bot.core.routing import Replica
from bot.settings import PROJECT_ROOT

logger = logging.getLogger(__name__)

STOP_TIMEOUT_SECONDS = 15.0
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


class ChildFailedError(RuntimeError):
    """A server process ended or did not get ready; the message is for people."""


@dataclass
class Child:
    """A supervised server process."""

    label: str
    process: subprocess.Popen[bytes]
    log_path: Path
    command: list[str]
    replica: Replica | None = None
    """The Rasa replica this process serves (None for the action server)."""


def die_with_parent() -> Callable[[], None] | None:
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


def spawn(
    label: str,
    command: list[str],
    env: dict[str, str],
    log_path: Path,
    replica: Replica | None = None,
) -> Child:
    """Start a server process with its output appended to ``log_path``."""
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
        preexec_fn=die_with_parent(),  # only calls prctl: safe with threads
    )
    log.close()
    return Child(label, process, log_path, command, replica)


def kill_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    """Send ``sig`` to the process's group (it leads its own one), if it still exists."""
    # The signal reaches anything the child started, too.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


def stop_children(children: list[Child]) -> None:
    """Stop the processes: SIGTERM (last started first), then SIGKILL after a grace period."""
    for child in reversed(children):
        if child.process.poll() is None:
            kill_group(child.process, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    for child in children:
        remaining = max(0.1, deadline - time.monotonic())
        try:
            child.process.wait(timeout=remaining)
        except subprocess.TimeoutExpired:
            kill_group(child.process, signal.SIGKILL)
            child.process.wait()
        # A process the server started may outlive it: take the group down with it.
        kill_group(child.process, signal.SIGKILL)
        logger.info("The %s has stopped.", child.label)
