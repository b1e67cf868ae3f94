"""The n-gram coverage diagnostic counts n-grams the way the featurizer builds them."""

from __future__ import annotations

from pathlib import Path

from tests.benchmarks.ngram_coverage import (
    CharNgramSettings,
    char_wb_ngrams,
    coverage,
    featurizer_settings,
    vocabulary,
)
from tests.helpers import ROOT

TWO_TO_FIVE = CharNgramSettings(min_ngram=2, max_ngram=5)


def test_ngrams_are_taken_per_word_with_padding() -> None:
    assert list(char_wb_ngrams("Ab c", TWO_TO_FIVE)) == [
        " a", "ab", "b ", " ab", "ab ", " ab ",
        " c", "c ", " c ",
    ]  # fmt: skip


def test_accents_are_stripped_when_configured() -> None:
    stripping = CharNgramSettings(min_ngram=3, max_ngram=3, strip_accents=True)
    assert list(char_wb_ngrams("Şu", stripping)) == [" su", "su "]
    assert list(char_wb_ngrams("أب", stripping)) == [" اب", "اب "]
    assert list(char_wb_ngrams("Şu", CharNgramSettings(3, 3))) == [" şu", "şu "]


def test_coverage_counts_occurrences_in_the_vocabulary() -> None:
    known = vocabulary(["ab"], TWO_TO_FIVE)
    assert known == {" a", "ab", "b ", " ab", "ab ", " ab "}
    assert coverage(known, ["ab"], TWO_TO_FIVE) == 1.0
    assert coverage(known, ["cd"], TWO_TO_FIVE) == 0.0
    assert coverage(known, ["ab cd"], TWO_TO_FIVE) == 0.5


def test_max_features_keeps_the_most_frequent() -> None:
    capped = CharNgramSettings(min_ngram=2, max_ngram=5, max_features=2)
    known = vocabulary(["aa", "aa", "b"], capped)
    assert len(known) == 2
    assert not any("b" in ngram for ngram in known)


def test_settings_are_read_from_the_rasa_configuration(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text(
        "pipeline:\n"
        "  - name: CountVectorsFeaturizer\n"
        "  - name: CountVectorsFeaturizer\n"
        "    analyzer: char_wb\n"
        "    min_ngram: 1\n"
        "    max_ngram: 3\n"
        "    strip_accents: unicode\n"
        "    max_features: 10\n",
        encoding="utf-8",
    )
    assert featurizer_settings(config) == CharNgramSettings(1, 3, True, 10)
    real = featurizer_settings(ROOT / "config-diet.yml")  # raises if it has none
    assert 1 <= real.min_ngram <= real.max_ngram
