"""Offline language detection on typical chat messages."""

from __future__ import annotations

import pytest

from bot.i18n.detection import LanguageDetection


@pytest.mark.parametrize(
    ("text", "expected"),
    [
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
    ],
)
def test_supported_languages_are_detected(
    detection: LanguageDetection, text: str, expected: str
) -> None:
    result = detection.detect(text)
    assert result is not None
    assert result.supported_code == expected


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
