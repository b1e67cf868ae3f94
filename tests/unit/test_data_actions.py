"""The actions that touch the database, offline (as RasaHQ/financial-demo tests its actions).

Each test loads a tracker from ``tests/fixtures/trackers/``, runs the action with a
``CollectingDispatcher`` against a real, migrated SQLite database, and checks the
returned events, the responses sent and what is stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from actions import resources
from actions.my_data import ActionDeleteMyData, ActionShowMyData
from actions.registration import REGISTRATION_SLOTS, ValidateRegistrationForm
from actions.registration_submit import ActionSubmitRegistration
from bot.core import payloads
from bot.storage.database import make_engine, make_session_factory, upgrade_database
from bot.storage.models import ConsentRecord, OutboxMessage, Registration
from tests.helpers import tracker_from_json

DOMAIN: dict[str, Any] = {"forms": {"registration_form": {"required_slots": []}}}


@pytest.fixture
def sessions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[sessionmaker[Session]]:
    """A migrated SQLite database that the actions use instead of the configured one."""
    engine = make_engine(f"sqlite:///{tmp_path / 'actions.sqlite'}")
    upgrade_database(engine)
    factory = make_session_factory(engine)
    monkeypatch.setattr(resources, "session_factory", lambda: factory)
    yield factory
    engine.dispose()


def count(sessions: sessionmaker[Session], model: type[Any]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


async def run(action: Any, fixture: str, **slots: Any) -> tuple[list[dict[str, Any]], list[Any]]:
    """Run ``action`` on a fixture's tracker; return the messages sent and the events."""
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker_from_json(fixture, **slots), DOMAIN)
    return dispatcher.messages, events


def responses(messages: list[dict[str, Any]]) -> list[str | None]:
    return [message.get("response") for message in messages]


async def test_a_confirmed_registration_is_saved_with_consent_and_notification(
    sessions: sessionmaker[Session],
) -> None:
    messages, events = await run(ActionSubmitRegistration(), "submit_confirmed_mentor")
    assert responses(messages) == ["utter_registration_saved"]
    assert messages[0]["name"] == "Ayşe"
    assert {event["name"]: event["value"] for event in events} == dict.fromkeys(REGISTRATION_SLOTS)
    with sessions() as session:
        registration = session.scalars(select(Registration)).one()
        assert (registration.person_ref, registration.kind) == ("telegram-501", "mentor")
        assert (registration.language, registration.phone) == ("tr", "+49 7031 123456")
        assert registration.details["languages"] == ["tr", "de"]
    assert count(sessions, ConsentRecord) == 1
    assert count(sessions, OutboxMessage) == 1


async def test_registering_again_updates_the_open_registration(
    sessions: sessionmaker[Session],
) -> None:
    await run(ActionSubmitRegistration(), "submit_confirmed_mentor")
    messages, _ = await run(
        ActionSubmitRegistration(), "submit_confirmed_mentor", reg_municipality="Sindelfingen"
    )
    assert responses(messages) == ["utter_registration_updated"]
    with sessions() as session:
        assert session.scalars(select(Registration.municipality)).all() == ["Sindelfingen"]


@pytest.mark.parametrize(
    ("slots", "response"),
    [
        ({"reg_consent": False}, "utter_registration_no_consent"),
        ({"reg_adult": False}, "utter_registration_not_adult"),
        ({"reg_confirm": "cancel"}, "utter_registration_cancelled"),
    ],
)
async def test_nothing_is_saved_without_consent_adulthood_or_confirmation(
    sessions: sessionmaker[Session], slots: dict[str, Any], response: str
) -> None:
    messages, events = await run(ActionSubmitRegistration(), "submit_confirmed_mentor", **slots)
    assert responses(messages) == [response]
    assert {event["name"] for event in events} == set(REGISTRATION_SLOTS)
    assert count(sessions, Registration) == 0
    assert count(sessions, ConsentRecord) == 0


async def test_my_data_says_when_nothing_is_stored(sessions: sessionmaker[Session]) -> None:
    messages, events = await run(ActionShowMyData(), "my_data_request")
    assert responses(messages) == ["utter_my_data_none"]
    assert events == []


async def test_my_data_lists_the_registration_and_counts_the_messages(
    sessions: sessionmaker[Session],
) -> None:
    await run(ActionSubmitRegistration(), "submit_confirmed_mentor")
    messages, _ = await run(ActionShowMyData(), "my_data_request")
    assert responses(messages) == ["utter_my_data"]
    (stored,) = messages[0]["stored_registrations"]
    assert (stored["name"], stored["kind"], stored["status"]) == ("Ayşe", "mentor", "new")
    assert len(messages[0]["consents"]) == 1
    assert messages[0]["chat_messages"] == 2  # the user events of the fixture


async def test_delete_asks_first_and_erases_nothing(sessions: sessionmaker[Session]) -> None:
    await run(ActionSubmitRegistration(), "submit_confirmed_mentor")
    messages, _ = await run(ActionDeleteMyData(), "delete_request")
    assert responses(messages) == ["utter_ask_delete_confirm"]
    assert count(sessions, Registration) == 1


async def test_confirmed_delete_erases_and_asks_the_channel_to_erase_the_chat(
    sessions: sessionmaker[Session],
) -> None:
    await run(ActionSubmitRegistration(), "submit_confirmed_mentor")
    messages, events = await run(ActionDeleteMyData(), "delete_confirmed")
    assert responses(messages) == ["utter_data_deleted", None]
    assert messages[1]["custom"] == payloads.ERASE_CONVERSATION
    assert events == []
    assert count(sessions, Registration) == 0
    assert count(sessions, ConsentRecord) == 0


async def test_the_form_takes_a_typed_name_from_the_fixture() -> None:
    dispatcher = CollectingDispatcher()
    events = await ValidateRegistrationForm().run(
        dispatcher, tracker_from_json("form_asks_name"), DOMAIN
    )
    slots = {event["name"]: event["value"] for event in events if event["event"] == "slot"}
    assert slots["reg_name"] == "Ayşe"
    assert dispatcher.messages == []
