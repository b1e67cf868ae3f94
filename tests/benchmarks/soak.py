"""Soak test: ``python -m bot run`` as deployed, under steady traffic for half an hour.

Run: ``.venv/bin/python -m tests.benchmarks.soak`` (``make soak``; not in CI). It starts
the real ``python -m bot run`` in a process of its own, as systemd runs it: Telegram
through the Bot API emulator (long polling, with a coordinators' group), the web chat,
``--replicas`` Rasa servers and the action server, on a temporary SQLite database. Half
of ``--users`` are Telegram users, half web chat clients; each asks a question, waits for
the answer, waits ``--pace`` seconds, and asks the next one, for ``--minutes``. The
defaults (20 users, 4 s) make about 4.5 turns per second, below what two cores serve at
most (about 7.5 turns per second, ``make benchmark-load``): steady, not overload.

Figures: the resident memory of each process (the bot, every Rasa replica, the action
server), sampled after start-up, after the warm-up (the first ``--warm-up`` minutes:
caches fill, lazy imports happen) and every five minutes up to the end; turns, lost
replies, reply times; errors: the bot's ``patenbot_errors_total`` and restarts from
``/metrics``, and the lines at ERROR or above in its log file. At the end the bot gets
SIGTERM, and its exit code and any process left behind are reported.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from tests.benchmarks.load import figures_of, process_tree, rss_kib
from tests.benchmarks.telegram_load import COORDINATORS_GROUP, user_session
from tests.benchmarks.web_load import QUESTIONS as WEB_QUESTIONS
from tests.benchmarks.web_load import TIMEOUT_SECONDS, web_turn
from tests.helpers import ROOT, free_port, free_ports
from tests.processes import bot_environment
from tests.telegram.emulator import TOKEN, BotApiEmulator, User

WEB_SECRET = "soak-benchmark-web-secret-long-enough-to-sign"
SAMPLE_EVERY_SECONDS = 300.0


def process_names(bot_pid: int) -> dict[int, str]:
    """Name the bot's processes by their role (from their command lines)."""
    names = {}
    for pid in process_tree(bot_pid):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        words = [part.decode(errors="replace") for part in command]
        if pid == bot_pid:
            names[pid] = "bot"
        elif "action-server" in words:
            names[pid] = "action server"
        elif "--port" in words:
            names[pid] = f"rasa:{words[words.index('--port') + 1]}"
        else:
            names[pid] = " ".join(words)[:40]
    return names


def memory_mib(bot_pid: int) -> dict[str, int]:
    """Return each named process's resident memory in MiB."""
    return {name: rss_kib(pid) // 1024 for pid, name in process_names(bot_pid).items()}


async def metric_sum(client: httpx.AsyncClient, name: str) -> float:
    """Return the sum of a counter's samples on the bot's /metrics page."""
    text = (await client.get("/metrics")).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if re.match(rf"{name}(\{{|\s)", line)
    )


async def telegram_user(
    emulator: BotApiEmulator, user: User, pace: float, deadline: float
) -> list[float | None]:
    """Ask questions until the deadline, each after the previous answer and a pause."""
    times: list[float | None] = []
    turn = 0
    while time.monotonic() < deadline:
        # user_session waits 1 s after the answer ("reading"); the rest of the pace here.
        times += await user_session(emulator, user, 1, first_turn=turn)
        turn += 1
        await asyncio.sleep(max(0.0, pace - 1.0))
    return times


async def web_user(url: str, number: int, pace: float, deadline: float) -> list[float | None]:
    """Ask questions through the web chat (one cookie) until the deadline."""
    times: list[float | None] = []
    async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT_SECONDS) as client:
        turn = 0
        while time.monotonic() < deadline:
            text = WEB_QUESTIONS[(number + turn) % len(WEB_QUESTIONS)]
            times.append(await web_turn(client, text))
            turn += 1
            await asyncio.sleep(pace)
    return times


