"""The web channel's turns: the conversation core, the transcript and handoffs.

HTTP lives in :mod:`bot.channels.web.app`; this module knows nothing of requests.
Every message shown in the page is a row of the transcript (``web_messages``), so a
reload, a second tab and the server-sent events all show the same conversation, and a
coordinator's reply written by another process arrives too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.telegram.deeplinks import AUDIENCE_TOPICS
from bot.channels.telegram.handoffs import Handoffs
from bot.core.conversation import ConversationService, Reply
from bot.core.safe_text import clean_input
from bot.i18n.catalogs import NC_, Catalogs
from bot.i18n.languages import get_language, is_supported
from bot.registrations import coordinator_texts
from bot.storage import repository
from bot.storage.models import Handoff, WebMessage

from .texts import HANDOFF_ENDED, HANDOFF_STARTED

logger = logging.getLogger(__name__)

HANDOFF_NOTICE = NC_(
    "coordinators",
    "Anfrage aus dem Web-Chat an einen Menschen, Gespräch #{reference}, Sprache: "
    "{language}\n\n{question}\n\nAntworten mit: python -m bot handoff reply {reference} "
    '"Ihre Antwort"',
)
HANDOFF_FOLLOW_UP = NC_(
    "coordinators", "Weitere Nachricht im Web-Chat, Gespräch #{reference}:\n\n{question}"
)
USER_COMMANDS = frozenset({"help", "language", "privacy", "mydata", "delete", "cancel"})


@dataclass(frozen=True)
class ShownMessage:
    """A transcript row as the page shows it."""

    id: int
    role: str
    text: str
    language: str
    choices: tuple[tuple[str, str], ...] = ()

    @property
    def direction(self) -> str:
        """Return ``rtl`` or ``ltr`` for the message's language."""
        return (
            "rtl" if is_supported(self.language) and get_language(self.language).is_rtl else "ltr"
        )

    def as_json(self) -> dict[str, Any]:
        """Return the message for the page's script."""
        return {
            "id": self.id,
            "role": self.role,
            "text": self.text,
            "lang": get_language(self.language).locale.replace("@plain", "")
            if is_supported(self.language)
            else "de",
            "dir": self.direction,
            "choices": [{"title": title, "token": token} for title, token in self.choices],
        }


def shown(message: WebMessage) -> ShownMessage:
    """Convert a stored row."""
    choices = tuple((str(title), str(token)) for title, token in message.extra.get("choices", ()))
    return ShownMessage(message.id, message.role, message.text, message.language, choices)


@dataclass
class TurnResult:
    """What a turn added to the transcript, and whether the conversation was erased."""

    messages: list[ShownMessage] = field(default_factory=list)
    erased: bool = False
    language: str | None = None


