"""Shared fixtures: project paths and loaded resources."""

from __future__ import annotations

import pytest

from bot.i18n.catalogs import Catalogs
from bot.i18n.detection import LanguageDetection
from bot.nlg.district import District, load_district
from bot.nlg.responses import SourceResponse, load_responses
from tests.helpers import ROOT


@pytest.fixture(scope="session")
def catalogs() -> Catalogs:
    return Catalogs(ROOT / "locale")


@pytest.fixture(scope="session")
def district() -> District:
    return load_district(ROOT / "district.yml")


@pytest.fixture(scope="session")
def responses() -> dict[str, SourceResponse]:
    return load_responses(ROOT / "domain.yml")


@pytest.fixture(scope="session")
def detection(district: District) -> LanguageDetection:
    return LanguageDetection(district.municipalities)
