"""Handing a conversation to a person: the coordinators' group answers the user.

A handed-over user's messages go to the coordinators' group; a coordinator's reply to
such a message goes back to the user; "end the conversation" (or the user's /start)
gives the user back to the assistant. The handoffs are stored (bot.channels.telegram.handoffs).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot.channels.telegram.context import PatenbotContext, TelegramChannel, user_chat_of
from bot.channels.telegram.coordinators import actor_of, coordinator_button, display_name
from bot.channels.telegram.handoffs import CONSOLE_REPLY_GROUP, HandoffRef
from bot.channels.telegram.sending import send_replies
from bot.channels.telegram.texts import escape, plain
from bot.core.conversation import Reply
from bot.core.safe_text import clean_input
from bot.i18n.catalogs import NC_
from bot.registrations import coordination, coordinator_texts
from bot.storage import repository

logger = logging.getLogger(__name__)
HANDOFF_PREFIX = "h"
OFFICE_REPLY_INTERVAL_SECONDS = 2.0

HANDOFF_STARTED = NC_(
    "handoff",
    "Ich habe Ihre Frage an die Koordinationsstelle weitergegeben. Eine Mitarbeiterin oder "
    "ein Mitarbeiter antwortet Ihnen hier im Chat. Bis dahin antworte ich nicht "
    "automatisch. Mit /start sprechen Sie wieder mit mir.",
)
HANDOFF_REPLY = NC_("handoff", "Antwort der Koordinationsstelle:")
HANDOFF_ENDED = NC_(
    "handoff",
    "Das Gespräch mit der Koordinationsstelle ist beendet. Ich bin wieder für Sie da. "
    "Tippen Sie /help, um zu sehen, was ich kann.",
)
HANDOFF_GROUP_MESSAGE = NC_(
    "coordinators",
    "Anfrage an einen Menschen, Gespräch #{reference}, Sprache: {language}\n\n{question}\n\n"
    "Antworten Sie auf diese Nachricht, dann geht Ihre Antwort an die Person.",
)
HANDOFF_END_BUTTON = NC_("coordinators", "Gespräch beenden")
HANDOFF_ENDED_GROUP = NC_("coordinators", "Gespräch #{reference} beendet von {name}.")
HANDOFF_UNKNOWN = NC_("coordinators", "Dieses Gespräch ist schon beendet oder gelöscht.")
HANDOFF_ENDED_BY_USER = NC_(
    "coordinators",
    "Eine Person hat ihr Gespräch mit /start neu begonnen; die Weiterleitung ist beendet.",
)


def setup_handlers(
    application: Application[Any, Any, Any, Any, Any, Any], group: int | None
) -> None:
    """Register the coordinators' replies and end buttons (none without a group)."""
    if group is not None:
        application.add_handler(
            MessageHandler(
                filters.Chat(group) & filters.REPLY & filters.TEXT & ~filters.UpdateType.EDITED,
                on_group_reply,
            )
        )
    application.add_handler(CallbackQueryHandler(on_end_button, pattern=rf"^{HANDOFF_PREFIX}:"))


async def start_handoff(
    update: Update, context: PatenbotContext, language: str, question: str | None
) -> None:
    """Hand the user's question to the coordinators (group and/or console); tell the user."""
    chat = update.effective_chat
    channel = context.channel
    if not handoffs_reach_someone(channel) or chat is None:
        return  # Nobody to answer: the reply already gave the office's contact details.
    handoff = await asyncio.to_thread(channel.handoffs.start, context.sender, language)
    await asyncio.to_thread(channel.handoffs.record, handoff, "user", question or "—")
    await _post_to_group(context, handoff, question or "—")
    reply = context.reply(HANDOFF_STARTED, language=language)
    await send_replies(context.bot, chat.id, [reply])


async def forward_if_handed_off(context: PatenbotContext, sender: str, text: str) -> bool:
    """Pass on a message of a handed-off conversation (group and console); True if done."""
    channel = context.channel
    if not handoffs_reach_someone(channel):
        return False
    handoff = await asyncio.to_thread(channel.handoffs.active, sender)
    if handoff is None:
        return False
    await asyncio.to_thread(channel.handoffs.record, handoff, "user", text)
    await _post_to_group(context, handoff, text)
    return True


def handoffs_reach_someone(channel: TelegramChannel) -> bool:
    """Return whether a handoff has readers: the coordinators' group or the web console.

    The console (on the web server, ``PATENBOT_WEB_ENABLED``) lists every open handoff,
    so an office that may not use a Telegram group still answers Telegram users there.
    """
    return channel.coordinators.chat_id is not None or channel.settings.web_enabled


async def _post_to_group(context: PatenbotContext, handoff: HandoffRef, question: str) -> None:
    channel = context.channel
    group = channel.coordinators.chat_id
    if group is None:
        return
    text = (
        escape(context.tr(HANDOFF_GROUP_MESSAGE))
        .replace("{reference}", str(handoff.id))
        .replace("{language}", escape(coordinator_texts.language_name(handoff.language)))
        .replace("{question}", f"<blockquote>{escape(question[:3000])}</blockquote>")
    )
    end_button = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    context.tr(HANDOFF_END_BUTTON),
                    callback_data=f"{HANDOFF_PREFIX}:{handoff.id}:end",
                )
            ]
        ]
    )
    posted = await context.bot.send_message(
        group, text, parse_mode="HTML", reply_markup=end_button
    )
    await asyncio.to_thread(channel.handoffs.remember_group_message, handoff.id, posted.message_id)


