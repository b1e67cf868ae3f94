"""Helpers for tests that start ``python -m bot`` as a real process and watch its children."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from pathlib import Path

from tests.helpers import ROOT

RUN_TIMEOUT_SECONDS = 600.0


def children_of(pid: int) -> set[int]:
    """Return the ids of a process's direct children (from /proc, no extra package)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.update(int(part) for part in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def alive(pid: int) -> bool:
    """Return whether a process exists and is not a zombie."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def connected_to(pid: int, port: int) -> bool:
    """Return whether the process holds an established TCP connection to ``port``.

    Read from /proc: the sockets of the process (its file descriptors) matched against
    the connections of its network namespace, so no other program's connection counts.
    """
    inodes: set[str] = set()
    for fd in Path(f"/proc/{pid}/fd").glob("*"):
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    for table in ("tcp", "tcp6"):
        try:
            rows = Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            if remote_port == port and fields[3] == "01" and fields[9] in inodes:
                return True
    return False


def wait_until(condition: Callable[[], bool], within: float, what: str) -> None:
    """Wait until ``condition()`` is true; fail with ``what`` after ``within`` seconds."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} (not within {within:.0f} s)")
        time.sleep(0.1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bot_environment(data_dir: Path, **changes: str) -> dict[str, str]:
    """Return an environment for ``python -m bot`` on a temporary data folder."""
    env = dict(os.environ)
    for name in list(env):
        if name.startswith("PATENBOT_") or name in {"TELEGRAM_BOT_TOKEN", "DATABASE_URL"}:
            env.pop(name)
    env.update(PATENBOT_DATA_DIR=str(data_dir), **changes)
    # The web chat starts with `python -m bot run`: never on the shared default port 8080.
    env.setdefault("PATENBOT_WEB_PORT", str(_free_port()))
    env.setdefault("PYTHONPATH", str(ROOT))
    return env