class WebChat:
    """Runs web turns through the conversation core and keeps the transcript."""

    def __init__(
        self,
        service: ConversationService,
        sessions: sessionmaker[Session],
        catalogs: Catalogs,
        *,
        erased: set[str],
        coordinators_group: bool = False,
    ) -> None:
        """Create the channel.

        Args:
            service: The shared conversation core (its erase hook adds to ``erased``).
            sessions: The database.
            catalogs: The message catalogs.
            erased: Conversations the core erased ("delete my data"); read after a turn.
            coordinators_group: Whether a Telegram coordinators' group receives the
                outbox (only changes the log line).
        """
        self._service = service
        self._sessions = sessions
        self._catalogs = catalogs
        self._handoffs = Handoffs(sessions)
        self._erased = erased
        self._group = coordinators_group

    @property
    def max_message_chars(self) -> int:
        """Return the longest message passed on."""
        return self._service.max_message_chars

    def transcript(self, sender_id: str, *, after: int = 0) -> list[ShownMessage]:
        """Return the conversation's messages after message ``after``."""
        with self._sessions() as session:
            rows = repository.web_messages(session=session, sender_id=sender_id, after=after)
            return [shown(row) for row in rows]

    async def start(
        self,
        sender_id: str,
        *,
        client_language: str | None,
        language: str | None,
        audience: str | None,
        source: str,
    ) -> TurnResult:
        """Begin (or restart) a conversation with the link's presets."""
        await asyncio.to_thread(self._handoffs.end_for_person, sender_id, ended_by="user:/start")
        replies = await self._service.start(
            sender_id,
            client_language=client_language,
            language=language,
            source=source,
            topic_payload=AUDIENCE_TOPICS.get(audience or ""),
        )
        return await self._record(sender_id, None, replies)

    async def text(self, sender_id: str, text: str, *, client_language: str | None) -> TurnResult:
        """Handle a typed message (commands included: the core decides)."""
        stripped = text.strip()
        command = (
            stripped[1:].split()[0].lower() if stripped.startswith("/") and stripped[1:] else ""
        )
        handoff = await asyncio.to_thread(self._handoffs.active, sender_id)
        if handoff is not None and command != "start":
            # Handed over: the office answers, not the assistant.
            shown_text = clean_input(stripped[: self.max_message_chars])
            await asyncio.to_thread(self._forward, handoff.id, sender_id, shown_text)
            return await self._record(sender_id, shown_text, [], language=handoff.language)
        if command == "start":
            await asyncio.to_thread(
                self._handoffs.end_for_person, sender_id, ended_by="user:/start"
            )
        # The transcript keeps what the core would read at most (a longer message gets
        # the core's kind "please shorten it").
        limit = self.max_message_chars
        shown_text = stripped if len(stripped) <= limit else stripped[:limit] + " …"
        return await self._turn(
            sender_id,
            clean_input(shown_text),
            lambda: self._service.handle_text(sender_id, text, client_language=client_language),
        )

    async def button(
        self, sender_id: str, token: str, *, client_language: str | None
    ) -> TurnResult:
        """Handle a pressed button; its title is shown as the user's message."""
        title = await asyncio.to_thread(self._choice_title, sender_id, token)
        return await self._turn(
            sender_id,
            title,
            lambda: self._service.handle_button(sender_id, token, client_language=client_language),
        )

    async def command(
        self, sender_id: str, command: str, *, client_language: str | None
    ) -> TurnResult:
        """Handle a menu command (help, my data, delete …)."""
        if command not in USER_COMMANDS:
            command = "help"
        return await self._turn(
            sender_id,
            f"/{command}",
            lambda: self._service.handle_command(
                sender_id, command, client_language=client_language
            ),
        )

    def end_handoff(self, sender_id: str) -> None:
        """Close the person's open handoff, if any (a new conversation was started)."""
        self._handoffs.end_for_person(sender_id, ended_by="user:new conversation")

    async def _turn(
        self, sender_id: str, shown_text: str | None, turn: Callable[[], Awaitable[list[Reply]]]
    ) -> TurnResult:
        replies = await turn()
        result = await self._record(sender_id, shown_text, replies)
        if result.erased:
            return result
        await self._follow_signals(sender_id, replies, shown_text, result)
        return result

    async def _record(
        self,
        sender_id: str,
        user_text: str | None,
        replies: Sequence[Reply],
        *,
        language: str | None = None,
    ) -> TurnResult:
        """Store the user's message and the replies; after an erase, store nothing."""
        language = language or (replies[0].language if replies else None)
        if sender_id in self._erased:
            self._erased.discard(sender_id)
            # The conversation is gone; the page shows these replies once, unstored.
            messages = [
                ShownMessage(-(index + 1), "bot", reply.text, reply.language)
                for index, reply in enumerate(replies)
            ]
            return TurnResult(messages, erased=True, language=language)

        def store() -> list[ShownMessage]:
            with self._sessions.begin() as session:
                rows = []
                if user_text:
                    rows.append(
                        repository.add_web_message(
                            session=session,
                            sender_id=sender_id,
                            role="user",
                            text=user_text,
                            language=language or "de",
                        )
                    )
                for reply in replies:
                    rows.append(
                        repository.add_web_message(
                            session=session,
                            sender_id=sender_id,
                            role="bot",
                            text=reply.text,
                            language=reply.language,
                            choices=[(choice.title, choice.token) for choice in reply.choices],
                        )
                    )
                return [shown(row) for row in rows]

        return TurnResult(await asyncio.to_thread(store), language=language)

    async def _follow_signals(
        self,
        sender_id: str,
        replies: Sequence[Reply],
        question: str | None,
        result: TurnResult,
    ) -> None:
        """Hand the conversation to the office when asked, or after two unsure turns."""
        if not replies:
            return
        # The "not sure" count is stored with the conversation (bot/core/state.py).
        if not await self._service.needs_handoff(sender_id, replies):
            return
        language = replies[0].language
        handoff = await asyncio.to_thread(self._handoffs.start, sender_id, language)
        await asyncio.to_thread(self._notify, handoff.id, sender_id, language, question or "—")
        notice = self._service.local_reply(sender_id, HANDOFF_STARTED, language=language)
        more = await self._record(sender_id, None, [notice])
        result.messages.extend(more.messages)

    def _notify(self, handoff_id: int, sender_id: str, language: str, question: str) -> None:
        """Put the question into the coordinators' outbox (Telegram group or CLI)."""
        text = self._catalogs.pgettext("de", *HANDOFF_NOTICE).format(
            reference=handoff_id,
            language=coordinator_texts.language_name(language),
            question=question[:3000],
        )
        with self._sessions.begin() as session:
            repository.add_handoff_notice(session=session, person_ref=sender_id, text_de=text)
        logger.info("Web handoff %s opened (outbox%s).", handoff_id, ", group" * self._group)

    def _forward(self, handoff_id: int, sender_id: str, text: str) -> None:
        message = self._catalogs.pgettext("de", *HANDOFF_FOLLOW_UP).format(
            reference=handoff_id, question=text[:3000]
        )
        with self._sessions.begin() as session:
            repository.add_handoff_notice(session=session, person_ref=sender_id, text_de=message)

    def _choice_title(self, sender_id: str, token: str) -> str | None:
        """Return the title of the button with this token, as shown in the transcript."""
        with self._sessions() as session:
            rows = repository.web_messages(session=session, sender_id=sender_id)
            for row in reversed(rows):
                for title, issued in row.extra.get("choices", ()):
                    if issued == token:
                        return str(title)
        return None


