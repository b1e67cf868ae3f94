"""Choose the linear NLU's settings by 5-fold stratified cross-validation on nlu_data/ only.

Run in the Rasa environment (it imports ``rasa_plugins``, which needs scikit-learn)::

    .venv-rasa/bin/python -m tests.benchmarks.nlu_cv [--variants baseline,char_2_4,...]

Each variant is the shipped setting (``config.yml``) with one thing changed. Per fold it
trains what the Rasa pipeline trains: the intent classifier on all examples and the
response selector on the FAQ examples, then predicts the left-out fold as the pipeline
does (exact = intent right and, for an FAQ, the selector's topic right). Figures are the
mean and standard deviation over the five folds, per language. The held-out sets in
``tests/nlu/`` are never read here, so their figures stay honest.

``--thresholds`` also prints, for the first variant, the FallbackClassifier threshold and
ambiguity threshold chosen on the out-of-fold predictions (see :func:`choose_thresholds`).
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from sklearn.model_selection import StratifiedKFold

from rasa_plugins.nlu.intent_classifier import merge_sub_labels
from rasa_plugins.nlu.text_model import TextModel, TextModelConfig

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("de", "en", "tr", "ar", "uk", "ru")


@dataclass(frozen=True)
class Example:
    """A training message, its label (intent or ``faq/<topic>``) and its language folder."""

    text: str
    label: str
    language: str
    file: str = ""


@dataclass(frozen=True)
class Variant:
    """A setting to cross-validate: the model settings and how the pipeline uses them."""

    config: TextModelConfig
    flat_labels: bool = True
    per_language: bool = False


@dataclass(frozen=True)
class Prediction:
    """The pipeline's out-of-fold answer for one example."""

    intent: str
    confidence: float
    second: float
    topic: str | None
    # the same with an intent's confidence taken as its best key's (not the sum)
    max_confidence: float = 0.0
    max_second: float = 0.0


