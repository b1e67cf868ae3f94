"""Response selector for a retrieval intent on TF-IDF n-grams (replaces ResponseSelector)."""

from __future__ import annotations

import json
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.nlu.training_data.util import intent_response_key_to_template_key

from rasa_plugins.nlu import _storage
from rasa_plugins.nlu.text_model import TextModel, TextModelConfig

RETRIEVAL_INTENT = "retrieval_intent"
RANKING_LENGTH = "ranking_length"
_META_FILE = "selector.json"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearResponseSelector(GraphComponent, IntentClassifier):
    """Chooses the response key (e.g. ``faq/insurance``) of one retrieval intent.

    Trained only on that intent's examples; fills ``message["response_selector"]`` exactly
    as Rasa's ``ResponseSelector`` does (``all_retrieval_intents`` and, under the
    retrieval intent's name, ``response`` and ``ranking``).
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Return the default settings (see :class:`TextModelConfig`)."""
        return {**TextModelConfig().as_dict(), RETRIEVAL_INTENT: None, RANKING_LENGTH: 10}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: TextModel | None = None,
        responses: dict[str, list[dict[str, Any]]] | None = None,
        all_retrieval_intents: list[str] | None = None,
    ) -> None:
        """Create the component with its trained model and the responses, if any."""
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.model = model
        self.responses = responses or {}
        self.all_retrieval_intents = all_retrieval_intents or []

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Refuse a configuration without a retrieval intent."""
        if not config.get(RETRIEVAL_INTENT):
            raise ValueError("LinearResponseSelector needs 'retrieval_intent' (e.g. faq).")

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearResponseSelector:
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
    ) -> LinearResponseSelector:
        """Load the trained component from the model storage."""
        model = _storage.read(model_storage, resource)
        if model is None:
            return cls(config, model_storage, resource)
        with model_storage.read_from(resource) as folder:
            meta = json.loads((folder / _META_FILE).read_text(encoding="utf-8"))
        return cls(
            config,
            model_storage,
            resource,
            model,
            meta["responses"],
            meta["all_retrieval_intents"],
        )

    @property
    def retrieval_intent(self) -> str:
        """The retrieval intent this selector answers (e.g. ``faq``)."""
        return str(self.config[RETRIEVAL_INTENT])

    def train(self, training_data: TrainingData) -> Resource:
        """Train on the retrieval intent's examples, one label per response key."""
        self.all_retrieval_intents = sorted(training_data.retrieval_intents)
        self.responses = dict(training_data.responses)
        texts, labels = [], []
        for example in training_data.intent_examples:
            if example.get(INTENT) != self.retrieval_intent or not example.get(TEXT):
                continue
            texts.append(example.get(TEXT))
            labels.append(example.get(INTENT_RESPONSE_KEY))
        if len(set(labels)) < 2:
            return self._resource
        self.model = TextModel(TextModelConfig.from_mapping(self.config)).fit(texts, labels)
        _storage.write(self.model, self._model_storage, self._resource)
        with self._model_storage.write_to(self._resource) as folder:
            (folder / _META_FILE).write_text(
                json.dumps(
                    {
                        "responses": self.responses,
                        "all_retrieval_intents": self.all_retrieval_intents,
                    },
                    ensure_ascii=False,
                ),
                encoding="utf-8",
            )
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        """Add the selected response key and its ranking to every message."""
        if self.model is None:
            return messages
        rankings = self.model.rankings([message.get(TEXT) or "" for message in messages])
        length = int(self.config[RANKING_LENGTH])
        for message, ranking in zip(messages, rankings, strict=False):
            key, confidence = ranking[0]
            utter_action = intent_response_key_to_template_key(key)
            prediction = {
                RESPONSE_SELECTOR_PREDICTION_KEY: {
                    RESPONSE_SELECTOR_RESPONSES_KEY: self.responses.get(utter_action)
                    or [{TEXT: key}],
                    PREDICTED_CONFIDENCE_KEY: confidence,
                    INTENT_RESPONSE_KEY: key,
                    RESPONSE_SELECTOR_UTTER_ACTION_KEY: utter_action,
                },
                RESPONSE_SELECTOR_RANKING_KEY: [
                    {PREDICTED_CONFIDENCE_KEY: score, INTENT_RESPONSE_KEY: label}
                    for label, score in (ranking[:length] if length > 0 else ranking)
                ],
            }
            selectors = message.get(RESPONSE_SELECTOR_PROPERTY_NAME, {})
            selectors[RESPONSE_SELECTOR_RETRIEVAL_INTENTS] = self.all_retrieval_intents
            selectors[self.retrieval_intent] = prediction
            message.set(RESPONSE_SELECTOR_PROPERTY_NAME, selectors, add_to_output=True)
        return messages
