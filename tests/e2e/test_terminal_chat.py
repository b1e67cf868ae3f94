"""End to end through the terminal path: real Rasa server, action server and NLG."""

from __future__ import annotations

import io
import json

import httpx
import pytest
from babel.messages.catalog import Message
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from bot.channels.terminal import TerminalChat
from bot.core.conversation import ConversationService
from bot.i18n.catalogs import Catalogs
from bot.nlg.renderer import ResponseRenderer
from bot.settings import Settings
from tests.helpers import ROOT

pytestmark = pytest.mark.e2e


def render(expected: ResponseRenderer, name: str, language: str) -> str:
    tracker = {"slots": {"language": language}, "events": [{"event": "bot"}]}
    return str(expected.render(name, tracker)["text"])


async def chat(service: ConversationService, lines: list[str], sender: str) -> str:
    stdout = io.StringIO()
    terminal = TerminalChat(
        service, sender_id=sender, stdin=io.StringIO("\n".join(lines) + "\n"), stdout=stdout
    )
    await terminal.run()
    return stdout.getvalue()


def tracker_events(settings: Settings, sender: str) -> list[dict[str, object]]:
    answer = httpx.get(
        f"{settings.rasa_url}/conversations/{sender}/tracker",
        params={"token": settings.rasa_token.get_secret_value()},
        timeout=10,
    )
    answer.raise_for_status()
    return list(answer.json()["events"])


@pytest.mark.parametrize(
    ("language", "lines", "responses_expected"),
    [
        (
            "de",
            [
                "Hallo",
                "Wie viel Zeit muss ich als Patin mitbringen?",
                "Brauche ich ein Führungszeugnis?",
            ],
            ["utter_greet", "utter_faq/time_commitment", "utter_faq/police_certificate"],
        ),
        (
            "tr",
            ["Merhaba", "Patenlik nedir?", "Çocuğum için pate istiyorum, ne yapmam lazım?"],
            ["utter_greet", "utter_faq/what_is_mentoring", "utter_faq/parent_get_mentor"],
        ),
        (
            "ar",
            [
                "مرحبا",
                "هل يجب أن أدفع شيئا إذا حصل ابني على راعٍ؟",
                "هل طفلي سيكون بأمان مع الراعي؟",
            ],
            ["utter_greet", "utter_faq/parent_costs", "utter_faq/parent_child_safety"],
        ),
    ],
)
async def test_questions_are_answered_on_topic_in_the_askers_language(
    service: ConversationService,
    expected: ResponseRenderer,
    language: str,
    lines: list[str],
    responses_expected: list[str],
) -> None:
    output = await chat(service, lines, sender=f"e2e-topic-{language}")
    for name in responses_expected:
        assert render(expected, name, language) in output, (name, output)


@pytest.mark.parametrize(
    ("language", "question", "reads"),
    [
        ("ru", "Сколько времени в неделю нужно наставнику?", "от 1 до 3 часов в неделю"),
        ("uk", "Скільки часу на тиждень потрібно наставнику?", "від 1 до 3 годин на тиждень"),
    ],
)
async def test_hours_read_in_the_plural_form_of_the_language(
    service: ConversationService, language: str, question: str, reads: str
) -> None:
    """Russian once read "от 1 до 3 часа": the figure's noun takes the language's form."""
    output = await chat(service, [question], sender=f"e2e-hours-{language}")
    assert reads in output, output


async def test_pipe_mode_prints_buttons_as_numbered_choices_and_numbers_press_them(
    service: ConversationService, expected: ResponseRenderer
) -> None:
    output = await chat(service, ["/language", "4"], sender="e2e-buttons")
    assert "  4) Türkçe" in output
    assert render(expected, "utter_language_changed", "tr") in output


async def test_language_choice_sticks_over_detection(
    service: ConversationService, expected: ResponseRenderer
) -> None:
    sender = "e2e-explicit"
    await chat(service, ["/language"], sender=sender)
    output = await chat(
        service, ["/language", "2", "Wie viel Zeit muss ich als Patin mitbringen?"], sender=sender
    )
    assert render(expected, "utter_faq/time_commitment", "de-plain") in output