async def on_group_reply(update: Update, context: PatenbotContext) -> None:
    """Pass a coordinator's reply in the group on to the person it answers."""
    message = update.effective_message
    if message is None or message.reply_to_message is None or not message.text:
        return
    channel = context.channel
    if not channel.coordinators.allowed(update):
        channel.coordinators.log_refusal(update, "handoff reply")
        return
    handoff = await asyncio.to_thread(
        channel.handoffs.of_group_message, message.reply_to_message.message_id
    )
    if handoff is None:
        return  # An ordinary conversation among coordinators.
    if not handoff.open:
        await message.reply_text(context.tr(HANDOFF_UNKNOWN))
        return
    user_chat = user_chat_of(handoff.person_ref)
    if user_chat is None:
        if handoff.person_ref.startswith("web:"):
            # The web chat's page shows it within a second (server-sent events).
            from bot.channels.web.chat import office_reply

            await asyncio.to_thread(
                office_reply,
                channel.sessions,
                channel.catalogs,
                handoff_id=handoff.id,
                text=clean_input(message.text),
            )
            with contextlib.suppress(TelegramError):
                await message.set_reaction("👍")
        return
    prefix = _local_reply(channel, handoff.person_ref, HANDOFF_REPLY, handoff.language)
    await send_replies(
        context.bot, user_chat, [Reply(f"{prefix.text}\n\n{message.text}", handoff.language)]
    )
    await asyncio.to_thread(channel.handoffs.record, handoff, "office", message.text)
    with contextlib.suppress(TelegramError):
        await message.set_reaction("👍")


async def on_end_button(update: Update, context: PatenbotContext) -> None:
    """End a handed-over conversation: tell the group and give the user back to the bot."""
    query = await coordinator_button(update, context, "handoff button")
    if query is None or query.data is None:
        return
    channel = context.channel
    handoff_id = int(query.data.split(":")[1])
    handoff = await asyncio.to_thread(
        channel.handoffs.end, handoff_id=handoff_id, ended_by=actor_of(update)
    )
    if handoff is None:
        await context.bot.send_message(
            channel.coordinators.chat_id or query.from_user.id, context.tr(HANDOFF_UNKNOWN)
        )
        return
    note = context.tr(HANDOFF_ENDED_GROUP).format(reference=handoff.id, name=display_name(update))
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramError):
            await query.message.edit_reply_markup(reply_markup=None)
        await query.message.reply_text(note)
    user_chat = user_chat_of(handoff.person_ref)
    if user_chat is not None:
        reply = _local_reply(channel, handoff.person_ref, HANDOFF_ENDED, handoff.language)
        await send_replies(context.bot, user_chat, [reply])


async def tell_group_ended_by_user(context: PatenbotContext) -> None:
    """Tell the group that a user's /start ended their handed-over conversation."""
    group = context.channel.coordinators.chat_id
    if group is not None:
        await context.bot.send_message(group, context.tr(HANDOFF_ENDED_BY_USER))


def _local_reply(
    channel: TelegramChannel, person_ref: str, message: tuple[str, str], language: str
) -> Reply:
    """Return a text for the person of a handoff (not the coordinator who acts)."""
    return channel.service.local_reply(person_ref, message, language=language)


async def deliver_office_replies(context: PatenbotContext) -> None:
    """Send the web console's replies (and ends of handoffs) to Telegram users.

    Each is marked sent once Telegram confirms; the group is told of a reply, so that
    nobody there answers the same question again.
    """
    channel = context.channel
    sessions = channel.sessions
    for delivery in await asyncio.to_thread(coordination.pending_office_replies, sessions):
        person = delivery.person_ref or ""
        user_chat = user_chat_of(person)
        handoff = await asyncio.to_thread(channel.handoffs.latest, person)
        if user_chat is None or handoff is None:
            await asyncio.to_thread(
                coordination.record_delivery, sessions, delivery.message_id, sent=True
            )
            continue
        if delivery.topic == repository.OFFICE_END_TOPIC:
            replies = [_local_reply(channel, person, HANDOFF_ENDED, handoff.language)]
        else:
            prefix = _local_reply(channel, person, HANDOFF_REPLY, handoff.language)
            replies = [Reply(f"{prefix.text}\n\n{delivery.text}", handoff.language)]
        try:
            await send_replies(context.bot, user_chat, replies)
        except TelegramError as error:
            logger.warning(
                "A console reply could not be sent (%s); retrying later.", type(error).__name__
            )
            await asyncio.to_thread(
                coordination.record_delivery, sessions, delivery.message_id, sent=False
            )
            return
        await asyncio.to_thread(
            coordination.record_delivery, sessions, delivery.message_id, sent=True
        )
        group = channel.coordinators.chat_id
        if group is not None and delivery.topic == repository.OFFICE_REPLY_TOPIC:
            note = channel.catalogs.pgettext("de", *CONSOLE_REPLY_GROUP).format(
                reference=handoff.id, text=delivery.text
            )
            with contextlib.suppress(TelegramError):
                await context.bot.send_message(group, plain(note))
