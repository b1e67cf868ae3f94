"""A new conversation session keeps the language and nothing personal (issue 9, item 11)."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.session import ActionSessionStart
from bot.i18n.catalogs import Catalogs
from bot.nlg.district import District
from bot.nlg.renderer import ResponseRenderer
from bot.nlg.responses import SourceResponse

# What rasa_plugins/rest_channel.py sends when it starts a session for size reasons.
CONTINUED = {"patenbot_session": "continued", "language": "de"}


def tracker(slots: dict[str, object], metadata: dict[str, object] | None = None) -> Tracker:
    return Tracker(
        sender_id="telegram-7", slots=slots, latest_message={"metadata": metadata or {}},
        events=[], paused=False,
        followup_action=None, active_loop={}, latest_action_name="action_listen",
    )  # fmt: skip


async def test_only_the_language_slots_and_the_start_metadata_go_on() -> None:
    slots = {
        "language": "uk", "language_explicit": True, "reg_name": "Olena",
        "reg_email": "olena@example.org", "reg_phone": None,
        "session_started_metadata": {"language": "uk"},
    }  # fmt: skip
    events = await ActionSessionStart().run(CollectingDispatcher(), tracker(slots), {})
    assert events[0]["event"] == "session_started"
    assert events[-1] == {**events[-1], "event": "action", "name": "action_listen"}
    carried = {event["name"]: event["value"] for event in events if event["event"] == "slot"}
    assert carried == {
        "language": "uk",
        "language_explicit": True,
        "session_started_metadata": {"language": "uk"},
    }


async def test_a_session_started_for_size_is_marked_as_continued() -> None:
    """The REST channel's "/session_start" carries the marker in its message metadata."""
    slots = {"language": "uk", "session_started_metadata": {"language": "uk"}}
    events = await ActionSessionStart().run(
        CollectingDispatcher(), tracker(slots, metadata=CONTINUED), {}
    )
    carried = {event["name"]: event["value"] for event in events if event["event"] == "slot"}
    assert carried["session_started_metadata"] == CONTINUED


def test_a_session_started_for_size_does_not_introduce_the_bot_again(
    responses: dict[str, SourceResponse], catalogs: Catalogs, district: District
) -> None:
    renderer = ResponseRenderer(responses, catalogs, district)
    fresh = {"slots": {"language": "de"}, "events": []}
    continued = {
        "slots": {"language": "de", "session_started_metadata": CONTINUED},
        "events": [],
    }
    answer = renderer.render("utter_help", continued)["text"]
    assert renderer.render("utter_help", fresh)["text"].endswith(answer)
    assert renderer.render("utter_help", fresh)["text"] != answer
