"""NLU accuracy per language on the held-out sets (tests/nlu/<language>.yml)."""

from __future__ import annotations

import pytest

from bot.evaluation import evaluate_language, held_out_examples, markdown_table
from bot.language_detection import LanguageDetection
from bot.languages import LANGUAGES
from bot.settings import Settings
from tests.conftest import ROOT

pytestmark = pytest.mark.e2e

MIN_ACCURACY = 0.90
EVALUATED = [language.code for language in LANGUAGES if language.detector_name]


@pytest.mark.parametrize("language", EVALUATED)
def test_intent_accuracy_per_language(
    servers: Settings, detection: LanguageDetection, language: str
) -> None:
    examples = held_out_examples(ROOT / "tests" / "nlu", language)
    assert len(examples) >= 36 * 4, "every intent needs held-out examples"
    report = evaluate_language(servers.rasa_url, language, examples, detection)
    worst = report.confusions.most_common(8)
    print(markdown_table([report]))
    assert report.accuracy >= MIN_ACCURACY, f"{language}: {report.accuracy:.3f}; {worst}"
