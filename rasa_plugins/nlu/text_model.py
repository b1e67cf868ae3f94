"""The text classifier both components share: normalised text → TF-IDF n-grams → linear model.

Nothing here depends on Rasa, so the cross-validation script (``tests/benchmarks/``) builds
exactly the model the components train.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from rasa_plugins.nlu.arabic_dialects import with_standard_arabic
from rasa_plugins.nlu.transliteration import cyrillic_to_latin, to_latin, with_latin_view

# Letters people leave out or type differently, mapped to one form after accents are
# stripped: Turkish dotless i, German sharp s, Arabic alef maqsura, ta marbuta and the
# kashida (a stretching stroke with no meaning).
_LETTERS = str.maketrans({"ı": "i", "ß": "ss", "ى": "ي", "ة": "ه", "ـ": None, "ё": "е"})
_SPACES = re.compile(r"\s+")


def normalise(text: str, strip_accents: bool = True) -> str:
    """Return the text casefolded, with combining marks dropped and spaces collapsed.

    Args:
        text: A user message.
        strip_accents: Drop combining marks after NFKD decomposition (ä → a, ş → s,
            أ → ا, Arabic short vowels), as people type with and without them.

    Returns:
        The text the n-grams are counted on.
    """
    folded = text.casefold()
    if strip_accents:
        decomposed = unicodedata.normalize("NFKD", folded)
        folded = "".join(char for char in decomposed if not unicodedata.combining(char))
        folded = folded.translate(_LETTERS)
    else:
        folded = unicodedata.normalize("NFC", folded)
    return _SPACES.sub(" ", folded).strip()


def has_word(text: str) -> bool:
    """Whether the text has at least one letter or digit (not only punctuation or emoji)."""
    return any(char.isalnum() for char in text)


@dataclass(frozen=True)
class TextModelConfig:
    """Settings of the text model (the keys of the components' configuration)."""

    char_min_ngram: int = 2
    char_max_ngram: int = 5
    word_min_ngram: int = 1
    word_max_ngram: int = 2
    strip_accents: bool = True
    sublinear_tf: bool = True
    min_df: int = 1
    # Latin view of Cyrillic and Arabic text (transliteration.py), for messages typed in
    # Latin letters: "none", "replace" (count n-grams on the Latin view only), "cyrillic"
    # (the same for Cyrillic only, Arabic script kept) or "view" (on the text and its
    # Latin view side by side).
    transliterate: str = "none"
    # Append the Standard Arabic word for frequent dialect words (arabic_dialects.py:
    # بدي/عايز/بغيت → اريد, شلون/ازاي → كيف), before the Latin view.
    arabic_dialect_view: bool = False
    # "svm": a linear SVM whose scores become probabilities by a softmax with a
    # temperature fitted on cross-validated scores (temperature scaling), trains in
    # seconds and keeps the SVM's ranking; "calibrated_svm": scikit-learn's sigmoid
    # calibration per class; "logistic_regression": multinomial (docs/benchmarks.md).
    classifier: str = "svm"
    c: float = 0.5
    class_weight: str | None = "balanced"
    random_state: int = 42

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> TextModelConfig:
        """Build the settings from a component configuration, ignoring Rasa's own keys."""
        names = {field.name for field in fields(cls)}
        return cls(**{key: value for key, value in config.items() if key in names})

    def as_dict(self) -> dict[str, Any]:
        """Return the settings as a plain dictionary (for default configurations)."""
        return {field.name: getattr(self, field.name) for field in fields(self)}


def build_pipeline(config: TextModelConfig) -> Pipeline:
    """Return an untrained scikit-learn pipeline for the settings.

    Texts must be passed through :func:`normalise` first; the vectorisers then only
    count n-grams (keeping the pipeline free of custom functions, so it can be saved
    with skops and loaded without trusting arbitrary code).
    """
    parts: list[tuple[str, Any]] = []
    if config.char_max_ngram > 0:
        parts.append(
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(config.char_min_ngram, config.char_max_ngram),
                    lowercase=False,
                    sublinear_tf=config.sublinear_tf,
                    min_df=config.min_df,
                    dtype=np.float32,
                ),
            )
        )
    if config.word_max_ngram > 0:
        parts.append(
            (
                "words",
                TfidfVectorizer(
                    analyzer="word",
                    ngram_range=(config.word_min_ngram, config.word_max_ngram),
                    lowercase=False,
                    token_pattern=r"(?u)\b\w+\b",  # noqa: S106 (a regex, not a password)
                    sublinear_tf=config.sublinear_tf,
                    min_df=config.min_df,
                    dtype=np.float32,
                ),
            )
        )
    if not parts:
        raise ValueError("the text model needs character or word n-grams")
    if config.classifier == "svm":
        classifier: Any = LinearSVC(
            C=config.c, class_weight=config.class_weight, random_state=config.random_state
        )
    elif config.classifier == "logistic_regression":
        classifier = LogisticRegression(
            C=config.c,
            class_weight=config.class_weight,
            solver="saga",
            max_iter=200,
            tol=1e-3,
            random_state=config.random_state,
        )
    elif config.classifier == "calibrated_svm":
        classifier = CalibratedClassifierCV(
            LinearSVC(
                C=config.c, class_weight=config.class_weight, random_state=config.random_state
            ),
            method="sigmoid",
            cv=3,
        )
    else:
        raise ValueError(f"unknown classifier {config.classifier!r}")
    return Pipeline([("features", FeatureUnion(parts)), ("classifier", classifier)])


