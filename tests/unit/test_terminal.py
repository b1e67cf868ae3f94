"""The terminal chat reads bytes safely and never converts huge numbers (offline)."""

from __future__ import annotations

import asyncio
import io
import os
from typing import Any, cast

import pytest

from bot.channels.terminal import TerminalChat, choice_number, read_line
from bot.core.conversation import Choice, ConversationService, Reply

DIGITS = "7" * 5000


class StandInService:
    """The conversation core's interface: records what the chat passes on."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    async def handle_text(self, sender_id: str, text: str, **_: Any) -> list[Reply]:
        self.seen.append(("text", text))
        return [Reply("Bitte wählen:", "de", (Choice("Eins", "t1"), Choice("Zwei", "t2")))]

    async def handle_button(self, sender_id: str, token: str, **_: Any) -> list[Reply]:
        self.seen.append(("button", token))
        return [Reply("Gedrückt.", "de")]

    async def handle_command(self, sender_id: str, command: str, **_: Any) -> list[Reply]:
        self.seen.append(("command", command))
        return [Reply("Hallo.", "de")]


def strict_stdin(data: bytes) -> io.TextIOWrapper:
    """A stdin as Python makes it under a strict UTF-8 locale."""
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="strict")


async def run_chat(stdin: Any) -> tuple[StandInService, str]:
    service = StandInService()
    stdout = io.StringIO()
    chat = TerminalChat(
        cast(ConversationService, service), sender_id="t", stdin=stdin, stdout=stdout
    )
    await asyncio.wait_for(chat.run(), timeout=10)  # before the fix: hung for ever
    return service, stdout.getvalue()


@pytest.mark.parametrize("make_stdin", [strict_stdin, io.BytesIO], ids=["text", "bytes"])
async def test_invalid_bytes_and_huge_numbers_are_passed_on_and_the_chat_goes_on(
    make_stdin: Any,
) -> None:
    data = b"Hallo \xff\xfe\xc3(\n" + DIGITS.encode() + b"\n2\nWeiter \xe2\x82\n"
    service, output = await run_chat(make_stdin(data))
    assert service.seen == [
        ("text", "Hallo \ufffd\ufffd\ufffd("),
        ("text", DIGITS),
        ("button", "t2"),
        ("text", "Weiter \ufffd"),
    ]
    assert output.count("Bitte wählen:") == 3 and "Gedrückt." in output


async def test_text_lines_are_read_as_they_are() -> None:
    service, _ = await run_chat(io.StringIO("Grüß Gott\n1\n"))
    assert service.seen == [("text", "Grüß Gott"), ("button", "t1")]


def test_read_line_decodes_with_replacement_and_ends_at_eof() -> None:
    stream = strict_stdin("Ayşe \u202e\n".encode() + b"\x80\n")
    assert read_line(stream) == "Ayşe \u202e\n"  # cleaning is the core's job
    assert read_line(stream) == "\ufffd\n"
    assert read_line(stream) is None


@pytest.mark.parametrize(
    ("typed", "choices", "number"),
    [("1", 3, 1), ("3", 3, 3), ("4", 3, None), ("0", 3, None), ("12", 12, 12), ("012", 12, None),
     (DIGITS, 3, None), ("٢", 3, 2), ("", 3, None), ("1", 0, None)],
)  # fmt: skip
def test_only_numbers_that_name_a_shown_choice_are_converted(
    typed: str, choices: int, number: int | None
) -> None:
    assert choice_number(typed, choices) == number


class HeldUpService(StandInService):
    """A core whose text turns wait until the test lets them go on."""

    def __init__(self) -> None:
        super().__init__()
        self.turn_started = asyncio.Event()
        self.go_on = asyncio.Event()

    async def handle_text(self, sender_id: str, text: str, **_: Any) -> list[Reply]:
        self.seen.append(("text", text))
        self.turn_started.set()
        await self.go_on.wait()
        return [Reply(f"Antwort auf {text}.", "de")]


async def test_a_stop_during_a_turn_shows_its_answer_and_takes_no_further_line() -> None:
    service, stdout, stop = HeldUpService(), io.StringIO(), asyncio.Event()
    chat = TerminalChat(
        cast(ConversationService, service),
        sender_id="t",
        stdin=io.StringIO("Erste\nZweite\n"),
        stdout=stdout,
    )
    running = asyncio.create_task(chat.run(stop))
    await asyncio.wait_for(service.turn_started.wait(), timeout=10)
    stop.set()  # what SIGTERM does (bot/supervision/stopping.py)
    await asyncio.sleep(0.1)
    assert not running.done()  # the turn in progress is not cut off
    service.go_on.set()
    await asyncio.wait_for(running, timeout=10)
    assert stdout.getvalue() == "Antwort auf Erste.\n\n"
    assert service.seen == [("text", "Erste")]  # "Zweite" came after the stop


async def test_a_stop_while_waiting_for_input_ends_the_chat_at_once() -> None:
    reading, writing = os.pipe()  # input that never comes
    stop = asyncio.Event()
    with os.fdopen(reading, "rb") as stdin, os.fdopen(writing, "wb") as keyboard:
        chat = TerminalChat(
            cast(ConversationService, StandInService()), sender_id="t", stdin=stdin
        )
        running = asyncio.create_task(chat.run(stop))
        await asyncio.sleep(0.1)
        stop.set()
        await asyncio.wait_for(running, timeout=5)
        keyboard.close()  # ends the reader thread


async def test_a_closed_output_ends_the_chat_quietly() -> None:
    class Hungup(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError(5, "Input/output error")  # a terminal closed after SIGHUP

    service = StandInService()
    chat = TerminalChat(
        cast(ConversationService, service),
        sender_id="t",
        stdin=io.StringIO("Eins\nZwei\n"),
        stdout=Hungup(),
    )
    await asyncio.wait_for(chat.run(), timeout=10)
    assert service.seen == [("text", "Eins")]
