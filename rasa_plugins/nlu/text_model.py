"""The text classifier both components share: normalised text → TF-IDF n-grams → linear model.

Nothing here depends on Rasa, so the cross-validation script (``tests/benchmarks/``) builds
exactly the model the components train.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, fields
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

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
    classifier: str = "logistic_regression"  # or "calibrated_svm"
    c: float = 10.0
    class_weight: Optional[str] = "balanced"
    random_state: int = 42

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> "TextModelConfig":
        """Build the settings from a component configuration, ignoring Rasa's own keys."""
        names = {field.name for field in fields(cls)}
        return cls(**{key: value for key, value in config.items() if key in names})

    def as_dict(self) -> Dict[str, Any]:
        """Return the settings as a plain dictionary (for default configurations)."""
        return {field.name: getattr(self, field.name) for field in fields(self)}


def build_pipeline(config: TextModelConfig) -> Pipeline:
    """Return an untrained scikit-learn pipeline for the settings.

    Texts must be passed through :func:`normalise` first; the vectorisers then only
    count n-grams (keeping the pipeline free of custom functions, so it can be saved
    with skops and loaded without trusting arbitrary code).
    """
    parts: List[Tuple[str, Any]] = []
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
                    token_pattern=r"(?u)\b\w+\b",
                    sublinear_tf=config.sublinear_tf,
                    min_df=config.min_df,
                    dtype=np.float32,
                ),
            )
        )
    if not parts:
        raise ValueError("the text model needs character or word n-grams")
    if config.classifier == "logistic_regression":
        classifier: Any = LogisticRegression(
            C=config.c,
            class_weight=config.class_weight,
            max_iter=2000,
            random_state=config.random_state,
        )
    elif config.classifier == "calibrated_svm":
        classifier = CalibratedClassifierCV(
            LinearSVC(C=config.c, class_weight=config.class_weight, random_state=config.random_state),
            method="sigmoid",
            cv=3,
        )
    else:
        raise ValueError(f"unknown classifier {config.classifier!r}")
    return Pipeline([("features", FeatureUnion(parts)), ("classifier", classifier)])


class TextModel:
    """A trained (or untrained) text classifier with probabilities per label."""

    def __init__(self, config: TextModelConfig, pipeline: Optional[Pipeline] = None) -> None:
        """Wrap a pipeline; without one, an untrained pipeline for the settings."""
        self.config = config
        self.pipeline = pipeline if pipeline is not None else build_pipeline(config)
        self.trained = pipeline is not None

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> "TextModel":
        """Train on texts and their labels; returns itself."""
        normalised = [normalise(text, self.config.strip_accents) for text in texts]
        self.pipeline.fit(normalised, np.asarray(labels, dtype=object))
        self.trained = True
        return self

    @property
    def labels(self) -> List[str]:
        """The labels the model knows, in the order of :meth:`probabilities`' columns."""
        return [str(label) for label in self.pipeline.classes_]

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Return one row of label probabilities (summing to 1) per text."""
        normalised = [normalise(text, self.config.strip_accents) for text in texts]
        return np.asarray(self.pipeline.predict_proba(normalised), dtype=np.float64)

    def rankings(self, texts: Sequence[str]) -> List[List[Tuple[str, float]]]:
        """Return, per text, all labels with their probability, most probable first."""
        labels = self.labels
        result = []
        for row in self.probabilities(texts):
            order = np.argsort(-row, kind="stable")
            result.append([(labels[index], float(row[index])) for index in order])
        return result
