"""The Standard Arabic view of dialect words the NLU's n-grams are also counted on."""

from __future__ import annotations

import pytest

from rasa_plugins.nlu.arabic_dialects import standard_arabic_words, with_standard_arabic
from rasa_plugins.nlu.transliteration import to_latin

# The text model's normaliser needs scikit-learn's environment (.venv-rasa); the inputs
# here are written as it leaves them: casefolded, hamza forms folded, ة → ه, ى → ي.


@pytest.mark.parametrize(
    ("text", "words"),
    [
        # "I want to register now" in Levantine, Egyptian, Gulf and Maghrebi.
        ("بدي سجل هلق", ["اريد", "الان"]),
        ("عايز اسجل دلوقتي", ["اريد", "الان"]),
        ("ابغي اسجل الحين", ["اريد", "الان"]),
        ("بغيت نتسجل دابا", ["اريد", "الان"]),
        # Arabizi, and و ("and") glued to the word.
        ("bade e7ki ma3 7ada", ["اريد", "اتكلم", "احد"]),
        ("وشلون اقدم؟", ["كيف"]),
        ("ليش لازم المرشد يجيب ورقه؟", ["لماذا", "يجب", "راعي"]),
    ],
)
def test_dialect_words_get_their_standard_arabic_word(text: str, words: list[str]) -> None:
    assert standard_arabic_words(text) == words


@pytest.mark.parametrize(
    "text",
    [
        "اريد ان اصبح راعيا",  # already Standard Arabic
        "ich mochte pate werden, ist das fein?",
        "how much time does it take",
        "merhaba, gonullu olmak icin ne lazim?",
    ],
)
def test_other_text_is_left_as_it_is(text: str) -> None:
    assert with_standard_arabic(text) == text


def test_the_standard_words_are_appended_and_share_the_latin_view() -> None:
    viewed = with_standard_arabic("عايز اسجل")
    assert viewed == "عايز اسجل اريد"
    # The Latin view (transliterate: replace) then gives MSA and dialect one word, arid.
    assert to_latin(viewed).split()[-1] == to_latin("اريد")
