"""Latin views of Cyrillic and Arabic text, as people type Russian, Ukrainian and Arabic in Latin.

Many users have no Cyrillic or Arabic keyboard at hand and write "privet, kak stat
nastavnikom?" or "ana 3ayez a3raf". The text model counts n-grams; with these views a
Cyrillic training example and its Latin-typed twin share n-grams. The tables follow the
informal habits (zh, sh, ch, shch → sch, ya, yu; Arabizi digits 2, 3, 5, 7, 9 for
ء, ع, خ, ح, ق), not a formal standard, and are applied after :func:`normalise`
(casefolded, accents and Arabic short vowels already gone). Hand-written, because the
Rasa environment cannot take new packages easily.
"""

from __future__ import annotations

import re

# Russian: the common informal Latin typing (х → h as in "hochu", soft and hard signs dropped).
_RUSSIAN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "sch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
}  # fmt: skip

# Ukrainian differs where its letters sound differently: г is h, и is y, і is i.
_UKRAINIAN = _RUSSIAN | {
    "г": "h", "ґ": "g", "и": "y", "і": "i", "ї": "yi", "є": "ye", "й": "y", "'": "", "’": "",
}  # fmt: skip

# Arabic letters → Arabizi (و → o and ي → i as long vowels; see _WAW_AT_START). Hamza
# forms were already folded by accent stripping (أ → ا), ta marbuta to ha and alef
# maqsura to ya by the normaliser.
_ARABIC = {
    "ء": "2", "ا": "a", "آ": "a", "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "7",
    "خ": "5", "د": "d", "ذ": "z", "ر": "r", "ز": "z", "س": "s", "ش": "sh", "ص": "s",
    "ض": "d", "ط": "t", "ظ": "z", "ع": "3", "غ": "gh", "ف": "f", "ق": "9", "ك": "k",
    "ل": "l", "م": "m", "ن": "n", "ه": "h", "و": "o", "ي": "i", "ى": "a", "ة": "a",
    "ؤ": "2", "ئ": "2", "پ": "p", "چ": "ch", "گ": "g", "ڤ": "v", "؟": "?", "،": ",",
}  # fmt: skip

_UKRAINIAN_ONLY = frozenset("іїєґ")
# و and ي are mostly long vowels, typed o/ou and i (habibi, mo2men); at the start of a
# word و is "and" or a consonant, typed w.
_WAW_AT_START = re.compile(r"(?<!\w)و")
_RUSSIAN_TABLE = str.maketrans(_RUSSIAN)
_UKRAINIAN_TABLE = str.maketrans(_UKRAINIAN)
_ARABIC_TABLE = str.maketrans(_ARABIC)


def has_cyrillic(text: str) -> bool:
    """Whether the text has a Cyrillic letter."""
    return any("\u0400" <= char <= "\u04ff" for char in text)


def has_arabic(text: str) -> bool:
    """Whether the text has an Arabic letter."""
    return any("\u0600" <= char <= "\u06ff" for char in text)


def cyrillic_to_latin(text: str) -> str:
    """Return the text with only its Cyrillic letters in the informal Latin typing."""
    if not has_cyrillic(text):
        return text
    table = _UKRAINIAN_TABLE if any(c in _UKRAINIAN_ONLY for c in text) else _RUSSIAN_TABLE
    return text.translate(table)


def to_latin(text: str) -> str:
    """Return the text with Cyrillic and Arabic letters in the informal Latin typing.

    Args:
        text: Normalised (casefolded) text; other scripts pass unchanged.

    Returns:
        The Latin view; Ukrainian spelling rules when the text has a letter only
        Ukrainian uses, Russian ones otherwise.
    """
    text = cyrillic_to_latin(text)
    if has_arabic(text):
        text = _WAW_AT_START.sub("w", text).translate(_ARABIC_TABLE)
    return text


def with_latin_view(text: str) -> str:
    """Return the text followed by its Latin view when the two differ (a second view)."""
    latin = to_latin(text)
    return text if latin == text else f"{text} {latin}"
