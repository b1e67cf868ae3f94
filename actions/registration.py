"""The registration form: start, validation of every answer, submit and cancel."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import resources
from actions.form_answers import (
    SKIP,
    answer_to,
    answered_since_form_ran,
    is_payload,
    pressed_choice,
    typed_choice,
    yes_or_no,
)
from actions.validators import (
    OTHER_MUNICIPALITY,
    clean_free_text,
    clean_name,
    is_language_code,
    looks_like_question_or_command,
    match_municipality,
    normalise_email,
    normalise_phone,
    parse_languages,
)
from bot.registrations.fields import (
    SKIPPED,
    editable_fields,
    form_fields,
)

FORM = "registration_form"
REGISTRATION_SLOTS = (
    "reg_consent", "reg_name", "reg_contact_method", "reg_phone", "reg_email",
    "reg_municipality", "reg_adult", "reg_interests", "reg_languages", "reg_hours",
    "reg_heard_from", "reg_child_age", "reg_home_languages", "reg_support", "reg_wishes",
    "reg_edit_field", "reg_confirm", "reg_retries", "reg_editing", "reg_language_picks",
)  # fmt: skip
MAX_INVALID_ANSWERS = 2
MAX_FREE_TEXT = 500
LANGUAGE_SLOTS = frozenset({"reg_languages", "reg_home_languages"})
# The "done" button under the language toggles (bot/nlg/renderer.py).
LANGUAGES_DONE = "done"
# Sender ids of the web chat (bot/channels/web/security.py).
WEB_SENDER_PREFIX = "web:"


def reset_registration() -> list[EventType]:
    """Return events that forget every answer of the form."""
    return [SlotSet(slot, None) for slot in REGISTRATION_SLOTS]


def _on_web(tracker: Tracker) -> bool:
    """Return whether the conversation is a web chat (its sender ids start with "web:")."""
    return str(tracker.sender_id or "").startswith(WEB_SENDER_PREFIX)


def language_of(tracker: Tracker) -> str:
    """Return the conversation's language (German until one is decided)."""
    return str(tracker.get_slot("language") or "de")


