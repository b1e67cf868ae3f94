"""What every Telegram handler gets: the channel's shared parts and a typed custom context.

``PatenbotContext`` (python-telegram-bot's ``contexttypesbot`` example) knows the user of
the update, so handlers ask ``context.reply(TEXT)`` for a text in the user's language and
``context.tr(TEXT)`` for a coordinators' text, instead of passing the client's language
through every call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy.orm import Session, sessionmaker
from telegram import Update
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.channels.telegram.coordinators import Coordinators
from bot.channels.telegram.guards import PerUserLocks, RecentUpdates, UserRateLimiter
from bot.channels.telegram.handoffs import Handoffs
from bot.core.conversation import ConversationService, Reply
from bot.i18n.catalogs import Catalogs
from bot.settings import Settings

CHANNEL_KEY = "patenbot_channel"
"""Where the channel's shared parts are kept in ``application.bot_data``."""
COORDINATOR_LANGUAGE = "de"
"""The coordinators' texts are German: the office works in German."""
SENDER_PREFIX = "telegram-"


def sender_id_of(user_id: int) -> str:
    """Return the conversation id of a Telegram user (the same for Rasa and the database)."""
    return f"{SENDER_PREFIX}{user_id}"


def user_chat_of(person_ref: str) -> int | None:
    """Return the private chat of a conversation id, if it is a Telegram one."""
    if not person_ref.startswith(SENDER_PREFIX):
        return None
    return int(person_ref[len(SENDER_PREFIX) :])


@dataclass
class TelegramChannel:
    """The parts every handler shares: settings, conversation core, database, guards."""

    settings: Settings
    service: ConversationService
    sessions: sessionmaker[Session]
    catalogs: Catalogs
    facts: dict[str, str]
    handoffs: Handoffs = field(init=False)
    coordinators: Coordinators = field(init=False)
    recent: RecentUpdates = field(init=False, default_factory=RecentUpdates)
    limiter: UserRateLimiter = field(init=False)
    locks: PerUserLocks = field(init=False, default_factory=PerUserLocks)

    def __post_init__(self) -> None:
        """Create the parts that depend on the settings."""
        self.handoffs = Handoffs(self.sessions)
        self.coordinators = Coordinators(
            chat_id=self.settings.coordinator_chat_id,
            user_ids=self.settings.coordinator_ids,
            sessions=self.sessions,
            catalogs=self.catalogs,
        )
        self.limiter = UserRateLimiter(self.settings.user_messages_per_minute)


class PatenbotContext(
    CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]
):
    """The callback context of every handler: the channel, the user and their language."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        """Create the context (python-telegram-bot calls this for each update)."""
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self.client_language: str | None = None
        """The language the user's Telegram app is set to (a hint, see bot.i18n.decision)."""

    @classmethod
    def from_update(
        cls, update: object, application: Application[Any, Any, Any, Any, Any, Any]
    ) -> PatenbotContext:
        """Return the context of ``update``, knowing its user's client language."""
        context = super().from_update(update, application)
        if isinstance(update, Update) and update.effective_user is not None:
            context.client_language = update.effective_user.language_code
        return context

    @property
    def channel(self) -> TelegramChannel:
        """Return the channel's shared parts."""
        return cast("TelegramChannel", self.application.bot_data[CHANNEL_KEY])

    @property
    def sender(self) -> str:
        """Return the conversation id of the update's user."""
        if self._user_id is None:
            raise RuntimeError("This update has no user.")
        return sender_id_of(self._user_id)

    def reply(self, message: tuple[str, str], *, language: str | None = None) -> Reply:
        """Return a text of the channel itself in the user's language (or ``language``)."""
        if language is not None:
            return self.channel.service.local_reply(self.sender, message, language=language)
        return self.channel.service.local_reply(
            self.sender, message, client_language=self.client_language
        )

    def tr(self, message: tuple[str, str]) -> str:
        """Return a coordinators' text (``NC_`` context and message) in their language."""
        return self.channel.catalogs.pgettext(COORDINATOR_LANGUAGE, *message)


CONTEXT_TYPES = ContextTypes(context=PatenbotContext)
"""Pass to ``ApplicationBuilder.context_types`` so that handlers get a PatenbotContext."""
