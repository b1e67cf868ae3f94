"""Load benchmark: Telegram users and web chat clients at once, with 1 and 2 Rasa replicas.

Run: ``.venv/bin/python -m tests.benchmarks.load`` (``make benchmark-load``): 200
simulated users, half of them Telegram emulator users (long polling, as deployed with a
coordinators' group) and half web chat clients (``POST /send`` with a cookie of their
own, as the page sends it), 5 turns each, all at once, first with one Rasa replica, then
with two, in the same run. Both front ends run in this process on one event loop, as
``python -m bot run`` runs them. Figures per run, overall and per channel: turns per
second, p50/p95 reply time (Telegram: from posting the update to the first answer; web:
the request's round trip), lost replies (no answer within two minutes, or a failed web
request), peak resident memory of all processes together (the benchmark process with
the bot, the emulator and the clients, every Rasa server, the action server; sampled
every 0.5 s from /proc). Then one turn is profiled: the front end's share, Rasa's NLU
(``/model/parse``) and the rest of Rasa's turn (policies, action server, NLG, database).

The soak test (steady traffic for half an hour) is tests/benchmarks/soak.py.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from bot.app import build_service, prepare_database, run_telegram, run_web
from bot.core.rasa_client import RasaClient
from bot.ops import metrics
from bot.settings import Settings
from bot.supervision.supervisor import Supervisor
from tests.benchmarks.telegram_load import COORDINATORS_GROUP, QUESTIONS, user_session
from tests.benchmarks.web_load import QUESTIONS as WEB_QUESTIONS
from tests.benchmarks.web_load import TIMEOUT_SECONDS, web_turn
from tests.helpers import free_port, free_ports
from tests.processes import children_of
from tests.telegram.emulator import TOKEN, BotApiEmulator, User

SAMPLE_SECONDS = 0.5
# Long enough for the web chat to sign its cookies (bot/channels/web); a benchmark value.
WEB_SECRET = "load-benchmark-web-secret-long-enough-to-sign"


def rss_kib(pid: int) -> int:
    """Return a process's resident memory in KiB (0 if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def process_tree(root: int) -> list[int]:
    """Return ``root`` and all its descendants."""
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children_of(pid))
    return found


