"""Validators of the registration forms."""

from __future__ import annotations

import pytest

from actions.validators import (
    clean_name,
    looks_like_question_or_command,
    match_municipality,
    normalise_email,
    normalise_phone,
    parse_languages,
)
from bot.nlg.district import District


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("07031 663-0", "+49 7031 6630"),
        ("0170/1234567", "+49 170 1234567"),
        ("+90 532 123 45 67", "+90 532 123 45 67"),
        ("0049 170 1234567", "+49 170 1234567"),
        ("12345", None),
        ("call me", None),
        ("", None),
    ],
)
def test_phone_numbers_german_and_international(typed: str, expected: str | None) -> None:
    assert normalise_phone(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Ayse@Example.org", "Ayse@example.org"),
        (" fatima.k@mail.de ", "fatima.k@mail.de"),
        ("nope@", None),
        ("a b@c.de", None),
        ("@example.org", None),
    ],
)
def test_email_addresses(typed: str, expected: str | None) -> None:
    assert normalise_email(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("Ayşe", "Ayşe"), ("  Ali   Reza ", "Ali Reza"), ("فاطمة", "فاطمة"), ("Олена", "Олена")],
)
def test_names_are_kept_as_written(typed: str, expected: str) -> None:
    assert clean_name(typed) == expected


@pytest.mark.parametrize("typed", ["", "1234", "a", "x" * 101, "me@example.org", "😀😀"])
def test_non_names_are_refused(typed: str) -> None:
    assert clean_name(typed) is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Böblingen", "Böblingen"),
        ("Boblingen", "Böblingen"),
        ("boeblingen", "Böblingen"),
        ("Sindelfngen", "Sindelfingen"),
        ("Зиндельфинген", "Sindelfingen"),
        ("weil im schoenbuch", "Weil im Schönbuch"),
        ("Weißach", "Weissach"),
        ("Гертринген", "Gärtringen"),
        ("Stuttgart", None),
        ("", None),
    ],
)
def test_municipalities_match_tolerantly(
    district: District, typed: str, expected: str | None
) -> None:
    assert match_municipality(typed, district.municipalities) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Türkisch, Deutsch", ["tr", "de"]),
        ("arabisch und kurdisch", ["ar", "ku"]),
        ("Türkçe ve Almanca", ["tr", "de"]),
        ("العربية والألمانية", ["ar", "de"]),
        ("українська, російська", ["uk", "ru"]),
        ("русский и немецкий", ["ru", "de"]),
        ("English", ["en"]),
        ("tr, de", ["tr", "de"]),
        ("Farsça", ["fa"]),
        ("nothing here", []),
    ],
)
def test_languages_become_iso_codes(typed: str, expected: list[str]) -> None:
    assert parse_languages(typed) == expected


@pytest.mark.parametrize(
    "name",
    [
        "Ayşe Yılmaz", "Can", "Kim", "Kim Mi Ra", "Ngo Thi Minh", "Do Van Long", "Will Smith",
        "Maria de los Angeles Garcia", "Wie Ling Chen", "Anna-Lena", "فاطمة الزهراء", "محمد",
        "Олена Коваленко", "Анна-Мария Де Ла Круз", "Ли Мин Хо", "Mehmet Can Öztürk",
    ],
)  # fmt: skip
def test_real_names_in_every_script_are_not_taken_for_questions(name: str) -> None:
    assert not looks_like_question_or_command(name)


@pytest.mark.parametrize(
    "typed",
    [
        "Was ist eine Patenschaft?", "/delete_my_data", "What does it cost", "ما هي الرعاية؟",
        "Что такое наставничество", "Скільки це коштує", "Patenlik nedir?",
        "Bu ücretli mı", "Nasıl pate olurum",
    ],
)  # fmt: skip
def test_questions_and_commands_are_not_names(typed: str) -> None:
    assert looks_like_question_or_command(typed)