def office_reply(
    sessions: sessionmaker[Session], catalogs: Catalogs, *, handoff_id: int, text: str
) -> str:
    """Store a coordinator's reply to a web handoff; the open page shows it within a second.

    Returns:
        The conversation's sender id.

    Raises:
        LookupError: If there is no open handoff with this number.
        ValueError: If the handoff is not a web conversation.
    """
    with sessions.begin() as session:
        handoff = session.get(Handoff, handoff_id)
        if handoff is None or handoff.ended_at is not None:
            raise LookupError(handoff_id)
        if not handoff.person_ref.startswith("web:"):
            raise ValueError("not a web conversation")
        repository.add_web_message(
            session=session,
            sender_id=handoff.person_ref,
            role="office",
            text=text,
            language=handoff.language,
        )
        return handoff.person_ref


def open_handoffs(sessions: sessionmaker[Session]) -> list[Handoff]:
    """Return the open handoffs of every channel, oldest first."""
    with sessions() as session:
        statement = select(Handoff).where(Handoff.ended_at.is_(None)).order_by(Handoff.id)
        rows = list(session.scalars(statement))
        session.expunge_all()
        return rows


def end_office_handoff(
    sessions: sessionmaker[Session], catalogs: Catalogs, *, handoff_id: int, actor: str
) -> bool:
    """Close a handoff from the office; a web conversation is told in its language."""
    handoff = Handoffs(sessions).end(handoff_id=handoff_id, ended_by=actor)
    if handoff is None:
        return False
    if handoff.person_ref.startswith("web:"):
        with sessions.begin() as session:
            repository.add_web_message(
                session=session,
                sender_id=handoff.person_ref,
                role="bot",
                text=catalogs.pgettext(handoff.language, *HANDOFF_ENDED),
                language=handoff.language,
            )
    return True
