"""Turns are stored, or the user hears that they were not (issue 9, items 5 and 6)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url

from bot.core.conversation import ConversationService
from bot.i18n.catalogs import Catalogs
from bot.nlg.renderer import ResponseRenderer
from bot.settings import Settings
from tests.e2e.chat_driver import ChatDriver
from tests.helpers import rendered

pytestmark = pytest.mark.e2e

RESEND = (
    "Entschuldigung, ich konnte Ihre letzte Nachricht nicht speichern. "
    "Bitte schicken Sie sie noch einmal."
)


def database_file(settings: Settings) -> Path:
    return Path(str(make_url(settings.database_url).database))


@contextmanager
def open_transaction(settings: Settings, begin: str) -> Iterator[sqlite3.Connection]:
    """Hold a transaction on the bot's database, like a long export or another writer."""
    connection = sqlite3.connect(database_file(settings), isolation_level=None, timeout=30)
    try:
        connection.execute(begin)
        connection.execute("SELECT COUNT(*) FROM events").fetchone()
        yield connection
    finally:
        connection.close()


def user_texts(settings: Settings, sender: str) -> list[str]:
    with sqlite3.connect(database_file(settings)) as connection:
        rows = connection.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id",
            (sender,),
        ).fetchall()
    return [str(json.loads(row[0]).get("text")) for row in rows]


async def test_a_turn_is_stored_while_a_long_read_is_open(
    servers: Settings, service: ConversationService, expected: ResponseRenderer
) -> None:
    chat = ChatDriver(service, "e2e-store-read")
    await chat.say("Hallo")
    with open_transaction(servers, "BEGIN"):
        answer = await chat.say("Was ist eine Patenschaft?")
    assert rendered(expected, "utter_faq/what_is_mentoring", "de") in answer
    assert user_texts(servers, "e2e-store-read")[-1] == "Was ist eine Patenschaft?"


async def test_a_turn_that_cannot_be_stored_is_reported_and_can_be_sent_again(
    servers: Settings, service: ConversationService, expected: ResponseRenderer
) -> None:
    chat = ChatDriver(service, "e2e-store-locked")
    await chat.say("Hallo")
    # Another writer holds the database longer than the busy timeout (10 s).
    with open_transaction(servers, "BEGIN IMMEDIATE"):
        answer = await chat.say("Brauche ich ein Führungszeugnis?")
    assert answer == RESEND
    assert "Brauche ich ein Führungszeugnis?" not in user_texts(servers, "e2e-store-locked")
    again = await chat.say("Brauche ich ein Führungszeugnis?")
    assert rendered(expected, "utter_faq/police_certificate", "de") in again
    assert user_texts(servers, "e2e-store-locked")[-1] == "Brauche ich ein Führungszeugnis?"
    log = (servers.path(servers.data_dir) / "logs" / "rasa.log").read_text(encoding="utf-8")
    assert "Storing a turn failed (OperationalError)" in log
    assert "Führungszeugnis" not in log


def test_the_resend_request_is_translated(catalogs: Catalogs) -> None:
    for language in ("en", "de-plain", "tr", "ar", "uk", "ru"):
        assert catalogs.pgettext(language, "frontend", RESEND) != RESEND


def full_tracker(settings: Settings, sender: str) -> dict[str, Any]:
    """Return the conversation as Rasa's HTTP API shows it (every session's events)."""
    answer = httpx.get(
        f"{settings.rasa_url}/conversations/{sender}/tracker",
        params={"token": settings.rasa_token.get_secret_value()},
        timeout=10,
    )
    answer.raise_for_status()
    return dict(answer.json())


def latest_session(tracker: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the events after the latest session start: what Rasa loads for a turn."""
    events: list[dict[str, Any]] = tracker["events"]
    starts = [index for index, event in enumerate(events) if event["event"] == "session_started"]
    return events[starts[-1] + 1 :] if starts else events


async def new_session_of(settings: Settings, sender: str) -> dict[str, Any]:
    """Return the full tracker once it has a second session (or after 30 s)."""
    for _ in range(60):
        tracker = full_tracker(settings, sender)
        if [event["event"] for event in tracker["events"]].count("session_started") > 1:
            break
        await asyncio.sleep(0.5)
    return tracker


def pad_conversation(settings: Settings, sender: str, at_least: int) -> None:
    """Copy the conversation's turns until its session has ``at_least`` events."""
    with sqlite3.connect(database_file(settings)) as connection:
        while True:
            total = connection.execute(
                "SELECT COUNT(*) FROM events WHERE sender_id = ?", (sender,)
            ).fetchone()[0]
            if total >= at_least:
                return
            connection.execute(
                "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name,"
                " data) SELECT sender_id, type_name, timestamp, intent_name, action_name, data"
                " FROM events WHERE sender_id = ? AND type_name != 'session_started'"
                " ORDER BY id",
                (sender,),
            )


async def test_a_long_session_is_closed_and_the_language_goes_on(
    servers: Settings, service: ConversationService, expected: ResponseRenderer
) -> None:
    sender = "e2e-store-long"
    chat = ChatDriver(service, sender)
    await chat.say("Merhaba")
    await chat.say("Patenlik nedir?")
    pad_conversation(servers, sender, servers.session_max_events + 20)
    assert len(latest_session(full_tracker(servers, sender))) > servers.session_max_events

    answer = await chat.say("Çocuğum için pate istiyorum, ne yapmam lazım?")

    assert rendered(expected, "utter_faq/parent_get_mentor", "tr") in answer
    # The new session is started right after the answer, in the background.
    tracker = await new_session_of(servers, sender)
    session = latest_session(tracker)
    assert len(session) < 10, session
    assert [event["event"] for event in tracker["events"]].count("session_started") == 2
    assert tracker["slots"]["language"] == "tr"
    # The conversation goes on in the new session, without a second introduction.
    following = await chat.say("Patenlik nedir?")
    assert following.startswith(rendered(expected, "utter_faq/what_is_mentoring", "tr"))
