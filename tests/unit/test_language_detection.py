"""Offline language detection on typical chat messages."""

from __future__ import annotations

import pytest

from bot.i18n.detection import LanguageDetection

SUPPORTED_LANGUAGES = [
    ("Wie viel Zeit muss ich als Patin mitbringen?", "de"),
    ("How much time do I need as a mentor?", "en"),
    ("Merhaba", "tr"),
    ("Patenlik nedir?", "tr"),
    ("cocugum icin pate istiyorum", "tr"),
    ("ما هي الرعاية؟", "ar"),
    ("كيف احصل على Führungszeugnis", "ar"),
    ("Привіт, як стати патом?", "uk"),
    ("Как стать наставником для ребёнка?", "ru"),
    ("Привіт", "uk"),
]


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Bonjour, comment devenir parrain pour un enfant?", "fr"),
        ("Czy mogę zostać mentorem dla dziecka?", "pl"),
        ("Quiero ser mentor, ¿cómo funciona?", "es"),
    ],
)
def test_unsupported_languages_are_recognised(
    detection: LanguageDetection, text: str, iso: str
) -> None:
    result = detection.detect(text)
    assert result is not None
    assert (result.iso_code, result.supported_code) == (iso, None)


@pytest.mark.parametrize("text", ["", "ok", "Hallo", "😀😀😀", "12345", "Führungszeugnis"])
def test_short_or_ambiguous_messages_are_not_judged(
    detection: LanguageDetection, text: str
) -> None:
    assert detection.detect(text) is None


LATIN_LETTERS = [
    ("privet, ya hochu stat nastavnikom", "ru"),
    ("zdravstvuyte, mozhno pogovorit s chelovekom?", "ru"),
    ("skazhite pozhaluysta, skolko eto stoit", "ru"),
    ("pryvit, yak staty nastavnykom?", "uk"),
    ("dobryi den, chy potribno shcho platyty?", "uk"),
    ("ana 3ayez asajel esmi", "ar"),
    ("kifak, bidi es2al 3an el barnameg", "ar"),
    ("momken a3raf aktar 3an el mentor?", "ar"),
]


# German, English and Turkish never become Russian, Ukrainian or Arabic in Latin letters.
NOT_LATIN_LETTERS = [
    # Words that are also translit or Arabizi markers elsewhere, numbers with endings.
    ("Ana und ich wollen Paten werden, wie geht das?", "de"),
    ("Ja, das Treffen ist um 7uhr, nicht um 3er Gruppen", "de"),
    ("Kann ich mit Andi sprechen? Er ist wach bis 9", "de"),
    ("Is there a mentor meeting at 9am, yak or not?", "en"),
    ("I need to dial the office, where is the mesh form?", "en"),
    ("Ana sayfada ne var, bana yardim lazim ya", "tr"),
    ("saat 3te ana okulda bulusabilir miyiz?", "tr"),
    ("tamam, kim yardim edebilir, ben de gelmek istiyorum", "tr"),
]


@pytest.mark.parametrize(
    ("text", "expected"), SUPPORTED_LANGUAGES + LATIN_LETTERS + NOT_LATIN_LETTERS
)
def test_supported_languages_are_detected(
    detection: LanguageDetection, text: str, expected: str
) -> None:
    result = detection.detect(text)
    assert result is not None
    assert result.supported_code == expected
