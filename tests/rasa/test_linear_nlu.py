"""The linear NLU components (rasa_plugins/nlu) inside Rasa: output format, persistence.

The components need the Rasa environment, so the check runs there as a child process
(``tests/rasa/linear_nlu_check.py``) and this test reads its JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

import pytest

from tests.helpers import ROOT

RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"


def keys_and_types(value: Any) -> Any:
    """The structure of a JSON value: dict keys and value types, lists by their first item."""
    if isinstance(value, dict):
        return {key: keys_and_types(item) for key, item in value.items()}
    if isinstance(value, list):
        return [keys_and_types(value[0])] if value else []
    return type(value).__name__


@pytest.fixture(scope="module")
def check() -> dict[str, Any]:
    completed = subprocess.run(
        [str(RASA_PYTHON), "-m", "tests.rasa.linear_nlu_check"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"},
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return dict(json.loads(completed.stdout))


def test_intent_and_ranking_as_rasa_sets_them(check: dict[str, Any]) -> None:
    greeting, cost, hours, _nonsense = check["trained"]
    assert greeting["intent"]["name"] == "greet"
    # The FAQ topics are one intent, "faq", as for Rasa's classifiers.
    assert cost["intent"]["name"] == "faq"
    assert hours["intent"]["name"] == "faq"
    for message in check["trained"]:
        ranking = message["intent_ranking"]
        assert {entry["name"] for entry in ranking} == {"greet", "goodbye", "faq"}
        assert set(ranking[0]) == {"name", "confidence"}
        confidences = [entry["confidence"] for entry in ranking]
        assert confidences == sorted(confidences, reverse=True)
        assert sum(confidences) == pytest.approx(1.0)
        if message["intent"]["name"] != "nlu_fallback":
            assert message["intent"] == ranking[0]


def test_response_selector_output_has_rasas_structure(check: dict[str, Any]) -> None:
    ours = [message["response_selector"] for message in check["trained"]]
    assert [keys_and_types(item) for item in ours] == [
        keys_and_types(item) for item in check["rasa_response_selector"]
    ]
    assert ours[1]["faq"]["response"]["intent_response_key"] == "faq/costs"
    assert ours[1]["faq"]["response"]["utter_action"] == "utter_faq/costs"
    assert ours[1]["faq"]["response"]["responses"] == [{"text": "It is free."}]
    assert ours[2]["faq"]["response"]["intent_response_key"] == "faq/time"


def test_nonsense_is_less_confident_than_known_messages(check: dict[str, Any]) -> None:
    *known, nonsense = check["trained"]
    top = nonsense["intent_ranking"][0]["confidence"]
    assert all(top < message["intent"]["confidence"] for message in known)


def test_messages_without_words_get_a_fallback(check: dict[str, Any]) -> None:
    for message in check["no_words"]:
        confidences = [
            entry["confidence"]
            for entry in message["intent_ranking"]
            if entry["name"] != "nlu_fallback"  # added by FallbackClassifier
        ]
        # greet, goodbye and faq, equally improbable (also with the FAQ's sum over topics)
        assert confidences == pytest.approx([1 / 3] * 3)
        assert message["intent"]["name"] == "nlu_fallback"
    # A message with words is not affected (the same model gives it a clear answer).
    assert check["trained"][0]["intent"]["name"] == "greet"


def test_loaded_components_predict_what_the_trained_ones_did(check: dict[str, Any]) -> None:
    assert check["loaded"] == check["trained"]
