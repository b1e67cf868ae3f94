"""Intent classifier on TF-IDF character and word n-grams (replaces DIETClassifier)."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_plugins.nlu import _storage
from rasa_plugins.nlu.text_model import TextModel, TextModelConfig, has_word

RANKING_LENGTH = "ranking_length"
FLAT_LABELS = "flat_labels"
FAQ_CONFIDENCE = "sub_label_confidence"


def merge_sub_labels(
    ranking: list[tuple[str, float]], combine: str = "sum"
) -> list[tuple[str, float]]:
    """Report ``intent/key`` labels as their ``intent``, most probable first.

    A model trained on FAQ topics as separate labels still reports the FAQ as the one
    intent ``faq``, as Rasa's classifiers do for a retrieval intent.

    Args:
        ranking: Labels and probabilities.
        combine: ``sum``: the intent's probability is the sum over its keys (the
            ranking stays a distribution); ``max``: it is its most probable key's, so an
            FAQ question whose topic is unclear gets a low confidence and a fallback.
    """
    totals: dict[str, float] = {}
    for label, probability in ranking:
        intent = label.split("/", 1)[0]
        if combine == "sum":
            totals[intent] = totals.get(intent, 0.0) + probability
        else:
            totals[intent] = max(totals.get(intent, 0.0), probability)
    return sorted(totals.items(), key=lambda item: -item[1])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    """Predicts the intent with a calibrated linear model on character and word n-grams.

    It reads the message text itself (no featurizer needed) and sets ``intent`` and
    ``intent_ranking`` as ``DIETClassifier`` does, so ``FallbackClassifier`` and the
    policies work unchanged.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Return the default settings (see :class:`TextModelConfig`)."""
        return {
            **TextModelConfig().as_dict(),
            # Train one label per FAQ topic and report their sum as ``faq``: the topics
            # are distinct clusters, one ``faq`` label would have to span all of them.
            FLAT_LABELS: True,
            # How the keys' probabilities make the intent's (see merge_sub_labels).
            FAQ_CONFIDENCE: "sum",
            RANKING_LENGTH: 10,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: TextModel | None = None,
    ) -> None:
        """Create the component; ``model`` is the trained model, if any."""
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.model = model

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        """Create an untrained component."""
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        """Load the trained component from the model storage."""
        return cls(config, model_storage, resource, _storage.read(model_storage, resource))

    def train(self, training_data: TrainingData) -> Resource:
        """Train on every example that has a text and an intent."""
        texts, labels = [], []
        for example in training_data.intent_examples:
            text = example.get(TEXT)
            if not text:
                continue
            texts.append(text)
            sub_label = example.get(INTENT_RESPONSE_KEY) if self.config[FLAT_LABELS] else None
            labels.append(sub_label or example.get(INTENT))
        if len(set(labels)) < 2:
            # Nothing to tell apart: stay untrained, like Rasa's own classifiers.
            return self._resource
        self.model = TextModel(TextModelConfig.from_mapping(self.config)).fit(texts, labels)
        _storage.write(self.model, self._model_storage, self._resource)
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        """Set ``intent`` and ``intent_ranking`` on every message."""
        if self.model is None:
            return messages
        rankings = self.model.rankings([message.get(TEXT) or "" for message in messages])
        length = int(self.config[RANKING_LENGTH])
        for message, ranking in zip(messages, rankings, strict=False):
            merged = merge_sub_labels(ranking, str(self.config[FAQ_CONFIDENCE]))
            if not has_word(message.get(TEXT) or ""):
                # No letter or digit ("?!.,", emoji only): nothing the model learnt from,
                # so every intent is equally (im)probable and FallbackClassifier asks back
                # instead of trusting punctuation n-grams.
                merged = [(name, 1.0 / len(merged)) for name, _ in merged]
            entries = [
                {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}
                for name, confidence in merged
            ]
            message.set(INTENT, dict(entries[0]), add_to_output=True)
            message.set(
                INTENT_RANKING_KEY, entries[:length] if length > 0 else entries, add_to_output=True
            )
        return messages
