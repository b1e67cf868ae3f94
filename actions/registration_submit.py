"""Saving a confirmed registration (the end of ``registration_form``)."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import resources
from actions.registration import language_of, reset_registration
from bot.registrations.fields import DETAIL_KEYS, FAMILY_FIELDS, MENTOR_FIELDS, SKIPPED
from bot.registrations.use_cases import RegistrationData, SaveResult, save_registration


class ActionSubmitRegistration(Action):
    """Save a confirmed registration, or say kindly why nothing was saved."""

    def name(self) -> str:
        """Return the action's name as used in the domain."""
        return "action_submit_registration"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Store the answers (with the consent record) or report the outcome."""
        if tracker.get_slot("reg_consent") is False:
            dispatcher.utter_message(response="utter_registration_no_consent")
        elif tracker.get_slot("reg_adult") is False:
            dispatcher.utter_message(response="utter_registration_not_adult")
        elif tracker.get_slot("reg_confirm") == "confirm":
            data = registration_data(tracker)
            result = await asyncio.to_thread(_save, data)
            response = (
                "utter_registration_updated" if result.updated else "utter_registration_saved"
            )
            dispatcher.utter_message(response=response, name=data.name)
        else:
            dispatcher.utter_message(response="utter_registration_cancelled")
        return reset_registration()


def _save(data: RegistrationData) -> SaveResult:
    """Save a registration in one transaction (called in a worker thread)."""
    with resources.session_factory().begin() as session:
        return save_registration(session=session, data=data)


def _answer(tracker: Tracker, slot: str) -> Any:
    value = tracker.get_slot(slot)
    return None if value == SKIPPED else value


def registration_data(tracker: Tracker) -> RegistrationData:
    """Collect the form's answers into what the storage layer saves."""
    kind = str(tracker.get_slot("reg_kind") or "mentor")
    details_slots = FAMILY_FIELDS if kind == "family" else MENTOR_FIELDS
    details = {DETAIL_KEYS[slot]: _answer(tracker, slot) for slot in details_slots}
    if isinstance(details.get("interests"), str):
        details["interests"] = [details["interests"]]
    contact_method = str(_answer(tracker, "reg_contact_method") or "chat")
    return RegistrationData(
        person_ref=tracker.sender_id,
        kind=kind,
        language=language_of(tracker),
        name=str(_answer(tracker, "reg_name") or ""),
        contact_method=contact_method,
        phone=_answer(tracker, "reg_phone") if contact_method == "phone" else None,
        email=_answer(tracker, "reg_email") if contact_method == "email" else None,
        municipality=str(_answer(tracker, "reg_municipality") or "other"),
        source=tracker.get_slot("reg_source"),
        details=details,
    )
