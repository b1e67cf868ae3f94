"""The coordinators' side on Telegram: notifications, status buttons, commands.

Only Telegram user ids listed in ``PATENBOT_COORDINATOR_IDS`` may use these, and only in
the coordinators' group or in their private chat with the bot. The functions that do
the work are those of the command line (bot.registrations.coordination); this module
only talks Telegram.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType

from bot.core.safe_text import displayable
from bot.i18n.catalogs import Catalogs
from bot.registrations import coordination, coordinator_texts
from bot.registrations.use_cases import StatusChangeError
from bot.registrations.workflow import KINDS, STATUSES
from bot.storage.repository import RegistrationFilter

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
