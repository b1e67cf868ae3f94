"""The console's texts: German first, translated in every catalog, plurals by language."""

from __future__ import annotations

from datetime import date

import pytest

from bot.i18n.catalogs import Catalogs
from bot.i18n.languages import LANGUAGES
from bot.office import texts
from bot.office.passwords import PasswordProblem
from bot.office.work import WorkStatus
from tests.helpers import ROOT


@pytest.fixture(scope="module")
def catalogs() -> Catalogs:
    return Catalogs(ROOT / "locale")


def test_german_is_the_default(catalogs: Catalogs) -> None:
    assert texts.tr(texts.LOGIN_INVALID) == "Name, Passwort oder Code ist falsch."
    assert texts.locked_message(1) == (
        "Zu viele Fehlversuche. Bitte warten Sie 1 Sekunde und versuchen Sie es dann erneut."
    )
    assert texts.role_name("admin") == "Administration" and texts.role_name("x") == "x"
    assert texts.week_label(date(2026, 11, 30)) == "Woche ab 30.11.26"


@pytest.mark.parametrize("language", [lang.code for lang in LANGUAGES if lang.code != "de"])
def test_every_language_has_its_own_text(catalogs: Catalogs, language: str) -> None:
    for message in (texts.LOGIN_INVALID, texts.CHART_TITLES["funnel"], texts.WRONG_CODE):
        shown = texts.tr(message, catalogs=catalogs, language=language)
        assert shown and shown != message[1]


def test_lockout_uses_the_languages_plural_forms(catalogs: Catalogs) -> None:
    def russian(count: int) -> str:
        return texts.locked_message(count, catalogs=catalogs, language="ru")

    assert "1 секунду" in russian(1) and "3 секунды" in russian(3) and "30 секунд" in russian(30)
    assert "30 seconds" in texts.locked_message(30, catalogs=catalogs, language="en")


def test_refusals_name_their_limits(catalogs: Catalogs) -> None:
    assert "12 characters" in texts.password_problem_message(
        PasswordProblem.TOO_SHORT, catalogs=catalogs, language="en"
    )
    assert "256" in texts.password_problem_message(PasswordProblem.TOO_LONG)
    assert "4000" in texts.work_message(WorkStatus.TOO_LONG)
    assert texts.audit_action_name("login_failed") == "Fehlgeschlagener Login"
    assert texts.audit_action_name("something_new") == "something_new"
    assert texts.audit_action_name("export", catalogs=catalogs, language="tr") == "Dışa aktarma"
