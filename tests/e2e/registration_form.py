"""The German registration form, step by step, for any chat driver."""

from __future__ import annotations

from typing import Protocol

from bot.i18n.catalogs import Catalogs
from bot.nlg.renderer import ResponseRenderer
from tests.helpers import button, rendered


class Chat(Protocol):
    """A chat driver: types a message or presses a button by its title, returns the answer."""

    async def say(self, text: str) -> str:
        """Send a message and return the bot's answer."""
        ...

    async def press(self, title: str) -> str:
        """Press a shown button and return the bot's answer."""
        ...


async def finish_form_after_phone(
    chat: Chat, catalogs: Catalogs, expected: ResponseRenderer
) -> None:
    """Answer the form from the phone number on, as Erika, and check it is saved."""
    assert rendered(expected, "utter_ask_reg_municipality", "de")[:30] in await chat.say(
        "0171 7654321"
    )
    await chat.say("Herrenberg")
    await chat.press(button(catalogs, "de", "utter_ask_reg_adult", "Ja"))
    await chat.press(button(catalogs, "de", "utter_ask_reg_interests", "Kinder"))
    await chat.say("Deutsch")
    await chat.press(button(catalogs, "de", "utter_ask_reg_hours", "3 bis 4 Stunden"))
    summary = await chat.say("Zeitung")
    assert "Erika" in summary and "Herrenberg" in summary
    saved = await chat.press(button(catalogs, "de", "utter_ask_reg_confirm", "Ja, speichern"))
    assert rendered(expected, "utter_registration_saved", "de", name="Erika") in saved
