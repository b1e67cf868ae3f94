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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from babel.numbers import format_decimal

from bot.core import payloads
from bot.core.rasa_client import RasaConnection, RasaUnavailableError, TurnNotSavedError
from bot.core.safe_text import clean_input
from bot.core.state import ConversationStore
from bot.i18n.catalogs import NC_, Catalogs
from bot.i18n.decision import LanguageDecision, LanguageState, resolve_language
from bot.i18n.detection import LanguageDetection
from bot.i18n.languages import LANGUAGES, get_language
from bot.ops import metrics

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
# How many "I am not sure" turns in a row hand the question to a person.
UNSURE_TURNS_FOR_HANDOFF = 2
# The apologies for a turn that got no answer from Rasa (the benchmarks tell them from
# answers, tests/benchmarks/replies.py).
TURN_NOT_SAVED = NC_(
    "frontend",
    "Entschuldigung, ich konnte Ihre letzte Nachricht nicht speichern. "
    "Bitte schicken Sie sie noch einmal.",
)
RASA_UNAVAILABLE = NC_(
    "frontend",
    "Entschuldigung, ich bin gerade nicht erreichbar. "
    "Bitte schreiben Sie Ihre Nachricht in ein paar Minuten noch einmal.",
)
EMPTY_ANSWER = NC_(
    "frontend",
    "Entschuldigung, da ist bei mir etwas schiefgegangen. Bitte versuchen Sie es noch einmal.",
)
APOLOGIES = (TURN_NOT_SAVED, RASA_UNAVAILABLE, EMPTY_ANSWER)


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
    """A conversation's state for one turn, read from the store at its start."""

    state: LanguageState | None = None
    source: str | None = None


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
        store: ConversationStore,
    ) -> None:
        """Create the service; the state between turns is kept in ``store`` (the database).

        Args:
            rasa: The Rasa server's client (anything with its ``send`` and ``language_state``).
            catalogs: The message catalogs.
            detection: The language detector.
            max_message_chars: Longer messages are not passed on.
            erase_conversation: Erases a conversation from the tracker store (and its
                state from the store).
            store: The conversation state between turns (language, source, buttons,
                "not sure" count).
        """
        self._erase_conversation = erase_conversation
        self._rasa = rasa
        self._catalogs = catalogs
        self._detection = detection
        self._max_chars = max_message_chars
        self._store = store

    @property
    def store(self) -> ConversationStore:
        """Return the store of the state between turns (shared with the channels)."""
        return self._store

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
        payload = await self._store.button_payload(sender_id, token)
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
        await self._store.reset_unsure(sender_id)
        if source:
            conversation.source = source
            await self._store.save_source(sender_id, source)
        decision = self._decide(conversation, None, client_language, explicit_choice=language)
        replies = await self._send(sender_id, conversation, "/greet", decision, client_language)
        if topic_payload:
            decision = self._decide(conversation, None, client_language)
            replies += await self._send(
                sender_id, conversation, topic_payload, decision, client_language
            )
        return replies

    async def unsupported_content_reply(
        self, sender_id: str, *, client_language: str | None = None, edited: bool = False
    ) -> Reply:
        """Return the kind answer to a sticker, photo, file … or an edited message."""
        conversation = await self._conversation(sender_id)
        language = self._decide(conversation, None, client_language).language
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

    async def needs_handoff(self, sender_id: str, replies: Sequence[Reply]) -> bool:
        """Count the turn's "not sure" signal; return whether to hand it to a person.

        A person takes over when the user asked for one, or after
        :data:`UNSURE_TURNS_FOR_HANDOFF` turns in a row that the assistant was not sure
        about. The count is stored, so it holds across restarts and workers.
        """
        signals = frozenset().union(*(reply.signals for reply in replies))
        unsure = await self._store.count_unsure(sender_id, unsure=payloads.UNSURE in signals)
        if payloads.HANDOFF in signals or unsure >= UNSURE_TURNS_FOR_HANDOFF:
            await self._store.reset_unsure(sender_id)
            return True
        return False

    def _current_language(self, sender_id: str, client_language: str | None) -> str:
        """Return the conversation's language without reading anything (see bot.core.state)."""
        conversation = _Conversation(state=self._store.cached_language(sender_id))
        return self._decide(conversation, None, client_language).language

    async def _conversation(self, sender_id: str) -> _Conversation:
        stored = await self._store.load(sender_id)
        if stored is not None and stored.language is not None:
            state = LanguageState(stored.language, stored.language_explicit)
            return _Conversation(state=state, source=stored.source)
        conversation = _Conversation(source=stored.source if stored else None)
        # A conversation the store does not know yet (or one from before the store): its
        # language, if any, is in Rasa's slots.
        try:
            conversation.state = await self._rasa.language_state(sender_id)
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
            with metrics.timed_turn(sender_id):
                messages = await self._rasa.send(sender_id, message, metadata)
        except TurnNotSavedError:
            metrics.ERRORS.labels("turn_not_saved").inc()
            # Rasa's answer is withheld: it belongs to a turn the conversation does not
            # have, and inside a form the answer would be lost without the user knowing.
            logger.error("Rasa could not store a turn; the user is asked to send it again.")
            text = self._catalogs.pgettext(decision.language, *TURN_NOT_SAVED)
            return [Reply(text, decision.language)]
        except RasaUnavailableError as error:
            metrics.ERRORS.labels("rasa_unavailable").inc()
            logger.error("Rasa did not answer a message: %s", error)
            text = self._catalogs.pgettext(decision.language, *RASA_UNAVAILABLE)
            return [Reply(text, decision.language)]
        conversation.state = LanguageState(decision.language, decision.explicit)
        signals = payloads.signals_of(messages)
        if payloads.UNSURE in signals:
            metrics.FALLBACKS.labels(metrics.channel_of(sender_id)).inc()
        issued: dict[str, str] = {}
        replies = [self._reply(issued, item, decision.language) for item in messages]
        if payloads.asks_to_erase(messages):
            # Rasa has stored the turn by now; erase it and start afresh next time.
            await asyncio.to_thread(self._erase_conversation, sender_id)
            await self._store.forget(sender_id)
            await self._store.add_buttons(sender_id, issued)
        else:
            await self._store.save_turn(
                sender_id, conversation.state, source=conversation.source, buttons=issued
            )
        replies = [reply for reply in replies if reply.text or reply.choices]
        if replies and signals:
            replies[0] = dataclasses.replace(replies[0], signals=signals)
        if not replies:
            metrics.ERRORS.labels("empty_answer").inc()
            logger.error("Rasa answered a message with no reply.")
            text = self._catalogs.pgettext(decision.language, *EMPTY_ANSWER)
            return [Reply(text, decision.language)]
        return replies

    def _reply(self, issued: dict[str, str], message: dict[str, Any], language: str) -> Reply:
        choices = []
        for button in message.get("buttons") or ():
            # 8 random bytes: unguessable, and short enough for Telegram's 64-byte
            # callback data with our prefix.
            token = secrets.token_urlsafe(8)
            issued[token] = str(button.get("payload", ""))
            choices.append(Choice(title=str(button.get("title", "")), token=token))
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
