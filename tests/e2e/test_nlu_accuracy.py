"""NLU accuracy per language on the held-out sets (tests/nlu/<language>*.yml).

Two figures per language (see docs/benchmarks.md):
- intent accuracy, the FAQ counting as one intent (Rasa's own intent accuracy);
- exact accuracy, where an FAQ also needs the right topic from the ResponseSelector.

The foundation issue's target is an intent accuracy of 0.90 in every language. It is
not reached in every language yet (docs/benchmarks.md has the figures: Turkish and
Arabic are below it), so the test holds regression floors instead: a little below the
lowest language measured, because training on another CPU gives slightly different
models even with a fixed seed. Raise the floors whenever the figures go up; once every
language is safely above the target, the intent floor becomes TARGET_INTENT_ACCURACY.
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
INTENT_ACCURACY_FLOOR = 0.82
EXACT_ACCURACY_FLOOR = 0.74
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
    assert report.intent_accuracy >= INTENT_ACCURACY_FLOOR, (
        language,
        report.intent_accuracy,
        worst,
    )
    assert report.accuracy >= EXACT_ACCURACY_FLOOR, (language, report.accuracy, worst)
    assert report.language_wrong <= 0.02 * report.total, "language detection regressed"
