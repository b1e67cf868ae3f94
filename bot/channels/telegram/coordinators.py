"""The coordinators' side on Telegram: notifications, status buttons, commands.

Only Telegram user ids listed in ``PATENBOT_COORDINATOR_IDS`` may use these, and only in
the coordinators' group or in their private chat with the bot. The functions that do
the work are those of the command line (bot.registrations.coordination); this module
only talks Telegram.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session, sessionmaker
from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationHandlerStop, CallbackQueryHandler, CommandHandler

from bot.channels.telegram.sending import send_replies
from bot.channels.telegram.texts import plain
from bot.core.conversation import Reply
from bot.core.safe_text import displayable
from bot.i18n.catalogs import NC_, NPC_, Catalogs
from bot.registrations import coordination, coordinator_texts
from bot.registrations.use_cases import StatusChangeError
from bot.registrations.workflow import KINDS, STATUSES
from bot.storage import repository
from bot.storage.repository import RegistrationFilter

if TYPE_CHECKING:  # the context module imports this one
    from bot.channels.telegram.context import PatenbotContext

logger = logging.getLogger(__name__)

COORDINATOR_LANGUAGE = coordinator_texts.COORDINATOR_LANGUAGE
STATUS_PREFIX = "s"
TAKE_OVER = "take"
# The buttons under each notification, in order; coordinators' texts are German (the
# office works in German) but come from the catalogs like every other text.
STATUS_BUTTONS = (TAKE_OVER, "contacted", "matched", "declined")
EXPORT_FORMATS = ("csv", "xlsx")


class ExportRequestError(ValueError):
    """The arguments of ``/export`` could not be read."""


@dataclass(frozen=True)
class ExportRequest:
    """What ``/export`` asked for."""

    file_format: str
    filters: RegistrationFilter


def parse_export_arguments(arguments: list[str]) -> ExportRequest:
    """Read ``/export [csv|xlsx] [kind=mentor|family] [status=new,contacted] [since=DATE]``.

    Raises:
        ExportRequestError: If an argument is unknown or malformed.
    """
    file_format = "xlsx"
    kind: str | None = None
    statuses: tuple[str, ...] = ()
    since: datetime | None = None
    for argument in arguments:
        key, _, value = argument.partition("=")
        key = key.lower()
        if not value and key in EXPORT_FORMATS:
            file_format = key
        elif key == "kind" and value in KINDS:
            kind = value
        elif key == "status" and set(value.split(",")) <= set(STATUSES):
            statuses = tuple(value.split(","))
        elif key == "since":
            try:
                since = datetime.fromisoformat(value).replace(tzinfo=UTC)
            except ValueError as error:
                raise ExportRequestError(argument) from error
        else:
            raise ExportRequestError(argument)
    return ExportRequest(
        file_format, RegistrationFilter(kind=kind, statuses=statuses, since=since)
    )


def actor_of(update: Update) -> str:
    """Return how a coordinator appears in the status history and the audit log."""
    user = update.effective_user
    return f"telegram:{user.id}" if user else "telegram:unknown"


def display_name(update: Update) -> str:
    """Return the coordinator's name as shown in the group (their Telegram first name)."""
    user = update.effective_user
    return displayable(user.first_name) if user else "?"


