"""Benchmark: many users chatting with the Telegram bot at once, through the emulator.

Run: ``.venv/bin/python -m tests.benchmarks.telegram_load [--users 50] [--turns 3]``
(``make benchmark-telegram``). It starts the real Rasa and action servers and the bot
(long polling against tests/telegram/emulator.py on loopback). Every simulated user sends
``--turns`` questions, each after the answer to the previous one, all users at once. A
reply time is from posting the update to the first bot message that answers it; a turn
with no answer within two minutes is a lost reply.

``--burst`` measures order instead: every user sends three German questions at once
(without waiting), and the figures count the users whose answers came in another order
than their questions (``unordered_users``, which must be 0).
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
from bot.i18n.catalogs import Catalogs
from bot.nlg.district import load_district
from bot.nlg.renderer import ResponseRenderer
from bot.nlg.responses import load_responses
from bot.settings import PROJECT_ROOT
from bot.supervision.supervisor import Supervisor
from tests.benchmarks.replies import ReplyKinds, reply_kinds
from tests.helpers import make_settings, rendered
from tests.telegram.emulator import TOKEN, BotApiEmulator, User
from tests.telegram.ordering import ORDERED_QUESTIONS, send_questions_at_once, unordered_users

QUESTIONS = (
    "Wie viel Zeit muss ich als Pate mitbringen?",
    "Do I need a police certificate?",
    "Patenlik için Almancam yeterli mi?",
    "هل أحتاج إلى تأمين؟",
    "Скільки часу це займає?",
    "Где проходят информационные встречи?",
)
LOST_AFTER_SECONDS = 120.0
COORDINATORS_GROUP = -1001234567890


async def user_session(
    emulator: BotApiEmulator,
    user: User,
    turns: int,
    kinds: ReplyKinds | None = None,
    *,
    first_turn: int = 0,
) -> list[float | None]:
    """Ask ``turns`` questions one after the other; return each reply time (None: lost).

    A turn's time runs until the bot's first real answer: the slow-reply notice does not
    count, and a turn answered only with an apology (Rasa did not answer) is lost.
    """
    kinds = kinds or reply_kinds()
    times: list[float | None] = []
    for turn in range(first_turn, first_turn + turns):
        before = emulator.count_to(user.id)
        started = time.monotonic()
        emulator.user_sends(user, QUESTIONS[(user.id + turn) % len(QUESTIONS)])
        answered: bool | None = None
        while answered is None:
            texts = emulator.texts_to(user.id, before)
            if any(kinds.is_answer(text) for text in texts):
                answered = True
            elif any(kinds.is_apology(text) for text in texts):
                answered = False
            elif time.monotonic() - started > LOST_AFTER_SECONDS:
                answered = False
            else:
                await asyncio.sleep(0.02)
        times.append(time.monotonic() - started if answered else None)
        await asyncio.sleep(1.0)  # the rest of the turn's messages, then "reading"
    return times


def expected_answers() -> list[str]:
    """Return the German answers to :data:`ORDERED_QUESTIONS`, in order."""
    renderer = ResponseRenderer(
        load_responses(PROJECT_ROOT / "domain.yml"),
        Catalogs(PROJECT_ROOT / "locale"),
        load_district(PROJECT_ROOT / "district.yml"),
    )
    return [rendered(renderer, response, "de") for _question, response in ORDERED_QUESTIONS]


async def burst(emulator: BotApiEmulator, users: int) -> dict[str, object]:
    """Every user sends the ordered questions at once; count users answered out of order."""
    people = [User(200_000 + n, f"User {n}", "de") for n in range(users)]
    await send_questions_at_once(emulator, people, [q for q, _ in ORDERED_QUESTIONS])
    unordered = await unordered_users(emulator, people, expected_answers())
    return {"users": users, "questions_per_user": len(ORDERED_QUESTIONS),
            "unordered_users": len(unordered)}  # fmt: skip


async def run(users: int, turns: int, *, in_burst: bool = False) -> dict[str, object]:
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
                    # As deployed: with a coordinators' group, every message is first
                    # looked up among the handed-over conversations (a database read).
                    "coordinator_chat_id": COORDINATORS_GROUP,
                }
            )
            stop = asyncio.Event()
            bot = asyncio.create_task(run_telegram(settings, stop))
            await emulator.wait_for(lambda e: e.calls("setMyShortDescription"), within=60)
            if in_burst:
                figures = await burst(emulator, users)
                stop.set()
                await bot
                return figures
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
    parser.add_argument(
        "--burst", action="store_true", help="send each user's questions at once; check order"
    )
    args = parser.parse_args()
    figures = asyncio.run(run(args.users, args.turns, in_burst=args.burst))
    sys.stdout.write(json.dumps(figures, indent=2) + "\n")
    failed = figures.get("lost_replies", 0) or figures.get("unordered_users", 0)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
