"""Who is asking, a mentor or a family: from the message itself, else from the conversation."""

from __future__ import annotations

import re

from rasa_sdk import Tracker

AUDIENCES = frozenset({"mentor", "family"})
# Word beginnings that show a parent asking (my child, son, daughter, family, parents),
# in our languages. Arabic words carry prefixes and suffixes (لابني، طفلي), so Arabic
# stems are found anywhere in a word.
FAMILY_STEMS = (
    "kind", "sohn", "tochter", "famili", "eltern",
    "child", "son", "daughter", "kid", "famil", "parent",
    "çocu", "oğl", "kızım", "aile", "veli", "ebeveyn",
    "дитин", "діт", "дочк", "донь", "син", "сім", "родин", "батьк",
    "ребен", "ребён", "дет", "сын", "доч", "семь", "родител",
)  # fmt: skip
ARABIC_FAMILY_STEMS = ("طفل", "ابن", "بنت", "أولاد", "اولاد", "عائل", "أسرت", "اسرت")
# Phrases that show a (future) mentor asking: "as a mentor", "volunteer".
MENTOR_PHRASES = (
    "als pate", "als patin", "ehrenamt", "as a mentor", "volunteer", "pate olarak",
    "patin olarak", "gönüllü", "كراع", "متطوع", "як наставни", "волонтер", "как наставни",
    "волонтёр",
)  # fmt: skip
# Short stems that begin other words too ("son" in "sonra", "дет" in "детали") match
# only short words ("sons", "сына", "дети").
SHORT_STEMS = frozenset({"son", "kid", "син", "сын", "дет"})


def _is_family_word(word: str) -> bool:
    if any(stem in word for stem in ARABIC_FAMILY_STEMS):
        return True
    return any(
        word.startswith(stem) and (stem not in SHORT_STEMS or len(word) <= len(stem) + 2)
        for stem in FAMILY_STEMS
    )


def _names_family(text: str) -> bool:
    # English "what kind of …" is no child ("Kind" in German is).
    return any(_is_family_word(word) for word in re.findall(r"\w+", text.replace("kind of", "")))


def audience_named_in(text: str) -> str | None:
    """Return the audience a message names itself ("my son", "as a mentor"), or ``None``.

    ``None`` also when it names both, e.g. a mentor asking about the child's family.
    """
    folded = text.casefold()
    family = _names_family(folded)
    mentor = any(phrase in folded for phrase in MENTOR_PHRASES)
    if family == mentor:
        return None
    return "family" if family else "mentor"


def conversation_audience(tracker: Tracker) -> str | None:
    """Return who is asking as far as the conversation shows it, or ``None``.

    The ``audience`` slot (the latest audience-specific topic or registration), then
    the kind of a registration, then a deep link's audience (``family_ar``).
    """
    for value in (tracker.get_slot("audience"), tracker.get_slot("reg_kind")):
        if value in AUDIENCES:
            return str(value)
    metadata = tracker.latest_message.get("metadata") or {}
    parts = re.split(r"[_-]", str(metadata.get("source") or "").lower())
    return next((part for part in parts if part in AUDIENCES), None)
