"""NLU accuracy per language on the held-out sets (tests/nlu/<language>*.yml).

Two figures per language (see docs/benchmarks.md):
- intent accuracy, the FAQ counting as one intent (Rasa's own intent accuracy);
- exact accuracy, where an FAQ also needs the right topic from the ResponseSelector.

The foundation issue's target is an intent accuracy of 0.90 in every language. It is
enforced for the languages that meet it with a margin over several trainings (German,
English, Ukrainian, Russian: 0.939-0.978 in the last three). Turkish (0.906-0.922) is
above it but too close to rule out a model trained on another CPU dipping below, and
Arabic (0.861-0.894) is below it (docs/benchmarks.md), so those two hold regression floors
a little below their lowest figures. Move a language into TARGET_ENFORCED once it is
safely above the target; the exact accuracy floor holds for every language.
"""

from __future__ import annotations

import pytest

from bot.evaluation import evaluate_language, held_out_examples, markdown_table
from bot.language_detection import LanguageDetection
from bot.languages import LANGUAGES
from bot.settings import Settings
from tests.conftest import ROOT

pytestmark = pytest.mark.e2e

TARGET_INTENT_ACCURACY = 0.90
TARGET_ENFORCED = frozenset({"de", "en", "uk", "ru"})
INTENT_ACCURACY_FLOOR = 0.84
EXACT_ACCURACY_FLOOR = 0.75
EVALUATED = [language.code for language in LANGUAGES if language.detector_name]


@pytest.mark.parametrize("language", EVALUATED)
def test_accuracy_per_language(
    servers: Settings, detection: LanguageDetection, language: str
) -> None:
    examples = held_out_examples(ROOT / "tests" / "nlu", language)
    assert len(examples) >= 36 * 4, "every intent needs held-out examples"
    report = evaluate_language(servers.rasa_url, language, examples, detection)
    worst = report.confusions.most_common(8)
    print(markdown_table([report]))
    state = "met" if report.intent_accuracy >= TARGET_INTENT_ACCURACY else "NOT met"
    print(f"{language}: target intent accuracy {TARGET_INTENT_ACCURACY} {state}")
    required = TARGET_INTENT_ACCURACY if language in TARGET_ENFORCED else INTENT_ACCURACY_FLOOR
    assert report.intent_accuracy >= required, (
        language,
        report.intent_accuracy,
        worst,
    )
    assert report.accuracy >= EXACT_ACCURACY_FLOOR, (language, report.accuracy, worst)
    assert report.language_wrong <= 0.02 * report.total, "language detection regressed"
