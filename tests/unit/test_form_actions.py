"""The registration form's and the FAQ's actions, offline (as Rasa's financial-demo does).

Each test builds the tracker the action server would receive, runs the action with a
``CollectingDispatcher`` and checks the returned events and the responses sent.
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.audience import audience_named_in
from actions.faq import ActionAnswerFaq
from actions.registration import ValidateRegistrationForm
from bot.registration_fields import FAMILY_FIELDS, form_fields

FORM = "registration_form"
# Answers given before the open question (form_tracker fills them in order).
ANSWERED: dict[str, Any] = {
    "reg_consent": True,
    "reg_name": "Ayşe",
    "reg_contact_method": "chat",
    "reg_municipality": "Böblingen",
    "reg_adult": True,
    "reg_interests": "children",
    "reg_languages": ["tr"],
    "reg_hours": "1-2",
    "reg_heard_from": "skipped",
    "reg_child_age": "0-5",
    "reg_home_languages": ["ar"],
    "reg_support": "leisure",
    "reg_wishes": "skipped",
}
DOMAIN: dict[str, Any] = {
    "responses": {
        name: [{"text": "…"}]
        for name in (
            "utter_rephrase",
            "utter_costs_for_everyone",
            "utter_faq/costs_and_expenses",
            "utter_faq/parent_costs",
            "utter_faq/parent_get_mentor",
            "utter_faq/how_to_apply",
        )
    },
    "forms": {FORM: {"required_slots": []}},
}


def message(
    text: str,
    intent: str,
    entities: list[dict[str, Any]] | None = None,
    *,
    faq_topic: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Return a parsed user message as Rasa sends it to the action server."""
    parsed: dict[str, Any] = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "entities": entities or [],
        "metadata": metadata or {},
    }
    if faq_topic:
        parsed["response_selector"] = {
            "faq": {"response": {"intent_response_key": f"faq/{faq_topic}"}, "ranking": []}
        }
    return parsed


def pressed(choice: str) -> dict[str, Any]:
    """Return the message of a pressed form button ``/inform{"choice": …}``."""
    return message(
        f'/inform{{"choice": "{choice}"}}', "inform", [{"entity": "choice", "value": choice}]
    )


def form_tracker(
    requested: str, latest: dict[str, Any], *, rerun: bool = False, **slots: Any
) -> Tracker:
    """Return the tracker the form's validation gets while ``requested`` is asked.

    Rasa appends the form's own run to the events. ``rerun``: the form runs again after
    another action answered the message (e.g. after the help).
    """
    events: list[dict[str, Any]] = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": latest["text"], "parse_data": latest},
        {"event": "slot", "name": "language", "value": "de"},
        # Rasa runs the predicted form with the policies' note already added.
        {"event": "user_featurization", "use_text_for_featurization": False},
    ]
    if rerun:
        events += [
            {"event": "action", "name": "utter_help"},
            {"event": "bot", "text": "…"},
        ]
    events += [
        {"event": "slot", "name": "requested_slot", "value": requested},
        {"event": "action", "name": FORM},
    ]
    kind = "family" if requested in FAMILY_FIELDS else "mentor"
    order = ["reg_consent", *form_fields(kind, "chat")]
    answered = order[: order.index(requested)] if requested in order else order
    all_slots = {
        "language": "de",
        "reg_kind": kind,
        **{slot: ANSWERED[slot] for slot in answered},
        "requested_slot": requested,
        **slots,
    }
    return Tracker("tester", all_slots, latest, events, False, None, {"name": FORM}, FORM)


def sent(dispatcher: CollectingDispatcher) -> list[str]:
    return [str(item.get("response")) for item in dispatcher.messages]


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


async def run_form(tracker: Tracker) -> tuple[dict[str, Any], list[str]]:
    dispatcher = CollectingDispatcher()
    events = await ValidateRegistrationForm().run(dispatcher, tracker, DOMAIN)
    return slot_events(events), sent(dispatcher)


async def test_a_typed_name_is_taken_as_the_answer() -> None:
    slots, responses = await run_form(form_tracker("reg_name", message("Ayşe", "nlu_fallback")))
    assert slots["reg_name"] == "Ayşe" and not responses


