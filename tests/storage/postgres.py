"""A throw-away PostgreSQL server on loopback for the storage tests."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from glob import glob
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.helpers import free_port


class PostgresUnavailableError(RuntimeError):
    """PostgreSQL binaries are not installed here."""


def _binary(name: str) -> str:
    found = shutil.which(name) or next(
        iter(sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if not found:
        raise PostgresUnavailableError(f"{name} not found (Debian: apt-get install postgresql)")
    return found


def _as_server_user(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; CI runs as root, so use the postgres account.
    if os.geteuid() != 0:
        return command
    try:
        pwd.getpwnam("postgres")
    except KeyError as error:
        raise PostgresUnavailableError("no 'postgres' user to run the server as") from error
    return ["runuser", "-u", "postgres", "--", *command]


@dataclass(frozen=True)
class PostgresServer:
    """A running throw-away server: its URL, and a way to restart it (fault tests)."""

    url: str
    data: Path
    options: str
    log: Path

    def restart(self) -> None:
        """Restart the server (fast shutdown: every open connection is cut)."""
        subprocess.run(
            _as_server_user(
                [_binary("pg_ctl"), "-D", str(self.data), "-o", self.options, "-l",
                 str(self.log), "-m", "fast", "-w", "restart"]
            ),
            check=True,
            capture_output=True,
        )  # fmt: skip
        _wait_until_accepting(make_url(self.url).port or 5432)

    def tool(self, name: str) -> str:
        """Return the path of a PostgreSQL program of this installation (pg_dump …)."""
        return _binary(name)


@contextmanager
def temporary_postgres() -> Iterator[str]:
    """Start PostgreSQL in a temporary data directory; yield its SQLAlchemy URL."""
    with temporary_postgres_server() as server:
        yield server.url


@contextmanager
def required_postgres_server() -> Iterator[PostgresServer]:
    """Yield a temporary PostgreSQL server, or skip the test loudly where none is installed.

    On CI (``CI=true``) a missing PostgreSQL is a failure, not a skip.
    """
    try:
        with temporary_postgres_server() as server:
            yield server
    except PostgresUnavailableError as error:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL is required on CI: {error}")
        pytest.skip(f"PostgreSQL tests NOT run: {error}")


@contextmanager
def temporary_postgres_server() -> Iterator[PostgresServer]:
    """Start PostgreSQL in a temporary data directory; yield the running server."""
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    root = Path(tempfile.mkdtemp(prefix="patenbot-pg-"))
    data = root / "data"
    port = free_port()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    try:
        subprocess.run(
            _as_server_user(
                [initdb, "-D", str(data), "-U", "patenbot", "--auth=trust", "-E", "UTF8"]
            ),
            check=True,
            capture_output=True,
        )
        options = f"-c listen_addresses=127.0.0.1 -c port={port} -k {root} -c fsync=off"
        subprocess.run(
            _as_server_user(
                [pg_ctl, "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start"]
            ),
            check=True,
            capture_output=True,
        )
        url = f"postgresql+psycopg://patenbot@127.0.0.1:{port}/postgres"
        _wait_until_accepting(port)
        yield PostgresServer(url, data, options, root / "log")
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                _as_server_user([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]),
                check=False,
                capture_output=True,
            )
        shutil.rmtree(root, ignore_errors=True)


def _wait_until_accepting(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError("PostgreSQL did not start")