def load_training_data(folder: Path) -> list[Example]:
    """Read ``<folder>/<language>/*.yml``."""
    examples = []
    for language in LANGUAGES:
        for path in sorted((folder / language).glob("*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            for block in data.get("nlu") or ():
                if "intent" not in block:
                    continue
                for line in str(block.get("examples", "")).splitlines():
                    text = line.strip()
                    if text.startswith("- "):
                        examples.append(
                            Example(text[2:].strip(), str(block["intent"]), language, path.name)
                        )
    return examples


def shipped_config() -> dict[str, object]:
    """Return the intent classifier's settings in ``config.yml``."""
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    for component in config["pipeline"]:
        if str(component["name"]).endswith("LinearIntentClassifier"):
            return dict(component)
    raise ValueError("config.yml has no LinearIntentClassifier")


def variants(base: TextModelConfig, flat: bool) -> dict[str, Variant]:
    """Return the variants tried: the shipped setting and one change each."""

    def change(**kwargs: object) -> Variant:
        return Variant(dataclasses.replace(base, **kwargs), flat)  # type: ignore[arg-type]

    return {
        "baseline": Variant(base, flat),
        "char_2_4": change(char_min_ngram=2, char_max_ngram=4),
        "char_1_6": change(char_min_ngram=1, char_max_ngram=6),
        "char_3_5": change(char_min_ngram=3, char_max_ngram=5),
        "no_words": change(word_max_ngram=0),
        "words_1_1": change(word_max_ngram=1),
        "words_1_3": change(word_max_ngram=3),
        "only_words": change(char_max_ngram=0),
        "keep_accents": change(strip_accents=False),
        "translit_none": change(transliterate="none"),
        "translit_replace": change(transliterate="replace"),
        "translit_view": change(transliterate="view"),
        "translit_cyrillic": change(transliterate="cyrillic"),
        "arabic_dialect_view": change(arabic_dialect_view=True),
        "no_arabic_dialect_view": change(arabic_dialect_view=False),
        "no_class_weight": change(class_weight=None),
        "c_0.2": change(c=0.2),
        "c_1": change(c=1.0),
        "c_2": change(c=2.0),
        "c_4": change(c=4.0),
        "not_sublinear": change(sublinear_tf=False),
        "one_faq_label": Variant(base, flat_labels=False),
        "per_language": Variant(base, flat, per_language=True),
        "logistic_regression": change(classifier="logistic_regression", c=10.0),
        "calibrated_svm": change(classifier="calibrated_svm"),
    }


def _fit(
    config: TextModelConfig, texts: Sequence[str], labels: Sequence[str]
) -> Callable[[Sequence[str]], list[list[tuple[str, float]]]]:
    return TextModel(config).fit(texts, labels).rankings


def predict_fold(variant: Variant, train: list[Example], test: list[Example]) -> list[Prediction]:
    """Train the intent model and the FAQ selector on ``train``; answer ``test``."""
    groups = [(lang, lang) for lang in LANGUAGES] if variant.per_language else [(None, "all")]
    answers: dict[int, Prediction] = {}
    for language, _name in groups:
        part = [e for e in train if language is None or e.language == language]
        indices = [i for i, e in enumerate(test) if language is None or e.language == language]
        texts = [test[i].text for i in indices]
        labels = [e.label if variant.flat_labels else e.label.split("/")[0] for e in part]
        intent_rankings = _fit(variant.config, [e.text for e in part], labels)(texts)
        faq = [e for e in part if e.label.startswith("faq/")]
        topic_rankings = _fit(variant.config, [e.text for e in faq], [e.label for e in faq])(texts)
        for index, ranking, topics in zip(indices, intent_rankings, topic_rankings, strict=True):
            merged = merge_sub_labels(ranking)
            second = merged[1][1] if len(merged) > 1 else 0.0
            by_max = merge_sub_labels(ranking, "max")
            answers[index] = Prediction(
                merged[0][0],
                merged[0][1],
                second,
                topics[0][0],
                by_max[0][1],
                by_max[1][1] if len(by_max) > 1 else 0.0,
            )
    return [answers[i] for i in range(len(test))]


def cross_validate(
    variant: Variant, examples: list[Example], folds: int = 5
) -> tuple[list[Prediction], dict[str, list[tuple[float, float]]]]:
    """Return out-of-fold predictions and per language the (intent, exact) accuracy per fold."""
    strata = [f"{e.language}:{e.label}" for e in examples]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=42)
    predictions: list[Prediction | None] = [None] * len(examples)
    scores: dict[str, list[tuple[float, float]]] = {lang: [] for lang in LANGUAGES}
    for train_index, test_index in splitter.split(np.zeros(len(examples)), strata):
        train = [examples[i] for i in train_index]
        test = [examples[i] for i in test_index]
        fold = predict_fold(variant, train, test)
        for i, prediction in zip(test_index, fold, strict=True):
            predictions[i] = prediction
        for language in LANGUAGES:
            pairs = [(e, p) for e, p in zip(test, fold, strict=True) if e.language == language]
            intent = sum(is_intent_right(e, p) for e, p in pairs) / len(pairs)
            exact = sum(is_exact_right(e, p) for e, p in pairs) / len(pairs)
            scores[language].append((intent, exact))
    return [p for p in predictions if p is not None], scores


def is_intent_right(example: Example, prediction: Prediction) -> bool:
    """Whether the intent is right, the FAQ counting as one intent."""
    return example.label.split("/")[0] == prediction.intent


def is_exact_right(example: Example, prediction: Prediction) -> bool:
    """Whether intent and, for an FAQ, the topic are right."""
    if prediction.intent == "faq":
        return example.label == prediction.topic
    return example.label == prediction.intent


def choose_thresholds(
    examples: list[Example],
    predictions: list[Prediction],
    budget: float = 0.01,
    combine: str = "sum",
) -> tuple[float, float, str]:
    """Pick FallbackClassifier's thresholds on out-of-fold predictions.

    The rule: catch as many wrong answers as possible (they become "did you mean …?")
    while asking back on at most ``budget`` (1 %) of all messages that were answered
    right. A wrong answer is worse than a question back, but a question back on a right
    answer costs the user a step, and the accuracy tests count it as wrong.

    Returns:
        The threshold, the ambiguity threshold and a line describing the choice.
    """
    right = np.array([is_exact_right(e, p) for e, p in zip(examples, predictions, strict=True)])
    if combine == "sum":
        confidence = np.array([p.confidence for p in predictions])
        margin = confidence - np.array([p.second for p in predictions])
    else:
        confidence = np.array([p.max_confidence for p in predictions])
        margin = confidence - np.array([p.max_second for p in predictions])
    best = (0.0, 0.0, -1, 0)
    for threshold in np.round(np.arange(0.0, 0.81, 0.02), 2):
        for ambiguity in np.round(np.arange(0.0, 0.31, 0.02), 2):
            asked = (confidence < threshold) | (margin < ambiguity)
            lost = int((asked & right).sum())
            caught = int((asked & ~right).sum())
            if lost <= budget * len(examples) and caught > best[2]:
                best = (float(threshold), float(ambiguity), caught, lost)
    threshold, ambiguity, caught, lost = best
    wrong = int((~right).sum())
    note = (
        f"{combine}: threshold {threshold:.2f}, ambiguity {ambiguity:.2f}: "
        f"asks back on {caught} of "
        f"{wrong} wrong answers and {lost} of {int(right.sum())} right ones "
        f"({len(examples)} out-of-fold predictions)"
    )
    return threshold, ambiguity, note


# The training files of messages typed in Latin letters (translit, Arabizi).
LATIN_TYPED_FILES = ("translit.yml", "arabizi.yml")


def latin_typed_check(variant: Variant, examples: list[Example]) -> dict[str, float]:
    """Exact accuracy on the Latin-typed examples when trained on all other examples.

    Shows whether a setting carries what the model learnt from Cyrillic and Arabic-script
    examples over to the same languages typed in Latin letters.
    """
    test = [e for e in examples if e.file in LATIN_TYPED_FILES]
    train = [e for e in examples if e.file not in LATIN_TYPED_FILES]
    predictions = predict_fold(variant, train, test)
    result = {}
    for language in sorted({e.language for e in test}):
        pairs = [(e, p) for e, p in zip(test, predictions, strict=True) if e.language == language]
        result[language] = sum(is_exact_right(e, p) for e, p in pairs) / len(pairs)
    return result


def main() -> None:
    """Cross-validate the variants and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", default="", help="comma-separated names (default: all)")
    parser.add_argument("--thresholds", action="store_true", help="tune fallback thresholds")
    parser.add_argument(
        "--latin-typed",
        action="store_true",
        help="only: train without the Latin-typed examples and test on them",
    )
    args = parser.parse_args()
    shipped = shipped_config()
    base = TextModelConfig.from_mapping(shipped)
    table = variants(base, bool(shipped.get("flat_labels", True)))
    names = [n for n in args.variants.split(",") if n] or list(table)
    examples = load_training_data(ROOT / "nlu_data")
    if args.latin_typed:
        for name in names:
            figures = latin_typed_check(table[name], examples)
            print(name, " ".join(f"{lang} {value:.3f}" for lang, value in figures.items()))
        return
    print(f"{len(examples)} training examples; 5-fold stratified cross-validation\n")
    print("| variant | seconds | " + " | ".join(LANGUAGES) + " | mean |")
    print("|---|---:|" + "---|" * (len(LANGUAGES) + 1))
    for number, name in enumerate(names):
        started = time.perf_counter()
        predictions, scores = cross_validate(table[name], examples)
        seconds = time.perf_counter() - started
        cells = []
        for language in LANGUAGES:
            intents = [s[0] for s in scores[language]]
            exacts = [s[1] for s in scores[language]]
            cells.append(
                f"{statistics.mean(intents):.3f} / {statistics.mean(exacts):.3f} "
                f"± {statistics.stdev(exacts):.3f}"
            )
        overall = statistics.mean(s[1] for lang in LANGUAGES for s in scores[lang])
        print(
            f"| {name} | {seconds:.0f} | " + " | ".join(cells) + f" | {overall:.3f} |", flush=True
        )
        if args.thresholds and number == 0:
            for combine in ("sum", "max"):
                note = choose_thresholds(examples, predictions, combine=combine)[2]
                print(f"\nFallback, {note}\n", flush=True)


if __name__ == "__main__":
    main()
