"""The conversation core every channel shares (bot/channels/: terminal, Telegram, …).

A channel turns what the user did into one of three calls (:meth:`handle_text`,
:meth:`handle_button`, :meth:`handle_command`) and shows the returned replies. This
module decides the reply language, catches bad input, and makes sure typed text is
never taken as a Rasa payload: only payloads the front end itself issued (buttons,
its own commands) are sent as such.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import secrets
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from babel.numbers import format_decimal

from bot.core import payloads
from bot.core.rasa_client import RasaConnection, RasaUnavailableError, TurnNotSavedError
from bot.core.safe_text import clean_input
from bot.i18n.catalogs import Catalogs
from bot.i18n.decision import LanguageDecision, LanguageState, resolve_language
from bot.i18n.detection import LanguageDetection
from bot.i18n.languages import LANGUAGES, get_language

logger = logging.getLogger(__name__)

# Commands every channel understands, mapped to the payload they send to Rasa.
COMMAND_PAYLOADS = {
    "start": "/greet",
    "help": "/help",
    "language": "/change_language",
    "cancel": "/stop",
    "privacy": payloads.faq("privacy"),
    "mydata": "/show_my_data",
    "delete": "/delete_my_data",
}
# How many issued buttons are remembered per conversation.
MAX_ISSUED_BUTTONS = 64


@dataclass(frozen=True)
class Choice:
    """A button shown to the user; ``token`` is what the channel sends back."""

    title: str
    token: str


@dataclass(frozen=True)
class Reply:
    """One bot message for the channel to show."""

    text: str
    language: str
    choices: tuple[Choice, ...] = ()
    signals: frozenset[str] = frozenset()
    """Markers attached to the turn (:data:`bot.core.payloads.SIGNALS`), on its first reply."""


@dataclass
class _Conversation:
    state: LanguageState | None = None
    loaded: bool = False
    source: str | None = None
    issued: OrderedDict[str, str] = field(default_factory=OrderedDict)


def _has_words(text: str) -> bool:
    return any(unicodedata.category(char)[0] in "LN" for char in text)


class ConversationService:
    """Turns user input into Rasa turns and local replies, for any channel."""

    def __init__(
        self,
        rasa: RasaConnection,
        catalogs: Catalogs,
        detection: LanguageDetection,
        *,
        max_message_chars: int,
        erase_conversation: Callable[[str], None],
    ) -> None:
        """Create the service; it keeps a little state per conversation in memory.

        Args:
            rasa: The Rasa server's client (anything with its ``send`` and ``language_state``).
            catalogs: The message catalogs.
            detection: The language detector.
            max_message_chars: Longer messages are not passed on.
            erase_conversation: Erases a conversation from the tracker store.
        """
        self._erase_conversation = erase_conversation
        self._rasa = rasa
        self._catalogs = catalogs
        self._detection = detection
        self._max_chars = max_message_chars
        self._conversations: dict[str, _Conversation] = {}

    @property
    def max_message_chars(self) -> int:
        """Return the longest message passed on to Rasa."""
        return self._max_chars

    async def handle_text(
        self, sender_id: str, text: str, *, client_language: str | None = None
    ) -> list[Reply]:
        """Handle a typed message.

        Args:
            sender_id: The channel's stable id of the conversation.
            text: What the user typed, as it came.
            client_language: The client's language hint, e.g. Telegram's ``language_code``.
        """
        conversation = await self._conversation(sender_id)
        # Cleaned once, before anything reads it: control and bidi-override characters
        # would reach the stored answers (PostgreSQL refuses NUL outright), and lone
        # surrogates from undecodable bytes make the language detector raise.
        stripped = clean_input(text).strip()
        if stripped.startswith("/"):
            command = stripped.split()[0][1:].split("@")[0].lower()
            return await self.handle_command(sender_id, command, client_language=client_language)
        if not stripped or len(stripped) > self._max_chars or not _has_words(stripped):
            decision = self._decide(conversation, None, client_language)
            return [self._bad_input_reply(stripped, decision.language)]
        decision = self._decide(conversation, stripped, client_language)
        if decision.unsupported:
            return [self._unsupported_language_reply(decision.language)]
        return await self._send(sender_id, conversation, stripped, decision, client_language)

    async def handle_button(
        self, sender_id: str, token: str, *, client_language: str | None = None
    ) -> list[Reply]:
        """Handle a button press; unknown or expired tokens get a kind note."""
        conversation = await self._conversation(sender_id)
        payload = conversation.issued.get(token)
        if payload is None:
            decision = self._decide(conversation, None, client_language)
            text = self._catalogs.pgettext(
                decision.language,
                "frontend",
                "Dieser Knopf ist nicht mehr gültig. Bitte schreiben Sie Ihre Frage "
                "oder tippen Sie /help.",
            )
            return [Reply(text, decision.language)]
        decision = self._decide(
            conversation, None, client_language, explicit_choice=payloads.chosen_language(payload)
        )
        return await self._send(sender_id, conversation, payload, decision, client_language)

    async def handle_command(
        self, sender_id: str, command: str, *, client_language: str | None = None
    ) -> list[Reply]:
        """Handle a front-end command such as ``start`` (without the slash)."""
        conversation = await self._conversation(sender_id)
        decision = self._decide(conversation, None, client_language)
        payload = COMMAND_PAYLOADS.get(command)
        if payload is None:
            text = self._catalogs.pgettext(
                decision.language,
                "frontend",
                "Diesen Befehl kenne ich nicht. Sie können einfach Ihre Frage schreiben. "
                "Befehle: /start, /help, /language, /privacy, /mydata, /delete, /cancel.",
            )
            return [Reply(text, decision.language)]
        return await self._send(sender_id, conversation, payload, decision, client_language)

    async def start(
        self,
        sender_id: str,
        *,
        client_language: str | None = None,
        language: str | None = None,
        source: str | None = None,
        topic_payload: str | None = None,
    ) -> list[Reply]:
        """Begin a conversation, optionally preset by a link (language, source, first topic).

        Args:
            sender_id: The channel's stable id of the conversation.
            client_language: The client's language hint.
            language: A language the link chose; it counts as the user's explicit choice.
            source: Where the user came from (e.g. a flyer's link); stored with a
                registration.
            topic_payload: A payload the front end issues itself, answered after the
                greeting (e.g. the "become a mentor" topic).
        """
        conversation = await self._conversation(sender_id)
        if source:
            conversation.source = source
        decision = self._decide(conversation, None, client_language, explicit_choice=language)
        replies = await self._send(sender_id, conversation, "/greet", decision, client_language)
        if topic_payload:
            decision = self._decide(conversation, None, client_language)
            replies += await self._send(
                sender_id, conversation, topic_payload, decision, client_language
            )
        return replies

    def unsupported_content_reply(
        self, sender_id: str, *, client_language: str | None = None, edited: bool = False
    ) -> Reply:
        """Return the kind answer to a sticker, photo, file … or an edited message."""
        language = self._current_language(sender_id, client_language)
        if edited:
            text = self._catalogs.pgettext(
                language,
                "frontend",
                "Geänderte Nachrichten kann ich nicht lesen. "
                "Bitte schicken Sie die neue Fassung als neue Nachricht.",
            )
            return Reply(text, language)
        return self._text_only_reply(language)

    def local_reply(
        self,
        sender_id: str,
        message: tuple[str, str],
        *,
        client_language: str | None = None,
        language: str | None = None,
    ) -> Reply:
        """Return a channel's own text in the user's language.

        Args:
            sender_id: The conversation.
            message: Context and German source text, marked with ``NC_``.
            client_language: The client's language hint.
            language: The language to use, if the channel knows it already.
        """
        if language is None:
            language = self._current_language(sender_id, client_language)
        return Reply(self._catalogs.pgettext(language, *message), language)

    def _current_language(self, sender_id: str, client_language: str | None) -> str:
        """Return the conversation's language without reading anything (no Rasa call)."""
        conversation = self._conversations.get(sender_id) or _Conversation()
        return self._decide(conversation, None, client_language).language

    async def _conversation(self, sender_id: str) -> _Conversation:
        conversation = self._conversations.setdefault(sender_id, _Conversation())
        if not conversation.loaded:
            try:
                conversation.state = await self._rasa.language_state(sender_id)
                conversation.loaded = True
            except RasaUnavailableError:
                logger.warning("Could not read a conversation's language from Rasa.")
        return conversation

    def _decide(
        self,
        conversation: _Conversation,
        text: str | None,
        client_language: str | None,
        *,
        explicit_choice: str | None = None,
    ) -> LanguageDecision:
        return resolve_language(
            text,
            state=conversation.state,
            client_hint=client_language,
            detection=self._detection,
            explicit_choice=explicit_choice,
        )

    async def _send(
        self,
        sender_id: str,
        conversation: _Conversation,
        message: str,
        decision: LanguageDecision,
        client_language: str | None,
    ) -> list[Reply]:
        metadata: dict[str, Any] = {
            "language": decision.language,
            "language_explicit": decision.explicit,
        }
        if client_language:
            metadata["client_language"] = client_language
        if conversation.source:
            metadata["source"] = conversation.source
        try:
            messages = await self._rasa.send(sender_id, message, metadata)
        except TurnNotSavedError:
            # Rasa's answer is withheld: it belongs to a turn the conversation does not
            # have, and inside a form the answer would be lost without the user knowing.
            logger.error("Rasa could not store a turn; the user is asked to send it again.")
            text = self._catalogs.pgettext(
                decision.language,
                "frontend",
                "Entschuldigung, ich konnte Ihre letzte Nachricht nicht speichern. "
                "Bitte schicken Sie sie noch einmal.",
            )
            return [Reply(text, decision.language)]
        except RasaUnavailableError as error:
            logger.error("Rasa did not answer a message: %s", error)
            text = self._catalogs.pgettext(
                decision.language,
                "frontend",
                "Entschuldigung, ich bin gerade nicht erreichbar. "
                "Bitte schreiben Sie Ihre Nachricht in ein paar Minuten noch einmal.",
            )
            return [Reply(text, decision.language)]
        conversation.state = LanguageState(decision.language, decision.explicit)
        if payloads.asks_to_erase(messages):
            # Rasa has stored the turn by now; erase it and start afresh next time.
            await asyncio.to_thread(self._erase_conversation, sender_id)
            self._conversations.pop(sender_id, None)
        signals = payloads.signals_of(messages)
        replies = [self._reply(conversation, item, decision.language) for item in messages]
        replies = [reply for reply in replies if reply.text or reply.choices]
        if replies and signals:
            replies[0] = dataclasses.replace(replies[0], signals=signals)
        if not replies:
            logger.error("Rasa answered a message with no reply.")
            text = self._catalogs.pgettext(
                decision.language,
                "frontend",
                "Entschuldigung, da ist bei mir etwas schiefgegangen. "
                "Bitte versuchen Sie es noch einmal.",
            )
            return [Reply(text, decision.language)]
        return replies

    def _reply(self, conversation: _Conversation, message: dict[str, Any], language: str) -> Reply:
        choices = []
        for button in message.get("buttons") or ():
            token = secrets.token_urlsafe(6)
            conversation.issued[token] = str(button.get("payload", ""))
            choices.append(Choice(title=str(button.get("title", "")), token=token))
        while len(conversation.issued) > MAX_ISSUED_BUTTONS:
            conversation.issued.popitem(last=False)
        return Reply(str(message.get("text") or ""), language, tuple(choices))

    def _bad_input_reply(self, text: str, language: str) -> Reply:
        if not text:
            message = self._catalogs.pgettext(
                language,
                "frontend",
                "Ihre Nachricht war leer. Schreiben Sie mir einfach Ihre Frage.",
            )
        elif len(text) > self._max_chars:
            message = self._catalogs.npgettext(
                language,
                "frontend",
                "Ihre Nachricht ist sehr lang. Bitte stellen Sie mir eine kurze Frage "
                "auf einmal, mit höchstens {limit} Zeichen.",
                "Ihre Nachricht ist sehr lang. Bitte stellen Sie mir eine kurze Frage "
                "auf einmal, mit höchstens {limit} Zeichen.",
                self._max_chars,
            ).format(
                limit=format_decimal(self._max_chars, locale=get_language(language).babel_locale)
            )
        else:
            return self._text_only_reply(language)
        return Reply(message, language)

    def _text_only_reply(self, language: str) -> Reply:
        message = self._catalogs.pgettext(
            language,
            "frontend",
            "Ich verstehe nur Text. Bitte schreiben Sie Ihre Frage in Worten.",
        )
        return Reply(message, language)

    def _unsupported_language_reply(self, language: str) -> Reply:
        names = ", ".join(item.native_name for item in LANGUAGES)
        message = self._catalogs.pgettext(
            language,
            "frontend",
            "Diese Sprache spreche ich leider noch nicht. Ich antworte auf: {languages}. "
            "Tippen Sie /language, um eine Sprache zu wählen.",
        ).format(languages=names)
        return Reply(message, language)
