"""Benchmark: how a conversation's length affects the time of a turn (issue 9, item 6).

Run: ``.venv/bin/python -m tests.benchmarks.long_conversation [--events 4800] [--turns 15]
[--limits 0 300]``. For each session bound in ``--limits`` (``PATENBOT_SESSION_MAX_EVENTS``;
0 turns the bound off) it starts the real Rasa and action servers on a fresh SQLite
database and times turns through the front-end core, as the terminal and Telegram send
them:

- a short conversation: ``--turns`` questions after a greeting;
- a long conversation: a greeting and two questions, then the conversation's stored
  events are copied (the same turns again, as Rasa stored them) until it holds
  ``--events`` events, then ``--turns`` questions.

Copying stored turns builds the long history in seconds instead of the hour that 600
real turns would take; Rasa reads the copies exactly like real events.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bot.app import build_service, prepare_database
from bot.core.conversation import ConversationService
from bot.core.rasa_client import RasaClient
from bot.settings import Settings
from bot.supervision.supervisor import Supervisor
from tests.helpers import make_settings

QUESTIONS = (
    "Was ist eine Patenschaft?",
    "Brauche ich ein Führungszeugnis?",
    "Wie viel Zeit muss ich als Patin mitbringen?",
)


def database_file(settings: Settings) -> Path:
    """Return the SQLite file of the bot's database."""
    return Path(settings.database_url.removeprefix("sqlite:///"))


def count_events(settings: Settings, sender: str) -> int:
    """Return how many events a conversation has stored (all sessions)."""
    with sqlite3.connect(database_file(settings)) as connection:
        return int(
            connection.execute(
                "SELECT COUNT(*) FROM events WHERE sender_id = ?", (sender,)
            ).fetchone()[0]
        )


def pad(settings: Settings, sender: str, events: int) -> None:
    """Copy the conversation's stored turns until it holds ``events`` events."""
    with sqlite3.connect(database_file(settings)) as connection:
        while count_events(settings, sender) < events:
            connection.execute(
                "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name,"
                " data) SELECT sender_id, type_name, timestamp, intent_name, action_name, data"
                " FROM events WHERE sender_id = ? AND type_name != 'session_started'"
                " ORDER BY id LIMIT ?",
                (sender, events - count_events(settings, sender)),
            )
            connection.commit()


async def timed_turns(service: ConversationService, sender: str, turns: int) -> list[float]:
    """Ask ``turns`` questions one after the other; return each turn's seconds."""
    times = []
    for turn in range(turns):
        started = time.perf_counter()
        await service.handle_text(sender, QUESTIONS[turn % len(QUESTIONS)])
        times.append(time.perf_counter() - started)
    return times


async def measure(limit: int, events: int, turns: int) -> dict[str, object]:
    """Start the servers with a session bound and time short and long conversations."""
    with tempfile.TemporaryDirectory() as folder:
        settings = make_settings(Path(folder))
        settings = settings.model_copy(update={"session_max_events": limit})
        prepare_database(settings)
        supervisor = Supervisor(settings, progress=io.StringIO())
        supervisor.start()
        rasa = RasaClient.for_settings(settings)
        try:
            await supervisor.wait_until_ready()
            service = build_service(settings, rasa)
            await service.handle_text("bench-short", "Hallo")
            short = await timed_turns(service, "bench-short", turns)
            for text in ("Hallo", *QUESTIONS[:2]):
                await service.handle_text("bench-long", text)
            pad(settings, "bench-long", events)
            long = await timed_turns(service, "bench-long", turns)
        finally:
            await rasa.aclose()
            supervisor.stop()
    return {
        "limit": limit,
        "events": events,
        "short_median": statistics.median(short),
        "long_median": statistics.median(long),
        "long_first": long[0],
        "long_max": max(long),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark for each limit and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=4800)
    parser.add_argument("--turns", type=int, default=15)
    parser.add_argument("--limits", type=int, nargs="+", default=[0, 300])
    args = parser.parse_args(argv)
    rows = [asyncio.run(measure(limit, args.events, args.turns)) for limit in args.limits]
    sys.stdout.write(
        "| session bound | events before | short: median turn | long: median turn "
        "| long: first turn | long: slowest turn |\n|---|---|---|---|---|---|\n"
    )
    for row in rows:
        sys.stdout.write(
            f"| {row['limit'] or 'off'} | {row['events']} | {row['short_median']:.2f} s "
            f"| {row['long_median']:.2f} s | {row['long_first']:.2f} s "
            f"| {row['long_max']:.2f} s |\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
