"""The registration form end to end: commands and questions at its questions, several
languages picked with toggle buttons (terminal), and the cost answer for its audience."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import text

from bot.channels.terminal import TerminalChat
from bot.core.conversation import ConversationService
from bot.i18n.catalogs import Catalogs
from bot.nlg.renderer import ResponseRenderer
from bot.settings import Settings
from bot.storage.database import make_engine, make_session_factory
from bot.storage.repository import registrations_of
from tests.e2e.chat_driver import ChatDriver
from tests.helpers import button, rendered

pytestmark = pytest.mark.e2e


async def at_the_name_question(
    service: ConversationService, catalogs: Catalogs, expected: ResponseRenderer, sender: str
) -> ChatDriver:
    """Start a mentor registration in German and consent; the name is asked next."""
    chat = ChatDriver(service, sender)
    await chat.say("Ich möchte mich als Pate anmelden")
    asked = await chat.press(button(catalogs, "de", "utter_ask_reg_consent", "Ja, einverstanden"))
    assert rendered(expected, "utter_ask_reg_name", "de") in asked
    return chat


async def test_delete_typed_at_the_name_question_deletes_and_ends_the_form(
    service: ConversationService, catalogs: Catalogs, expected: ResponseRenderer, servers: Settings
) -> None:
    sender = "e2e-form-delete"
    chat = await at_the_name_question(service, catalogs, expected, sender)
    answer = await chat.say("/delete")
    assert rendered(expected, "utter_registration_cancelled", "de") in answer
    assert rendered(expected, "utter_ask_delete_confirm", "de") in answer
    done = await chat.press(
        button(catalogs, "de", "utter_ask_delete_confirm", "Ja, alles löschen")
    )
    assert rendered(expected, "utter_data_deleted", "de") in done
    with make_engine(servers.database_url).connect() as connection:
        events = connection.execute(
            text("SELECT COUNT(*) FROM events WHERE sender_id = :who"), {"who": sender}
        ).scalar()
    assert events == 0
    # The form is over: a name typed now is no answer to it.
    after = await chat.say("Anna")
    assert rendered(expected, "utter_ask_reg_contact_method", "de") not in after


async def test_a_question_at_the_name_question_is_refused_and_asked_again(
    service: ConversationService, catalogs: Catalogs, expected: ResponseRenderer
) -> None:
    chat = await at_the_name_question(service, catalogs, expected, "e2e-form-question")
    refused = await chat.say("Was ist eine Patenschaft?")
    assert rendered(expected, "utter_invalid_reg_name_question", "de") in refused
    assert rendered(expected, "utter_ask_reg_name", "de") in refused
    # /help answers and asks the open question again; then the name is taken.
    helped = await chat.say("/help")
    assert rendered(expected, "utter_help", "de") in helped
    assert rendered(expected, "utter_ask_reg_name", "de") in helped
    assert rendered(expected, "utter_ask_reg_contact_method", "de") in await chat.say("Anna")


async def test_several_languages_are_picked_in_the_terminal_shown_and_stored(
    service: ConversationService, servers: Settings
) -> None:
    sender = "e2e-form-languages"
    lines = [
        "Ich möchte mich als Patin anmelden",
        "1",  # Ja, einverstanden
        "Mira",
        "1",  # Hier im Chat
        "Böblingen",
        "1",  # 18 or older: Ja
        "1",  # Kinder
        "2",  # Türkisch
        "7",  # Kurdisch (the toggles come again, Türkisch marked)
        "9",  # Fertig
        "1",  # 1 bis 2 Stunden
        "1",  # Überspringen
        "1",  # Ja, speichern
    ]
    stdout = io.StringIO()
    chat = TerminalChat(
        service, sender_id=sender, stdin=io.StringIO("\n".join(lines) + "\n"), stdout=stdout
    )
    await chat.run()
    output = stdout.getvalue()
    assert "  2) ✓ Türkisch" in output and "  7) ✓ Kurdisch" in output
    assert "  9) Fertig" in output
    assert "Ausgewählt: Türkisch, Kurdisch" in output
    assert "Sprachen: Türkisch, Kurdisch" in output  # the summary before saving
    with make_session_factory(make_engine(servers.database_url))() as session:
        (registration,) = registrations_of(session=session, person_ref=sender)
        assert registration.details["languages"] == ["tr", "ku"]


COST_QUESTION_AR = "هل يكلفني البرنامج شيئاً؟"


async def test_the_cost_question_is_answered_for_the_audience_the_conversation_shows(
    service: ConversationService, expected: ResponseRenderer
) -> None:
    parent = ChatDriver(service, "e2e-costs-parent")
    await parent.say("كيف يحصل طفلي على راعٍ؟")  # the parents' topic: the family path
    answer = await parent.say(COST_QUESTION_AR)
    assert rendered(expected, "utter_faq/parent_costs", "ar") in answer
    assert rendered(expected, "utter_costs_for_everyone", "ar") not in answer
    unknown = ChatDriver(service, "e2e-costs-unknown")
    answer = await unknown.say(COST_QUESTION_AR)
    assert rendered(expected, "utter_costs_for_everyone", "ar") in answer
