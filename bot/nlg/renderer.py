"""Renders Rasa responses in the conversation's language (the NLG endpoint's logic)."""

from __future__ import annotations

import logging
import string
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from babel import Locale

from bot.core import payloads
from bot.i18n.catalogs import Catalogs
from bot.i18n.languages import LANGUAGES, SOURCE_LANGUAGE, get_language, is_supported
from bot.nlg.district import District
from bot.nlg.facts import district_facts, office_name
from bot.nlg.registration_texts import RegistrationTexts
from bot.nlg.responses import SourceResponse, button_context
from bot.nlg.topics import TOPIC_TITLES

# The web chat's sender ids (bot/channels/web) and the question it changes.
WEB_SENDER_PREFIX = "web:"
CONTACT_METHOD_QUESTION = "utter_ask_reg_contact_method"
logger = logging.getLogger(__name__)

Button = dict[str, str]

FALLBACK_RESPONSE = "utter_default"
# Responses that introduce the assistant themselves get no first-contact notice.
INTRODUCING_RESPONSES = frozenset({"utter_greet"})
# Rasa's slot with the metadata of the message that started the current session.
SESSION_METADATA_SLOT = "session_started_metadata"
# Buttons that start a registration, left out while one is running: an answer given in
# the middle of the form (a question instead of "yes") must not offer to start it again.
REGISTRATION_FORM = "registration_form"
STARTS_REGISTRATION = "/register_interest"
# Responses that carry a marker for the channel (bot.core.payloads.SIGNALS): a person
# was asked for, or the assistant is unsure what the user meant.
# Responses that tell people how to reach the office: the office's German name follows
# its name in the reader's language, so that people find it (signs, letters, phone).
GERMAN_OFFICE_NAME_RESPONSES = frozenset({"utter_faq/contact", "utter_request_human"})
RESPONSE_SIGNALS = {
    "utter_request_human": payloads.HANDOFF,
    "utter_did_you_mean": payloads.UNSURE,
    "utter_rephrase": payloads.UNSURE,
}


def language_buttons() -> list[Button]:
    """Return one button per supported language, each named in itself."""
    return [
        {
            "title": language.native_name,
            "payload": payloads.change_language(language.code),
        }
        for language in LANGUAGES
    ]


def _active_loop(tracker: Mapping[str, Any]) -> str | None:
    """Return the name of the form running in the conversation, if any."""
    return (tracker.get("active_loop") or {}).get("name")


def _did_you_mean_buttons(
    catalogs: Catalogs, language: str, arguments: Mapping[str, Any]
) -> list[Button]:
    choices = [key for key in arguments.get("choices") or () if key in TOPIC_TITLES]
    buttons = [
        {"title": catalogs.gettext(language, TOPIC_TITLES[key]), "payload": payloads.topic(key)}
        for key in choices
    ]
    buttons.append(
        {"title": catalogs.pgettext(language, "did_you_mean", "Etwas anderes"), "payload": "/help"}
    )
    return buttons


# Languages offered as toggle buttons when the form asks which languages someone
# speaks; any other language can be typed. Named by CLDR in the reader's language.
SPOKEN_LANGUAGE_CHOICES = ("de", "tr", "ar", "uk", "ru", "en", "ku", "fa")
LANGUAGE_QUESTIONS = frozenset({"utter_ask_reg_languages", "utter_ask_reg_home_languages"})
# The languages pressed so far (actions/registration.py), shown as selected.
LANGUAGE_PICKS_SLOT = "reg_language_picks"
PICKED_MARK = "✓ "
LANGUAGES_DONE_PAYLOAD = payloads.inform_choice("done")


def _spoken_language_buttons(
    catalogs: Catalogs, language: str, picks: Sequence[str]
) -> list[Button]:
    names = Locale.parse(get_language(language).locale.split("@")[0]).languages
    buttons = []
    for code in SPOKEN_LANGUAGE_CHOICES:
        name = names.get(code, code)
        title = name[:1].upper() + name[1:]
        buttons.append(
            {
                "title": PICKED_MARK + title if code in picks else title,
                "payload": payloads.inform_choice(code),
            }
        )
    if picks:
        # Translators: button that ends picking languages; the question names it in quotes.
        done = catalogs.pgettext(language, "language_picks", "Fertig")
        buttons.append({"title": done, "payload": LANGUAGES_DONE_PAYLOAD})
    return buttons


def _language_picks(slots: Mapping[str, Any]) -> list[str]:
    picks = slots.get(LANGUAGE_PICKS_SLOT)
    return [str(code) for code in picks] if isinstance(picks, list) else []


GeneratedButtons = Callable[[Catalogs, str, Mapping[str, Any]], list[Button]]

GENERATED_BUTTONS: dict[str, GeneratedButtons] = {
    "utter_offer_language": lambda _catalogs, _language, _arguments: language_buttons(),
    "utter_choose_language": lambda _catalogs, _language, _arguments: language_buttons(),
    "utter_did_you_mean": _did_you_mean_buttons,
}


