"""The users' side on Telegram: private chats passed to the conversation core, in order.

Updates are handled concurrently (a slow Rasa turn of one user does not hold up the
others), while each user's own updates are handled one after the other, in order: every
per-user handler takes the user's lock (first come, first served) before its first
``await``, so no update can overtake an earlier one of the same user while it waits for
the network or the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.channels.telegram import handoff
from bot.channels.telegram.context import PatenbotContext
from bot.channels.telegram.deeplinks import parse_start_payload
from bot.channels.telegram.sending import BUTTON_PREFIX, button_title, send_replies, typing
from bot.core.conversation import Reply
from bot.i18n.catalogs import NC_

logger = logging.getLogger(__name__)

USER_COMMANDS = ("help", "language", "privacy", "mydata", "delete", "cancel")

SLOW_REPLY = NC_("telegram", "Einen Moment bitte, ich brauche etwas länger.")
TOO_FAST = NC_(
    "telegram",
    "Sie schreiben gerade sehr schnell. Bitte warten Sie kurz, dann antworte ich wieder gern.",
)


def setup_handlers(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Register the users' handlers (after the coordinators' commands, see bot.channels)."""
    private = filters.ChatType.PRIVATE
    not_edited = ~filters.UpdateType.EDITED
    application.add_handler(CommandHandler("start", on_start, filters=private & not_edited))
    application.add_handler(
        CommandHandler(USER_COMMANDS, on_command, filters=private & not_edited)
    )
    application.add_handler(MessageHandler(private & filters.UpdateType.EDITED, on_edited))
    application.add_handler(MessageHandler(private & filters.TEXT, on_text))
    application.add_handler(MessageHandler(private & ~filters.TEXT, on_other_content))
    application.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{BUTTON_PREFIX}:"))


