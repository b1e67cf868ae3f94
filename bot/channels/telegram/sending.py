"""Sending replies to Telegram: split long texts, inline keyboards, retries, "typing …"."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import ChatAction
from telegram.error import BadRequest, NetworkError, TelegramError

from bot.channels.telegram.texts import split_message
from bot.core.conversation import Reply

BUTTON_PREFIX = "b"
TYPING_REFRESH_SECONDS = 4.5
SEND_ATTEMPTS = 3


def keyboard_of(reply: Reply) -> InlineKeyboardMarkup | None:
    """Return the inline keyboard of a reply's choices (each sends back its token)."""
    if not reply.choices:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(choice.title, callback_data=f"{BUTTON_PREFIX}:{choice.token}")]
            for choice in reply.choices
        ]
    )


def button_title(message: Message, data: str) -> str | None:
    """Return the title of the button of ``message`` that sent ``data``, if any."""
    markup = message.reply_markup
    if markup is None:
        return None
    for row in markup.inline_keyboard:
        for button in row:
            if button.callback_data == data:
                return button.text
    return None


@contextlib.asynccontextmanager
async def typing(bot: Bot, chat_id: int) -> AsyncIterator[None]:
    """Show "typing …" while the body runs (Telegram shows it for about 5 seconds)."""

    async def keep_typing() -> None:
        while True:
            with contextlib.suppress(TelegramError):
                await bot.send_chat_action(chat_id, ChatAction.TYPING)
            await asyncio.sleep(TYPING_REFRESH_SECONDS)

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def send_replies(bot: Bot, chat_id: int, replies: list[Reply]) -> list[Message]:
    """Send replies as messages; buttons go under the last part of a long reply."""
    sent = []
    for reply in replies:
        parts = split_message(reply.text) if reply.text else [""]
        keyboard = keyboard_of(reply)
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            sent.append(
                await send_with_retry(bot, chat_id, part or "…", keyboard if last else None)
            )
    return sent


async def send_with_retry(
    bot: Bot, chat_id: int, text: str, keyboard: InlineKeyboardMarkup | None
) -> Message:
    """Send one message; a network failure is retried twice before giving up."""
    for attempt in range(SEND_ATTEMPTS):
        try:
            return await bot.send_message(chat_id, text, reply_markup=keyboard)
        except BadRequest:
            raise  # a malformed request does not get better by repeating it
        except NetworkError:
            if attempt == SEND_ATTEMPTS - 1:
                raise
            await asyncio.sleep(0.5 * (attempt + 1))
    raise AssertionError("unreachable")
