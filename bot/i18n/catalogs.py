"""Message catalogs: gettext translations per language and the marker functions."""

from __future__ import annotations

import gettext
from pathlib import Path

from babel.support import Translations

from bot.i18n.languages import (
    LANGUAGES,
    SOURCE_LANGUAGE,
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
