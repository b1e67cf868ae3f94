"""Drives the Telegram bot through the emulator like a person in the Telegram app."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from tests.telegram.emulator import BotApiEmulator, User

# A turn's replies are sent back to back; this long without a new message ends a turn.
QUIET_SECONDS = 1.0


class TelegramChat:
    """One user's private chat with the bot."""

    def __init__(self, emulator: BotApiEmulator, user: User) -> None:
        self.emulator = emulator
        self.user = user
        self.last: list[dict[str, Any]] = []

    @property
    def messages(self) -> list[dict[str, Any]]:
        return self.emulator.messages_to(self.user.id)

    @property
    def text(self) -> str:
        return "\n".join(message.get("text") or "" for message in self.last)

    async def say(self, text: str) -> str:
        before = len(self.messages)
        self.emulator.user_sends(self.user, text)
        self.last = await self.replies_after(before)
        return self.text

    async def press(self, title: str) -> str:
        before = len(self.messages)
        for message in reversed(self.messages):
            buttons = [
                button["text"]
                for row in (message.get("reply_markup") or {}).get("inline_keyboard", [])
                for button in row
            ]
            if title in buttons:
                self.emulator.user_presses(self.user, message, title)
                self.last = await self.replies_after(before)
                return self.text
        raise AssertionError(f"no button {title!r} in the chat")

    async def replies_after(self, before: int, within: float = 120.0) -> list[dict[str, Any]]:
        """Wait for the bot's next messages: at least one, then a quiet moment."""
        await self.emulator.wait_for(lambda e: len(e.messages_to(self.user.id)) > before, within)
        count, since = len(self.messages), time.monotonic()
        while time.monotonic() - since < QUIET_SECONDS:
            await asyncio.sleep(0.1)
            if len(self.messages) != count:
                count, since = len(self.messages), time.monotonic()
        return self.messages[before:]
