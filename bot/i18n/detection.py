"""Offline detection of the language a message is written in (lingua)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from bot.i18n.languages import LANGUAGES
from bot.i18n.romanised import guess_romanised

# Languages we do not answer in but recognise, so that a French or Polish message
# gets the list of offered languages instead of a wrong guess. Chosen from the larger
# immigrant communities in Baden-Württemberg.
RECOGNISED_UNSUPPORTED = (
    "FRENCH", "SPANISH", "ITALIAN", "PORTUGUESE", "POLISH", "ROMANIAN", "CROATIAN",
    "SERBIAN", "BOSNIAN", "ALBANIAN", "GREEK", "BULGARIAN", "HUNGARIAN", "PERSIAN",
    "DUTCH", "VIETNAMESE", "CHINESE",
)  # fmt: skip

# E-mail addresses, web addresses and numbers say nothing about a language.
ADDRESSES = re.compile(r"\S+@\S+|https?://\S+|www\.\S+")
NOT_LANGUAGE = re.compile(ADDRESSES.pattern + r"|\d+")

# German programme words that users of every language type as they are. They say
# nothing about the writer's language, so they are left out before detection.
PROGRAMME_WORDS = re.compile(
    r"\b(pat(e|en|in|innen|enschaft\w*)|führungszeugnis\w*|fuhrungszeugnis\w*|"
    r"fuehrungszeugnis\w*|ehrenamt\w*|jugendamt\w*|landratsamt\w*|kita\w*)\b",
    re.IGNORECASE,
)

# Below this many letters a message is only judged by its script ("ok", "Hallo").
MIN_LETTERS = 6
# A supported language is taken when the detector, limited to supported languages,
# is at least this sure of it and this far ahead of the second guess.
MIN_CONFIDENCE = 0.65
MIN_LEAD = 0.35
# An unsupported language is reported only for longer, clear messages.
MIN_LETTERS_UNSUPPORTED = 12
MIN_CONFIDENCE_UNSUPPORTED = 0.6
# A message that reads as Russian, Ukrainian or Arabic typed in Latin letters (romanised.py)
# keeps lingua's answer only when lingua is at least this sure of another language: real
# German, English and Turkish sentences score 0.9 to 1.0, translit 0.5 to 0.85.
MAX_CONFIDENCE_AGAINST_ROMANISED = 0.9


@dataclass(frozen=True)
class Detection:
    """A confident detection result.

    Attributes:
        iso_code: ISO 639-1 code of the detected language (e.g. ``"tr"``, ``"fr"``).
        supported_code: Our language code if we answer in that language, else ``None``.
    """

    iso_code: str
    supported_code: str | None


def _letters(text: str) -> list[str]:
    return [char for char in text if unicodedata.category(char).startswith("L")]


def _is_latin(char: str) -> bool:
    return unicodedata.name(char, "").startswith("LATIN")


def _strip_mixed_script(text: str) -> str:
    """Drop Latin-script words from a message mostly written in another script.

    People writing Arabic or Cyrillic often put German terms in Latin letters in the
    middle ("كيف احصل على Führungszeugnis"); those words must not decide the language.
    """
    letters = _letters(text)
    non_latin = sum(1 for char in letters if not _is_latin(char))
    if not letters or non_latin / len(letters) < 0.3:
        return text
    words = text.split()
    return " ".join(word for word in words if not any(_is_latin(char) for char in word))


def _script_only(letters: list[str]) -> str | None:
    """Judge a very short message by letters that belong to one supported language."""
    if all(unicodedata.name(char, "").startswith("ARABIC") for char in letters):
        return "ar"
    if any(char in "іїєґІЇЄҐ" for char in letters):
        return "uk"
    if any(char in "ыэъЫЭЪ" for char in letters):
        return "ru"
    if any(char in "ğışİĞŞ" for char in letters):
        return "tr"
    return None


class LanguageDetection:
    """Detects the language of a message among supported and recognised languages."""

    def __init__(self, place_names: Sequence[str] = ()) -> None:
        """Create a detector.

        Args:
            place_names: The district's towns; like programme words they are ignored,
                since people of every language type them as they are.
        """
        names = sorted(place_names, key=len, reverse=True)
        self._places = (
            re.compile("|".join(re.escape(name) for name in names), re.IGNORECASE)
            if names
            else None
        )

    @cached_property
    def _supported_detector(self) -> LanguageDetector:
        names = sorted({lang.detector_name for lang in LANGUAGES if lang.detector_name})
        return LanguageDetectorBuilder.from_languages(
            *(getattr(Language, name) for name in names)
        ).build()

    @cached_property
    def _wide_detector(self) -> LanguageDetector:
        names = {lang.detector_name for lang in LANGUAGES if lang.detector_name}
        names.update(RECOGNISED_UNSUPPORTED)
        return LanguageDetectorBuilder.from_languages(
            *(getattr(Language, name) for name in sorted(names))
        ).build()

    @cached_property
    def _code_by_detector_name(self) -> dict[str, str]:
        return {lang.detector_name: lang.code for lang in LANGUAGES if lang.detector_name}

    def detect(self, text: str) -> Detection | None:
        """Return the message's language if it is clear enough, else ``None``.

        Short or ambiguous messages return ``None`` so that the caller keeps the
        conversation's current language.
        """
        cleaned = PROGRAMME_WORDS.sub(" ", NOT_LANGUAGE.sub(" ", text))
        if self._places:
            cleaned = self._places.sub(" ", cleaned)
        cleaned = _strip_mixed_script(cleaned)
        letters = _letters(cleaned)
        if not letters:
            return None
        if len(letters) < MIN_LETTERS:
            code = _script_only(letters)
            return Detection(iso_code=code, supported_code=code) if code else None
        values = self._supported_detector.compute_language_confidence_values(cleaned)
        best, second = values[0], values[1].value if len(values) > 1 else 0.0
        # Digits stay for this one: in Arabizi they stand for letters (3 = ع).
        romanised = guess_romanised(ADDRESSES.sub(" ", text))
        if romanised and best.value < MAX_CONFIDENCE_AGAINST_ROMANISED:
            return Detection(iso_code=romanised, supported_code=romanised)
        unsupported = self._unsupported(cleaned, len(letters))
        if unsupported:
            return unsupported
        if best.value < MIN_CONFIDENCE or best.value - second < MIN_LEAD:
            return None
        code = self._code_by_detector_name[best.language.name]
        return Detection(iso_code=best.language.iso_code_639_1.name.lower(), supported_code=code)

    def _unsupported(self, text: str, letter_count: int) -> Detection | None:
        if letter_count < MIN_LETTERS_UNSUPPORTED:
            return None
        values = self._wide_detector.compute_language_confidence_values(text)
        best, second = values[0], values[1].value if len(values) > 1 else 0.0
        if best.language.name in self._code_by_detector_name:
            return None
        if best.value < MIN_CONFIDENCE_UNSUPPORTED or best.value < 2 * second:
            return None
        return Detection(iso_code=best.language.iso_code_639_1.name.lower(), supported_code=None)
