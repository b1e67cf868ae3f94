"""The Latin view of Cyrillic and Arabic text the NLU's n-grams are also counted on."""

from __future__ import annotations

import pytest

from rasa_plugins.nlu.transliteration import to_latin, with_latin_view


@pytest.mark.parametrize(
    ("text", "latin"),
    [
        ("привет, как стать наставником?", "privet, kak stat nastavnikom?"),
        ("сколько времени это занимает", "skolko vremeni eto zanimaet"),
        ("хочу щуку, объявление", "hochu schuku, obyavlenie"),
        # Ukrainian rules once a letter only Ukrainian uses is there: г → h, и → y.
        ("привіт, як стати наставником?", "pryvit, yak staty nastavnykom?"),
        ("عايز اسجل", "3aiz asjl"),
        ("حبيبي خير", "7bibi 5ir"),
        ("Wie geht's?", "Wie geht's?"),
    ],
)
def test_cyrillic_and_arabic_get_the_informal_latin_spelling(text: str, latin: str) -> None:
    assert to_latin(text) == latin


def test_the_view_adds_the_latin_text_only_when_it_differs() -> None:
    assert with_latin_view("как дела") == "как дела kak dela"
    assert with_latin_view("how are you") == "how are you"