def placeholders(text: str) -> set[str]:
    """Return the names of the ``{placeholders}`` in a text."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def conversation_language(tracker: Mapping[str, Any]) -> str:
    """Return the language stored in a tracker's slots, or German."""
    language = (tracker.get("slots") or {}).get("language")
    return language if isinstance(language, str) and is_supported(language) else SOURCE_LANGUAGE


def _is_first_bot_message(tracker: Mapping[str, Any]) -> bool:
    """Return whether nothing was said yet in this conversation.

    Rasa sends only the current session's events. A session the REST channel started
    because the previous one grew too long (rasa_plugins/rest_channel.py) continues the
    conversation, so the bot does not introduce itself again there.
    """
    metadata = (tracker.get("slots") or {}).get(SESSION_METADATA_SLOT)
    if isinstance(metadata, Mapping) and metadata.get("patenbot_session") == "continued":
        return False
    return not any(event.get("event") == "bot" for event in tracker.get("events") or ())


class ResponseRenderer:
    """Renders a named response for a tracker, in the tracker's language."""

    def __init__(
        self,
        responses: Mapping[str, SourceResponse],
        catalogs: Catalogs,
        district: District,
        clock: Callable[[], datetime] = datetime.now,
    ) -> None:
        """Keep what rendering needs; nothing is read from disk per request."""
        self._responses = responses
        self._catalogs = catalogs
        self._district = district
        self._clock = clock

    def render(
        self, name: str, tracker: Mapping[str, Any], arguments: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Return the message for Rasa's NLG endpoint protocol.

        Args:
            name: The response name Rasa asks for.
            tracker: The tracker state Rasa sends with the request.
            arguments: Extra values a custom action passed along.
        """
        language = conversation_language(tracker)
        source = self._responses.get(name)
        if source is None:
            logger.error("Unknown response %s requested; sending the default reply.", name)
            source = self._responses[FALLBACK_RESPONSE]
        facts = district_facts(
            self._district,
            self._catalogs,
            language,
            now=self._clock(),
            german_office_name=source.name in GERMAN_OFFICE_NAME_RESPONSES,
        )
        texts = RegistrationTexts(self._responses, self._catalogs, language)
        slots = tracker.get("slots") or {}
        values = {
            **facts,
            "summary": texts.summary(slots) if source.name == "utter_ask_reg_confirm" else "",
            "my_data": texts.stored_data(arguments or {})
            if source.name == "utter_my_data"
            else "",
            "name": str((arguments or {}).get("name") or ""),
        }
        text = self._catalogs.pgettext(language, source.name, source.text).format_map(values)
        picks = _language_picks(slots) if source.name in LANGUAGE_QUESTIONS else []
        if picks:
            # Translators: under the languages question, the languages picked so far.
            picked = self._catalogs.pgettext(language, "language_picks", "Ausgewählt: {languages}")
            text += "\n" + picked.format(languages=texts.value("reg_languages", picks))
        if name not in INTRODUCING_RESPONSES and _is_first_bot_message(tracker):
            intro = self._catalogs.pgettext(
                language,
                "intro",
                "Ich bin ein automatischer Assistent der {office_name}. "
                "Sprache ändern: /language. Hilfe: /help.",
            )
            # The German name belongs to the contact details, not to the introduction.
            plain_office = office_name(self._district, language)
            text = f"{intro.format_map({**facts, 'office_name': plain_office})}\n\n{text}"
        buttons = [
            {
                "title": self._catalogs.pgettext(
                    language, button_context(source.name), button.title
                ),
                "payload": button.payload,
            }
            for button in source.buttons
            if not (
                _active_loop(tracker) == REGISTRATION_FORM
                and button.payload.startswith(STARTS_REGISTRATION)
            )
        ]
        if source.name == CONTACT_METHOD_QUESTION and str(
            tracker.get("sender_id") or ""
        ).startswith(WEB_SENDER_PREFIX):
            # A web page cannot be reached after it is closed: no "here in the chat".
            buttons = [button for button in buttons if '"chat"' not in button["payload"]]
        generate = GENERATED_BUTTONS.get(source.name)
        if generate:
            buttons.extend(generate(self._catalogs, language, arguments or {}))
        if source.name == "utter_ask_reg_edit_field":
            buttons.extend(texts.edit_buttons(slots))
        if source.name in LANGUAGE_QUESTIONS:
            buttons.extend(_spoken_language_buttons(self._catalogs, language, picks))
        return {
            "text": text,
            "buttons": buttons,
            "image": None,
            "elements": [],
            "attachments": [],
            "custom": payloads.marker(RESPONSE_SIGNALS[source.name])
            if source.name in RESPONSE_SIGNALS
            else {},
        }
