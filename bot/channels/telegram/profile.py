"""The bot's command menu and description, registered per language (setMyCommands …)."""

from __future__ import annotations

from collections.abc import Mapping

from telegram import Bot, BotCommand

from bot.i18n.catalogs import NC_, Catalogs
from bot.i18n.languages import LANGUAGES, SOURCE_LANGUAGE

# The user commands in menu order, with their German descriptions (translated per language).
COMMANDS = (
    ("start", NC_("telegram command", "Neu beginnen und Themen zeigen")),
    ("help", NC_("telegram command", "Was ich kann")),
    ("language", NC_("telegram command", "Sprache wählen")),
    ("privacy", NC_("telegram command", "Datenschutz")),
    ("mydata", NC_("telegram command", "Meine gespeicherten Daten zeigen")),
    ("delete", NC_("telegram command", "Meine Daten löschen")),
    ("cancel", NC_("telegram command", "Abbrechen")),
)
DESCRIPTION = NC_(
    "telegram profile",
    "Ich bin der digitale Assistent der {office_name} im {district_name}: ein Programm, "
    "kein Mensch. Ich beantworte Fragen zu Patenschaften für Kinder und Familien, in "
    "Ihrer Sprache, und nehme Ihre Anmeldung entgegen. Tippen Sie auf Starten.",
)
SHORT_DESCRIPTION = NC_(
    "telegram profile", "Patenschaften für Kinder und Familien: Fragen und Anmeldung."
)


def telegram_language_codes() -> dict[str | None, str]:
    """Map Telegram's language codes to ours; ``None`` (the default) is the source."""
    codes: dict[str | None, str] = {None: SOURCE_LANGUAGE}
    for language in LANGUAGES:
        # A variant such as plain German has no language code of its own in Telegram.
        if "-" not in language.code:
            codes[language.code] = language.code
    return codes


def commands_for(catalogs: Catalogs, language: str) -> list[BotCommand]:
    """Return the command menu in one language."""
    return [
        BotCommand(command, catalogs.pgettext(language, *description))
        for command, description in COMMANDS
    ]


async def register_profile(bot: Bot, catalogs: Catalogs, facts: Mapping[str, str]) -> None:
    """Register commands and descriptions for every language Telegram can tell apart."""
    for telegram_code, language in telegram_language_codes().items():
        await bot.set_my_commands(commands_for(catalogs, language), language_code=telegram_code)
        await bot.set_my_description(
            catalogs.pgettext(language, *DESCRIPTION).format_map(facts)[:512],
            language_code=telegram_code,
        )
        await bot.set_my_short_description(
            catalogs.pgettext(language, *SHORT_DESCRIPTION)[:120],
            language_code=telegram_code,
        )
