"""Diagnostic: how much of each held-out set the character n-gram featurizer can see.

Run: ``.venv/bin/python -m tests.benchmarks.ngram_coverage [--max-features N]``
(``make benchmark-ngrams``). It builds the vocabulary that ``config.yml``'s
``CountVectorsFeaturizer`` (``analyzer: char_wb``, 2- to 5-grams, lower-cased) builds from
``nlu_data/``, optionally cut to the N most frequent n-grams as ``max_features`` would,
and prints per language the share of the held-out messages' n-gram occurrences that are in
that vocabulary. Unknown n-grams are invisible to the classifiers, so a low share means
the model sees less of that language's messages. Only counts are printed, never a
held-out message. With ``--max-features``, n-grams tied at the cut may be chosen
differently from scikit-learn, so those figures can differ from Rasa's by a point or two.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from bot.evaluation import held_out_examples, training_examples
from bot.languages import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
MIN_NGRAM = 2
MAX_NGRAM = 5


def char_wb_ngrams(text: str) -> Iterator[str]:
    """Yield the n-grams scikit-learn's ``char_wb`` analyzer yields for ``text``.

    Args:
        text: One message.

    Yields:
        Character n-grams of every whitespace-separated word padded with one space on
        each side, lower-cased, from ``MIN_NGRAM`` to ``MAX_NGRAM`` characters.
    """
    for word in text.lower().split():
        padded = f" {word} "
        for size in range(MIN_NGRAM, MAX_NGRAM + 1):
            if size > len(padded):
                break
            for start in range(len(padded) - size + 1):
                yield padded[start : start + size]


def count_ngrams(texts: Iterable[str]) -> Counter[str]:
    """Count n-gram occurrences over many messages."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(char_wb_ngrams(text))
    return counts


def vocabulary(texts: Iterable[str], max_features: int | None) -> set[str]:
    """The featurizer's vocabulary: all n-grams, or the ``max_features`` most frequent."""
    counts = count_ngrams(texts)
    if max_features is None:
        return set(counts)
    return {ngram for ngram, _ in counts.most_common(max_features)}


def coverage(known: set[str], texts: Iterable[str]) -> float:
    """Share of the n-gram occurrences in ``texts`` that are in ``known``."""
    counts = count_ngrams(texts)
    total = sum(counts.values())
    seen = sum(number for ngram, number in counts.items() if ngram in known)
    return seen / total if total else 0.0


def main() -> None:
    """Print the coverage table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-features", type=int, default=None)
    arguments = parser.parse_args()
    evaluated = [language.code for language in LANGUAGES if language.detector_name]
    training = [
        example.text
        for code in evaluated
        for example in training_examples(ROOT / "nlu_data", code)
    ]
    known = vocabulary(training, arguments.max_features)
    print(f"vocabulary: {len(known)} character n-grams")
    print("| language | held-out n-gram occurrences known |")
    print("|---|---|")
    for code in evaluated:
        examples = held_out_examples(ROOT / "tests" / "nlu", code)
        share = coverage(known, (example.text for example in examples))
        print(f"| {code} | {share:.3f} |")


if __name__ == "__main__":
    main()
