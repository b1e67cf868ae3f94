"""Per-user order on Telegram: users who send several questions at once, and the check.

Shared by the end-to-end test (tests/e2e/test_telegram.py) and the load benchmark
(tests/benchmarks/telegram_load.py ``--burst``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from tests.telegram.emulator import BotApiEmulator, User

# German FAQ questions, each with the one answer it gets (distinct texts).
ORDERED_QUESTIONS = (
    ("Was ist eine Patenschaft?", "utter_faq/what_is_mentoring"),
    ("Brauche ich ein Führungszeugnis?", "utter_faq/police_certificate"),
    ("Wie viele Stunden pro Woche sind das?", "utter_faq/time_commitment"),
)


async def send_questions_at_once(
    emulator: BotApiEmulator, users: Sequence[User], questions: Sequence[str]
) -> None:
    """Every user sends all questions back to back, without waiting for an answer."""
    for user in users:
        for question in questions:
            emulator.user_sends(user, question)
    await asyncio.sleep(0)


def answer_positions(emulator: BotApiEmulator, user: User, answers: Sequence[str]) -> list[int]:
    """Return the index of the bot message that carries each answer (-1: not yet there)."""
    messages = [message.get("text") or "" for message in emulator.messages_to(user.id)]
    return [
        next((index for index, text in enumerate(messages) if answer in text), -1)
        for answer in answers
    ]


async def unordered_users(
    emulator: BotApiEmulator,
    users: Sequence[User],
    answers: Sequence[str],
    within: float = 300.0,
) -> list[tuple[int, list[int]]]:
    """Wait until every user has every answer; return those whose answers came out of order.

    Raises:
        AssertionError: If some answer did not come within ``within`` seconds.
    """
    deadline = time.monotonic() + within
    while True:
        positions = {user.id: answer_positions(emulator, user, answers) for user in users}
        if all(-1 not in found for found in positions.values()):
            break
        if time.monotonic() > deadline:
            missing = [user for user, found in positions.items() if -1 in found]
            raise AssertionError(f"answers missing after {within} s for users {missing}")
        await asyncio.sleep(0.2)
    return [(user, found) for user, found in positions.items() if found != sorted(found)]
