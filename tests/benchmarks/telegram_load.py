"""Benchmark: many users chatting with the Telegram bot at once, through the emulator.

Run: ``.venv/bin/python -m tests.benchmarks.telegram_load [--users 50] [--turns 3]``
(``make benchmark-telegram``). It starts the real Rasa and action servers and the bot
(long polling against tests/telegram/emulator.py on loopback). Every simulated user sends
``--turns`` questions, each after the answer to the previous one, all users at once. A
reply time is from posting the update to the first bot message that answers it; a turn
with no answer within two minutes is a lost reply.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from pydantic import SecretStr

from bot.app import prepare_database, run_telegram
from bot.supervisor import Supervisor
from tests.e2e.conftest import make_settings
from tests.telegram.emulator import TOKEN, BotApiEmulator, User

QUESTIONS = (
    "Wie viel Zeit muss ich als Pate mitbringen?",
    "Do I need a police certificate?",
    "Patenlik için Almancam yeterli mi?",
    "هل أحتاج إلى تأمين؟",
    "Скільки часу це займає?",
    "Где проходят информационные встречи?",
)
LOST_AFTER_SECONDS = 120.0


async def user_session(emulator: BotApiEmulator, user: User, turns: int) -> list[float | None]:
    """Ask ``turns`` questions one after the other; return each reply time (None: lost)."""
    times: list[float | None] = []
    for turn in range(turns):
        before = len(emulator.messages_to(user.id))
        started = time.monotonic()
        emulator.user_sends(user, QUESTIONS[(user.id + turn) % len(QUESTIONS)])
        while len(emulator.messages_to(user.id)) <= before:
            if time.monotonic() - started > LOST_AFTER_SECONDS:
                times.append(None)
                break
            await asyncio.sleep(0.02)
        else:
            times.append(time.monotonic() - started)
            await asyncio.sleep(1.0)  # the rest of the turn's messages, then "reading"
    return times


async def run(users: int, turns: int) -> dict[str, object]:
    """Run the benchmark and return its figures."""
    with tempfile.TemporaryDirectory() as data:
        settings = make_settings(Path(data))
        prepare_database(settings)
        supervisor = Supervisor(settings, progress=io.StringIO())
        supervisor.start()
        emulator = BotApiEmulator()
        emulator.start()
        try:
            await supervisor.wait_until_ready()
            settings = settings.model_copy(
                update={
                    "telegram_bot_token": SecretStr(TOKEN),
                    "telegram_api_base_url": emulator.base_url,
                }
            )
            stop = asyncio.Event()
            bot = asyncio.create_task(run_telegram(settings, stop))
            await emulator.wait_for(lambda e: e.calls("setMyShortDescription"), within=60)
            started = time.monotonic()
            results = await asyncio.gather(
                *(
                    user_session(emulator, User(100_000 + n, f"User {n}", "de"), turns)
                    for n in range(users)
                )
            )
            elapsed = time.monotonic() - started
            stop.set()
            await bot
        finally:
            emulator.stop()
            supervisor.stop()
    answered = sorted(t for times in results for t in times if t is not None)
    lost = sum(1 for times in results for t in times if t is None)
    quantiles = statistics.quantiles(answered, n=100) if len(answered) > 1 else answered * 99
    return {
        "users": users,
        "turns_per_user": turns,
        "messages": users * turns,
        "lost_replies": lost,
        "p50_seconds": round(statistics.median(answered), 2) if answered else None,
        "p95_seconds": round(quantiles[94], 2) if answered else None,
        "max_seconds": round(answered[-1], 2) if answered else None,
        "wall_seconds": round(elapsed, 1),
    }


def main() -> int:
    """Parse the arguments, run, print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--turns", type=int, default=3)
    args = parser.parse_args()
    figures = asyncio.run(run(args.users, args.turns))
    sys.stdout.write(json.dumps(figures, indent=2) + "\n")
    return 0 if figures["lost_replies"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
