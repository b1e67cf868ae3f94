"""Short titles of the topics the assistant can offer as "did you mean …?" buttons."""

from __future__ import annotations

from bot.i18n.catalogs import N_

# Keys are intents, or ``faq/<topic>`` for FAQ sub-intents. Chit-chat intents
# (greet, affirm, …) are never offered: for them the assistant asks to rephrase.
TOPIC_TITLES: dict[str, str] = {
    "faq/what_is_mentoring": N_("Was ist eine Patenschaft?"),
    "faq/who_can_mentor": N_("Wer kann Pate werden?"),
    "faq/time_commitment": N_("Wie viel Zeit braucht das?"),
    "faq/costs_and_expenses": N_("Kosten und Auslagen für Paten"),
    "faq/police_certificate": N_("Erweitertes Führungszeugnis"),
    "faq/training_and_support": N_("Schulung und Begleitung"),
    "faq/how_to_apply": N_("Wie werde ich Pate?"),
    "faq/matching": N_("Wie finden Pate und Familie zueinander?"),
    "faq/language_skills": N_("Reicht mein Deutsch?"),
    "faq/programme_types": N_("Welche Patenschaften gibt es?"),
    "faq/insurance": N_("Versicherung"),
    "faq/locations": N_("Orte im Landkreis"),
    "faq/ending_mentorship": N_("Eine Patenschaft beenden"),
    "faq/mentor_benefits": N_("Was habe ich davon?"),
    "faq/info_events": N_("Infoveranstaltungen"),
    "faq/interpreter_pool": N_("Dolmetscherpool"),
    "faq/parent_get_mentor": N_("Eltern: Pate für mein Kind"),
    "faq/parent_costs": N_("Eltern: Was kostet es?"),
    "faq/parent_child_safety": N_("Eltern: Ist mein Kind sicher?"),
    "faq/parent_mentor_language": N_("Eltern: Pate mit meiner Sprache"),
    "faq/privacy": N_("Datenschutz"),
    "faq/contact": N_("Kontakt"),
    "help": N_("Was kannst du?"),
    "register_interest": N_("Als Pate anmelden"),
    "request_human": N_("Mit einem Menschen sprechen"),
    "change_language": N_("Sprache ändern"),
    "show_my_data": N_("Meine Daten ansehen"),
    "delete_my_data": N_("Meine Daten löschen"),
    "bot_challenge": N_("Bist du ein Bot?"),
}