def fit_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    """Return the temperature T that makes ``softmax(scores / T)`` fit the true labels best.

    Args:
        scores: Decision values, one row per example and one column per label, predicted
            by models that did not see the example (cross-validation).
        truth: The column index of each example's true label.

    Returns:
        The T with the lowest mean negative log-likelihood on a logarithmic grid.
    """
    best_temperature, best_loss = 1.0, float("inf")
    for temperature in np.geomspace(0.01, 10.0, 121):
        probabilities = softmax(scores / temperature)
        loss = -float(np.mean(np.log(probabilities[np.arange(len(truth)), truth] + 1e-12)))
        if loss < best_loss:
            best_temperature, best_loss = float(temperature), loss
    return best_temperature


def softmax(scores: np.ndarray) -> np.ndarray:
    """Row-wise softmax, stable for large scores."""
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    return np.asarray(shifted / shifted.sum(axis=1, keepdims=True))


def prepare(text: str, config: TextModelConfig) -> str:
    """Return the text as the vectorisers see it: normalised, with the configured Latin view."""
    normalised = normalise(text, config.strip_accents)
    if config.arabic_dialect_view:
        normalised = with_standard_arabic(normalised)
    if config.transliterate == "replace":
        return to_latin(normalised)
    if config.transliterate == "cyrillic":
        return cyrillic_to_latin(normalised)
    if config.transliterate == "view":
        return with_latin_view(normalised)
    if config.transliterate != "none":
        raise ValueError(f"unknown transliterate setting {config.transliterate!r}")
    return normalised


class TextModel:
    """A trained (or untrained) text classifier with probabilities per label."""

    def __init__(
        self,
        config: TextModelConfig,
        pipeline: Pipeline | None = None,
        temperature: float = 1.0,
    ) -> None:
        """Wrap a trained pipeline; without one, an untrained pipeline for the settings."""
        self.config = config
        self.pipeline = pipeline if pipeline is not None else build_pipeline(config)
        self.temperature = temperature

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> TextModel:
        """Train on texts and their labels (and, for the SVM, fit its temperature).

        The temperature matters beyond the fallback thresholds: the intent classifier
        sums the FAQ topics' probabilities into ``faq``, and with uncalibrated (too flat)
        probabilities that sum would win for every message.
        """
        normalised = [prepare(text, self.config) for text in texts]
        truth = np.asarray(labels, dtype=object)
        self.pipeline.fit(normalised, truth)
        if self.config.classifier == "svm":
            self.temperature = self._cross_validated_temperature(normalised, truth)
        return self

    def _cross_validated_temperature(self, texts: list[str], truth: np.ndarray) -> float:
        _, counts = np.unique(truth, return_counts=True)
        folds = int(min(3, counts.min()))
        if folds < 2:
            # Too few examples of some label to hold any out: keep T = 1.
            return 1.0
        features = self.pipeline.named_steps["features"].transform(texts)
        scores = cross_val_predict(
            clone(self.pipeline.named_steps["classifier"]),
            features,
            truth,
            cv=StratifiedKFold(folds, shuffle=True, random_state=self.config.random_state),
            method="decision_function",
        )
        classes = list(self.pipeline.classes_)
        if scores.ndim == 1:  # two labels: one score for the second
            scores = np.column_stack([-scores, scores]) / 2
        index = np.array([classes.index(label) for label in truth])
        return fit_temperature(np.asarray(scores, dtype=np.float64), index)

    @property
    def labels(self) -> list[str]:
        """The labels the model knows, in the order of :meth:`probabilities`' columns."""
        return [str(label) for label in self.pipeline.classes_]

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Return one row of label probabilities (summing to 1) per text."""
        normalised = [prepare(text, self.config) for text in texts]
        if self.config.classifier != "svm":
            return np.asarray(self.pipeline.predict_proba(normalised), dtype=np.float64)
        scores = np.asarray(self.pipeline.decision_function(normalised), dtype=np.float64)
        if scores.ndim == 1:
            scores = np.column_stack([-scores, scores]) / 2
        return softmax(scores / self.temperature)

    def rankings(self, texts: Sequence[str]) -> list[list[tuple[str, float]]]:
        """Return, per text, all labels with their probability, most probable first."""
        labels = self.labels
        result = []
        for row in self.probabilities(texts):
            order = np.argsort(-row, kind="stable")
            result.append([(labels[index], float(row[index])) for index in order])
        return result