@pytest.mark.parametrize(
    "command",
    [
        message("/delete_my_data", "delete_my_data"),
        message("/show_my_data", "show_my_data"),
        message("/help", "help"),
        message("/change_language", "change_language"),
        message("/greet", "greet"),
        message('/faq{"faq_topic": "privacy"}', "faq", [{"entity": "faq_topic", "value": "x"}]),
        message("/stop", "stop"),
        message("stop", "stop"),
    ],
    ids=lambda parsed: parsed["text"],
)
async def test_a_command_is_no_answer_so_the_form_steps_aside(command: dict[str, Any]) -> None:
    slots, responses = await run_form(form_tracker("reg_name", command))
    # Only the open question stays requested: nothing was extracted, so Rasa rejects
    # the form's run and the rules handle the command.
    assert slots == {"requested_slot": "reg_name"} and not responses


async def test_the_message_is_no_answer_again_when_the_form_comes_back() -> None:
    tracker = form_tracker("reg_name", message("Ayşe", "nlu_fallback"), rerun=True)
    slots, _ = await run_form(tracker)
    assert slots == {"requested_slot": "reg_name"}


async def test_a_question_at_a_yes_no_question_is_left_to_the_faq_rule() -> None:
    question = message("Wer sieht meine Daten?", "faq", faq_topic="privacy")
    assert await run_form(form_tracker("reg_consent", question)) == (
        {"requested_slot": "reg_consent"},
        [],
    )
    slots, _ = await run_form(form_tracker("reg_name", question))
    assert slots["reg_name"] is None  # taken as the answer, then refused as a question


@pytest.mark.parametrize(
    "typed",
    ["Was ist eine Patenschaft?", "ما هي الرعاية؟", "Wie viel kostet das", "Bu ücretli mı"],
)
async def test_a_question_as_a_name_is_refused_kindly(typed: str) -> None:
    slots, responses = await run_form(form_tracker("reg_name", message(typed, "faq")))
    assert slots["reg_name"] is None and slots["requested_slot"] == "reg_name"
    assert responses == ["utter_invalid_reg_name_question"]


async def languages_after(
    presses: list[dict[str, Any]], slot: str = "reg_languages"
) -> dict[str, Any]:
    """Press the language buttons one after the other; return the last slot events."""
    picks: list[str] | None = None
    slots: dict[str, Any] = {}
    for latest in presses:
        slots, _ = await run_form(form_tracker(slot, latest, reg_language_picks=picks))
        picks = slots.get("reg_language_picks", picks)
    return slots


async def test_language_buttons_toggle_until_done() -> None:
    after_two = await languages_after([pressed("tr"), pressed("de")])
    assert after_two["reg_languages"] is None  # still asking
    assert after_two["reg_language_picks"] == ["tr", "de"]
    untoggled = await languages_after([pressed("tr"), pressed("de"), pressed("tr")])
    assert untoggled["reg_language_picks"] == ["de"]
    done = await languages_after([pressed("tr"), pressed("ku"), pressed("done")])
    assert done["reg_languages"] == ["tr", "ku"] and done["reg_language_picks"] is None


async def test_family_languages_toggle_too_and_a_typed_list_adds_to_the_picks() -> None:
    slots = await languages_after(
        [pressed("ar"), message("Deutsch und Englisch", "nlu_fallback")], "reg_home_languages"
    )
    assert slots["reg_home_languages"] == ["ar", "de", "en"]


async def test_done_without_a_language_is_explained() -> None:
    slots, responses = await run_form(form_tracker("reg_languages", pressed("done")))
    assert slots["reg_languages"] is None and responses == ["utter_invalid_languages"]


async def test_changing_the_languages_starts_from_the_given_ones() -> None:
    tracker = form_tracker(
        "reg_edit_field",
        pressed("reg_languages"),
        reg_editing=True,
        reg_languages=["tr", "de"],
        reg_contact_method="chat",
    )
    slots, _ = await run_form(tracker)
    assert slots["reg_languages"] is None and slots["reg_language_picks"] == ["tr", "de"]


def faq_tracker(latest: dict[str, Any], **slots: Any) -> Tracker:
    events = [{"event": "user", "text": latest["text"], "parse_data": latest}]
    return Tracker("tester", {"language": "ar", **slots}, latest, events, False, None, {}, "")


