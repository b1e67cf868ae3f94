"""The one decision about which language to answer in, used by every channel."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n.detection import LanguageDetection
from bot.i18n.languages import (
    SOURCE_LANGUAGE,
    get_language,
    is_supported,
    match_client_language,
)


@dataclass(frozen=True)
class LanguageState:
    """The conversation's language as stored in its ``language`` slots."""

    language: str
    explicit: bool = False


@dataclass(frozen=True)
class LanguageDecision:
    """Which language to answer a message in.

    Attributes:
        language: Supported language code to reply in.
        explicit: Whether the user chose it explicitly (detection no longer overrides it).
        unsupported: ISO code of the message's language if it is one we do not speak.
    """

    language: str
    explicit: bool
    unsupported: str | None = None


MIN_WORDS_TO_SWITCH = 3
"""A conversation changes language only on a message of at least this many words."""


def _word_count(text: str) -> int:
    return sum(1 for word in text.split() if any(char.isalpha() for char in word))


def resolve_language(
    text: str | None,
    *,
    state: LanguageState | None,
    client_hint: str | None,
    detection: LanguageDetection,
    explicit_choice: str | None = None,
) -> LanguageDecision:
    """Decide the reply language; the only place in Patenbot that does.

    Precedence: an explicit choice by the user, then the language of this message when
    it is detected with confidence, then the conversation's current language, then the
    client's language hint (e.g. Telegram's ``language_code``), then German. Leaving the
    current language takes a message of at least three words, so that names, e-mail
    addresses and towns typed into a form do not switch it.

    Args:
        text: The user's message, or ``None`` for a button press or command.
        state: The conversation's language so far, or ``None`` at first contact.
        client_hint: The language tag the client reports, if any.
        detection: The language detector.
        explicit_choice: A language the user just picked (language button or command).
    """
    if state and not is_supported(state.language):
        state = None  # a language that was removed from the list since
    if explicit_choice and is_supported(explicit_choice):
        return LanguageDecision(get_language(explicit_choice).code, explicit=True)
    detected = detection.detect(text) if text else None
    unsupported = detected.iso_code if detected and not detected.supported_code else None
    if state and state.explicit:
        return LanguageDecision(state.language, explicit=True, unsupported=unsupported)
    switching = (
        state is not None and detected is not None and (detected.supported_code != state.language)
    )
    if switching and _word_count(text or "") < MIN_WORDS_TO_SWITCH:
        # A name, e-mail address or town typed into a form must not switch the language.
        detected = None
    if detected and detected.supported_code:
        return LanguageDecision(detected.supported_code, explicit=False)
    if state:
        return LanguageDecision(state.language, explicit=False, unsupported=unsupported)
    fallback = match_client_language(client_hint) or SOURCE_LANGUAGE
    return LanguageDecision(fallback, explicit=False, unsupported=unsupported)
