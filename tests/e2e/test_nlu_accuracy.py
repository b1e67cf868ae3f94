"""NLU accuracy per language on the held-out sets (tests/nlu/), against the real Rasa server.

Figures (docs/benchmarks.md):
- intent accuracy, the FAQ counting as one intent (Rasa's own intent accuracy);
- exact accuracy, where an FAQ also needs the right topic from the response selector;
- out of scope: the share of off-topic and nonsense messages (tests/nlu/oos/) that get a
  fallback ("did you mean …?") or ``out_of_scope`` instead of an answer;
- the hard set (tests/nlu/hard/): long messages, transliteration, near-neighbour topics.

Floors: issue 10 asks for an exact accuracy of at least the shipped DIET figures in every
language, an intent accuracy of at least 0.92, at least 90 % of the out-of-scope set
handled and at least 0.90 exact on the hard set. The linear NLU is deterministic (liblinear
with a fixed seed), so a retraining on the same data gives the same figures; the floors are
therefore the targets themselves, with no margin below them. The spread between the five
cross-validation folds (0.02-0.04 per language) says how far a change of the training
data may move them. All targets are met (2026-12-06, docs/benchmarks.md); the hard set's
floor is the lowest figure reached since the Latin view of Cyrillic and Arabic (0.917,
Ukrainian), above the 0.90 asked for.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.i18n.detection import LanguageDetection
from bot.i18n.evaluation import (
    Example,
    LanguageReport,
    evaluate_language,
    held_out_examples,
    load_examples,
    markdown_table,
)
from bot.i18n.languages import LANGUAGES
from bot.settings import Settings
from tests.helpers import ROOT

pytestmark = pytest.mark.e2e

TARGET_INTENT_ACCURACY = 0.92
# The shipped DIET + ResponseSelector figures (docs/benchmarks.md, 2026-12-01).
DIET_EXACT_ACCURACY = {
    "de": 0.906,
    "en": 0.844,
    "tr": 0.833,
    "ar": 0.822,
    "uk": 0.872,
    "ru": 0.889,
}
OUT_OF_SCOPE_FLOOR = 0.90
# Issue 10 asks for 0.90; reached 0.917-0.972 (Ukrainian lowest) on 2026-12-06.
HARD_EXACT_FLOOR = 0.91
# The blind set (tests/nlu/blind/, written by a helper who never saw nlu_data/ or the other
# sets): de 0.972, en 0.944, tr 0.944, ar 0.833, uk 1.000, ru 0.806 on 2026-12-06; with the
# Latin view of Cyrillic and Arabic and translit detection (same day) ar 0.861, ru 1.000, the
# others unchanged; after the Arabic rounds of training data (written by helpers who read
# neither blind set) de 0.972, en 0.944, tr 0.972, ar 0.944, uk 1.000, ru 1.000 (tr 0.971 after
# a line equal to a training line left the set). The floor
# is issue 10's target.
BLIND_EXACT_FLOOR = 0.90
# A second blind set, Arabic only (tests/nlu/blind2/, 40 messages in five dialects, MSA
# and Arabizi, written by another helper from docs/intents.md alone while the Arabic
# training data was being extended by a helper who read neither blind set).
# Measured 0.975 (39 of 40) on 2026-12-06; same floor.
BLIND2_LANGUAGES = ["ar"]
# Messages misunderstood in use (tests/nlu/reported/<language>.yml): every one must be
# understood exactly.
REPORTED = sorted((ROOT / "tests" / "nlu" / "reported").glob("*.yml"))
EVALUATED = [language.code for language in LANGUAGES if language.detector_name]


def _evaluate(
    servers: Settings, detection: LanguageDetection, language: str, examples: list[Example]
) -> LanguageReport:
    return evaluate_language(
        servers.rasa_url,
        language,
        examples,
        detection,
        token=servers.rasa_token.get_secret_value(),
    )


@pytest.mark.parametrize("language", EVALUATED)
def test_accuracy_per_language(
    servers: Settings, detection: LanguageDetection, language: str
) -> None:
    examples = held_out_examples(ROOT / "tests" / "nlu", language)
    assert len(examples) >= 36 * 4, "every intent needs held-out examples"
    report = _evaluate(servers, detection, language, examples)
    worst = report.confusions.most_common(8)
    print(markdown_table([report]))
    assert report.intent_accuracy >= TARGET_INTENT_ACCURACY, (
        language,
        report.intent_accuracy,
        worst,
    )
    assert report.accuracy >= DIET_EXACT_ACCURACY[language], (language, report.accuracy, worst)
    assert report.language_wrong <= 0.02 * report.total, "language detection regressed"


@pytest.mark.parametrize("language", EVALUATED)
def test_out_of_scope_messages_get_no_answer(
    servers: Settings, detection: LanguageDetection, language: str
) -> None:
    examples = load_examples(ROOT / "tests" / "nlu" / "oos" / f"{language}.yml")
    report = _evaluate(servers, detection, language, examples)
    # A fallback is not out_of_scope, so the report counts it apart from the right ones.
    handled = (report.correct + report.fallbacks) / report.total
    answered = [pair for pair in report.confusions.most_common() if pair[0][1] != "nlu_fallback"]
    print(f"{language} out of scope: {report.correct + report.fallbacks} of {report.total}")
    assert handled >= OUT_OF_SCOPE_FLOOR, (language, handled, answered)


@pytest.mark.parametrize("language", EVALUATED)
def test_hard_set(servers: Settings, detection: LanguageDetection, language: str) -> None:
    examples = load_examples(ROOT / "tests" / "nlu" / "hard" / f"{language}.yml")
    report = _evaluate(servers, detection, language, examples)
    print(markdown_table([report]))
    assert report.accuracy >= HARD_EXACT_FLOOR, (language, report.accuracy, report.confusions)


@pytest.mark.parametrize(
    ("folder", "language"),
    [("blind", language) for language in EVALUATED]
    + [("blind2", language) for language in BLIND2_LANGUAGES],
)
def test_blind_set(
    servers: Settings, detection: LanguageDetection, folder: str, language: str
) -> None:
    examples = load_examples(ROOT / "tests" / "nlu" / folder / f"{language}.yml")
    report = _evaluate(servers, detection, language, examples)
    print(markdown_table([report]))
    print(sorted(report.confusions.items()))
    assert report.accuracy >= BLIND_EXACT_FLOOR, (language, report.accuracy, report.confusions)


@pytest.mark.parametrize("path", REPORTED, ids=lambda path: path.stem)
def test_messages_reported_from_use_are_understood(
    servers: Settings, detection: LanguageDetection, path: Path
) -> None:
    report = _evaluate(servers, detection, path.stem, load_examples(path))
    assert report.total > 0
    assert report.correct == report.total, sorted(report.confusions.items())
