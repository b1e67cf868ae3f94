"""Russian, Ukrainian and Arabic typed in Latin letters (translit, Arabizi).

Lingua knows these languages only in their own scripts, so "privet, kak stat nastavnikom?"
or "ana 3ayez asajel" come out as Croatian, Turkish or nothing at all. These messages are
recognised by words that are frequent in them and rare in German, English and Turkish
(and, for Arabizi, by digits standing for Arabic letters inside Latin words). The lists
leave out words those languages share ("da", "net", "ya", "tak", "ana", "tamam"), and a
message needs at least two such words, a quarter of its words: one word decides nothing.
"""

from __future__ import annotations

import re

# Frequent Russian words in their usual Latin spellings.
RUSSIAN = frozenset(
    """
    kak chto shto chtoby mozhno mojno skolko hochu khochu hotel khotel pomogite privet
    zdravstvuyte zdravstvuite zdrastvuyte spasibo pozhaluysta pozhalujsta pojaluysta
    pozhalusta nuzhno nuzhen nuzhna nado menya mne mnoy mozhet mogu eto etot eta
    tozhe gde kogda pochemu kto rebenok rebenka rebyonok rebenku detey detyam
    nastavnik nastavnikom nastavniki nastavnika vremeni vremya dengi
    skazhite podskazhite horosho khorosho ili vy vas vam nas moy moi moego moemu moya
    esli uzhe tolko bolshe ochen seychas sejchas dobryy dobriy dobryi vecher utro poka
    svidaniya zapisatsya zapishite stat' rasskazhite chelovekom pogovorit dannye
    """.split()
)

# Frequent Ukrainian words in their usual Latin spellings.
UKRAINIAN = frozenset(
    """
    yak shcho scho mozhna khochu hochu pryvit vitayu dyakuyu diakuiu diakuyu dyakuju
    budlaska potribno potriben potribna meni chy tse yakshcho skilky koly chomu khto
    dytyna dytyny dytyni nastavnyk nastavnykom nastavnyka vy vam mene mozhu tezh duzhe
    yakyi yaka dobryi dobroho pohovoryty zapysatysia zapysatys staty rozkazhit
    """.split()
)

# Frequent dialect and standard Arabic words in Arabizi.
ARABIC = frozenset(
    """
    bidi baddi biddi 3awz 3ayez 3ayz 3awza 3ayza ayez momken mumkin momkin kifak kifik
    kifkon keefak shu shou wesh ezay ezayak ezayek aywa aiwa la2 shokran shukran
    yalla inshallah inchallah habibi ya3ni yaani lazem 3andi ma3a m3a
    enta inta enti inti ahlan marhaba 3alaykom ibni
    ebni ma3lesh maalesh abghi abgha emta feen leish mish msh
    kman kaman delwa2ti dilwa2ti baghi bghit dyal kayn mzyan bas2al es2al
    so2al soal 3ashan 3shan ana
    """.split()
)

# A digit standing for an Arabic letter: inside a word (ma3a, so2al), before at least
# three letters (3ayez, 7abibi) or after two (la2); the word needs a vowel. Numbers with
# German, English or Turkish endings typed without a space (3er, 7uhr, 2day, 3ten) are not.
_ARABIZI_DIGITS = re.compile(
    r"^(?=[a-z2-9]*[aeiou])(?:[a-z]+[23579][a-z]+[a-z0-9]*|[23579][a-z]{3,}|[a-z]{2,}[23579])$"
)
_NUMBER_WITH_ENDING = re.compile(
    r"^\d+(er|ers|ern|uhr|mal|day|days|am|pm|den|dan|ten|tan|de|da|te|ta|te|inci|nci|"
    r"uncu|ncu|ünc|yi|ye|ya|teki|deki|lik|lük|lı|li|lu)$"
)
_WORD = re.compile(r"[a-z0-9']+")
MIN_MARKERS = 2
MIN_SHARE = 0.25


def _is_ascii_latin(text: str) -> bool:
    letters = [char for char in text if char.isalpha()]
    return bool(letters) and all(char.isascii() for char in letters)


def _is_arabizi_digit_word(word: str) -> bool:
    return bool(_ARABIZI_DIGITS.match(word)) and not _NUMBER_WITH_ENDING.match(word)


def guess_romanised(text: str) -> str | None:
    """Return ``"ru"``, ``"uk"`` or ``"ar"`` if the message reads as one typed in Latin.

    Args:
        text: A user message.

    Returns:
        The language code, or ``None`` when the message has letters outside plain Latin,
        too few telling words, or as many Russian as Ukrainian ones.
    """
    if not _is_ascii_latin(text):
        return None
    words = _WORD.findall(text.casefold())
    if not words:
        return None
    scores = {
        "ru": sum(word in RUSSIAN for word in words),
        "uk": sum(word in UKRAINIAN for word in words),
        "ar": sum(word in ARABIC or _is_arabizi_digit_word(word) for word in words),
    }
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    (code, best), (_, second) = ranked[0], ranked[1]
    if best < MIN_MARKERS or best < MIN_SHARE * len(words) or best == second:
        return None
    return code