class Coordinators:
    """Who the coordinators are, where they may act, and what the bot does for them."""

    def __init__(
        self,
        *,
        chat_id: int | None,
        user_ids: frozenset[int],
        sessions: sessionmaker[Session],
        catalogs: Catalogs,
    ) -> None:
        """Create the coordinators' side.

        Args:
            chat_id: The coordinators' group, or None if there is none (then
                notifications stay in the outbox; see ``python -m bot outbox``).
            user_ids: Telegram user ids of the coordinators.
            sessions: The database's session factory.
            catalogs: The message catalogs.
        """
        self.chat_id = chat_id
        self._user_ids = user_ids
        self._sessions = sessions
        self._catalogs = catalogs

    def allowed(self, update: Update) -> bool:
        """Return whether this update comes from a coordinator in an allowed chat."""
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None or user.id not in self._user_ids:
            return False
        return chat.id == self.chat_id or chat.type == ChatType.PRIVATE

    def log_refusal(self, update: Update, what: str) -> None:
        """Log a refused attempt: which function and which chat type, never the content."""
        chat = update.effective_chat
        logger.warning(
            "Refused a coordinator function (%s) for a non-coordinator in a %s chat.",
            what,
            chat.type if chat else "unknown",
        )

    def status_keyboard(self, registration_id: int) -> InlineKeyboardMarkup:
        """Return the status buttons under a notification."""
        labels = {
            TAKE_OVER: self._catalogs.pgettext(COORDINATOR_LANGUAGE, "coordinators", "Übernehmen"),
            "contacted": self._catalogs.pgettext(
                COORDINATOR_LANGUAGE, "coordinators", "Kontaktiert"
            ),
            "matched": self._catalogs.pgettext(COORDINATOR_LANGUAGE, "coordinators", "Vermittelt"),
            "declined": self._catalogs.pgettext(COORDINATOR_LANGUAGE, "coordinators", "Abgesagt"),
        }
        return InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        labels[value],
                        callback_data=f"{STATUS_PREFIX}:{registration_id}:{value}",
                    )
                    for value in STATUS_BUTTONS
                ]
            ]
        )

    def apply_status(self, registration_id: int, value: str, update: Update) -> str:
        """Apply a status button and return the line that records it in the group."""
        who = display_name(update)
        when = datetime.now(UTC).strftime("%d.%m.%Y %H:%M UTC")
        if value == TAKE_OVER:
            return self._catalogs.pgettext(
                COORDINATOR_LANGUAGE, "coordinators", "Übernommen von {name} ({time})"
            ).format(name=who, time=when)
        try:
            coordination.set_status(
                self._sessions,
                registration_id=registration_id,
                status=value,
                actor=actor_of(update),
            )
        except LookupError:
            return self._catalogs.pgettext(
                COORDINATOR_LANGUAGE,
                "coordinators",
                "Diese Anmeldung gibt es nicht mehr (zurückgezogen oder gelöscht).",
            )
        except StatusChangeError as error:
            return self._catalogs.pgettext(
                COORDINATOR_LANGUAGE, "coordinators", "Dieser Statuswechsel geht nicht: {change}"
            ).format(
                change=f"{coordinator_texts.status_name(error.current)} → "
                f"{coordinator_texts.status_name(error.requested)}"
            )
        return self._catalogs.pgettext(
            COORDINATOR_LANGUAGE, "coordinators", "Status: {status}, von {name} ({time})"
        ).format(status=coordinator_texts.status_name(value), name=who, time=when)

    def export(self, arguments: list[str], update: Update, folder: Path) -> tuple[Path, int]:
        """Export as ``/export`` asked; return the file and its row count.

        Raises:
            ExportRequestError: If the arguments could not be read.
        """
        request = parse_export_arguments(arguments)
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        path = folder / f"patenbot-anmeldungen-{stamp}.{request.file_format}"
        rows = coordination.run_export(
            self._sessions,
            file_format=request.file_format,
            filters=request.filters,
            path=path,
            actor=actor_of(update),
        )
        return path, rows

    def stats_text(self) -> str:
        """Return the statistics as the command line prints them."""
        return displayable(
            coordination.format_stats(coordination.stats(self._sessions)), keep_newlines=True
        )

    def outbox_text(self) -> str:
        """Return the pending notifications, oldest first."""
        pending = coordination.pending_outbox(self._sessions)
        if not pending:
            return self._catalogs.pgettext(
                COORDINATOR_LANGUAGE, "coordinators", "Keine offenen Benachrichtigungen."
            )
        header = self._catalogs.npgettext(
            COORDINATOR_LANGUAGE,
            "coordinators",
            "{count} offene Benachrichtigung",
            "{count} offene Benachrichtigungen",
            len(pending),
        ).format(count=len(pending))
        texts = (displayable(item.text, keep_newlines=True) for item in pending[:20])
        return "\n\n".join([header, *texts])


def export_folder() -> tempfile.TemporaryDirectory[str]:
    """Return a private temporary folder for an export file (removed after sending)."""
    return tempfile.TemporaryDirectory(prefix="patenbot-export-")


# --- handlers ------------------------------------------------------------------------

COORDINATOR_COMMANDS = ("export", "stats", "outbox")
OUTBOX_INTERVAL_SECONDS = 10.0
NOT_ALLOWED = NC_("telegram", "Das dürfen nur die Koordinatorinnen und Koordinatoren.")
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


def setup_handlers(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Register the coordinators' commands (before the users' handlers) and status buttons."""
    application.add_handler(CommandHandler(COORDINATOR_COMMANDS, on_command))
    application.add_handler(CallbackQueryHandler(on_status_button, pattern=rf"^{STATUS_PREFIX}:"))


async def on_command(update: Update, context: PatenbotContext) -> None:
    """Answer /export, /stats or /outbox, for coordinators only; no other handler runs."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not message.text:
        return
    command = message.text.split()[0][1:].split("@")[0].lower()
    arguments = list(context.args or ())
    if update.effective_chat and update.effective_chat.type == ChatType.PRIVATE:
        # In a private chat this is one of the person's own messages: keep the order.
        async with context.channel.locks.hold(user.id):
            await _command(update, context, message, command, arguments)
    else:
        await _command(update, context, message, command, arguments)
    raise ApplicationHandlerStop


