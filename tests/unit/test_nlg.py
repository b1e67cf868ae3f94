"""Rendering responses from the catalogs (the NLG endpoint's logic)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from bot.district import District, InfoEvent
from bot.i18n import Catalogs
from bot.languages import LANGUAGES
from bot.nlg import ResponseRenderer, placeholders
from bot.responses import SourceResponse

NOW = datetime(2026, 11, 24, 12, 0)
EARLIER_BOT_MESSAGE = [{"event": "bot", "text": "..."}]


def tracker(language: str | None, events: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "slots": {"language": language},
        "events": EARLIER_BOT_MESSAGE if events is None else events,
    }


@pytest.fixture
def renderer(
    responses: dict[str, SourceResponse], catalogs: Catalogs, district: District
) -> ResponseRenderer:
    return ResponseRenderer(responses, catalogs, district, clock=lambda: NOW)


@pytest.mark.parametrize("language", [lang.code for lang in LANGUAGES])
def test_every_response_renders_in_every_language(
    renderer: ResponseRenderer, responses: dict[str, SourceResponse], language: str
) -> None:
    for name, source in responses.items():
        message = renderer.render(name, tracker(language), {"choices": ["faq/insurance", "help"]})
        assert message["text"].strip(), name
        assert "{" not in message["text"] and "}" not in message["text"], (name, message["text"])
        titles = [button["title"] for button in message["buttons"]]
        assert all(title.strip() for title in titles), name
        assert len(message["buttons"]) >= len(source.buttons)


def test_turkish_reply_is_turkish_and_german_is_the_source(renderer: ResponseRenderer) -> None:
    turkish = renderer.render("utter_faq/parent_costs", tracker("tr"))["text"]
    german = renderer.render("utter_faq/parent_costs", tracker("de"))["text"]
    assert german == "Für Familien ist eine Patenschaft kostenlos."
    assert turkish != german
    assert "ücretsiz" in turkish.lower()


def test_unknown_slot_value_falls_back_to_german(renderer: ResponseRenderer) -> None:
    text = renderer.render("utter_faq/parent_costs", tracker("xx"))["text"]
    assert text == "Für Familien ist eine Patenschaft kostenlos."


def test_button_titles_are_translated_and_payloads_kept(renderer: ResponseRenderer) -> None:
    german = renderer.render("utter_greet", tracker("de"))["buttons"]
    arabic = renderer.render("utter_greet", tracker("ar"))["buttons"]
    assert [b["payload"] for b in german] == [b["payload"] for b in arabic]
    assert [b["title"] for b in german] != [b["title"] for b in arabic]


def test_an_answer_inside_the_registration_does_not_offer_to_start_it(
    renderer: ResponseRenderer,
) -> None:
    outside = renderer.render("utter_faq/how_to_apply", tracker("de"))["buttons"]
    assert [b["payload"] for b in outside] == ["/register_interest"]
    inside = {**tracker("de"), "active_loop": {"name": "registration_form"}}
    assert renderer.render("utter_faq/how_to_apply", inside)["buttons"] == []
    consent = renderer.render("utter_ask_reg_consent", inside)["buttons"]
    assert [b["payload"] for b in consent] == ["/affirm", "/deny"]


def test_language_picker_names_each_language_in_itself(renderer: ResponseRenderer) -> None:
    buttons = renderer.render("utter_choose_language", tracker("ru"))["buttons"]
    assert [b["title"] for b in buttons] == [lang.native_name for lang in LANGUAGES]
    assert buttons[3]["payload"] == '/change_language{"language": "tr"}'


def test_did_you_mean_offers_the_given_topics_then_something_else(
    renderer: ResponseRenderer,
) -> None:
    message = renderer.render(
        "utter_did_you_mean", tracker("de"), {"choices": ["faq/insurance", "request_human"]}
    )
    assert [b["payload"] for b in message["buttons"]] == [
        '/faq{"faq_topic": "insurance"}',
        "/request_human",
        "/help",
    ]
    assert message["buttons"][0]["title"] == "Versicherung"


def test_first_bot_message_introduces_the_assistant(renderer: ResponseRenderer) -> None:
    first = renderer.render("utter_faq/parent_costs", tracker("de", events=[]))["text"]
    later = renderer.render("utter_faq/parent_costs", tracker("de"))["text"]
    assert first.startswith("Ich bin ein automatischer Assistent der Koordinationsstelle")
    assert "automatischer Assistent" not in later
    greeting = renderer.render("utter_greet", tracker("de", events=[]))["text"]
    assert greeting.count("automatisches Programm") == 1
    assert "Ich bin ein automatischer Assistent" not in greeting


def test_unset_contact_details_are_not_invented(renderer: ResponseRenderer) -> None:
    text = renderer.render("utter_faq/contact", tracker("de"))["text"]
    assert "noch nicht eingetragen" in text
    assert "Telefon" not in text


def test_set_facts_are_formatted_for_the_locale(
    responses: dict[str, SourceResponse], catalogs: Catalogs, district: District
) -> None:
    configured = district.model_copy(
        update={
            "phone": "+49 7031 000000",
            "info_events": (
                InfoEvent(start=datetime(2027, 1, 20, 18, 0), place="Landratsamt Böblingen"),
                InfoEvent(start=datetime(2025, 1, 1, 18, 0), place="in the past"),
            ),
        }
    )
    renderer = ResponseRenderer(responses, catalogs, configured, clock=lambda: NOW)
    assert (
        "Telefon: +49 7031 000000" in renderer.render("utter_faq/contact", tracker("de"))["text"]
    )
    german_events = renderer.render("utter_faq/info_events", tracker("de"))["text"]
    english_events = renderer.render("utter_faq/info_events", tracker("en"))["text"]
    assert "20.01.2027" in german_events and "in the past" not in german_events
    assert "Jan 20, 2027" in english_events
    allowance = renderer.render("utter_faq/costs_and_expenses", tracker("de"))["text"]
    assert "840,00\xa0€" in allowance


def test_unknown_response_gets_the_default_reply(renderer: ResponseRenderer) -> None:
    message = renderer.render("utter_does_not_exist", tracker("en"))
    assert message["text"] == renderer.render("utter_default", tracker("en"))["text"]


def test_placeholders_are_found() -> None:
    assert placeholders("Hallo {office_name}, {district_name}!") == {
        "office_name",
        "district_name",
    }


@pytest.mark.parametrize("question", ["utter_ask_reg_languages", "utter_ask_reg_home_languages"])
def test_language_toggles_show_the_picked_ones_and_done(
    renderer: ResponseRenderer, catalogs: Catalogs, question: str
) -> None:
    first = renderer.render(question, tracker("tr"))
    assert "Türkçe" in [button["title"] for button in first["buttons"]]
    assert not any(button["payload"] == '/inform{"choice": "done"}' for button in first["buttons"])
    state = {**tracker("tr"), "slots": {"language": "tr", "reg_language_picks": ["tr", "de"]}}
    picked = renderer.render(question, state)
    titles = {button["title"]: button["payload"] for button in picked["buttons"]}
    assert titles["✓ Türkçe"] == '/inform{"choice": "tr"}'
    assert titles["✓ Almanca"] == '/inform{"choice": "de"}'
    assert titles["Arapça"] == '/inform{"choice": "ar"}'
    assert titles[catalogs.pgettext("tr", "language_picks", "Fertig")] == (
        '/inform{"choice": "done"}'
    )
    assert picked["text"].endswith("Seçtikleriniz: Türkçe, Almanca")


def test_the_web_chat_gets_no_here_in_the_chat_button(
    responses: dict[str, SourceResponse], catalogs: Catalogs, district: District
) -> None:
    renderer = ResponseRenderer(responses, catalogs, district)
    slots = {"language": "de", "active_loop": {"name": "registration_form"}}

    def payloads(sender: str) -> list[str]:
        tracker = {"sender_id": sender, "slots": slots, "events": [{"event": "bot"}]}
        message = renderer.render("utter_ask_reg_contact_method", tracker)
        return [button["payload"] for button in message["buttons"]]

    assert '/inform{"choice": "chat"}' in payloads("telegram-7")
    assert payloads("web:abc") == ['/inform{"choice": "phone"}', '/inform{"choice": "email"}']
