"""Shaping text for Telegram: message length limits and the parse mode."""

from __future__ import annotations

import html
import re

from telegram.constants import MessageLimit

from bot.core.safe_text import displayable

# Replies are sent without a parse mode, so user text needs no escaping there. Messages
# to the coordinators' group use HTML; everything a user wrote goes through escape().
MAX_MESSAGE_CHARS = int(MessageLimit.MAX_TEXT_LENGTH)
_SENTENCE_END = re.compile(r"(?<=[.!?؟。…])\s+|\n+")


def escape(text: str) -> str:
    """Escape user text for Telegram's HTML parse mode.

    Control and bidi-override characters become U+FFFD, so that what a person wrote
    cannot reorder the coordinators' message around it; line breaks stay.
    """
    return html.escape(displayable(text, keep_newlines=True), quote=False)


def plain(text: str) -> str:
    """Return stored text for a message without parse mode (e.g. a notification)."""
    return displayable(text, keep_newlines=True)


def split_message(text: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Split a text into Telegram messages of at most ``limit`` characters.

    Cuts fall at sentence or line ends where possible, else at a space, else anywhere.
    """
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for sentence in _pieces(text, limit):
        joined = f"{current} {sentence}" if current else sentence
        if len(joined) <= limit:
            current = joined
            continue
        if current:
            parts.append(current)
        current = sentence
    if current:
        parts.append(current)
    return parts


def _pieces(text: str, limit: int) -> list[str]:
    """Return sentences, each cut further at spaces (or hard) if longer than ``limit``."""
    pieces = []
    for sentence in (part.strip() for part in _SENTENCE_END.split(text)):
        while len(sentence) > limit:
            cut = sentence.rfind(" ", 0, limit + 1)
            cut = cut if cut > 0 else limit
            pieces.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if sentence:
            pieces.append(sentence)
    return pieces
