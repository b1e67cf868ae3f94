"""The web page's own texts (German source; translated through the Babel catalogs)."""

from __future__ import annotations

from bot.i18n.catalogs import NC_, Catalogs

# Reused from the other channels (same context and text, so one translation).
TOO_FAST = NC_(
    "telegram",
    "Sie schreiben gerade sehr schnell. Bitte warten Sie kurz, dann antworte ich wieder gern.",
)
UNAVAILABLE = NC_(
    "frontend",
    "Entschuldigung, ich bin gerade nicht erreichbar. "
    "Bitte schreiben Sie Ihre Nachricht in ein paar Minuten noch einmal.",
)
HANDOFF_STARTED = NC_(
    "handoff",
    "Ich habe Ihre Frage an die Koordinationsstelle weitergegeben. Eine Mitarbeiterin oder "
    "ein Mitarbeiter antwortet Ihnen hier im Chat. Bis dahin antworte ich nicht "
    "automatisch. Mit /start sprechen Sie wieder mit mir.",
)
HANDOFF_ENDED = NC_(
    "handoff",
    "Das Gespräch mit der Koordinationsstelle ist beendet. Ich bin wieder für Sie da. "
    "Tippen Sie /help, um zu sehen, was ich kann.",
)
OFFICE_REPLY = NC_("handoff", "Antwort der Koordinationsstelle:")
TOO_MANY_CONVERSATIONS = NC_(
    "web",
    "Von Ihrem Anschluss wurden gerade sehr viele Gespräche begonnen. "
    "Bitte versuchen Sie es in einer Stunde noch einmal.",
)
INVALID_CONVERSATION = NC_(
    "web",
    "Dieses Gespräch ist nicht mehr gültig. Bitte laden Sie die Seite neu, "
    "um ein neues Gespräch zu beginnen.",
)

# Translators: the page's texts; {office_name} and {district_name} are filled in.
PAGE_TEXTS = {
    "page_title": NC_("web", "Chat: Patenschaften im {district_name}"),
    "heading": NC_("web", "Fragen zu Patenschaften"),
    "intro": NC_(
        "web",
        "Hier antwortet Ihnen ein automatischer Assistent der {office_name}, kein Mensch. "
        "Auf Wunsch gibt er Ihre Frage an die Koordinationsstelle weiter.",
    ),
    "privacy_link": NC_("web", "Datenschutzhinweise"),
    "skip_link": NC_("web", "Zum Eingabefeld springen"),
    "language_label": NC_("web", "Sprache"),
    "language_button": NC_("web", "Sprache wählen"),
    "start_button": NC_("web", "Chat beginnen"),
    "transcript_label": NC_("web", "Gesprächsverlauf"),
    "input_label": NC_("web", "Ihre Nachricht"),
    "input_hint": NC_("web", "Schreiben Sie am besten eine Frage auf einmal."),
    "send": NC_("web", "Senden"),
    "menu_label": NC_("web", "Weitere Möglichkeiten"),
    "help": NC_("web", "Hilfe"),
    "my_data": NC_("web", "Meine Daten"),
    "delete": NC_("web", "Meine Daten löschen"),
    "new_conversation": NC_("web", "Neues Gespräch"),
    "you": NC_("web", "Sie"),
    "assistant": NC_("web", "Assistent"),
    "office": NC_("web", "Koordinationsstelle"),
    "choices_label": NC_("web", "Antwortmöglichkeiten"),
    "privacy_heading": NC_("web", "Datenschutz im Chat"),
    "back_to_chat": NC_("web", "Zurück zum Chat"),
    "sending": NC_("web", "Wird gesendet …"),
}


def page_texts(catalogs: Catalogs, language: str, values: dict[str, str]) -> dict[str, str]:
    """Return the page's texts in ``language``, with the district's names filled in."""
    return {
        key: catalogs.pgettext(language, *message).format_map(values)
        for key, message in PAGE_TEXTS.items()
    }
