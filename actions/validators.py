"""Validation of what people type into the registration forms. Pure functions."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache

import phonenumbers
from anyascii import anyascii
from babel import Locale
from email_validator import EmailNotValidError, validate_email
from rapidfuzz import fuzz, process

from bot.core.safe_text import clean_input
from bot.i18n.languages import LANGUAGES

DEFAULT_REGION = "DE"
MAX_NAME_LENGTH = 100
# A municipality is accepted when the fuzzy score reaches this (0-100).
MUNICIPALITY_MIN_SCORE = 85
LANGUAGE_MIN_SCORE = 88
OTHER_MUNICIPALITY = "other"


def normalise_phone(text: str) -> str | None:
    """Return the number in international format, or ``None`` if it is not valid.

    German numbers may be written nationally ("07031 663-0"); others need their
    country code ("+90 532 …").
    """
    try:
        number = phonenumbers.parse(text.strip(), DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def normalise_email(text: str) -> str | None:
    """Return the e-mail address in normal form, or ``None`` if its syntax is invalid."""
    try:
        return validate_email(text.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def clean_name(text: str) -> str | None:
    """Return the name to address someone by, or ``None`` if it is not a name."""
    name = " ".join(clean_input(text).split())
    if not name or len(name) > MAX_NAME_LENGTH:
        return None
    letters = sum(1 for char in name if unicodedata.category(char).startswith("L"))
    if letters < 2 or any(char.isdigit() for char in name) or "@" in name:
        return None
    return name


def clean_free_text(text: str, limit: int) -> str:
    """Return an optional free-text answer on one line, cleaned, at most ``limit`` characters."""
    return " ".join(clean_input(text).split())[:limit]


QUESTION_MARKS = frozenset("?؟¿")
# Words that open a question in our languages. Only unambiguous ones: words that are
# also names somewhere ("Kim", "Can", "Will", "Ли", "Ma", "Do") are left out, and a
# question word alone ("Wie", "Ne") is never enough; "de"/"де" opens names too.
QUESTION_WORDS = frozenset(
    """
    was wer wie wo wann warum wieso weshalb welche welcher welches wozu woher wohin
    kann kostet muss gibt darf brauche
    what who how where when why which does
    ne nasıl neden niçin nerede nereye hangi kaç
    ماذا ما من كيف أين متى لماذا هل كم
    що хто як коли чому навіщо який яка яке які скільки чи
    что кто как где когда почему зачем какой какая какое какие сколько
    """.split()
)
# Turkish asks with a particle after the word ("ücretli mı"); "mi" and "mu" are left
# out because they are parts of names too ("Kim Mi Ra").
QUESTION_PARTICLES = frozenset({"mı", "mü", "misin", "mısın", "musun", "müsün"})
MIN_QUESTION_WORDS = 3


def looks_like_question_or_command(text: str) -> bool:
    """Return whether a text meant as a name is clearly a question or a command.

    A command starts with "/"; a question has a question mark (Latin, Arabic or
    Spanish) or, in three words or more, starts with a question word or has a Turkish
    question particle ("Was ist eine Patenschaft", "Bu ücretli mı"). Names of one or
    two words are never taken for a question without a question mark.
    """
    stripped = text.strip()
    if stripped.startswith("/") or any(char in QUESTION_MARKS for char in stripped):
        return True
    words = [word.strip(".,!:;\"'«»„“”") for word in stripped.split()]
    words = [word for word in words if word]
    if len(words) < MIN_QUESTION_WORDS or all(word[0].isupper() for word in words):
        # Every word capitalised is how names are written ("Wie Ling Chen"); questions
        # have small words ("ist", "eine"). Scripts without case fall through.
        return False
    words = [word.casefold() for word in words]
    return words[0] in QUESTION_WORDS or any(word in QUESTION_PARTICLES for word in words[1:])


def _fold(text: str) -> str:
    """Fold text for tolerant matching: transliterate, drop umlaut e's, casefold."""
    ascii_text = anyascii(text).casefold()
    ascii_text = re.sub(r"(?<=[aou])e", "", ascii_text)  # "Boeblingen" = "Böblingen"
    return re.sub(r"[^a-z ]", "", ascii_text).strip()


def match_municipality(text: str, municipalities: Sequence[str]) -> str | None:
    """Return the district municipality meant by ``text``.

    Tolerates typos, missing umlauts and other scripts ("Boblingen", "Зиндельфинген").

    Returns:
        The official name, or ``None`` if nothing matches well enough.
    """
    query = _fold(text)
    if not query:
        return None
    choices = {_fold(name): name for name in municipalities}
    best = process.extractOne(query, list(choices), scorer=fuzz.ratio)
    if best is None or best[1] < MUNICIPALITY_MIN_SCORE:
        return None
    return choices[best[0]]


def is_language_code(code: str) -> bool:
    """Return whether ``code`` is an ISO 639-1 code of a language we can name."""
    return code in _language_names().values()


@cache
def _language_names() -> dict[str, str]:
    """Map folded language names, in every supported UI language, to ISO 639-1 codes."""
    names: dict[str, str] = {}
    for ui_language in LANGUAGES:
        locale = Locale.parse(ui_language.locale.split("@")[0])
        for code, name in locale.languages.items():
            if len(code) == 2:
                names.setdefault(_fold(name), code)
    return names


def parse_languages(text: str) -> list[str]:
    """Return the ISO 639-1 codes of the languages named in ``text`` (any UI language).

    Names may be separated by commas, "and", spaces; ISO codes are accepted as they are.
    """
    names = _language_names()
    found: list[str] = []
    for part in re.split(r"[,;/+&\n]|\s(?:und|and|ve|і|и|та)\s|\sو", text):
        for candidate in _candidates(part):
            code = _language_code(candidate, names)
            if code and code not in found:
                found.append(code)
                break
    return found


def _candidates(part: str) -> Iterable[str]:
    folded = _fold(part)
    if folded:
        yield folded
        yield from folded.split()


def _language_code(candidate: str, names: dict[str, str]) -> str | None:
    if candidate in names:
        return names[candidate]
    if len(candidate) == 2 and candidate in names.values():
        return candidate
    if len(candidate) < 4:
        return None
    best = process.extractOne(candidate, list(names), scorer=fuzz.ratio)
    if best is None or best[1] < LANGUAGE_MIN_SCORE:
        return None
    return names[best[0]]
