"""The supervisor with real processes: our action server and a stand-in for Rasa.

The stand-in is a shell script in place of ``.venv-rasa/bin/rasa`` (Rasa itself needs a
minute to start; the end-to-end tests in tests/e2e/test_processes.py use the real one).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.supervision.children import ChildFailedError
from bot.supervision.servers import pin_model
from bot.supervision.supervisor import Supervisor
from tests.helpers import ROOT, free_port
from tests.processes import alive, bot_environment, children_of, wait_until


def stand_in_rasa(folder: Path, body: str) -> Path:
    """Write an executable that the supervisor starts instead of Rasa.

    The supervisor runs ``python -m rasa_plugins.server run …`` with the Python beside
    ``rasa`` (bot/supervision/servers.py), so the stand-in takes both names.
    """
    script = folder / "rasa"
    for name in ("rasa", "python"):
        (folder / name).write_text(f"#!/bin/sh\n{body}\n")
        (folder / name).chmod(0o700)
    return script


def a_model(folder: Path) -> Path:
    models = folder / "models"
    models.mkdir()
    (models / "20260101-000000-test.tar.gz").write_bytes(b"not a real model")
    return models


def start_bot(tmp_path: Path, rasa: Path) -> subprocess.Popen[bytes]:
    env = bot_environment(
        tmp_path / "data",
        PATENBOT_RASA_PORT=str(free_port()),
        PATENBOT_ACTION_PORT=str(free_port()),
        PATENBOT_MODEL_DIR=str(a_model(tmp_path)),
        PATENBOT_RASA_EXECUTABLE=str(rasa),
    )
    with (tmp_path / "stderr.txt").open("wb") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )


def stop(bot: subprocess.Popen[bytes], servers: set[int]) -> None:
    """End the bot and anything it left (only when a test failed)."""
    leftovers = children_of(bot.pid) | servers
    bot.kill()
    bot.wait()
    assert bot.stdin is not None
    bot.stdin.close()
    for pid in leftovers:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def test_a_killed_supervisor_takes_its_servers_with_it(tmp_path: Path) -> None:
    bot = start_bot(tmp_path, stand_in_rasa(tmp_path, "exec sleep 300"))
    servers = set[int]()
    try:
        wait_until(lambda: len(children_of(bot.pid)) == 2, 30, "both servers started")
        servers = children_of(bot.pid)
        bot.kill()
        bot.wait()
        wait_until(lambda: not any(alive(pid) for pid in servers), 5, "the servers died too")
    finally:
        stop(bot, servers)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_stop_signal_stops_the_servers_and_what_they_started(
    tmp_path: Path, signum: signal.Signals
) -> None:
    # The stand-in starts a process of its own, as a server with workers would.
    rasa = stand_in_rasa(tmp_path, f"sleep 300 &\necho $! > {tmp_path}/grandchild\nexec sleep 300")
    bot = start_bot(tmp_path, rasa)
    processes = set[int]()
    try:
        wait_until(lambda: (tmp_path / "grandchild").is_file(), 30, "the stand-in started")
        wait_until(lambda: len(children_of(bot.pid)) == 2, 30, "both servers started")
        processes = children_of(bot.pid) | {int((tmp_path / "grandchild").read_text())}
        bot.send_signal(signum)
        assert bot.wait(timeout=30) == 0
        assert not [pid for pid in processes if alive(pid)]
        stderr = (tmp_path / "stderr.txt").read_text()
        assert "Stopping the servers" in stderr
        assert "Traceback" not in stderr
    finally:
        stop(bot, processes)


def test_servers_that_already_listen_are_refused_clearly(tmp_path: Path) -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        taken = other.getsockname()[1]
        env = bot_environment(
            tmp_path / "data",
            PATENBOT_RASA_PORT=str(taken),
            PATENBOT_ACTION_PORT=str(free_port()),
            PATENBOT_MODEL_DIR=str(a_model(tmp_path)),
            PATENBOT_RASA_EXECUTABLE=str(stand_in_rasa(tmp_path, "exec sleep 300")),
        )
        result = subprocess.run(
            [sys.executable, "-m", "bot", "run"],
            cwd=ROOT,
            env=env,
            input="",
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 1
    assert f"Port {taken} on 127.0.0.1, which the Rasa server needs, is already in use" in (
        result.stderr
    )
    assert "is ready" not in result.stderr
    assert not (tmp_path / "data" / "logs" / "action-server.log").exists()  # nothing started


def test_a_crashing_server_is_restarted_then_given_up(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        rasa_port=free_port(),
        action_port=free_port(),
        data_dir=tmp_path / "data",
        model_dir=a_model(tmp_path),
        rasa_executable=stand_in_rasa(tmp_path, "exit 3"),
        child_restart_limit=3,
        child_restart_window_seconds=60,
    )
    supervisor = Supervisor(settings)
    caplog.set_level(logging.WARNING, logger="bot.supervision")
    supervisor.start()
    try:
        action_server = supervisor.pids["action server"]
        with pytest.raises(ChildFailedError, match="The Rasa server stopped 3 times within 60 s"):
            asyncio.run(asyncio.wait_for(supervisor.watch(), timeout=30))
        restarts = [r.getMessage() for r in caplog.records if "restarting it in" in r.getMessage()]
        assert len(restarts) == 2
        assert "restarting it in 1 s" in restarts[0]
        assert "restarting it in 2 s" in restarts[1]  # the pause grows
        assert supervisor.pids["action server"] == action_server  # the other one stays up
        assert alive(action_server)
    finally:
        supervisor.stop()
    assert not alive(action_server)


def test_the_pinned_model_survives_the_training_cleanup(tmp_path: Path) -> None:
    model = a_model(tmp_path) / "20260101-000000-test.tar.gz"
    pinned = pin_model(model, tmp_path / "data")
    model.unlink()  # what `make train` does to all but the two newest models
    assert pinned.read_bytes() == b"not a real model"
    assert pinned.parent.stat().st_mode & 0o777 == 0o700


def test_a_replica_that_keeps_failing_is_taken_out_of_the_routing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first_port = free_port()
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        rasa_port=first_port,
        rasa_replicas=2,
        action_port=free_port(),
        data_dir=tmp_path / "data",
        model_dir=a_model(tmp_path),
        # The second replica fails at once, the first runs.
        rasa_executable=stand_in_rasa(
            tmp_path, f'case "$*" in *"--port {first_port + 1} "*) exit 3;; esac\nexec sleep 300'
        ),
        child_restart_limit=3,
        child_restart_window_seconds=60,
    )
    supervisor = Supervisor(settings)
    caplog.set_level(logging.WARNING, logger="bot.supervision")
    supervisor.start()
    try:
        assert set(supervisor.pids) == {
            "action server",
            "Rasa server rasa-1",
            "Rasa server rasa-2",
        }
        with pytest.raises(TimeoutError):  # it does not give up: one replica still runs
            asyncio.run(asyncio.wait_for(supervisor.watch(), timeout=8))
        assert supervisor.retired == {"Rasa server rasa-2"}
        assert supervisor.replica_available("rasa-1")
        assert not supervisor.replica_available("rasa-2")
        assert supervisor.servers_up()
        messages = [r.getMessage() for r in caplog.records]
        assert any(
            "rasa-2 stopped (exit code 3) 3 times" in m and "taken out" in m for m in messages
        )
        assert (tmp_path / "data" / "logs" / "rasa-2.log").exists()
    finally:
        supervisor.stop()
