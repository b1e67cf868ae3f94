"""Message catalogs and the one decision about which language to answer in."""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from pathlib import Path

from babel.support import Translations

from bot.language_detection import LanguageDetection
from bot.languages import (
    LANGUAGES,
    SOURCE_LANGUAGE,
    get_language,
    is_supported,
    match_client_language,
)

GETTEXT_DOMAIN = "patenbot"


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "translate later"
    """Mark a message for extraction; it is translated where it is shown."""
    return message


def NC_(context: str, message: str) -> tuple[str, str]:  # noqa: N802 - gettext convention
    """Mark a message with its context (``msgctxt``) for extraction; translate it later."""
    return context, message


def NPC_(context: str, singular: str, plural: str) -> tuple[str, str, str]:  # noqa: N802
    """Mark a message with a number (``msgid_plural``) and its context; translate it later.

    The result is passed on as ``catalogs.npgettext(language, *message, n)``.
    """
    return context, singular, plural


class CatalogError(RuntimeError):
    """A compiled catalog is missing; run ``make catalogs``."""


class Catalogs:
    """The compiled gettext catalogs of every supported language."""

    def __init__(self, locale_dir: Path) -> None:
        """Load the compiled catalog (``.mo``) of every language but the source.

        Raises:
            CatalogError: If a compiled catalog is missing.
        """
        self._translations: dict[str, gettext.NullTranslations] = {}
        for language in LANGUAGES:
            if language.code == SOURCE_LANGUAGE:
                self._translations[language.code] = gettext.NullTranslations()
                continue
            path = locale_dir / language.locale / "LC_MESSAGES" / f"{GETTEXT_DOMAIN}.mo"
            if not path.is_file():
                raise CatalogError(f"Missing compiled catalog {path}; run 'make catalogs'.")
            with path.open("rb") as handle:
                self._translations[language.code] = Translations(handle, domain=GETTEXT_DOMAIN)

    @classmethod
    def source(cls) -> Catalogs:
        """Return catalogs of the source language only (German: the texts themselves).

        For the coordinators' texts, which are always German, where the compiled
        catalogs of the other languages are not needed (e.g. when a registration is
        saved or on the command line).
        """
        catalogs = cls.__new__(cls)
        catalogs._translations = {SOURCE_LANGUAGE: gettext.NullTranslations()}
        return catalogs

    def gettext(self, language: str, message: str) -> str:
        """Translate ``message`` into ``language``."""
        return self._translations[language].gettext(message)

    def pgettext(self, language: str, context: str, message: str) -> str:
        """Translate ``message`` with its ``context`` into ``language``."""
        return self._translations[language].pgettext(context, message)

    def ngettext(self, language: str, singular: str, plural: str, n: int) -> str:
        """Translate a message with a number into the form ``language`` uses for ``n``."""
        return self._translations[language].ngettext(singular, plural, n)

    def npgettext(self, language: str, context: str, singular: str, plural: str, n: int) -> str:
        """Translate a message with a number and a ``context``, in the form for ``n``.

        The catalog's ``Plural-Forms`` header picks the form (Russian has three, Arabic
        six, Turkish one); German, the source, uses ``singular`` for 1 and ``plural``
        otherwise. The result still has its ``{placeholders}``; format it afterwards.
        """
        return self._translations[language].npgettext(context, singular, plural, n)


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
