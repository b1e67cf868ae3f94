"""Train the linear NLU components on a tiny data set with Rasa's own APIs; print JSON.

Runs in the Rasa environment (``.venv-rasa/bin/python -m tests.rasa.linear_nlu_check``),
called by ``tests/rasa/test_linear_nlu.py``, which checks the output. Alongside, it
trains Rasa's own ``ResponseSelector`` (one epoch) on the same data, so the test can
compare the structure of both outputs.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_plugins.nlu.intent_classifier import LinearIntentClassifier
from rasa_plugins.nlu.response_selector import LinearResponseSelector

EXAMPLES = {
    "greet": ["hello", "hi there", "good morning", "hey", "hallo zusammen", "good evening"],
    "goodbye": ["bye", "see you later", "goodbye then", "tschüss", "bye bye", "ciao for now"],
    "faq/costs": [
        "what does it cost",
        "do I have to pay",
        "is it free",
        "how much money is it",
        "are there any fees",
        "costs?",
    ],
    "faq/time": [
        "how much time does it take",
        "how many hours a week",
        "how long does it last",
        "is one evening a week enough",
        "time needed per week",
        "how often do we meet",
    ],
}
PROBES = ["hello there", "what does it cost me", "how many hours", "zzzz qqqq"]
NO_WORDS = ["?!.,", "\U0001f914\U0001f914", "... ???"]


def training_data() -> TrainingData:
    """The tiny data set: two intents and a retrieval intent with two keys."""
    messages = []
    for label, texts in EXAMPLES.items():
        intent, _, key = label.partition("/")
        for text in texts:
            data: dict[str, Any] = {"text": text, "intent": intent}
            if key:
                data["intent_response_key"] = label
            messages.append(Message(data=data))
    responses = {
        "utter_faq/costs": [{"text": "It is free."}],
        "utter_faq/time": [{"text": "Two hours a week."}],
    }
    return TrainingData(training_examples=messages, responses=responses)


def outputs(messages: list[Message]) -> list[dict[str, Any]]:
    """What Rasa puts into the parse result of each message."""
    return [message.as_dict_nlu() | {"text": message.get("text")} for message in messages]


def main() -> None:
    """Train, persist, load and predict; print everything as JSON."""
    with tempfile.TemporaryDirectory() as folder:
        storage = LocalModelStorage(Path(folder))
        context = ExecutionContext(GraphSchema({}), "check")

        def component(cls: Any, name: str, **config: Any) -> Any:
            return cls.create(
                {**cls.get_default_config(), **config}, storage, Resource(name), context
            )

        data = training_data()
        classifier = component(LinearIntentClassifier, "intents")
        selector = component(LinearResponseSelector, "selector", retrieval_intent="faq")
        classifier.train(data)
        selector.train(data)
        # Load both from the storage, as the Rasa server does.
        loaded_classifier = LinearIntentClassifier.load(
            {**LinearIntentClassifier.get_default_config()}, storage, Resource("intents"), context
        )
        loaded_selector = LinearResponseSelector.load(
            {**LinearResponseSelector.get_default_config(), "retrieval_intent": "faq"},
            storage,
            Resource("selector"),
            context,
        )
        fallback = component(FallbackClassifier, "fallback", threshold=0.3)
        results = {}
        for name, (intents, responses) in {
            "trained": (classifier, selector),
            "loaded": (loaded_classifier, loaded_selector),
        }.items():
            messages = [Message(data={"text": text}) for text in PROBES]
            messages = fallback.process(responses.process(intents.process(messages)))
            results[name] = outputs(messages)

        # Messages without a letter or digit: no evidence, so a uniform ranking.
        messages = [Message(data={"text": text}) for text in NO_WORDS]
        messages = fallback.process(selector.process(classifier.process(messages)))
        results["no_words"] = outputs(messages)

        # Rasa's own ResponseSelector on the same data, for the output's structure.
        tokenizer = component(WhitespaceTokenizer, "tokens")
        featurizer = component(CountVectorsFeaturizer, "counts")
        rasa_selector = component(
            ResponseSelector, "rasa_selector", retrieval_intent="faq", epochs=1
        )
        tokenizer.process_training_data(data)
        featurizer.train(data)
        featurizer.process_training_data(data)
        rasa_selector.train(data)
        messages = [Message(data={"text": text}) for text in PROBES]
        messages = rasa_selector.process(featurizer.process(tokenizer.process(messages)))
        results["rasa_response_selector"] = [m.get("response_selector") for m in messages]
    json.dump(results, sys.stdout, ensure_ascii=False, default=float)


if __name__ == "__main__":
    main()