async def _command(
    update: Update, context: PatenbotContext, message: Message, command: str, arguments: list[str]
) -> None:
    """Run one coordinators' command, or refuse it politely."""
    coordinators = context.channel.coordinators
    chat = update.effective_chat
    if not coordinators.allowed(update):
        coordinators.log_refusal(update, command)
        if update.effective_user and chat and chat.type == ChatType.PRIVATE:
            await send_replies(context.bot, chat.id, [context.reply(NOT_ALLOWED)])
        return
    if command == "stats":
        text = await asyncio.to_thread(coordinators.stats_text)
        await send_replies(context.bot, message.chat_id, [Reply(text, COORDINATOR_LANGUAGE)])
    elif command == "outbox":
        text = await asyncio.to_thread(coordinators.outbox_text)
        await send_replies(context.bot, message.chat_id, [Reply(text, COORDINATOR_LANGUAGE)])
    else:
        await _export(update, context, message.chat_id, arguments)


async def _export(
    update: Update, context: PatenbotContext, chat_id: int, arguments: list[str]
) -> None:
    """Send the export ``/export`` asked for as a file, or say why not."""
    with export_folder() as folder:
        try:
            path, rows = await asyncio.to_thread(
                context.channel.coordinators.export, arguments, update, Path(folder)
            )
        except ExportRequestError:
            await context.bot.send_message(chat_id, context.tr(EXPORT_USAGE))
            return
        except Exception as error:
            # Only the kind of error: messages such as openpyxl's quote the value.
            logger.error("An export for a coordinator failed: %s", type(error).__name__)
            await context.bot.send_message(chat_id, context.tr(EXPORT_FAILED))
            return
        caption = context.channel.catalogs.npgettext(
            COORDINATOR_LANGUAGE, *EXPORT_CAPTION, rows
        ).format(rows=rows)
        try:
            with path.open("rb") as handle:
                await context.bot.send_document(
                    chat_id, handle, filename=path.name, caption=caption
                )
        except TelegramError as error:  # e.g. a file over Telegram's size limit
            logger.error("An export could not be sent: %s", type(error).__name__)
            await context.bot.send_message(chat_id, context.tr(EXPORT_FAILED))


async def on_status_button(update: Update, context: PatenbotContext) -> None:
    """Move a registration to the status a coordinator pressed under its notification."""
    query = await coordinator_button(update, context, "status button")
    if query is None or query.data is None:
        return
    _prefix, registration_id, value = query.data.split(":", 2)
    line = await asyncio.to_thread(
        context.channel.coordinators.apply_status, int(registration_id), value, update
    )
    if isinstance(query.message, Message) and query.message.text is not None:
        with contextlib.suppress(TelegramError):
            await query.message.edit_text(
                f"{query.message.text}\n\n{line}", reply_markup=query.message.reply_markup
            )


async def coordinator_button(
    update: Update, context: PatenbotContext, what: str
) -> CallbackQuery | None:
    """Answer a coordinators' button; return it only if a coordinator pressed it."""
    query = update.callback_query
    if query is None:
        return None
    coordinators = context.channel.coordinators
    if not coordinators.allowed(update):
        coordinators.log_refusal(update, what)
        await query.answer(context.tr(NOT_ALLOWED), show_alert=True)
        return None
    await query.answer()
    return query


async def deliver_outbox(context: PatenbotContext) -> None:
    """Send pending notifications to the group; each is marked sent once Telegram confirms."""
    coordinators = context.channel.coordinators
    group = coordinators.chat_id
    if group is None:
        return

    async def send(delivery: coordination.Delivery) -> bool:
        keyboard = (
            coordinators.status_keyboard(delivery.registration_id)
            if delivery.registration_id is not None
            else None
        )
        try:
            sent = await context.bot.send_message(
                group, plain(delivery.text), reply_markup=keyboard
            )
        except TelegramError as error:
            logger.warning(
                "A notification could not be sent (%s); retrying later.", type(error).__name__
            )
            return False
        if delivery.topic == repository.HANDOFF_TOPIC and delivery.person_ref:
            # A web chat's handoff: a coordinator's reply to this message goes to its page.
            handoffs = context.channel.handoffs
            handoff = await asyncio.to_thread(handoffs.active, delivery.person_ref)
            if handoff is not None:
                await asyncio.to_thread(
                    handoffs.remember_group_message, handoff.id, sent.message_id
                )
        return True

    await coordination.deliver_outbox(context.channel.sessions, send)
