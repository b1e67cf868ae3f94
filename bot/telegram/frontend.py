"""The Telegram channel: python-telegram-bot handlers over the shared conversation core.

Users are served in private chats only. Updates are handled concurrently (a slow Rasa
turn of one user does not hold up the others), while each user's own updates are
handled one after the other, in order: every per-user handler takes the user's lock
(first come, first served) before its first ``await``, so no update can overtake an
earlier one of the same user while it waits for the network or the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, cast

from sqlalchemy.orm import Session, sessionmaker
from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatAction, ChatType
from telegram.error import BadRequest, NetworkError, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackContext,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ExtBot,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import admin, coordinator_texts
from bot.conversation import ConversationService, Reply
from bot.i18n import NC_, NPC_, Catalogs
from bot.safe_text import clean_input
from bot.settings import Settings
from bot.storage import repository
from bot.telegram.bot_profile import register_profile
from bot.telegram.coordinators import (
    STATUS_PREFIX,
    Coordinators,
    ExportRequestError,
    actor_of,
    display_name,
    export_folder,
)
from bot.telegram.deeplinks import parse_start_payload
from bot.telegram.guards import PerUserLocks, RecentUpdates, UserRateLimiter
from bot.telegram.handoffs import CONSOLE_REPLY_GROUP, HandoffRef, Handoffs
from bot.telegram.texts import escape, plain, split_message
from bot.telegram.webhook import WebhookReceiver

logger = logging.getLogger(__name__)

BUTTON_PREFIX = "b"
HANDOFF_PREFIX = "h"
USER_COMMANDS = ("help", "language", "privacy", "mydata", "delete", "cancel")
COORDINATOR_COMMANDS = ("export", "stats", "outbox")
OUTBOX_INTERVAL_SECONDS = 10.0
TYPING_REFRESH_SECONDS = 4.5
SEND_ATTEMPTS = 3
# How many "I am not sure" turns in a row hand the question to a person.
UNSURE_TURNS_FOR_HANDOFF = 2

SLOW_REPLY = NC_("telegram", "Einen Moment bitte, ich brauche etwas länger.")
TOO_FAST = NC_(
    "telegram",
    "Sie schreiben gerade sehr schnell. Bitte warten Sie kurz, dann antworte ich wieder gern.",
)
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
NOT_ALLOWED = NC_("telegram", "Das dürfen nur die Koordinatorinnen und Koordinatoren.")
HANDOFF_GROUP_MESSAGE = NC_(
    "coordinators",
    "Anfrage an einen Menschen, Gespräch #{reference}, Sprache: {language}\n\n{question}\n\n"
    "Antworten Sie auf diese Nachricht, dann geht Ihre Antwort an die Person.",
)
HANDOFF_END_BUTTON = NC_("coordinators", "Gespräch beenden")
HANDOFF_ENDED_GROUP = NC_("coordinators", "Gespräch #{reference} beendet von {name}.")
OFFICE_REPLY_INTERVAL_SECONDS = 2.0
HANDOFF_UNKNOWN = NC_("coordinators", "Dieses Gespräch ist schon beendet oder gelöscht.")
EXPORT_USAGE = NC_(
    "coordinators",
    "So geht es: /export csv oder /export xlsx, dazu wahlweise kind=mentor oder "
    "kind=family, status=new,contacted und since=2026-01-31.",
)
EXPORT_CAPTION = NPC_("coordinators", "Export: {rows} Anmeldung", "Export: {rows} Anmeldungen")
EXPORT_FAILED = NC_(
    "coordinators",
    "Der Export hat leider nicht geklappt. Bitte versuchen Sie es gleich noch einmal. "
    "Wenn es wieder nicht geht, sagen Sie bitte der technischen Betreuung Bescheid.",
)


def sender_id_of(user_id: int) -> str:
    """Return the conversation id of a Telegram user (the same for Rasa and the database)."""
    return f"telegram-{user_id}"


class TelegramFrontEnd:
    """Builds the python-telegram-bot application and handles its updates."""

    def __init__(
        self,
        settings: Settings,
        service: ConversationService,
        sessions: sessionmaker[Session],
        catalogs: Catalogs,
        facts: dict[str, str],
    ) -> None:
        """Create the channel; :meth:`build` makes the application."""
        self._settings = settings
        self._service = service
        self._catalogs = catalogs
        self._facts = facts
        self._handoffs = Handoffs(sessions)
        self._coordinators = Coordinators(
            chat_id=settings.coordinator_chat_id,
            user_ids=settings.coordinator_ids,
            sessions=sessions,
            catalogs=catalogs,
        )
        self._sessions = sessions
        self._recent = RecentUpdates()
        self._limiter = UserRateLimiter(settings.user_messages_per_minute)
        self._locks = PerUserLocks()
        self._unsure_turns: dict[int, int] = {}
        self._application: Application[Any, Any, Any, Any, Any, Any] | None = None

    def build(self) -> Application[Any, Any, Any, Any, Any, Any]:
        """Return the application with all handlers registered."""
        builder = (
            ApplicationBuilder()
            .token(self._token())
            .concurrent_updates(True)
            .rate_limiter(AIORateLimiter())
        )
        if self._settings.telegram_api_base_url:
            base = self._settings.telegram_api_base_url.rstrip("/")
            builder = builder.base_url(base).base_file_url(base.removesuffix("/bot") + "/file/bot")
        application = builder.build()
        self.add_handlers(application)
        return application

    def add_handlers(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Register the handlers (separate from :meth:`build` for offline tests)."""
        private = filters.ChatType.PRIVATE
        application.add_handler(TypeHandler(Update, self._drop_repeats), group=-1)
        application.add_handler(
            CommandHandler(COORDINATOR_COMMANDS, self._on_coordinator_command), group=0
        )
        application.add_handler(
            CommandHandler("start", self._on_start, filters=private & ~filters.UpdateType.EDITED)
        )
        application.add_handler(
            CommandHandler(
                USER_COMMANDS, self._on_command, filters=private & ~filters.UpdateType.EDITED
            )
        )
        application.add_handler(
            MessageHandler(private & filters.UpdateType.EDITED, self._on_edited)
        )
        application.add_handler(MessageHandler(private & filters.TEXT, self._on_text))
        application.add_handler(MessageHandler(private & ~filters.TEXT, self._on_other_content))
        if self._coordinators.chat_id is not None:
            application.add_handler(
                MessageHandler(
                    filters.Chat(self._coordinators.chat_id)
                    & filters.REPLY
                    & filters.TEXT
                    & ~filters.UpdateType.EDITED,
                    self._on_group_reply,
                )
            )
        application.add_handler(
            CallbackQueryHandler(self._on_button, pattern=rf"^{BUTTON_PREFIX}:")
        )
        application.add_handler(
            CallbackQueryHandler(self._on_status_button, pattern=rf"^{STATUS_PREFIX}:")
        )
        application.add_handler(
            CallbackQueryHandler(self._on_handoff_button, pattern=rf"^{HANDOFF_PREFIX}:")
        )
        application.add_error_handler(self._on_error)

    def _token(self) -> str:
        token = self._settings.telegram_bot_token
        if token is None:
            raise RuntimeError("TELEGRAM_BOT_TOKEN is not set.")
        return token.get_secret_value()

    async def on_started(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Register the command menu and description, and start delivering the outbox."""
        try:
            await register_profile(application.bot, self._catalogs, self._facts)
        except TelegramError as error:
            # The menu is a convenience; the bot works without it and retries next start.
            logger.warning("The command menu could not be registered: %s", type(error).__name__)
        if application.job_queue is not None:
            application.job_queue.run_repeating(
                self._deliver_outbox, interval=OUTBOX_INTERVAL_SECONDS, first=0.5
            )
            application.job_queue.run_repeating(
                self._deliver_office_replies, interval=OFFICE_REPLY_INTERVAL_SECONDS, first=1.0
            )

    # --- users -------------------------------------------------------------------

    async def _drop_repeats(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if not self._recent.first_time(update.update_id):
            logger.info("A repeated update was ignored.")
            raise ApplicationHandlerStop

    async def _on_start(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or message.text is None:
            return
        payload = message.text.split(maxsplit=1)[1] if " " in message.text.strip() else ""
        link = parse_start_payload(payload.strip()) if payload else None
        sender = sender_id_of(user.id)

        async def turn() -> list[Reply]:
            ended = await asyncio.to_thread(
                self._handoffs.end_for_person, sender, ended_by="user:/start"
            )
            if ended:
                await self._tell_group_handoff_ended_by_user(sender)
            self._unsure_turns.pop(user.id, None)
            return await self._service.start(
                sender,
                client_language=user.language_code,
                language=link.language if link else None,
                source=link.source if link else None,
                topic_payload=link.topic_payload if link else None,
            )

        await self._in_order(update, lambda: self._user_turn(update, turn))

    async def _on_command(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or not message.text:
            return
        command = message.text.split()[0][1:].split("@")[0].lower()
        sender = sender_id_of(user.id)
        await self._in_order(
            update,
            lambda: self._user_turn(
                update,
                lambda: self._service.handle_command(
                    sender, command, client_language=user.language_code
                ),
            ),
        )

    async def _on_text(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or message.text is None:
            return
        sender = sender_id_of(user.id)
        text = message.text

        async def handle() -> None:
            if await self._forward_if_handed_off(sender, text):
                return
            await self._user_turn(
                update,
                lambda: self._service.handle_text(
                    sender, text, client_language=user.language_code
                ),
                question=text,
            )

        await self._in_order(update, handle)

    async def _on_edited(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        user = update.effective_user
        if user is None:
            return
        chat_id = update.effective_chat.id if update.effective_chat else user.id

        async def answer() -> None:
            reply = self._service.unsupported_content_reply(
                sender_id_of(user.id), client_language=user.language_code, edited=True
            )
            await self._send_replies(chat_id, [reply])

        await self._in_order(update, answer, counted=False)

    async def _on_other_content(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None:
            return

        async def answer() -> None:
            reply = self._service.unsupported_content_reply(
                sender_id_of(user.id), client_language=user.language_code
            )
            await self._send_replies(chat.id, [reply])

        await self._in_order(update, answer, warn=False)

    async def _on_button(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        query, user = update.callback_query, update.effective_user
        if query is None or user is None or query.data is None:
            return
        data = query.data

        async def press() -> None:
            await query.answer()
            message = query.message
            if isinstance(message, Message):
                # Old buttons cannot be pressed twice: the keyboard goes, the choice stays.
                chosen = _button_title(message, data)
                with contextlib.suppress(TelegramError):
                    if chosen and message.text:
                        await message.edit_text(f"{message.text}\n\n→ {chosen}", reply_markup=None)
                    else:
                        await message.edit_reply_markup(reply_markup=None)
            if message is None or message.chat.type != ChatType.PRIVATE:
                return
            token = data.split(":", 1)[1]
            sender = sender_id_of(user.id)
            await self._user_turn(
                update,
                lambda: self._service.handle_button(
                    sender, token, client_language=user.language_code
                ),
            )

        await self._in_order(update, press)

    async def _in_order(
        self,
        update: Update,
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
            body: What to do with it, holding the user's lock.
            counted: Whether the update counts towards the user's rate limit.
            warn: Whether a dropped update may get the polite "too fast" notice.
        """
        user, chat = update.effective_user, update.effective_chat
        if user is None:
            return
        if counted and not self._limiter.allow(user.id):
            if warn and chat is not None and self._limiter.should_warn(user.id):
                reply = self._service.local_reply(
                    sender_id_of(user.id), TOO_FAST, client_language=user.language_code
                )
                await self._send_replies(chat.id, [reply])
            return
        async with self._locks.hold(user.id):
            await body()

    async def _user_turn(
        self,
        update: Update,
        turn: Callable[[], Awaitable[list[Reply]]],
        *,
        question: str | None = None,
    ) -> None:
        """Run one turn for a user (inside :meth:`_in_order`), with typing and a slow notice."""
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None:
            return
        sender = sender_id_of(user.id)
        async with self._typing(chat.id):
            task = asyncio.ensure_future(turn())
            done, _ = await asyncio.wait({task}, timeout=self._settings.slow_reply_notice_seconds)
            if not done:
                notice = self._service.local_reply(
                    sender, SLOW_REPLY, client_language=user.language_code
                )
                await self._send_replies(chat.id, [notice])
            replies = await task
            await self._send_replies(chat.id, replies)
            await self._follow_signals(update, sender, replies, question)

    async def _follow_signals(
        self, update: Update, sender: str, replies: list[Reply], question: str | None
    ) -> None:
        user = update.effective_user
        if user is None or not replies:
            return
        signals = frozenset().union(*(reply.signals for reply in replies))
        unsure = self._unsure_turns.get(user.id, 0) + 1 if "unsure" in signals else 0
        self._unsure_turns[user.id] = unsure
        if "handoff" in signals or unsure >= UNSURE_TURNS_FOR_HANDOFF:
            self._unsure_turns.pop(user.id, None)
            await self._start_handoff(update, sender, replies[0].language, question)

    @contextlib.asynccontextmanager
    async def _typing(self, chat_id: int) -> AsyncIterator[None]:
        """Show "typing …" while the body runs (Telegram shows it for about 5 seconds)."""
        bot = self._bot

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

    async def _send_replies(self, chat_id: int, replies: list[Reply]) -> list[Message]:
        """Send replies as messages; buttons go under the last part of a long reply."""
        sent = []
        for reply in replies:
            parts = split_message(reply.text) if reply.text else [""]
            keyboard = _keyboard(reply)
            for index, part in enumerate(parts):
                last = index == len(parts) - 1
                sent.append(
                    await self._send_with_retry(chat_id, part or "…", keyboard if last else None)
                )
        return sent

    async def _send_with_retry(
        self, chat_id: int, text: str, keyboard: InlineKeyboardMarkup | None
    ) -> Message:
        """Send one message; a network failure is retried twice before giving up."""
        for attempt in range(SEND_ATTEMPTS):
            try:
                return await self._bot.send_message(chat_id, text, reply_markup=keyboard)
            except BadRequest:
                raise  # a malformed request does not get better by repeating it
            except NetworkError:
                if attempt == SEND_ATTEMPTS - 1:
                    raise
                await asyncio.sleep(0.5 * (attempt + 1))
        raise AssertionError("unreachable")

    # --- handoff -----------------------------------------------------------------

    async def _start_handoff(
        self, update: Update, sender: str, language: str, question: str | None
    ) -> None:
        chat = update.effective_chat
        group = self._coordinators.chat_id
        if group is None or chat is None:
            return  # No group: the reply already gave the office's contact details.
        handoff = await asyncio.to_thread(self._handoffs.start, sender, language)
        await asyncio.to_thread(self._handoffs.record, handoff, "user", question or "—")
        await self._post_to_group(handoff, question or "—")
        reply = self._service.local_reply(sender, HANDOFF_STARTED, language=language)
        await self._send_replies(chat.id, [reply])

    async def _forward_if_handed_off(self, sender: str, text: str) -> bool:
        """Forward a message of a handed-off conversation to the group; True if done."""
        if self._coordinators.chat_id is None:
            return False
        handoff = await asyncio.to_thread(self._handoffs.active, sender)
        if handoff is None:
            return False
        await asyncio.to_thread(self._handoffs.record, handoff, "user", text)
        await self._post_to_group(handoff, text)
        return True

    async def _post_to_group(self, handoff: HandoffRef, question: str) -> None:
        group = self._coordinators.chat_id
        if group is None:
            return
        context, source = HANDOFF_GROUP_MESSAGE
        text = (
            escape(self._catalogs.pgettext("de", context, source))
            .replace("{reference}", str(handoff.id))
            .replace("{language}", escape(coordinator_texts.language_name(handoff.language)))
            .replace("{question}", f"<blockquote>{escape(question[:3000])}</blockquote>")
        )
        end_button = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        self._catalogs.pgettext("de", *HANDOFF_END_BUTTON),
                        callback_data=f"{HANDOFF_PREFIX}:{handoff.id}:end",
                    )
                ]
            ]
        )
        posted = await self._bot.send_message(
            group, text, parse_mode="HTML", reply_markup=end_button
        )
        await asyncio.to_thread(
            self._handoffs.remember_group_message, handoff.id, posted.message_id
        )

    async def _on_group_reply(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or message.reply_to_message is None or not message.text:
            return
        if not self._coordinators.allowed(update):
            self._coordinators.log_refusal(update, "handoff reply")
            return
        handoff = await asyncio.to_thread(
            self._handoffs.of_group_message, message.reply_to_message.message_id
        )
        if handoff is None:
            return  # An ordinary conversation among coordinators.
        if not handoff.open:
            await message.reply_text(self._catalogs.pgettext("de", *HANDOFF_UNKNOWN))
            return
        prefix = self._service.local_reply(
            handoff.person_ref, HANDOFF_REPLY, language=handoff.language
        )
        user_chat = _user_chat_of(handoff.person_ref)
        if user_chat is None:
            if handoff.person_ref.startswith("web:"):
                # The web chat's page shows it within a second (server-sent events).
                from bot.channels.web.chat import office_reply

                await asyncio.to_thread(
                    office_reply,
                    self._sessions,
                    self._catalogs,
                    handoff_id=handoff.id,
                    text=clean_input(message.text),
                )
                with contextlib.suppress(TelegramError):
                    await message.set_reaction("👍")
            return
        await self._send_replies(
            user_chat, [Reply(f"{prefix.text}\n\n{message.text}", handoff.language)]
        )
        await asyncio.to_thread(self._handoffs.record, handoff, "office", message.text)
        with contextlib.suppress(TelegramError):
            await message.set_reaction("👍")

    async def _on_handoff_button(
        self, update: Update, _context: ContextTypes.DEFAULT_TYPE
    ) -> None:
        query = await self._coordinator_button(update, "handoff button")
        if query is None or query.data is None:
            return
        handoff_id = int(query.data.split(":")[1])
        handoff = await asyncio.to_thread(
            self._handoffs.end, handoff_id=handoff_id, ended_by=actor_of(update)
        )
        if handoff is None:
            await self._bot.send_message(
                self._coordinators.chat_id or query.from_user.id,
                self._catalogs.pgettext("de", *HANDOFF_UNKNOWN),
            )
            return
        note = self._catalogs.pgettext("de", *HANDOFF_ENDED_GROUP).format(
            reference=handoff.id, name=display_name(update)
        )
        if isinstance(query.message, Message):
            with contextlib.suppress(TelegramError):
                await query.message.edit_reply_markup(reply_markup=None)
            await query.message.reply_text(note)
        user_chat = _user_chat_of(handoff.person_ref)
        if user_chat is not None:
            reply = self._service.local_reply(
                handoff.person_ref, HANDOFF_ENDED, language=handoff.language
            )
            await self._send_replies(user_chat, [reply])

    async def _tell_group_handoff_ended_by_user(self, sender: str) -> None:
        if self._coordinators.chat_id is None:
            return
        note = self._catalogs.pgettext(
            "de",
            "coordinators",
            "Eine Person hat ihr Gespräch mit /start neu begonnen; die Weiterleitung ist beendet.",
        )
        await self._bot.send_message(self._coordinators.chat_id, note)

    # --- coordinators ------------------------------------------------------------

    async def _on_coordinator_command(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE
    ) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or not message.text:
            return
        command = message.text.split()[0][1:].split("@")[0].lower()
        arguments = list(context.args or ())
        if update.effective_chat and update.effective_chat.type == ChatType.PRIVATE:
            # In a private chat this is one of the person's own messages: keep the order.
            async with self._locks.hold(user.id):
                await self._coordinator_command(update, message, command, arguments)
        else:
            await self._coordinator_command(update, message, command, arguments)
        raise ApplicationHandlerStop

    async def _coordinator_command(
        self, update: Update, message: Message, command: str, arguments: list[str]
    ) -> None:
        user = update.effective_user
        if not self._coordinators.allowed(update):
            self._coordinators.log_refusal(update, command)
            if user and update.effective_chat and update.effective_chat.type == ChatType.PRIVATE:
                reply = self._service.local_reply(
                    sender_id_of(user.id), NOT_ALLOWED, client_language=user.language_code
                )
                await self._send_replies(update.effective_chat.id, [reply])
            return
        chat_id = message.chat_id
        if command == "stats":
            text = await asyncio.to_thread(self._coordinators.stats_text)
            await self._send_replies(chat_id, [Reply(text, "de")])
        elif command == "outbox":
            text = await asyncio.to_thread(self._coordinators.outbox_text)
            await self._send_replies(chat_id, [Reply(text, "de")])
        else:
            await self._export(update, chat_id, arguments)

    async def _export(self, update: Update, chat_id: int, arguments: list[str]) -> None:
        with export_folder() as folder:
            try:
                path, rows = await asyncio.to_thread(
                    self._coordinators.export, arguments, update, Path(folder)
                )
            except ExportRequestError:
                await self._bot.send_message(chat_id, self._catalogs.pgettext("de", *EXPORT_USAGE))
                return
            except Exception as error:
                # Only the kind of error: messages such as openpyxl's quote the value.
                logger.error("An export for a coordinator failed: %s", type(error).__name__)
                await self._bot.send_message(
                    chat_id, self._catalogs.pgettext("de", *EXPORT_FAILED)
                )
                return
            caption = self._catalogs.npgettext("de", *EXPORT_CAPTION, rows).format(rows=rows)
            try:
                with path.open("rb") as handle:
                    await self._bot.send_document(
                        chat_id, handle, filename=path.name, caption=caption
                    )
            except TelegramError as error:  # e.g. a file over Telegram's size limit
                logger.error("An export could not be sent: %s", type(error).__name__)
                await self._bot.send_message(
                    chat_id, self._catalogs.pgettext("de", *EXPORT_FAILED)
                )

    async def _on_status_button(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        query = await self._coordinator_button(update, "status button")
        if query is None or query.data is None:
            return
        _prefix, registration_id, value = query.data.split(":", 2)
        line = await asyncio.to_thread(
            self._coordinators.apply_status, int(registration_id), value, update
        )
        if isinstance(query.message, Message) and query.message.text is not None:
            with contextlib.suppress(TelegramError):
                await query.message.edit_text(
                    f"{query.message.text}\n\n{line}",
                    reply_markup=query.message.reply_markup,
                )

    async def _coordinator_button(self, update: Update, what: str) -> CallbackQuery | None:
        """Answer a coordinators' button; return it only if a coordinator pressed it."""
        query = update.callback_query
        if query is None:
            return None
        if not self._coordinators.allowed(update):
            self._coordinators.log_refusal(update, what)
            await query.answer(self._catalogs.pgettext("de", *NOT_ALLOWED), show_alert=True)
            return None
        await query.answer()
        return query

    async def _deliver_outbox(self, _context: CallbackContext[Any, Any, Any, Any]) -> None:
        """Send pending notifications to the group; each is marked sent once Telegram confirms."""
        group = self._coordinators.chat_id
        if group is None:
            return
        for delivery in await asyncio.to_thread(admin.pending_outbox, self._sessions):
            keyboard = (
                self._coordinators.status_keyboard(delivery.registration_id)
                if delivery.registration_id is not None
                else None
            )
            try:
                sent = await self._bot.send_message(
                    group, plain(delivery.text), reply_markup=keyboard
                )
            except TelegramError as error:
                logger.warning(
                    "A notification could not be sent (%s); retrying later.", type(error).__name__
                )
                await asyncio.to_thread(
                    admin.record_delivery, self._sessions, delivery.message_id, sent=False
                )
                return
            if delivery.topic == "handoff" and delivery.person_ref:
                # A web chat's handoff: a coordinator's reply to this message goes to its page.
                handoff = await asyncio.to_thread(self._handoffs.active, delivery.person_ref)
                if handoff is not None:
                    await asyncio.to_thread(
                        self._handoffs.remember_group_message, handoff.id, sent.message_id
                    )
            await asyncio.to_thread(
                admin.record_delivery, self._sessions, delivery.message_id, sent=True
            )

    async def _deliver_office_replies(self, _context: CallbackContext[Any, Any, Any, Any]) -> None:
        """Send the web console's replies (and ends of handoffs) to Telegram users.

        Each is marked sent once Telegram confirms; the group is told of a reply, so that
        nobody there answers the same question again.
        """
        for delivery in await asyncio.to_thread(admin.pending_office_replies, self._sessions):
            person = delivery.person_ref or ""
            user_chat = _user_chat_of(person)
            handoff = await asyncio.to_thread(self._handoffs.latest, person)
            if user_chat is None or handoff is None:
                await asyncio.to_thread(
                    admin.record_delivery, self._sessions, delivery.message_id, sent=True
                )
                continue
            if delivery.topic == repository.OFFICE_END_TOPIC:
                replies = [
                    self._service.local_reply(person, HANDOFF_ENDED, language=handoff.language)
                ]
            else:
                prefix = self._service.local_reply(
                    person, HANDOFF_REPLY, language=handoff.language
                )
                replies = [Reply(f"{prefix.text}\n\n{delivery.text}", handoff.language)]
            try:
                await self._send_replies(user_chat, replies)
            except TelegramError as error:
                logger.warning(
                    "A console reply could not be sent (%s); retrying later.",
                    type(error).__name__,
                )
                await asyncio.to_thread(
                    admin.record_delivery, self._sessions, delivery.message_id, sent=False
                )
                return
            await asyncio.to_thread(
                admin.record_delivery, self._sessions, delivery.message_id, sent=True
            )
            group = self._coordinators.chat_id
            if group is not None and delivery.topic == repository.OFFICE_REPLY_TOPIC:
                note = self._catalogs.pgettext("de", *CONSOLE_REPLY_GROUP).format(
                    reference=handoff.id, text=delivery.text
                )
                with contextlib.suppress(TelegramError):
                    await self._bot.send_message(group, plain(note))

    # --- plumbing ----------------------------------------------------------------

    @property
    def _bot(self) -> ExtBot[Any]:
        if self._application is None:
            raise RuntimeError("The application is not built yet.")
        return cast("ExtBot[Any]", self._application.bot)

    def attach(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Remember the application whose bot sends the messages."""
        self._application = application

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        # Only the kind of error: its message may quote what a user wrote.
        logger.error(
            "Handling a Telegram update failed: %s",
            type(context.error).__name__ if context.error else "?",
        )


def _keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.choices:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(choice.title, callback_data=f"{BUTTON_PREFIX}:{choice.token}")]
            for choice in reply.choices
        ]
    )


def _button_title(message: Message, data: str) -> str | None:
    markup = message.reply_markup
    if markup is None:
        return None
    for row in markup.inline_keyboard:
        for button in row:
            if button.callback_data == data:
                return button.text
    return None


def _user_chat_of(person_ref: str) -> int | None:
    prefix = "telegram-"
    if not person_ref.startswith(prefix):
        return None
    return int(person_ref[len(prefix) :])


async def serve(front_end: TelegramFrontEnd, settings: Settings, stop: asyncio.Event) -> None:
    """Run the bot by long polling, or by webhook if a webhook URL is set, until ``stop``.

    The caller sets ``stop`` (on a signal) instead of cancelling: polling then ends
    between two requests, with no "fetching updates was aborted" report.
    """
    application = front_end.build()
    front_end.attach(application)
    async with application:
        await application.start()
        await front_end.on_started(application)
        receiver: WebhookReceiver | None = None
        updater = application.updater
        try:
            if settings.telegram_webhook_url:
                receiver = await _start_webhook(application, settings)
            else:
                if updater is None:
                    raise RuntimeError("The application has no updater.")
                await updater.start_polling(allowed_updates=Update.ALL_TYPES)
            await stop.wait()
        finally:
            if receiver is not None:
                with contextlib.suppress(TimeoutError):
                    await receiver.stop()
            if updater is not None and updater.running:
                await updater.stop()
            await application.stop()


async def _start_webhook(
    application: Application[Any, Any, Any, Any, Any, Any], settings: Settings
) -> WebhookReceiver:
    """Listen for updates, then tell Telegram where to send them."""
    secret = settings.telegram_webhook_secret
    if secret is None or settings.telegram_webhook_url is None:
        raise RuntimeError(
            "Webhook mode needs PATENBOT_TELEGRAM_WEBHOOK_SECRET (Telegram sends it "
            "with every update, so that no one else can post updates)."
        )
    receiver = WebhookReceiver(application, secret.get_secret_value())
    receiver.listen(settings.telegram_webhook_listen, settings.telegram_webhook_port)
    await application.bot.set_webhook(
        url=settings.telegram_webhook_url,
        secret_token=secret.get_secret_value(),
        allowed_updates=Update.ALL_TYPES,
    )
    return receiver
