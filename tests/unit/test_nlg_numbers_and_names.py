"""Figures in the reader's plural form, and the district's names in the reader's language."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest

from bot.i18n.catalogs import Catalogs
from bot.nlg.district import District
from bot.nlg.renderer import ResponseRenderer
from bot.nlg.responses import SourceResponse

NOW = datetime(2026, 11, 24, 12, 0)


def tracker(language: str) -> dict[str, Any]:
    return {"slots": {"language": language}, "events": [{"event": "bot", "text": "..."}]}


def render(
    responses: dict[str, SourceResponse],
    catalogs: Catalogs,
    district: District,
    name: str,
    language: str,
    **changes: Any,
) -> str:
    renderer = ResponseRenderer(
        responses, catalogs, district.model_copy(update=changes), clock=lambda: NOW
    )
    return str(renderer.render(name, tracker(language))["text"])


HOURS = [
    # (language, low, high, expected): the noun agrees with the higher figure.
    ("ru", 1, 3, "от 1 до 3 часов в неделю"),
    ("ru", 1, 2, "от 1 до 2 часов"),
    ("ru", 1, 5, "от 1 до 5 часов"),
    ("ru", 1, 11, "от 1 до 11 часов"),
    ("ru", 1, 21, "от 1 до 21 часа"),
    ("ru", 1, 1, "Обычно это 1 час в неделю"),
    ("ru", 2, 2, "Обычно это 2 часа в неделю"),
    ("ru", 5, 5, "Обычно это 5 часов в неделю"),
    ("ru", 21, 21, "Обычно это 21 час в неделю"),
    ("uk", 1, 3, "від 1 до 3 годин на тиждень"),
    ("uk", 1, 21, "від 1 до 21 години"),
    ("uk", 1, 1, "Зазвичай це 1 година на тиждень"),
    ("uk", 2, 2, "Зазвичай це 2 години на тиждень"),
    ("uk", 11, 11, "Зазвичай це 11 годин на тиждень"),
    ("ar", 1, 3, "من 1 إلى 3 ساعات"),
    ("ar", 1, 11, "من 1 إلى 11 ساعة"),
    ("tr", 1, 3, "haftada 1 ila 3 saat"),
    ("tr", 1, 1, "haftada 1 saat"),
    ("de", 1, 3, "Meist sind es 1 bis 3 Stunden pro Woche"),
    ("de", 1, 1, "Meist sind es 1 Stunde pro Woche"),
    ("de", 2, 2, "Meist sind es 2 Stunden pro Woche"),
]


@pytest.mark.parametrize(("language", "low", "high", "expected"), HOURS)
def test_hours_per_week_use_the_plural_form_of_the_language(
    responses: dict[str, SourceResponse],
    catalogs: Catalogs,
    district: District,
    language: str,
    low: int,
    high: int,
    expected: str,
) -> None:
    text = render(
        responses,
        catalogs,
        district,
        "utter_faq/time_commitment",
        language,
        hours_per_week_min=low,
        hours_per_week_max=high,
    )
    assert expected in text


DAYS = [
    ("ru", 1, "через 1 день"),
    ("ru", 2, "через 2 дня"),
    ("ru", 5, "через 5 дней"),
    ("ru", 11, "через 11 дней"),
    ("ru", 21, "через 21 день"),
    ("ru", 22, "через 22 дня"),
    ("uk", 1, "через 1 день"),
    ("uk", 2, "через 2 дні"),
    ("uk", 5, "через 5 днів"),
    ("uk", 11, "через 11 днів"),
    ("uk", 21, "через 21 день"),
    ("ar", 1, "بعد 1 يوم"),
    ("ar", 2, "بعد 2 يوم"),
    ("ar", 5, "بعد 5 أيام"),
    ("ar", 11, "بعد 11 يوماً"),
    ("ar", 21, "بعد 21 يوماً"),
    ("ar", 100, "بعد 100 يوم"),
    ("ar", 103, "بعد 103 أيام"),
    ("tr", 1, "1 gün sonra"),
    ("tr", 21, "21 gün sonra"),
    ("de", 1, "lösche ihn nach 1 Tag."),
    ("de", 2, "lösche ihn nach 2 Tagen."),
    ("de", 21, "lösche ihn nach 21 Tagen."),
]


@pytest.mark.parametrize(("language", "days", "expected"), DAYS)
def test_retention_days_use_the_plural_form_of_the_language(
    responses: dict[str, SourceResponse],
    catalogs: Catalogs,
    district: District,
    language: str,
    days: int,
    expected: str,
) -> None:
    text = render(
        responses, catalogs, district, "utter_faq/privacy", language, chat_retention_days=days
    )
    assert expected in text


@pytest.mark.parametrize(
    ("language", "months", "expected"),
    [
        ("ru", 1, "не меньше 1 месяца"),
        ("ru", 3, "не меньше 3 месяцев"),
        ("ru", 12, "не меньше 12 месяцев"),
        ("uk", 1, "щонайменше 1 місяць"),
        ("uk", 3, "щонайменше 3 місяці"),
        ("uk", 12, "щонайменше 12 місяців"),
        ("ar", 6, "مدة لا تقل عن 6 أشهر"),
        ("ar", 12, "مدة لا تقل عن 12 شهراً"),
        ("de", 1, "mindestens 1 Monat dauern"),
        ("de", 12, "mindestens 12 Monate dauern"),
    ],
)
def test_minimum_duration_uses_the_plural_form_of_the_language(
    responses: dict[str, SourceResponse],
    catalogs: Catalogs,
    district: District,
    language: str,
    months: int,
    expected: str,
) -> None:
    text = render(
        responses, catalogs, district, "utter_faq/time_commitment", language, minimum_months=months
    )
    assert expected in text


def test_chat_message_count_in_my_data_uses_the_plural_form(
    responses: dict[str, SourceResponse], catalogs: Catalogs, district: District
) -> None:
    renderer = ResponseRenderer(responses, catalogs, district, clock=lambda: NOW)

    def shown(language: str, count: int) -> str:
        return str(
            renderer.render("utter_my_data", tracker(language), {"chat_messages": count})["text"]
        )

    assert "1 сообщение" in shown("ru", 1)
    assert "3 сообщения" in shown("ru", 3)
    assert "25 сообщений" in shown("ru", 25)
    assert "1 Nachricht\n" in shown("de", 1)
    assert "2 Nachrichten" in shown("de", 2)


GERMAN_NAMES = ("Landkreis Böblingen", "Koordinationsstelle", "Landkreis")
BRACKETS = re.compile(r"\([^()]*\)")


@pytest.mark.parametrize("language", ["uk", "ru", "ar"])
def test_no_bare_german_district_or_office_name_in_other_scripts(
    responses: dict[str, SourceResponse], catalogs: Catalogs, district: District, language: str
) -> None:
    renderer = ResponseRenderer(responses, catalogs, district, clock=lambda: NOW)
    first_contact = {"slots": {"language": language}, "events": []}
    for name in responses:
        for state in (tracker(language), first_contact):
            text = str(renderer.render(name, state)["text"])
            outside = BRACKETS.sub("", text)
            found = [german for german in GERMAN_NAMES if german in outside]
            assert not found, (name, found, text)


@pytest.mark.parametrize(
    ("language", "office", "district_phrase"),
    [
        ("uk", "Координація наставництва", "в окрузі Беблінген"),
        ("ru", "Координация наставничества", "в округе Бёблинген"),
        ("ar", "مكتب تنسيق الرعاية", "في مقاطعة بوبلينغن"),
        ("tr", "Patenlik Koordinasyon Birimi", "Böblingen ilçesindeki"),
        ("en", "Mentoring Coordination Office", "in the district of Böblingen"),
    ],
)
def test_names_are_in_the_readers_language_with_the_german_name_in_contact_details(
    responses: dict[str, SourceResponse],
    catalogs: Catalogs,
    district: District,
    language: str,
    office: str,
    district_phrase: str,
) -> None:
    renderer = ResponseRenderer(responses, catalogs, district, clock=lambda: NOW)
    greeting = str(renderer.render("utter_greet", tracker(language))["text"])
    assert office in greeting and district_phrase in greeting
    assert "Koordinationsstelle" not in greeting
    for name in ("utter_faq/contact", "utter_request_human"):
        contact = str(renderer.render(name, tracker(language))["text"])
        assert f"{office} (Koordinationsstelle Patenschaften)" in contact
        first = str(renderer.render(name, {**tracker(language), "events": []})["text"])
        assert first.count("Koordinationsstelle Patenschaften") == 1, first


def test_german_readers_see_the_german_names_once(
    responses: dict[str, SourceResponse], catalogs: Catalogs, district: District
) -> None:
    renderer = ResponseRenderer(responses, catalogs, district, clock=lambda: NOW)
    for language in ("de", "de-plain"):
        contact = str(renderer.render("utter_faq/contact", tracker(language))["text"])
        assert contact.count("Koordinationsstelle Patenschaften") == 1
        greeting = str(renderer.render("utter_greet", tracker(language))["text"])
        assert "Landkreis Böblingen" in greeting