class MemoryProbe:
    """Samples the summed resident memory of this process and its descendants."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.peak_kib = 0
        self._task: asyncio.Task[None] | None = None

    def per_process(self) -> dict[int, int]:
        return {pid: rss_kib(pid) for pid in process_tree(self.root)}

    async def _sample(self) -> None:
        while True:
            self.peak_kib = max(self.peak_kib, sum(self.per_process().values()))
            await asyncio.sleep(SAMPLE_SECONDS)

    def __enter__(self) -> MemoryProbe:
        self._task = asyncio.get_running_loop().create_task(self._sample())
        return self

    def __exit__(self, *_: object) -> None:
        if self._task is not None:
            self._task.cancel()


def errors_counted() -> float:
    """Return the errors the front end counted so far (bot/ops/metrics.py), all kinds."""
    return sum(
        sample.value
        for metric in metrics.REGISTRY.collect()
        if metric.name == "patenbot_errors"
        for sample in metric.samples
        if sample.name == "patenbot_errors_total"
    )


def figures_of(results: list[list[float | None]], elapsed: float) -> dict[str, Any]:
    """Return turns/s, p50/p95 and lost replies of a run."""
    answered = sorted(t for times in results for t in times if t is not None)
    lost = sum(1 for times in results for t in times if t is None)
    quantiles = statistics.quantiles(answered, n=100) if len(answered) > 1 else answered * 99
    return {
        "turns": len(answered) + lost,
        "lost_replies": lost,
        "turns_per_second": round(len(answered) / elapsed, 2),
        "p50_seconds": round(statistics.median(answered), 2) if answered else None,
        "p95_seconds": round(quantiles[94], 2) if answered else None,
        "max_seconds": round(answered[-1], 2) if answered else None,
        "wall_seconds": round(elapsed, 1),
    }


async def profile_turn(settings: Settings, supervisor: Supervisor) -> dict[str, float]:
    """Split one turn's time: front end, Rasa NLU, the rest of Rasa's turn (medians of 20)."""
    rasa = RasaClient.for_settings(settings, available=supervisor.replica_available)
    service = build_service(settings, rasa)
    token = settings.rasa_token.get_secret_value()
    totals, sends, parses = [], [], []
    original = rasa.send

    async def timed_send(*args: Any) -> list[dict[str, Any]]:
        started = time.perf_counter()
        try:
            return await original(*args)
        finally:
            sends.append(time.perf_counter() - started)

    rasa.send = timed_send  # type: ignore[method-assign]
    async with httpx.AsyncClient(base_url=settings.rasa_url, timeout=30) as http:
        for number in range(20):
            text = QUESTIONS[number % len(QUESTIONS)]
            started = time.perf_counter()
            await service.handle_text(f"telegram-profile-{number}", text)
            totals.append(time.perf_counter() - started)
            started = time.perf_counter()
            await http.post("/model/parse", params={"token": token}, json={"text": text})
            parses.append(time.perf_counter() - started)
    await rasa.aclose()
    total, send, parse = (statistics.median(x) * 1000 for x in (totals, sends, parses))
    return {
        "turn_ms": round(total, 1),
        "front_end_ms": round(total - send, 1),
        "rasa_nlu_ms": round(parse, 1),
        "rasa_policies_actions_nlg_db_ms": round(send - parse, 1),
    }


async def run_once(replicas: int, users: int, turns: int, *, profile: bool) -> dict[str, Any]:
    """Start servers with ``replicas`` Rasa replicas, run the users, return the figures."""
    with tempfile.TemporaryDirectory() as data:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            rasa_port=free_ports(replicas),
            rasa_replicas=replicas,
            action_port=free_port(),
            data_dir=Path(data),
        )
        prepare_database(settings)
        supervisor = Supervisor(settings, progress=io.StringIO())
        supervisor.start()
        emulator = BotApiEmulator()
        emulator.start()
        probe = MemoryProbe(root=os.getpid())
        try:
            await supervisor.wait_until_ready()
            settings = settings.model_copy(
                update={
                    "telegram_bot_token": SecretStr(TOKEN),
                    "telegram_api_base_url": emulator.base_url,
                    "coordinator_chat_id": COORDINATORS_GROUP,
                    "user_messages_per_minute": 1000,
                    # All web clients come from one address: raise the per-address limits,
                    # which would otherwise refuse them (as they should).
                    "web_port": free_port(),
                    "web_secret": SecretStr(WEB_SECRET),
                    "web_address_messages_per_minute": 1_000_000,
                    "web_new_conversations_per_hour": 1_000_000,
                }
            )
            stop = asyncio.Event()
            bot = asyncio.create_task(
                run_telegram(settings, stop, replica_up=supervisor.replica_available)
            )
            web = asyncio.create_task(
                run_web(settings, stop, replica_up=supervisor.replica_available)
            )
            await emulator.wait_for(lambda e: e.calls("setMyShortDescription"), within=60)
            await web_listening(settings.web_url)
            errors_before = errors_counted()
            with probe:
                started = time.monotonic()
                results = await asyncio.gather(
                    *(
                        user_session(emulator, User(100_000 + n, f"U{n}", "de"), turns)
                        if n % 2 == 0
                        else web_session(settings.web_url, n, turns)
                        for n in range(users)
                    )
                )  # fmt: skip
                elapsed = time.monotonic() - started
            figures = figures_of(results, elapsed)
            figures["telegram"] = figures_of(results[0::2], elapsed)
            figures["web"] = figures_of(results[1::2], elapsed)
            figures.update(replicas=replicas, users=users, peak_memory_mib=probe.peak_kib // 1024)
            figures["errors"] = errors_counted() - errors_before
            if profile:
                figures["profile_one_turn"] = await profile_turn(settings, supervisor)
            stop.set()
            await bot
            await web
        finally:
            emulator.stop()
            supervisor.stop()
    return figures


async def web_session(url: str, number: int, turns: int) -> list[float | None]:
    """Run a web client's turns (one cookie), each a second after the previous answer.

    The second of "reading" matches the Telegram users (tests/benchmarks/telegram_load.py).
    """
    times: list[float | None] = []
    async with httpx.AsyncClient(base_url=url, timeout=TIMEOUT_SECONDS) as client:
        for turn in range(turns):
            times.append(
                await web_turn(client, WEB_QUESTIONS[(number + turn) % len(WEB_QUESTIONS)])
            )
            await asyncio.sleep(1.0)
    return times


async def web_listening(url: str, within: float = 60.0) -> None:
    """Wait until the web chat answers its health check."""
    deadline = time.monotonic() + within
    async with httpx.AsyncClient(base_url=url, timeout=2) as client:
        while True:
            try:
                if (await client.get("/health")).status_code == 200:
                    return
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
            await asyncio.sleep(0.2)


async def main_async(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Run once per replica count."""
    runs = []
    for replicas in args.replicas:
        runs.append(
            await run_once(
                replicas, args.users, args.turns, profile=replicas == args.replicas[0],
            )
        )  # fmt: skip
        sys.stderr.write(json.dumps(runs[-1]) + "\n")
    return runs


def main() -> int:
    """Parse the arguments, run, print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    runs = asyncio.run(main_async(args))
    sys.stdout.write(json.dumps(runs, indent=2) + "\n")
    return 1 if any(run["lost_replies"] for run in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