async def answer(tracker: Tracker) -> tuple[list[str], dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    events = await ActionAnswerFaq().run(dispatcher, tracker, DOMAIN)
    return sent(dispatcher), slot_events(events)


COST_QUESTION = message("هل يكلفني البرنامج شيئاً؟", "faq", faq_topic="costs_and_expenses")


@pytest.mark.parametrize("topic", ["costs_and_expenses", "parent_costs"])
async def test_a_cost_question_from_someone_unknown_is_answered_for_both(topic: str) -> None:
    question = message("Kostet mich das etwas?", "faq", faq_topic=topic)
    assert await answer(faq_tracker(question)) == (["utter_costs_for_everyone"], {})


@pytest.mark.parametrize(
    ("slots", "metadata"),
    [
        ({"audience": "family"}, {}),
        ({"reg_kind": "family"}, {}),
        ({}, {"source": "family_ar"}),
    ],
    ids=["family path", "family registration", "deep link"],
)
async def test_a_cost_question_from_a_parent_gets_the_parents_answer(
    slots: dict[str, Any], metadata: dict[str, Any]
) -> None:
    question = {**COST_QUESTION, "metadata": metadata}
    responses, _ = await answer(faq_tracker(question, **slots))
    assert responses == ["utter_faq/parent_costs"]


async def test_a_cost_question_from_a_mentor_gets_the_mentors_answer() -> None:
    question = message("Kostet mich das etwas?", "faq", faq_topic="parent_costs")
    responses, _ = await answer(faq_tracker(question, audience="mentor"))
    assert responses == ["utter_faq/costs_and_expenses"]


async def test_the_parents_topic_shows_the_audience_and_a_cost_button_is_answered_as_pressed() -> (
    None
):
    parents = message("كيف يحصل طفلي على راعٍ؟", "faq", faq_topic="parent_get_mentor")
    assert await answer(faq_tracker(parents)) == (
        ["utter_faq/parent_get_mentor"],
        {"audience": "family"},
    )
    button = message(
        '/faq{"faq_topic": "costs_and_expenses"}',
        "faq",
        [{"entity": "faq_topic", "value": "costs_and_expenses"}],
    )
    assert await answer(faq_tracker(button, audience="family")) == (
        ["utter_faq/costs_and_expenses"],
        {"audience": "mentor"},
    )


@pytest.mark.parametrize(
    ("typed", "audience"),
    [
        ("Muss ich etwas zahlen, wenn mein Kind einen Paten bekommt?", "family"),
        ("Is it free for my son?", "family"),
        ("Çocuğum için pate istiyorum, bu bize bir şeye mal olur mu?", "family"),
        ("هل يجب أن أدفع شيئا إذا حصل ابني على راعٍ؟", "family"),
        ("Чи платна програма для моєї дитини?", "family"),
        ("Сколько это стоит для детей?", "family"),
        ("Muss ich als Patin etwas bezahlen?", "mentor"),
        ("Pate olarak bir şey ödemem gerekiyor mu?", "mentor"),
        ("Do I pay anything as a mentor?", "mentor"),
        ("Kostet mich das Programm etwas?", None),
        ("What kind of costs are there?", None),
        ("هل يكلفني البرنامج شيئاً؟", None),
        ("Сонра ödeme var mı?", None),
    ],
)
def test_a_message_says_itself_who_asks_or_not(typed: str, audience: str | None) -> None:
    assert audience_named_in(typed) == audience


async def test_who_the_question_names_beats_the_conversation_and_the_selector() -> None:
    question = message("Is it free for my son?", "faq", faq_topic="costs_and_expenses")
    responses, _ = await answer(faq_tracker(question, audience="mentor"))
    assert responses == ["utter_faq/parent_costs"]


@pytest.mark.parametrize("sender", ["web:abc", "telegram-7"])
async def test_the_web_chat_asks_for_phone_or_email_instead_of_this_chat(sender: str) -> None:
    tracker = form_tracker("reg_contact_method", pressed("chat"))
    tracker.sender_id = sender
    slots, responses = await run_form(tracker)
    if sender.startswith("web:"):
        # A closed tab cannot be reached: refused kindly, asked again.
        assert slots["reg_contact_method"] is None
        assert "utter_invalid_reg_contact_method_web" in responses
    else:
        assert slots["reg_contact_method"] == "chat"
