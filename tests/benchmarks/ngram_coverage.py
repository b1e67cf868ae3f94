"""Diagnostic: how much of each held-out set the character n-gram featurizer can see.

Run: ``.venv/bin/python -m tests.benchmarks.ngram_coverage [--no-cap]``
(``make benchmark-ngrams``). It builds the vocabulary that ``config-diet.yml``'s character
``CountVectorsFeaturizer`` (``analyzer: char_wb``) builds from ``nlu_data/``, with that
featurizer's n-gram sizes, accent stripping and ``max_features`` cut (``--no-cap``: no
cut), and prints per language the share of the held-out messages' n-gram occurrences that
are in that vocabulary. Unknown n-grams are invisible to the classifiers, so a low share
means the model sees less of that language's messages. Only counts are printed, never a
held-out message. N-grams tied at the cut may be chosen differently from scikit-learn, so
the capped figures can differ from Rasa's by a point or two.
"""

from __future__ import annotations

import argparse
import dataclasses
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.i18n.evaluation import held_out_examples, training_examples
from bot.i18n.languages import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class CharNgramSettings:
    """The settings of the character n-gram featurizer that matter for its vocabulary."""

    min_ngram: int
    max_ngram: int
    strip_accents: bool = False
    max_features: int | None = None


def featurizer_settings(config_file: Path) -> CharNgramSettings:
    """Read the ``char_wb`` ``CountVectorsFeaturizer`` settings from a Rasa ``config.yml``.

    Args:
        config_file: The Rasa configuration.

    Returns:
        Its settings; Rasa's defaults where the file sets none.

    Raises:
        ValueError: The pipeline has no ``char_wb`` n-gram featurizer.
    """
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    for component in config.get("pipeline") or ():
        is_counter = component.get("name") == "CountVectorsFeaturizer"
        if is_counter and component.get("analyzer") == "char_wb":
            return CharNgramSettings(
                min_ngram=int(component.get("min_ngram", 1)),
                max_ngram=int(component.get("max_ngram", 1)),
                strip_accents=component.get("strip_accents") == "unicode",
                max_features=component.get("max_features"),
            )
    raise ValueError(f"{config_file} has no char_wb CountVectorsFeaturizer")


def normalise(text: str, settings: CharNgramSettings) -> str:
    """Lower-case and, if configured, strip accents as scikit-learn's ``strip_accents_unicode``."""
    text = text.lower()
    if settings.strip_accents:
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(char for char in decomposed if not unicodedata.combining(char))
    return text


def char_wb_ngrams(text: str, settings: CharNgramSettings) -> Iterator[str]:
    """Yield the n-grams scikit-learn's ``char_wb`` analyzer yields for ``text``.

    Args:
        text: One message.
        settings: The featurizer's settings.

    Yields:
        Character n-grams of every whitespace-separated word padded with one space on
        each side, after :func:`normalise`, from ``min_ngram`` to ``max_ngram`` characters.
    """
    for word in normalise(text, settings).split():
        padded = f" {word} "
        for size in range(settings.min_ngram, settings.max_ngram + 1):
            if size > len(padded):
                break
            for start in range(len(padded) - size + 1):
                yield padded[start : start + size]


def count_ngrams(texts: Iterable[str], settings: CharNgramSettings) -> Counter[str]:
    """Count n-gram occurrences over many messages."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(char_wb_ngrams(text, settings))
    return counts


def vocabulary(texts: Iterable[str], settings: CharNgramSettings) -> set[str]:
    """The featurizer's vocabulary: all n-grams, or the ``max_features`` most frequent."""
    counts = count_ngrams(texts, settings)
    if settings.max_features is None:
        return set(counts)
    return {ngram for ngram, _ in counts.most_common(settings.max_features)}


def coverage(known: set[str], texts: Iterable[str], settings: CharNgramSettings) -> float:
    """Share of the n-gram occurrences in ``texts`` that are in ``known``."""
    counts = count_ngrams(texts, settings)
    total = sum(counts.values())
    seen = sum(number for ngram, number in counts.items() if ngram in known)
    return seen / total if total else 0.0


def main() -> None:
    """Print the coverage table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-cap", action="store_true", help="ignore max_features")
    arguments = parser.parse_args()
    settings = featurizer_settings(ROOT / "config-diet.yml")
    if arguments.no_cap:
        settings = dataclasses.replace(settings, max_features=None)
    evaluated = [language.code for language in LANGUAGES if language.detector_name]
    training = [
        example.text
        for code in evaluated
        for example in training_examples(ROOT / "nlu_data", code)
    ]
    known = vocabulary(training, settings)
    print(f"featurizer: {settings}")
    print(f"vocabulary: {len(known)} character n-grams")
    print("| language | held-out n-gram occurrences known |")
    print("|---|---|")
    for code in evaluated:
        examples = held_out_examples(ROOT / "tests" / "nlu", code)
        share = coverage(known, (example.text for example in examples), settings)
        print(f"| {code} | {share:.3f} |")


if __name__ == "__main__":
    main()
