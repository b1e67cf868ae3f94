"""The languages Patenbot speaks: the one list to extend when a language is added."""

from __future__ import annotations

from dataclasses import dataclass

from babel import Locale


@dataclass(frozen=True)
class SupportedLanguage:
    """One language the assistant answers in.

    Attributes:
        code: Stable short code used in slots, payloads, deep links and the CLI.
        locale: Babel locale identifier; also the catalog folder under ``locale/``.
        detector_name: Name of the ``lingua.Language`` that detects it, or ``None``
            if it is only chosen explicitly (plain German looks like German).
        own_name: Override for the language's name in itself, where CLDR has none.
    """

    code: str
    locale: str
    detector_name: str | None
    own_name: str | None = None

    @property
    def babel_locale(self) -> Locale:
        """Return the Babel locale used to format dates and numbers."""
        return Locale.parse(self.locale)

    @property
    def native_name(self) -> str:
        """Return the language's name written in the language itself."""
        if self.own_name:
            return self.own_name
        name = self.babel_locale.get_display_name(self.babel_locale) or self.code
        return name[:1].upper() + name[1:]

    @property
    def is_rtl(self) -> bool:
        """Return whether the language is written right to left."""
        return self.babel_locale.character_order == "right-to-left"


SOURCE_LANGUAGE = "de"

# To add a language: add a line here, a catalog (make add-language LANG=<locale>)
# and training data under nlu_data/<code>/ (see README, "Adding a language").
LANGUAGES: tuple[SupportedLanguage, ...] = (
    SupportedLanguage("de", "de", "GERMAN"),
    SupportedLanguage("de-plain", "de@plain", None, own_name="Einfache Sprache"),
    SupportedLanguage("en", "en", "ENGLISH"),
    SupportedLanguage("tr", "tr", "TURKISH"),
    SupportedLanguage("ar", "ar", "ARABIC"),
    SupportedLanguage("uk", "uk", "UKRAINIAN"),
    SupportedLanguage("ru", "ru", "RUSSIAN"),
)

_BY_CODE = {language.code: language for language in LANGUAGES}


def get_language(code: str) -> SupportedLanguage:
    """Return the supported language with this code.

    Raises:
        KeyError: If the code is not supported.
    """
    return _BY_CODE[code]


def is_supported(code: str | None) -> bool:
    """Return whether ``code`` names a supported language."""
    return code in _BY_CODE


def match_client_language(tag: str | None) -> str | None:
    """Map a client's language tag (e.g. Telegram's ``language_code``) to a supported code.

    Args:
        tag: An IETF tag such as ``"tr"``, ``"de-AT"`` or ``"pt-br"``.

    Returns:
        The supported language code, or ``None`` if the tag names none.
    """
    if not tag:
        return None
    primary = tag.replace("_", "-").split("-")[0].lower()
    return primary if primary in _BY_CODE else None
