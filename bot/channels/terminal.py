"""The terminal front end: a chat on stdin/stdout through the shared conversation core."""

from __future__ import annotations

import asyncio
import contextlib
import io
import sys
import threading
import uuid
from typing import IO, TextIO

from bot.core.conversation import ConversationService, Reply


def read_line(stream: IO[bytes] | TextIO) -> str | None:
    """Read one line as text; bytes that are not valid text become U+FFFD.

    A text stream's own decoding raises on invalid bytes (or, under a C locale, turns
    them into lone surrogates that later code cannot encode), so the bytes underneath
    are read and decoded here, in the stream's encoding, with ``errors="replace"``.

    Returns:
        The line, or ``None`` at the end of the input.
    """
    raw: bytes | str = getattr(stream, "buffer", stream).readline()
    if isinstance(raw, bytes):
        if not raw:
            return None
        encoding = getattr(stream, "encoding", None) or "utf-8"
        return raw.decode(encoding, errors="replace")
    return raw or None


def choice_number(text: str, choices: int) -> int | None:
    """Return the number of a shown choice typed as ``text``, or ``None``.

    Only a number short enough to name one of ``choices`` is converted: ``int()`` of
    an arbitrary line of digits raises beyond Python's 4,300-digit limit.
    """
    if not text.isdecimal() or len(text) > len(str(choices)):
        return None
    number = int(text)
    return number if 1 <= number <= choices else None


def format_reply(reply: Reply, *, first_number: int = 1) -> str:
    """Return a reply as terminal text, with its buttons as numbered choices.

    Args:
        reply: The reply to show.
        first_number: The number of its first button; buttons are numbered on across
            the replies of one turn, so every number means one button.
    """
    lines = [reply.text] if reply.text else []
    lines.extend(
        f"  {number}) {choice.title}" for number, choice in enumerate(reply.choices, first_number)
    )
    return "\n".join(lines)


class TerminalChat:
    """Reads user messages line by line and prints the bot's replies."""

    def __init__(
        self,
        service: ConversationService,
        *,
        sender_id: str | None = None,
        stdin: IO[bytes] | TextIO = sys.stdin,
        stdout: TextIO = sys.stdout,
    ) -> None:
        """Create a chat; a new conversation id is made unless one is given.

        Args:
            service: The conversation core.
            sender_id: The conversation to continue.
            stdin: Where lines are read; a text stream is read through its bytes.
            stdout: Where replies are written.
        """
        self._service = service
        self._sender_id = sender_id or f"terminal-{uuid.uuid4().hex[:12]}"
        self._stdin = stdin
        self._stdout = stdout
        self._last_choices: tuple[str, ...] = ()

    @property
    def interactive(self) -> bool:
        """Return whether a person types at a terminal (not a pipe or file)."""
        return self._stdin.isatty()

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Chat until end of input (Ctrl-D), ``/quit`` or ``stop``.

        Once ``stop`` is set (a stop signal, bot/supervision/stopping.py) no further line
        is taken; a turn in progress is finished and its answer shown first, as Telegram
        finishes its turns. The caller bounds that by the grace period.
        """
        lines: asyncio.Queue[str | None] = asyncio.Queue()
        loop = asyncio.get_running_loop()

        def read_lines() -> None:
            # A daemon thread: a blocked read must not keep the program alive at exit.
            # Whatever happens here, the chat is told the input ended, so it never
            # waits for a reader that is gone.
            try:
                while (line := read_line(self._stdin)) is not None:
                    loop.call_soon_threadsafe(lines.put_nowait, line)
            finally:
                with contextlib.suppress(RuntimeError):  # the loop is already closed
                    loop.call_soon_threadsafe(lines.put_nowait, None)

        if isinstance(self._stdout, io.TextIOWrapper):
            # A reply the terminal's encoding cannot show gets "?" instead of an error.
            self._stdout.reconfigure(errors="replace")
        if self.interactive and not self._show(
            await self._service.handle_command(self._sender_id, "start")
        ):
            return
        threading.Thread(target=read_lines, name="terminal-input", daemon=True).start()
        while stop is None or not stop.is_set():
            self._prompt()
            line = await _next_line(lines, stop)
            if line is None or line.strip() in {"/quit", "/exit"}:
                return
            replies = await self._answer(line.rstrip("\r\n"))
            if not self._show(replies):
                return

    def _prompt(self) -> None:
        if self.interactive:
            self._stdout.write("> ")
            self._stdout.flush()

    async def _answer(self, line: str) -> list[Reply]:
        number = choice_number(line.strip(), len(self._last_choices))
        if number is not None:
            token = self._last_choices[number - 1]
            return await self._service.handle_button(self._sender_id, token)
        return await self._service.handle_text(self._sender_id, line)

    def _show(self, replies: list[Reply]) -> bool:
        """Print a turn's replies; return False if the output is gone (a closed terminal)."""
        tokens: list[str] = []
        try:
            for reply in replies:
                self._stdout.write(format_reply(reply, first_number=len(tokens) + 1) + "\n")
                tokens.extend(choice.token for choice in reply.choices)
            self._stdout.write("\n")
            self._stdout.flush()
        except (OSError, ValueError):
            # After SIGHUP the turn in progress is still finished (and stored by Rasa),
            # but its terminal may be gone: nobody can read on, so the chat ends.
            return False
        self._last_choices = tuple(tokens)
        return True


async def _next_line(lines: asyncio.Queue[str | None], stop: asyncio.Event | None) -> str | None:
    """Return the next line, or None at the end of the input or once ``stop`` is set."""
    if stop is None:
        return await lines.get()
    if stop.is_set():
        return None
    line = asyncio.ensure_future(lines.get())
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({line, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
        if not line.done():
            line.cancel()
    if stop.is_set():  # a line that came at the same moment is not taken either
        return None
    return line.result()
