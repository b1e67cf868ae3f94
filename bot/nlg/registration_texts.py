"""Texts the NLG builds from a conversation's form answers or stored data."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal

from bot.core import payloads
from bot.i18n.catalogs import N_, Catalogs
from bot.i18n.languages import get_language
from bot.nlg.responses import SourceResponse, button_context
from bot.registrations.fields import (
    DETAIL_KEYS,
    FIELD_LABELS,
    SKIPPED,
    editable_fields,
    form_fields,
)

NOT_GIVEN = "—"
KIND_LABELS = {
    "mentor": N_("Anmeldung als Pate oder Patin"),
    "family": N_("Anfrage einer Familie"),
}
STATUS_LABELS = {
    "new": N_("neu"),
    "contacted": N_("in Kontakt"),
    "matched": N_("vermittelt"),
    "declined": N_("abgelehnt"),
    "withdrawn": N_("zurückgezogen"),
}
DETAIL_SLOTS = {key: slot for slot, key in DETAIL_KEYS.items()}
LANGUAGE_SLOTS = frozenset({"reg_languages", "reg_home_languages"})


class RegistrationTexts:
    """Formats form answers and stored registrations in the reader's language."""

    def __init__(
        self, responses: Mapping[str, SourceResponse], catalogs: Catalogs, language: str
    ) -> None:
        """Prepare formatting for one language."""
        self._responses = responses
        self._catalogs = catalogs
        self._language = language
        self._locale = Locale.parse(get_language(language).locale.split("@")[0])

    def _button_title(self, slot: str, payload_value: object) -> str | None:
        name = f"utter_ask_{slot}"
        source = self._responses.get(name)
        for button in source.buttons if source else ():
            choice: object = payloads.informed_choice(button.payload)
            if choice is None:
                choice = {"/affirm": True, "/deny": False}.get(button.payload)
            if choice == payload_value:
                return self._catalogs.pgettext(self._language, button_context(name), button.title)
        return None

    def value(self, slot: str, value: Any) -> str:
        """Return one answer as the reader should see it."""
        if value in (None, SKIPPED, "", []):
            return NOT_GIVEN
        if slot in LANGUAGE_SLOTS and isinstance(value, list):
            return ", ".join(self._locale.languages.get(code, code) for code in value)
        items = value if isinstance(value, list) else [value]
        shown = [self._button_title(slot, item) or str(item) for item in items]
        return ", ".join(shown)

    def label(self, slot: str) -> str:
        """Return a question's short label."""
        return self._catalogs.gettext(self._language, FIELD_LABELS[slot])

    def summary(self, slots: Mapping[str, Any]) -> str:
        """Return the answers given so far, one "Label: value" line each."""
        fields = form_fields(slots.get("reg_kind"), slots.get("reg_contact_method"))
        return "\n".join(
            f"{self.label(slot)}: {self.value(slot, slots.get(slot))}" for slot in fields
        )

    def edit_buttons(self, slots: Mapping[str, Any]) -> list[dict[str, str]]:
        """Return one button per answer that can be changed."""
        fields = editable_fields(slots.get("reg_kind"), slots.get("reg_contact_method"))
        return [
            {"title": self.label(slot), "payload": payloads.inform_choice(slot)} for slot in fields
        ]

    def stored_data(self, arguments: Mapping[str, Any]) -> str:
        """Return everything stored about a person, as sent by ``action_show_my_data``."""
        tr = self._catalogs.gettext
        blocks = []
        for item in arguments.get("stored_registrations") or ():
            created = format_date(
                datetime.fromisoformat(item["created_at"]), format="medium", locale=self._locale
            )
            kind = tr(self._language, KIND_LABELS.get(item["kind"], item["kind"]))
            status = tr(self._language, STATUS_LABELS.get(item["status"], item["status"]))
            slots = {
                "reg_kind": item["kind"],
                "reg_name": item["name"],
                "reg_contact_method": item["contact_method"],
                "reg_phone": item["phone"],
                "reg_email": item["email"],
                "reg_municipality": item["municipality"],
            }
            slots.update(
                {DETAIL_SLOTS[key]: value for key, value in (item["details"] or {}).items()}
            )
            blocks.append(f"{kind} ({created}, {status})\n{self.summary(slots)}")
        consents = arguments.get("consents") or ()
        if consents:
            dates = ", ".join(
                format_date(datetime.fromisoformat(moment), format="medium", locale=self._locale)
                for moment in consents
            )
            blocks.append(
                self._catalogs.pgettext(
                    self._language, "my_data", "Einverständnis gegeben am: {dates}"
                ).format(dates=dates)
            )
        messages = int(arguments.get("chat_messages") or 0)
        blocks.append(
            self._catalogs.npgettext(
                self._language,
                "my_data",
                "Verlauf dieses Chats: {count} Nachricht",
                "Verlauf dieses Chats: {count} Nachrichten",
                messages,
            ).format(count=format_decimal(messages, locale=self._locale))
        )
        return "\n\n".join(blocks)
