"""Every user-visible text is translated, compiled and consistent in every language."""

from __future__ import annotations

import gettext
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.languages import LANGUAGES, SOURCE_LANGUAGE, SupportedLanguage
from tests.conftest import ROOT

LOCALE_DIR = ROOT / "locale"
TRANSLATED = [language for language in LANGUAGES if language.code != SOURCE_LANGUAGE]
KEYWORDS = {"N_": None, "pgettext": ((2, "c"), 3), "gettext": (2,), "tr": ((1, "c"), 2)}
METHOD_MAP = [
    ("bot/**.py", "python"),
    ("actions/**.py", "python"),
    ("domain.yml", "rasa_domain"),
]


def _fields(text: str) -> list[str]:
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name)


def _po(locale: str) -> Catalog:
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "patenbot.po").open("rb") as handle:
        return read_po(handle)


@pytest.fixture(scope="module")
def source_messages() -> set[tuple[str | None, str]]:
    """Extract the texts from the code and domain now, as `make extract` would."""
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        ROOT, METHOD_MAP, keywords=KEYWORDS, comment_tags=()
    ):
        assert isinstance(message, str)
        found.add((context, message))
    return found


def test_extraction_finds_responses_buttons_and_code_texts(
    source_messages: set[tuple[str | None, str]],
) -> None:
    contexts = {context for context, _ in source_messages}
    assert "utter_greet" in contexts
    assert "utter_greet|button" in contexts
    assert "utter_faq/police_certificate" in contexts
    assert "frontend" in contexts
    assert (None, "Versicherung") in source_messages


@pytest.mark.parametrize("language", TRANSLATED, ids=lambda lang: lang.code)
def test_catalog_translates_every_current_text(
    language: SupportedLanguage, source_messages: set[tuple[str | None, str]]
) -> None:
    catalog = _po(language.locale)
    translated = {(message.context, message.id): message for message in catalog if message.id}
    missing = [key for key in source_messages if key not in translated]
    assert not missing, f"not in the catalog (run make update-catalogs): {missing[:5]}"
    problems = []
    for key in source_messages:
        message = translated[key]
        if message.fuzzy:
            problems.append(("fuzzy", key))
        if not isinstance(message.string, str) or not message.string.strip():
            problems.append(("empty", key))
        elif _fields(message.id) != _fields(message.string):
            problems.append(("placeholders differ", key))
        else:
            for command in ("/help", "/language", "/start"):
                if command in message.id and command not in message.string:
                    problems.append((f"command {command} lost", key))
    assert not problems, problems[:10]


@pytest.mark.parametrize("language", TRANSLATED, ids=lambda lang: lang.code)
def test_compiled_catalog_matches_source_catalog(language: SupportedLanguage) -> None:
    """The .mo file the bot loads says exactly what the reviewed .po file says."""
    mo_path: Path = LOCALE_DIR / language.locale / "LC_MESSAGES" / "patenbot.mo"
    assert mo_path.is_file(), "run make catalogs"
    with mo_path.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for message in _po(language.locale):
        if not message.id or message.fuzzy or not isinstance(message.id, str):
            continue
        if message.context:
            shown = compiled.pgettext(message.context, message.id)
        else:
            shown = compiled.gettext(message.id)
        assert shown == message.string, (message.context, message.id)
