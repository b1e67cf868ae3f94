"""What the coordination office reads: registrations, statuses and counts, in German.

The office works in German, the source language, so its catalog is the German texts
themselves; they are marked for extraction all the same (``msgctxt`` "coordinators" or
the labels the registration form shows), so wording is reviewed in one place. Stored
values (``children``, ``3-4``, ``uk``, ``contacted``) are never shown as they are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache

from babel import Locale

from bot.i18n.catalogs import NC_, Catalogs
from bot.i18n.languages import SOURCE_LANGUAGE, get_language, is_supported
from bot.nlg.registration_texts import STATUS_LABELS, RegistrationTexts
from bot.nlg.responses import load_responses
from bot.settings import Settings

COORDINATOR_LANGUAGE = SOURCE_LANGUAGE
OTHER_MUNICIPALITY = "other"

STATS_HEADINGS = {
    "status": NC_("coordinators", "Nach Status:"),
    "kind": NC_("coordinators", "Nach Art:"),
    "municipality": NC_("coordinators", "Nach Gemeinde:"),
    "language": NC_("coordinators", "Nach Sprache im Chat:"),
}
KIND_NAMES = {
    "mentor": NC_("coordinators", "Pate oder Patin"),
    "family": NC_("coordinators", "Familie"),
}
NONE_YET = NC_("coordinators", "(noch keine)")
OTHER_MUNICIPALITY_LABEL = NC_("coordinators", "andere Gemeinde")


@cache
def coordinator_catalogs() -> Catalogs:
    """Return the catalog of the coordinators' language (German: the source texts)."""
    return Catalogs.source()


@cache
def registration_texts() -> RegistrationTexts:
    """Return the form's labels and answer titles in the coordinators' language."""
    settings = Settings()
    return RegistrationTexts(
        load_responses(settings.path(settings.domain_file)),
        coordinator_catalogs(),
        COORDINATOR_LANGUAGE,
    )


def tr(context: str, message: str) -> str:
    """Translate into the coordinators' language (keyword ``tr:1c,2``)."""
    return coordinator_catalogs().pgettext(COORDINATOR_LANGUAGE, context, message)


def language_name(code: str) -> str:
    """Return a language's German name (CLDR), e.g. ``uk`` → "Ukrainisch"."""
    names: Mapping[str, str] = Locale.parse(COORDINATOR_LANGUAGE).languages
    if code in names:
        return names[code]
    if is_supported(code):
        language = get_language(code)
        base = names.get(language.locale.split("@")[0], code)
        return f"{base} ({language.own_name})" if language.own_name else base
    return code


def status_name(status: str) -> str:
    """Return a registration status as coordinators read it, e.g. "in Kontakt"."""
    return coordinator_catalogs().gettext(COORDINATOR_LANGUAGE, STATUS_LABELS.get(status, status))


def kind_name(kind: str) -> str:
    """Return a registration's kind as coordinators read it."""
    return tr(*KIND_NAMES[kind]) if kind in KIND_NAMES else kind


def municipality_name(value: str) -> str:
    """Return a stored municipality; "other" becomes "andere Gemeinde"."""
    return tr(*OTHER_MUNICIPALITY_LABEL) if value == OTHER_MUNICIPALITY else value


_VALUE_NAMES = {
    "status": status_name,
    "kind": kind_name,
    "municipality": municipality_name,
    "language": language_name,
}


def format_stats(counts: Mapping[str, Sequence[tuple[str, int]]]) -> str:
    """Return registration counts as coordinators read them (German labels and values)."""
    catalogs = coordinator_catalogs()
    total = sum(count for _, count in counts.get("status", ()))
    lines = [
        catalogs.npgettext(
            COORDINATOR_LANGUAGE,
            "coordinators",
            "{count} Anmeldung gespeichert",
            "{count} Anmeldungen gespeichert",
            total,
        ).format(count=total)
    ]
    for column, rows in counts.items():
        lines.append(tr(*STATS_HEADINGS[column]) if column in STATS_HEADINGS else f"{column}:")
        name = _VALUE_NAMES.get(column, str)
        lines.extend(f"  {name(value)}: {count}" for value, count in rows)
        if not rows:
            lines.append(f"  {tr(*NONE_YET)}")
    return "\n".join(lines)
