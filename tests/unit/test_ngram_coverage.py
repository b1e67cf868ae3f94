"""The n-gram coverage diagnostic counts n-grams the way the featurizer builds them."""

from __future__ import annotations

from tests.benchmarks.ngram_coverage import char_wb_ngrams, coverage, vocabulary


def test_ngrams_are_taken_per_word_with_padding() -> None:
    assert list(char_wb_ngrams("Ab c")) == [
        " a", "ab", "b ", " ab", "ab ", " ab ",
        " c", "c ", " c ",
    ]  # fmt: skip


def test_coverage_counts_occurrences_in_the_vocabulary() -> None:
    known = vocabulary(["ab"], max_features=None)
    assert known == {" a", "ab", "b ", " ab", "ab ", " ab "}
    assert coverage(known, ["ab"]) == 1.0
    assert coverage(known, ["cd"]) == 0.0
    assert coverage(known, ["ab cd"]) == 0.5


def test_max_features_keeps_the_most_frequent() -> None:
    known = vocabulary(["aa", "aa", "b"], max_features=2)
    assert len(known) == 2
    assert not any("b" in ngram for ngram in known)