@pytest.mark.parametrize(
    "typed",
    ["/affirm", '/inform{"consent": true}', '   /change_language{"language": "ar"}', "/faq"],
)
async def test_typed_payloads_never_reach_rasa_as_intents(
    service: ConversationService, servers: Settings, catalogs: Catalogs, typed: str
) -> None:
    sender = f"e2e-payload-{abs(hash(typed))}"
    replies = await service.handle_text(sender, typed)
    unknown = catalogs.pgettext(
        "de",
        "frontend",
        "Diesen Befehl kenne ich nicht. Sie können einfach Ihre Frage schreiben. "
        "Befehle: /start, /help, /language, /privacy, /mydata, /delete, /cancel.",
    )
    assert [reply.text for reply in replies] == [unknown]
    events = tracker_events(servers, sender)
    assert not [event for event in events if event.get("event") == "user"]
    assert all(
        event.get("name") != "language" or event.get("value") != "ar"
        for event in events
        if event.get("event") == "slot"
    )


async def test_forged_button_token_is_refused(
    service: ConversationService, servers: Settings
) -> None:
    replies = await service.handle_button("e2e-forged", "not-issued")
    assert "nicht mehr gültig" in replies[0].text
    assert not [e for e in tracker_events(servers, "e2e-forged") if e.get("event") == "user"]


LOCAL_BAD_INPUT = ["", "   ", "x" * 10_000, "😀🎉👍", "/unknowncommand", "/Unknown@patenbot x"]


@pytest.mark.parametrize("message", LOCAL_BAD_INPUT, ids=range(len(LOCAL_BAD_INPUT)))
async def test_bad_input_gets_a_kind_reply_in_the_current_language(
    service: ConversationService, message: str
) -> None:
    sender = f"e2e-bad-{LOCAL_BAD_INPUT.index(message)}"
    await service.handle_text(sender, "Patenlik nedir, nasıl pate olabilirim?")
    replies = await service.handle_text(sender, message)
    # The limit is written as Turkish writes numbers ("1.000"), in every plural form.
    limit = format_decimal(service.max_message_chars, locale="tr")
    turkish = {
        form.replace("{limit}", limit)
        for entry in read_catalog("tr")
        if entry.id
        for form in (entry.string if isinstance(entry.string, tuple) else (entry.string,))
    }
    assert replies
    assert all(reply.language == "tr" and reply.text in turkish for reply in replies), replies


MIXED_INPUT = [
    "مرحبا، أريد أن أصبح Pate لطفل في Sindelfingen",
    "Hello Привет مرحبا Merhaba",
    "\u202eمرحبا كيف حالك\u202c",
    "ﷺ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ℌ𝔢𝔩𝔩𝔬",
]


@pytest.mark.parametrize("message", MIXED_INPUT, ids=range(len(MIXED_INPUT)))
async def test_mixed_scripts_and_right_to_left_text_are_answered(
    service: ConversationService, expected: ResponseRenderer, servers: Settings, message: str
) -> None:
    """Each message reaches Rasa, and what the user reads is the response Rasa chose.

    Non-empty replies alone prove nothing: the apology for an unreachable Rasa is one.
    """
    sender = f"e2e-mixed-{MIXED_INPUT.index(message)}"
    replies = await service.handle_text(sender, message)
    events = tracker_events(servers, sender)
    assert [event.get("text") for event in events if event.get("event") == "user"] != []
    uttered = [
        str(metadata["utter_action"])
        for event in events
        if event.get("event") == "bot"
        and isinstance(metadata := event.get("metadata"), dict)
        and metadata.get("utter_action")
    ]
    assert uttered, events
    # The first message of a conversation may come with the assistant's note before it.
    shown = "\n".join(reply.text for reply in replies)
    for name in uttered:
        assert render(expected, name, replies[-1].language) in shown, (name, replies)


def read_catalog(locale: str) -> list[Message]:
    with (ROOT / "locale" / locale / "LC_MESSAGES" / "patenbot.po").open("rb") as handle:
        return list(read_po(handle))


async def test_unsupported_language_gets_the_list_of_offered_languages(
    service: ConversationService,
) -> None:
    replies = await service.handle_text(
        "e2e-french", "Bonjour, comment est-ce que je peux devenir parrain?"
    )
    assert "Türkçe" in replies[0].text and "العربية" in replies[0].text


async def test_conversation_is_stored_in_the_sqlite_tracker_store(
    service: ConversationService, servers: Settings
) -> None:
    await chat(service, ["Hallo", "Was kostet das für Familien?"], sender="e2e-stored")
    assert (servers.path(servers.data_dir) / "patenbot.sqlite").is_file()
    assert json.dumps(tracker_events(servers, "e2e-stored")).count('"event": "user"') == 2
