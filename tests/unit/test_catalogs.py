"""Every user-visible text is translated, compiled and consistent in every language."""

from __future__ import annotations

import gettext
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n.languages import LANGUAGES, SOURCE_LANGUAGE, SupportedLanguage
from tests.helpers import ROOT

LOCALE_DIR = ROOT / "locale"
TRANSLATED = [language for language in LANGUAGES if language.code != SOURCE_LANGUAGE]
KEYWORDS = {
    "N_": None,
    "pgettext": ((2, "c"), 3),
    "gettext": (2,),
    "tr": ((1, "c"), 2),
    "NC_": ((1, "c"), 2),
    "ngettext": (2, 3),
    "npgettext": ((2, "c"), 3, 4),
    "ntr": ((1, "c"), 2, 3),
    "NPC_": ((1, "c"), 2, 3),
}
# The Plural-Forms every catalog must declare (GNU gettext's rules; Arabic's six forms in
# CLDR's order zero, one, two, few, many, other). A wrong header picks wrong forms.
PLURAL_FORMS = {
    "en": "nplurals=2; plural=(n != 1);",
    "de@plain": "nplurals=2; plural=(n != 1);",
    "tr": "nplurals=2; plural=(n != 1);",
    "uk": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
    "(n%100<10 || n%100>=20) ? 1 : 2);",
    "ru": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
    "(n%100<10 || n%100>=20) ? 1 : 2);",
    "ar": "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : "
    "n%100>=11 ? 4 : 5);",
}
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
    """Extract the texts from the code and domain now, as `make extract` would.

    A text with a number is keyed by its singular, as the catalogs key it.
    """
    return {(context, message) for context, message in _extracted()}


def _extracted() -> dict[tuple[str | None, str], str | tuple[str, str]]:
    found: dict[tuple[str | None, str], str | tuple[str, str]] = {}
    for _file, _line, message, _comments, context in extract_from_dir(
        ROOT, METHOD_MAP, keywords=KEYWORDS, comment_tags=()
    ):
        if isinstance(message, tuple):
            singular, plural = message[0], message[1]
            assert isinstance(singular, str) and isinstance(plural, str)
            found[(context, singular)] = (singular, plural)
        else:
            assert isinstance(message, str)
            found[(context, message)] = message
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
    translated = {(message.context, _singular(message.id)): message for message in catalog}
    missing = [key for key in source_messages if key not in translated]
    assert not missing, f"not in the catalog (run make update-catalogs): {missing[:5]}"
    problems = []
    source = _extracted()
    for key in source_messages:
        message = translated[key]
        if message.fuzzy:
            problems.append(("fuzzy", key))
        problems.extend((problem, key) for problem in _problems(source[key], message.string))
        if isinstance(source[key], tuple) and not isinstance(message.id, tuple):
            problems.append(("no plural forms in the catalog", key))
        elif isinstance(source[key], tuple) and message.id[1] != source[key][1]:
            problems.append(("plural differs from the source", key))
    assert not problems, problems[:10]


def _singular(message_id: object) -> str:
    return str(message_id[0] if isinstance(message_id, tuple) else message_id)


def _problems(source: str | tuple[str, str], translation: object) -> list[str]:
    """Say what is wrong with one translation (every plural form is checked)."""
    source_text = source[1] if isinstance(source, tuple) else source
    if isinstance(source, tuple):
        forms = list(translation) if isinstance(translation, tuple | list) else [translation]
    else:
        forms = [translation]
    problems = []
    for index, form in enumerate(forms):
        where = f"form {index}: " if isinstance(source, tuple) else ""
        if not isinstance(form, str) or not form.strip():
            problems.append(f"{where}empty")
        elif _fields(source_text) != _fields(form):
            problems.append(f"{where}placeholders differ")
        else:
            problems.extend(
                f"{where}command {command} lost"
                for command in ("/help", "/language", "/start")
                if command in source_text and command not in form
            )
    return problems


@pytest.mark.parametrize("language", TRANSLATED, ids=lambda lang: lang.code)
def test_catalog_declares_the_languages_plural_forms(language: SupportedLanguage) -> None:
    catalog = _po(language.locale)
    assert catalog.plural_forms == PLURAL_FORMS[language.locale]
    for message in catalog:
        if isinstance(message.id, tuple):
            assert len(message.string) == catalog.num_plurals, (message.context, message.id)


def test_a_missing_or_broken_plural_form_is_found() -> None:
    """The checks above would catch an empty form or a lost placeholder in any form."""
    source = ("{count} Stunde", "{count} Stunden")
    assert _problems(source, ("{count} час", "{count} часа", "{count} часов")) == []
    assert _problems(source, ("{count} час", "", "{count} часов")) == ["form 1: empty"]
    assert _problems(source, ("{count} час", "часа", "{count} часов")) == [
        "form 1: placeholders differ"
    ]


@pytest.mark.parametrize("language", TRANSLATED, ids=lambda lang: lang.code)
def test_compiled_catalog_matches_source_catalog(language: SupportedLanguage) -> None:
    """The .mo file the bot loads says exactly what the reviewed .po file says."""
    mo_path: Path = LOCALE_DIR / language.locale / "LC_MESSAGES" / "patenbot.mo"
    assert mo_path.is_file(), "run make catalogs"
    with mo_path.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for message in _po(language.locale):
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            singular, plural = message.id
            for n in range(200):
                shown = compiled.npgettext(message.context, singular, plural, n)
                assert shown == message.string[compiled.plural(n)], (message.context, n)
            continue
        if message.context:
            shown = compiled.pgettext(message.context, message.id)
        else:
            shown = compiled.gettext(message.id)
        assert shown == message.string, (message.context, message.id)
