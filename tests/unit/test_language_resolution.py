"""The one decision about the reply language (bot.i18n.decision.resolve_language)."""

from __future__ import annotations

import pytest

from bot.i18n.decision import LanguageState, resolve_language
from bot.i18n.detection import LanguageDetection
from bot.i18n.languages import LANGUAGES, match_client_language


def test_explicit_choice_wins_over_everything(detection: LanguageDetection) -> None:
    decision = resolve_language(
        "Was ist eine Patenschaft für Kinder?",
        state=LanguageState("tr"),
        client_hint="ar",
        detection=detection,
        explicit_choice="uk",
    )
    assert (decision.language, decision.explicit) == ("uk", True)


def test_earlier_explicit_choice_beats_detection(detection: LanguageDetection) -> None:
    decision = resolve_language(
        "Was ist eine Patenschaft für Kinder?",
        state=LanguageState("de-plain", explicit=True),
        client_hint=None,
        detection=detection,
    )
    assert (decision.language, decision.explicit) == ("de-plain", True)


def test_confident_detection_beats_current_language_and_hint(
    detection: LanguageDetection,
) -> None:
    decision = resolve_language(
        "Çocuğum için bir pate nasıl bulabilirim?",
        state=LanguageState("de"),
        client_hint="en",
        detection=detection,
    )
    assert (decision.language, decision.explicit) == ("tr", False)


@pytest.mark.parametrize("text", ["ok", "Hallo", "👍", "1", "Führungszeugnis?"])
def test_short_or_ambiguous_message_keeps_current_language(
    detection: LanguageDetection, text: str
) -> None:
    decision = resolve_language(
        text, state=LanguageState("ar"), client_hint="de", detection=detection
    )
    assert decision.language == "ar"


def test_client_hint_is_used_at_first_contact(detection: LanguageDetection) -> None:
    decision = resolve_language("ok", state=None, client_hint="uk-UA", detection=detection)
    assert decision.language == "uk"


def test_german_is_the_last_resort(detection: LanguageDetection) -> None:
    decision = resolve_language("ok", state=None, client_hint="pt-BR", detection=detection)
    assert decision.language == "de"


def test_unsupported_language_is_reported_and_language_kept(
    detection: LanguageDetection,
) -> None:
    decision = resolve_language(
        "Bonjour, comment est-ce que je peux devenir parrain pour un enfant?",
        state=LanguageState("en"),
        client_hint=None,
        detection=detection,
    )
    assert (decision.language, decision.unsupported) == ("en", "fr")


def test_removed_language_in_state_is_ignored(detection: LanguageDetection) -> None:
    decision = resolve_language(
        "ok", state=LanguageState("xx"), client_hint=None, detection=detection
    )
    assert decision.language == "de"


@pytest.mark.parametrize(
    ("tag", "expected"),
    [("tr", "tr"), ("de-AT", "de"), ("uk_UA", "uk"), ("EN-gb", "en"), ("fr", None), (None, None)],
)
def test_client_language_tags_map_to_supported_codes(
    tag: str | None, expected: str | None
) -> None:
    assert match_client_language(tag) == expected


def test_every_language_has_a_name_in_itself() -> None:
    names = {language.code: language.native_name for language in LANGUAGES}
    assert names["tr"] == "Türkçe"
    assert names["ar"] == "العربية"
    assert names["uk"] == "Українська"
    assert names["de-plain"] == "Einfache Sprache"
    assert all(names.values())


@pytest.mark.parametrize("text", ["Maria Schmidt", "fatima.k@example.org", "Weil der Stadt"])
def test_form_answers_do_not_switch_the_language(detection: LanguageDetection, text: str) -> None:
    decision = resolve_language(
        text, state=LanguageState("ar"), client_hint=None, detection=detection
    )
    assert decision.language == "ar"


def test_a_longer_message_in_another_language_switches(detection: LanguageDetection) -> None:
    decision = resolve_language(
        "How much time do I need?",
        state=LanguageState("ar"),
        client_hint=None,
        detection=detection,
    )
    assert decision.language == "en"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("privet, kak mne stat nastavnikom?", "ru"), ("salam, ana 3ayez a3raf aktar", "ar")],
)
def test_a_latin_typed_russian_or_arabic_message_switches(
    detection: LanguageDetection, text: str, expected: str
) -> None:
    decision = resolve_language(
        text, state=LanguageState("de"), client_hint=None, detection=detection
    )
    assert decision.language == expected


def test_a_german_message_with_a_translit_lookalike_keeps_german(
    detection: LanguageDetection,
) -> None:
    decision = resolve_language(
        "Ana und ich haben eine Frage zu den Kosten",
        state=LanguageState("ru"),
        client_hint=None,
        detection=detection,
    )
    assert decision.language == "de"