class ActionStartRegistration(Action):
    """Start a mentor registration or a family request with a clean form."""

    def name(self) -> str:
        """Return the action's name as used in the domain."""
        return "action_start_registration"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Reset the form and remember which kind of registration it is."""
        kind = next(tracker.get_latest_entity_values("registration_kind"), None)
        metadata = tracker.latest_message.get("metadata") or {}
        kind = "family" if kind == "family" else "mentor"
        return [
            *reset_registration(),
            SlotSet("reg_kind", kind),
            SlotSet("audience", kind),
            SlotSet("reg_source", metadata.get("source")),
        ]


class ValidateRegistrationForm(FormValidationAction):
    """Check every answer; explain after a wrong one, offer skip or cancel after two."""

    def name(self) -> str:
        """Return the action's name as used in the domain."""
        return "validate_registration_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """Return the questions still to ask, in order; none once the answer is "no"."""
        if tracker.get_slot("reg_consent") is False:
            return ["reg_consent"]
        if tracker.get_slot("reg_adult") is False:
            return ["reg_consent", "reg_adult"]
        fields = form_fields(tracker.get_slot("reg_kind"), tracker.get_slot("reg_contact_method"))
        editing = ["reg_edit_field"] if tracker.get_slot("reg_editing") else []
        return ["reg_consent", *fields, *editing, "reg_confirm"]

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Take the latest message as the answer to the open question, if it is one.

        Commands (/delete, /help …), topic buttons and "stop" are no answer: nothing is
        extracted, Rasa's form steps aside and the rules handle the message.
        """
        slot = tracker.get_slot("requested_slot")
        if not slot or not answered_since_form_ran(tracker.events):
            return []
        answer = answer_to(str(slot), tracker.latest_message)
        return [] if answer is None else [SlotSet(str(slot), answer)]

    def _invalid(
        self, slot: str, response: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        retries = dict(tracker.get_slot("reg_retries") or {})
        retries[slot] = retries.get(slot, 0) + 1
        dispatcher.utter_message(response=response)
        if retries[slot] >= MAX_INVALID_ANSWERS:
            dispatcher.utter_message(response="utter_invalid_twice")
        return {slot: None, "reg_retries": retries}

    def _skipped(self, slot: str, tracker: Tracker) -> dict[str, Any] | None:
        if pressed_choice(tracker.latest_message) == SKIP:
            return {slot: SKIPPED}
        return None

    def _choice(
        self,
        slot: str,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
    ) -> dict[str, Any]:
        skipped = self._skipped(slot, tracker)
        if skipped:
            return skipped
        choice = pressed_choice(tracker.latest_message) or typed_choice(
            str(value), f"utter_ask_{slot}", language_of(tracker)
        )
        if choice is None:
            return self._invalid(slot, "utter_invalid_choice", dispatcher, tracker)
        return {slot: choice}

    def _yes_no(
        self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        answer = yes_or_no(tracker.latest_message)
        if answer is None:
            return self._invalid(slot, "utter_invalid_yes_no", dispatcher, tracker)
        return {slot: answer}

    def validate_reg_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Accept only an explicit yes or no."""
        return self._yes_no("reg_consent", dispatcher, tracker)

    def validate_reg_adult(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Mentors confirm they are 18 or older."""
        return self._yes_no("reg_adult", dispatcher, tracker)

    def validate_reg_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Keep the name as written if it looks like one; refuse questions kindly."""
        skipped = self._skipped("reg_name", tracker)
        if skipped:
            return skipped
        if looks_like_question_or_command(str(value)):
            return self._invalid(
                "reg_name", "utter_invalid_reg_name_question", dispatcher, tracker
            )
        name = clean_name(str(value))
        if name is None:
            return self._invalid("reg_name", "utter_invalid_reg_name", dispatcher, tracker)
        return {"reg_name": name}

    def validate_reg_contact_method(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Chat, phone or e-mail; skipping means "in this chat" (not on the web)."""
        result = self._choice("reg_contact_method", value, dispatcher, tracker)
        if result.get("reg_contact_method") == SKIPPED:
            result["reg_contact_method"] = "chat"
        if result.get("reg_contact_method") == "chat" and _on_web(tracker):
            # A web page cannot be reached once it is closed: phone or e-mail only.
            return self._invalid(
                "reg_contact_method", "utter_invalid_reg_contact_method_web", dispatcher, tracker
            )
        return result

    def validate_reg_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A German or international number, stored in international format."""
        if self._skipped("reg_phone", tracker):
            return {"reg_phone": SKIPPED, "reg_contact_method": "chat"}
        phone = normalise_phone(str(value))
        if phone is None:
            return self._invalid("reg_phone", "utter_invalid_reg_phone", dispatcher, tracker)
        return {"reg_phone": phone}

    def validate_reg_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """An e-mail address with valid syntax."""
        if self._skipped("reg_email", tracker):
            return {"reg_email": SKIPPED, "reg_contact_method": "chat"}
        email = normalise_email(str(value))
        if email is None:
            return self._invalid("reg_email", "utter_invalid_reg_email", dispatcher, tracker)
        return {"reg_email": email}

    def validate_reg_municipality(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A municipality of the district (tolerant matching) or "other"."""
        skipped = self._skipped("reg_municipality", tracker)
        if skipped:
            return skipped
        choice = pressed_choice(tracker.latest_message)
        municipalities = resources.district().municipalities
        if choice == OTHER_MUNICIPALITY:
            return {"reg_municipality": OTHER_MUNICIPALITY}
        found = match_municipality(choice or str(value), municipalities)
        if (
            found is None
            and typed_choice(str(value), "utter_ask_reg_municipality", language_of(tracker))
            == OTHER_MUNICIPALITY
        ):
            found = OTHER_MUNICIPALITY
        if found is None:
            return self._invalid(
                "reg_municipality", "utter_invalid_reg_municipality", dispatcher, tracker
            )
        return {"reg_municipality": found}

    def validate_reg_interests(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """One of the offered interests."""
        return self._choice("reg_interests", value, dispatcher, tracker)

    def _languages(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """Toggle a pressed language, finish with "done", or take a typed list."""
        skipped = self._skipped(slot, tracker)
        if skipped:
            return {**skipped, "reg_language_picks": None}
        picks = [str(code) for code in tracker.get_slot("reg_language_picks") or ()]
        pressed = pressed_choice(tracker.latest_message)
        if pressed == LANGUAGES_DONE and picks:
            return {slot: picks, "reg_language_picks": None}
        if pressed and is_language_code(pressed):
            # Not answered yet: the question comes again with the toggles updated.
            toggled = [code for code in picks if code != pressed]
            if pressed not in picks:
                toggled.append(pressed)
            return {slot: None, "reg_language_picks": toggled}
        codes = [] if pressed else parse_languages(str(value))
        if not codes:
            return self._invalid(slot, "utter_invalid_languages", dispatcher, tracker)
        # A typed list completes the answer, together with anything pressed before.
        return {
            slot: [*picks, *(code for code in codes if code not in picks)],
            "reg_language_picks": None,
        }

    def validate_reg_languages(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The mentor's languages, stored as ISO 639-1 codes."""
        return self._languages("reg_languages", value, dispatcher, tracker)

    def validate_reg_home_languages(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The family's languages, stored as ISO 639-1 codes."""
        return self._languages("reg_home_languages", value, dispatcher, tracker)

    def validate_reg_hours(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A rough amount of time per week."""
        return self._choice("reg_hours", value, dispatcher, tracker)

    def validate_reg_child_age(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """An age band, never an exact birth date."""
        return self._choice("reg_child_age", value, dispatcher, tracker)

    def validate_reg_support(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The kind of support the family wishes."""
        return self._choice("reg_support", value, dispatcher, tracker)

    def _free_text(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        skipped = self._skipped(slot, tracker)
        if skipped:
            return skipped
        if is_payload(tracker.latest_message):
            # An old button of another question is no free-text answer.
            return self._invalid(slot, "utter_invalid_choice", dispatcher, tracker)
        text = clean_free_text(str(value), MAX_FREE_TEXT)
        return {slot: text or SKIPPED}

    def validate_reg_heard_from(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Optional free text."""
        return self._free_text("reg_heard_from", value, dispatcher, tracker)

    def validate_reg_wishes(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Optional free text."""
        return self._free_text("reg_wishes", value, dispatcher, tracker)

    def validate_reg_confirm(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Save, or go back and change one answer."""
        choice = pressed_choice(tracker.latest_message)
        answer = yes_or_no(tracker.latest_message)
        if choice == "confirm" or answer is True:
            return {"reg_confirm": "confirm"}
        if choice == "change" or answer is False:
            return {"reg_confirm": None, "reg_editing": True}
        return self._invalid("reg_confirm", "utter_invalid_choice", dispatcher, tracker)

    def validate_reg_edit_field(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Forget the chosen answer so that the form asks it again."""
        fields = editable_fields(
            tracker.get_slot("reg_kind"), tracker.get_slot("reg_contact_method")
        )
        choice = pressed_choice(tracker.latest_message)
        if choice not in fields:
            return self._invalid("reg_edit_field", "utter_invalid_choice", dispatcher, tracker)
        changed: dict[str, Any] = {choice: None, "reg_edit_field": choice, "reg_editing": False}
        if choice in LANGUAGE_SLOTS:
            # The toggles start from the languages given before.
            before = tracker.get_slot(choice)
            changed["reg_language_picks"] = before if isinstance(before, list) else None
        return changed


class ActionCancelRegistration(Action):
    """Stop the form at once; nothing is stored."""

    def name(self) -> str:
        """Return the action's name as used in the domain."""
        return "action_cancel_registration"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Say so, forget the answers and end the form."""
        dispatcher.utter_message(response="utter_registration_cancelled")
        return [*reset_registration(), ActiveLoop(None), SlotSet("requested_slot", None)]