async def wait_ready(ops: httpx.AsyncClient, bot: subprocess.Popen[bytes], stderr: Path) -> None:
    """Wait until /readyz says every part is up (training may come first)."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if bot.poll() is not None:
            said = (await asyncio.to_thread(stderr.read_text, errors="replace"))[-2000:]
            raise RuntimeError(f"python -m bot run ended with {bot.returncode}:\n{said}")
        try:
            if (await ops.get("/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(1)
    raise TimeoutError("the bot did not get ready within 10 minutes")


def start_bot(env: dict[str, str], stderr_file: Path) -> subprocess.Popen[bytes]:
    """Start ``python -m bot run`` as a service manager would."""
    with stderr_file.open("wb") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, stderr=stderr,
            stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
        )  # fmt: skip


def stop_bot(bot: subprocess.Popen[bytes]) -> dict[str, Any]:
    """SIGTERM the bot; return its exit code and the processes it left behind."""
    children = set(process_tree(bot.pid)) - {bot.pid}
    bot.send_signal(signal.SIGTERM)
    code = bot.wait(120)
    time.sleep(1)
    return {
        "exit_code": code,
        "left_behind": sorted(pid for pid in children if Path(f"/proc/{pid}").exists()),
    }


def errors_in_log(log: Path) -> dict[str, Any]:
    """Count the log lines at ERROR or above (the log never holds personal data)."""
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    serious = [line for line in lines if re.search(r"\b(ERROR|CRITICAL)\b", line)]
    return {"log_lines_error_or_worse": len(serious), "log_error_examples": serious[:5]}


async def soak(args: argparse.Namespace, data: Path) -> dict[str, Any]:
    """Run the bot and the traffic; return the figures."""
    emulator = BotApiEmulator()
    emulator.start()
    metrics_port, web_port = free_port(), free_port()
    env = bot_environment(
        data,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=emulator.base_url,
        PATENBOT_COORDINATOR_CHAT_ID=str(COORDINATORS_GROUP),
        PATENBOT_RASA_PORT=str(free_ports(args.replicas)),
        PATENBOT_RASA_REPLICAS=str(args.replicas),
        PATENBOT_ACTION_PORT=str(free_port()),
        PATENBOT_METRICS_PORT=str(metrics_port),
        PATENBOT_WEB_PORT=str(web_port),
        PATENBOT_WEB_SECRET=WEB_SECRET,
        # All clients come from one address and write more often than people do.
        PATENBOT_USER_MESSAGES_PER_MINUTE="1000",
        PATENBOT_WEB_ADDRESS_MESSAGES_PER_MINUTE="1000000",
        PATENBOT_WEB_NEW_CONVERSATIONS_PER_HOUR="1000000",
    )
    bot = start_bot(env, data.parent / "bot-stderr.txt")
    figures: dict[str, Any] = {"users": args.users, "minutes": args.minutes,
                               "replicas": args.replicas, "pace_seconds": args.pace}  # fmt: skip
    try:
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{metrics_port}", timeout=30
        ) as ops:
            await wait_ready(ops, bot, data.parent / "bot-stderr.txt")
            await emulator.wait_for(lambda e: e.calls("setMyShortDescription"), within=60)
            memory: dict[str, dict[str, int]] = {"ready": memory_mib(bot.pid)}
            errors_before = await metric_sum(ops, "patenbot_errors_total")
            restarts_before = await metric_sum(ops, "patenbot_server_restarts_total")
            started = time.monotonic()
            deadline = started + args.minutes * 60
            url = f"http://127.0.0.1:{web_port}"
            users = asyncio.gather(
                *(
                    telegram_user(emulator, User(200_000 + n, f"S{n}", "de"), args.pace, deadline)
                    if n % 2 == 0
                    else web_user(url, n, args.pace, deadline)
                    for n in range(args.users)
                )
            )  # fmt: skip
            marks = [args.warm_up * 60, *range(300, int(args.minutes * 60), 300)]
            for mark in sorted(set(marks)):
                await asyncio.sleep(max(0.0, started + mark - time.monotonic()))
                memory[f"{mark / 60:g} min"] = memory_mib(bot.pid)
            results = await users
            elapsed = time.monotonic() - started
            memory["end"] = memory_mib(bot.pid)
            figures.update(figures_of(results, elapsed))
            figures["errors_counted"] = (
                await metric_sum(ops, "patenbot_errors_total") - errors_before
            )
            figures["restarts"] = (
                await metric_sum(ops, "patenbot_server_restarts_total") - restarts_before
            )
            figures["memory_mib"] = memory
        figures.update(await asyncio.to_thread(stop_bot, bot))
    finally:
        if bot.poll() is None:
            bot.kill()
        emulator.stop()
    figures.update(await asyncio.to_thread(errors_in_log, data / "logs" / "patenbot.log"))
    return figures


def main() -> int:
    """Parse the arguments, soak, print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--pace", type=float, default=4.0, help="seconds between a user's turns")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--warm-up", type=float, default=2.0, help="minutes before 'start'")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "data"
        data.mkdir()
        figures = asyncio.run(soak(args, data))
    sys.stdout.write(json.dumps(figures, indent=2) + "\n")
    failed = figures["lost_replies"] or figures["errors_counted"] or figures["left_behind"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