def setup_middleware(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Register what runs before every handler: dropping repeated updates."""
    application.add_handler(TypeHandler(Update, drop_repeats), group=-1)


async def drop_repeats(update: Update, context: PatenbotContext) -> None:
    """Stop an update Telegram sent twice (while this process runs) before any handler sees it.

    This check must not wait (it would let a user's later update overtake this one);
    a repeat across a restart is caught by the stored ids in :func:`in_order`.
    """
    if not context.channel.recent.first_time(update.update_id):
        logger.info("A repeated update was ignored.")
        raise ApplicationHandlerStop


async def on_start(update: Update, context: PatenbotContext) -> None:
    """Start a conversation afresh, with the language and topic of a deep link."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or message.text is None:
        return
    payload = message.text.split(maxsplit=1)[1] if " " in message.text.strip() else ""
    link = parse_start_payload(payload.strip()) if payload else None
    channel = context.channel

    async def turn() -> list[Reply]:
        ended = await asyncio.to_thread(
            channel.handoffs.end_for_person, context.sender, ended_by="user:/start"
        )
        if ended:
            await handoff.tell_group_ended_by_user(context)
        return await channel.service.start(
            context.sender,
            client_language=context.client_language,
            language=link.language if link else None,
            source=link.source if link else None,
            topic_payload=link.topic_payload if link else None,
        )

    await in_order(update, context, lambda: user_turn(update, context, turn))


async def on_command(update: Update, context: PatenbotContext) -> None:
    """Answer one of the users' commands (/help, /language, /mydata …)."""
    message = update.effective_message
    if message is None or update.effective_user is None or not message.text:
        return
    command = message.text.split()[0][1:].split("@")[0].lower()
    turn = functools.partial(
        context.channel.service.handle_command,
        context.sender,
        command,
        client_language=context.client_language,
    )
    await in_order(update, context, lambda: user_turn(update, context, turn))


async def on_text(update: Update, context: PatenbotContext) -> None:
    """Pass a typed message to the conversation, or to the office if it was handed over."""
    message = update.effective_message
    if message is None or update.effective_user is None or message.text is None:
        return
    text = message.text
    turn = functools.partial(
        context.channel.service.handle_text,
        context.sender,
        text,
        client_language=context.client_language,
    )

    async def handle() -> None:
        if await handoff.forward_if_handed_off(context, context.sender, text):
            return
        await user_turn(update, context, turn, question=text)

    await in_order(update, context, handle)


async def on_edited(update: Update, context: PatenbotContext) -> None:
    """Say kindly that edits are not read (the answer to the first version stands)."""
    user = update.effective_user
    if user is None:
        return
    chat_id = update.effective_chat.id if update.effective_chat else user.id

    async def answer() -> None:
        reply = await context.channel.service.unsupported_content_reply(
            context.sender, client_language=context.client_language, edited=True
        )
        await send_replies(context.bot, chat_id, [reply])

    await in_order(update, context, answer, counted=False)


async def on_other_content(update: Update, context: PatenbotContext) -> None:
    """Ask for text when a photo, sticker, voice message … arrives."""
    chat = update.effective_chat
    if update.effective_user is None or chat is None:
        return

    async def answer() -> None:
        reply = await context.channel.service.unsupported_content_reply(
            context.sender, client_language=context.client_language
        )
        await send_replies(context.bot, chat.id, [reply])

    await in_order(update, context, answer, warn=False)


async def on_button(update: Update, context: PatenbotContext) -> None:
    """Take a pressed button: keep the choice in the chat, send its token to the core."""
    query = update.callback_query
    if query is None or update.effective_user is None or query.data is None:
        return
    data = query.data
    turn = functools.partial(
        context.channel.service.handle_button,
        context.sender,
        data.split(":", 1)[1],
        client_language=context.client_language,
    )

    async def press() -> None:
        await query.answer()
        message = query.message
        if isinstance(message, Message):
            # Old buttons cannot be pressed twice: the keyboard goes, the choice stays.
            chosen = button_title(message, data)
            with contextlib.suppress(TelegramError):
                if chosen and message.text:
                    await message.edit_text(f"{message.text}\n\n→ {chosen}", reply_markup=None)
                else:
                    await message.edit_reply_markup(reply_markup=None)
        if message is None or message.chat.type != ChatType.PRIVATE:
            return
        await user_turn(update, context, turn)

    await in_order(update, context, press)


async def in_order(
    update: Update,
    context: PatenbotContext,
    body: Callable[[], Awaitable[None]],
    *,
    counted: bool = True,
    warn: bool = True,
) -> None:
    """Run ``body`` once the user's earlier updates are done (first come, first served).

    The caller must not ``await`` anything before this: the user's place in the
    queue is taken here, synchronously, in the order the updates arrived. A message
    over the user's rate limit is counted on arrival and dropped without queueing,
    so a flood cannot fill the queue (and the application's concurrent slots).

    Args:
        update: The user's update.
        context: Its context.
        body: What to do with it, holding the user's lock.
        counted: Whether the update counts towards the user's rate limit.
        warn: Whether a dropped update may get the polite "too fast" notice.
    """
    user, chat = update.effective_user, update.effective_chat
    if user is None:
        return
    channel = context.channel
    if counted and not channel.limiter.allow(user.id):
        if warn and chat is not None and channel.limiter.should_warn(user.id):
            await send_replies(context.bot, chat.id, [context.reply(TOO_FAST)])
        return
    async with channel.locks.hold(user.id):
        # Telegram sends an update again when the bot stopped before confirming it (a
        # restart, a crash): the stored ids let it be handled once.
        if not await channel.service.store.first_delivery(update.update_id):
            logger.info("A repeated update was ignored (it came before a restart).")
            return
        await body()


async def user_turn(
    update: Update,
    context: PatenbotContext,
    turn: Callable[[], Awaitable[list[Reply]]],
    *,
    question: str | None = None,
) -> None:
    """Run one turn for a user (inside :func:`in_order`), with typing and a slow notice."""
    chat = update.effective_chat
    if update.effective_user is None or chat is None:
        return
    async with typing(context.bot, chat.id):
        task = asyncio.ensure_future(turn())
        done, _ = await asyncio.wait(
            {task}, timeout=context.channel.settings.slow_reply_notice_seconds
        )
        if not done:
            await send_replies(context.bot, chat.id, [context.reply(SLOW_REPLY)])
        replies = await task
        await send_replies(context.bot, chat.id, replies)
        await _follow_signals(update, context, replies, question)


async def _follow_signals(
    update: Update, context: PatenbotContext, replies: list[Reply], question: str | None
) -> None:
    """Hand the question to a person when asked to, or after two unsure turns in a row."""
    if update.effective_user is None or not replies:
        return
    if await context.channel.service.needs_handoff(context.sender, replies):
        await handoff.start_handoff(update, context, replies[0].language, question)
